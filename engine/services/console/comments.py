"""Comments on a case: internal notes that only staff read, and messages to the citizen (shown on the citizen's
case page and mailed). Both are plain text (pages escape it), audited, and written by staff who may see the case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Final

from sqlalchemy.orm import Session

from engine.models import Application, CaseComment
from engine.references import normalise_reference
from engine.services.cases.access import can_view_application
from engine.services.cases.attachments import store_upload
from engine.services.console.case_file import find_case
from engine.services.context import Actor, Platform
from engine.services.errors import NotFoundError, RefusedError
from engine.services.mail.outbox import queue_email
from engine.store import applications, audit, comments

BODY_LIMIT: Final = 5000


class CommentRefusedError(RefusedError):
    """`reason`: "empty", "too_long"."""


@dataclass(frozen=True)
class CommentView:
    id: int
    author: str
    to_citizen: bool
    body: str
    created_at: datetime
    attachment_id: str | None = None
    attachment_name: str = ""


@dataclass(frozen=True)
class CommentFile:
    """A file sent with a comment, as the request brought it."""

    filename: str
    content_type: str
    stream: BinaryIO


def _views(db: Session, rows: Sequence[CaseComment]) -> list[CommentView]:
    names = comments.attachment_names(db, [c.attachment_id for c in rows if c.attachment_id])
    return [
        CommentView(
            c.id,
            c.author,
            c.to_citizen,
            c.body,
            c.created_at,
            c.attachment_id,
            names.get(c.attachment_id or "", ""),
        )
        for c in rows
    ]


def add_comment(
    db: Session,
    platform: Platform,
    actor: Actor,
    reference: str,
    body: str,
    *,
    to_citizen: bool,
    file: CommentFile | None = None,
) -> CommentView:
    """Write a note or a message, with a file if given (the actor must be staff who may operate on the case); a
    message is mailed."""
    application = find_case(db, actor, reference)
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise CommentRefusedError("empty")
    if len(text) > BODY_LIMIT:
        raise CommentRefusedError("too_long")
    attachment_id = None
    if file is not None:
        stored = store_upload(
            db,
            actor,
            upload_dir=platform.settings.upload_dir,
            limit=platform.settings.max_upload_bytes,
            filename=file.filename,
            content_type=file.content_type,
            stream=file.stream,
        )
        attachment_id = stored.id
    comment = CaseComment(
        application_id=application.id,
        author_id=actor.user_id,
        author=actor.full_name or actor.username,
        to_citizen=to_citizen,
        body=text,
        attachment_id=attachment_id,
    )
    comments.add(db, comment)
    audit.record(
        db,
        action="comment.message_to_citizen" if to_citizen else "comment.internal_note",
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=application.id,
        details={"comment_id": comment.id, "length": len(text), "attachment": attachment_id},
    )
    if to_citizen:
        _mail(db, platform, application, comment)
    return _views(db, [comment])[0]


def _mail(db: Session, platform: Platform, application: Application, comment: CaseComment) -> None:
    applicant = application.applicant
    if not applicant.email:
        return
    queue_email(
        db,
        platform,
        to=applicant.email,
        template="case_message",
        context={"message": comment.body, "author": comment.author},
        locale=applicant.locale or platform.settings.default_locale,
        application_id=application.id,
        key=f"case_message.{comment.id}",
    )


def staff_comments(db: Session, actor: Actor, reference: str) -> list[CommentView]:
    """Every note and message of a case, oldest first (staff who may operate on it)."""
    application = find_case(db, actor, reference)
    return _views(db, comments.for_application(db, application.id))


def citizen_messages(db: Session, actor: Actor, reference: str) -> list[CommentView]:
    """The messages to the citizen (never the internal notes), for whoever may see the case."""
    normalised = normalise_reference(reference)
    application = applications.find_by_reference(db, normalised) if normalised else None
    if application is None or not can_view_application(db, actor, application):
        raise NotFoundError(reference)
    return _views(db, comments.for_application(db, application.id, to_citizen_only=True))
