"""Uploaded files: stored under the upload directory by id, with a size limit and a digest."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import Attachment
from engine.services.cases.access import can_view_application
from engine.services.context import Actor
from engine.services.errors import ForbiddenError, NotFoundError, UploadTooLargeError
from engine.store import applications, attachments, audit, comments

CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    id: str
    filename: str
    content_type: str
    size: int
    path: Path


def safe_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    return name[:200] or "file"


def store_upload(
    db: Session, actor: Actor, *, upload_dir: Path, limit: int, filename: str, content_type: str, stream: BinaryIO
) -> StoredFile:
    """Write the file (refusing it past `limit` bytes, removing the partial file) and record it."""
    if actor.user_id is None:
        raise ForbiddenError("sign in to upload")
    attachment_id = str(uuid.uuid4())
    upload_dir.mkdir(parents=True, exist_ok=True)
    path = upload_dir / attachment_id
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLargeError(limit)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    attachment = Attachment(
        id=attachment_id,
        owner_id=actor.user_id,
        filename=safe_filename(filename),
        content_type=(content_type or "application/octet-stream")[:200],
        size=size,
        sha256=digest.hexdigest(),
        created_at=session_now(db),
    )
    attachments.add(db, attachment)
    audit.record(
        db,
        action="attachment.uploaded",
        actor_id=actor.user_id,
        actor=actor.username,
        details={"id": attachment_id, "filename": attachment.filename, "size": size},
    )
    return StoredFile(attachment_id, attachment.filename, attachment.content_type, size, path)


def open_attachment(db: Session, actor: Actor, attachment_id: str, *, upload_dir: Path) -> StoredFile:
    attachment = attachments.get(db, attachment_id)
    if attachment is None:
        raise NotFoundError(attachment_id)
    allowed = attachment.owner_id == actor.user_id
    if not allowed and attachment.application_id is not None:
        application = applications.get(db, attachment.application_id)
        allowed = application is not None and can_view_application(db, actor, application)
    elif not allowed and (sent := comments.comment_of_attachment(db, attachment.id)) is not None:
        application_id, to_citizen = sent  # a comment's file: an internal note's only for staff
        application = applications.get(db, application_id)
        seen = application is not None and can_view_application(db, actor, application)
        allowed = seen and (to_citizen or actor.is_staff)
    if not allowed:
        raise NotFoundError(attachment_id)
    return StoredFile(
        attachment.id, attachment.filename, attachment.content_type, attachment.size, upload_dir / attachment.id
    )


def download_attachment(db: Session, actor: Actor, attachment_id: str, *, upload_dir: Path) -> StoredFile:
    """`open_attachment` for handing the file over: the download is audited (who, which file, which case)."""
    found = open_attachment(db, actor, attachment_id, upload_dir=upload_dir)
    attachment = attachments.get(db, attachment_id)
    audit.record(
        db,
        action="attachment.downloaded",
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=None if attachment is None else attachment.application_id,
        details={"id": found.id, "filename": found.filename},
    )
    return found
