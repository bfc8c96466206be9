"""The operator console's case page and its actions, shared by /admin/cases/<reference> and /staff/cases/<reference>.

Every action is a Flask-WTF form (CSRF) with a required reason and the case's version as the operator saw it: a
second click, or another operator's action in between, changes nothing and says so.
"""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from engine.services.console import comments, operations
from engine.services.console.case_file import diagram_xml, event_details, get_case_file
from engine.services.console.comments import CommentFile
from engine.services.console.operations import CaseActionRefusedError
from engine.services.errors import ConcurrentUpdateError, UploadTooLargeError
from webapp.admin.people_forms import choices
from webapp.case_console import status_label
from webapp.requests import actor, db, platform


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ReasonForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(
        lazy_gettext("Reason"),
        validators=[DataRequired(lazy_gettext("Enter the reason")), Length(max=2000)],
        filters=[_strip],
    )
    version = IntegerField(validators=[InputRequired()])


class ReassignForm(ReasonForm):
    task_id = HiddenField(validators=[InputRequired()])
    username = StringField(lazy_gettext("To a person (username)"), filters=[_strip], validators=[Length(max=150)])
    group = StringField(lazy_gettext("Or to a group (its code)"), filters=[_strip], validators=[Length(max=150)])


class CommentForm(FlaskForm):  # type: ignore[misc]
    body = TextAreaField(
        lazy_gettext("Comment"),
        validators=[
            DataRequired(lazy_gettext("Enter the comment")),
            Length(max=comments.BODY_LIMIT, message=lazy_gettext("The comment must be %(max)d characters or fewer")),
        ],
        filters=[_strip],
    )
    audience = RadioField(
        lazy_gettext("Who reads it"),
        choices=choices(
            [
                ("staff", lazy_gettext("Staff only: an internal note")),
                ("citizen", lazy_gettext("The citizen: shown on their case page and sent by e-mail")),
            ]
        ),
        default="staff",
        validators=[InputRequired(lazy_gettext("Choose who reads it"))],
    )
    file = FileField(lazy_gettext("A file to send with it"))


ACTIONS = ("suspend", "resume", "cancel")


def refusal_text(reason: str) -> str:
    texts = {
        "not_running": _("The case is not running (it is closed or already suspended). Nothing was changed."),
        "not_suspended": _("The case is not suspended. Nothing was changed."),
        "no_reason": _("Enter the reason"),
        "no_such_person": _("There is no active official or administrator with this username."),
        "no_such_group": _("There is no group with this code that you may give tasks to."),
        "task_closed": _("This task is no longer open, or it is the citizen's. Nothing was changed."),
    }
    return str(texts.get(reason, reason))


def case_page(
    reference: str, *, prefix: str, forms: dict[str, Any] | None = None, status: int = 200
) -> tuple[str, int]:
    found = get_case_file(db(), platform(), actor(), reference)
    version = found.application.version
    shown: dict[str, Any] = {a: ReasonForm(prefix=a, formdata=None, data={"version": version}) for a in ACTIONS}
    shown["reassign"] = ReassignForm(prefix="reassign", formdata=None, data={"version": version})
    shown["comment"] = CommentForm(prefix="comment", formdata=None)
    shown.update(forms or {})
    errors = {
        field.name: str(field.errors[0])
        for form in shown.values()
        for field in form
        if field.errors and not field.name.endswith("csrf_token")
    }
    html = render_template(
        "pages/console/case.html",
        case=found,
        forms=shown,
        errors=errors,
        error_title=bool(errors),
        prefix=prefix,
        status_label=status_label,
        event_details=event_details,
        may_cancel=actor().is_admin,
        comments=comments.staff_comments(db(), actor(), reference),
    )
    return html, status


def comment(reference: str, *, prefix: str) -> WerkzeugResponse | tuple[str, int]:
    form = CommentForm(prefix="comment")
    if not form.validate_on_submit():
        return case_page(reference, prefix=prefix, forms={"comment": form}, status=422)
    to_citizen = form.audience.data == "citizen"
    upload = form.file.data
    sent = (
        CommentFile(upload.filename, upload.mimetype or "application/octet-stream", cast(BinaryIO, upload.stream))
        if upload is not None and upload.filename
        else None
    )
    try:
        comments.add_comment(db(), platform(), actor(), reference, form.body.data, to_citizen=to_citizen, file=sent)
    except UploadTooLargeError as exc:
        form.file.errors = [_("The file must be smaller than %(size)s MB", size=exc.limit // (1024 * 1024))]
        return case_page(reference, prefix=prefix, forms={"comment": form}, status=422)
    flash(_("The message was sent to the citizen.") if to_citizen else _("The note was added."), "success")
    return redirect(url_for(f"{prefix}.case", reference=reference) + "#comments")


def diagram(reference: str) -> WerkzeugResponse:
    # A download, never a page: the diagram's XML is analysts' text, and browsers run scripts in XHTML.
    response = Response(diagram_xml(db(), actor(), reference), mimetype="application/xml")
    response.headers["Content-Disposition"] = 'attachment; filename="case.bpmn"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def act(reference: str, action: str, *, prefix: str) -> WerkzeugResponse | tuple[str, int]:
    form = ReasonForm(prefix=action)
    if not form.validate_on_submit():
        return case_page(reference, prefix=prefix, forms={action: form}, status=422)
    run = {
        "suspend": operations.suspend_case,
        "resume": operations.resume_case,
        "cancel": operations.cancel_case,
    }[action]
    done = {
        "suspend": _("The case was suspended: it takes no step and its deadlines are paused."),
        "resume": _("The case was resumed; its deadlines were moved by the time it was suspended."),
        "cancel": _("The case was cancelled."),
    }[action]
    return _run(
        reference,
        prefix,
        lambda: run(db(), platform(), actor(), reference, form.reason.data, expected_version=form.version.data),
        done,
    )


def reassign(reference: str, *, prefix: str) -> WerkzeugResponse | tuple[str, int]:
    form = ReassignForm(prefix="reassign")
    valid = form.validate_on_submit()
    if valid and bool(form.username.data) == bool(form.group.data):
        form.username.errors = [_("Enter either a username or a group code")]
        valid = False
    if not valid:
        return case_page(reference, prefix=prefix, forms={"reassign": form}, status=422)
    return _run(
        reference,
        prefix,
        lambda: operations.reassign_task(
            db(),
            platform(),
            actor(),
            reference,
            form.task_id.data,
            reason=form.reason.data,
            username=form.username.data or "",
            group=form.group.data or "",
            expected_version=form.version.data,
        ),
        _("The task was reassigned."),
    )


def _run(reference: str, prefix: str, run: Any, done: str) -> WerkzeugResponse | tuple[str, int]:
    try:
        run()
    except ConcurrentUpdateError:
        flash(
            _(
                "The case changed since you opened this page (another operator or a step). "
                "Nothing was changed: look again."
            ),
            "warning",
        )
        return _back(reference, prefix), 409
    except CaseActionRefusedError as exc:
        flash(refusal_text(exc.reason), "warning")
        return _back(reference, prefix), 409
    flash(done, "success")
    return redirect(url_for(f"{prefix}.case", reference=reference))


def _back(reference: str, prefix: str) -> str:
    html, _status = case_page(reference, prefix=prefix)
    return html
