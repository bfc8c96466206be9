"""Handing a claimed task to a colleague of the same group, with a note (one question per page)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from engine.services.cases import steps
from engine.services.errors import ConflictError
from engine.services.worklist import handover
from engine.services.worklist.handover import HandoverRefusedError
from webapp.admin.people import errors_of
from webapp.admin.people_forms import choices
from webapp.requests import actor, db, platform
from webapp.staff import staff
from webapp.staff.queue_pages import conflict_text


class HandoverForm(FlaskForm):  # type: ignore[misc]
    colleague = RadioField(
        lazy_gettext("Who should do it?"),
        coerce=int,
        validators=[InputRequired(lazy_gettext("Choose the colleague to hand the task to"))],
    )
    note = TextAreaField(
        lazy_gettext("Note for your colleague"),
        validators=[
            Length(
                max=handover.NOTE_LIMIT,
                message=lazy_gettext("The note must be %(max)d characters or fewer"),
            )
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


def _refusal(reason: str) -> str:
    messages: dict[str, str] = {
        "not_holder": _("Only the official who holds the task can hand it on: take it first."),
        "not_colleague": _("Choose the colleague to hand the task to"),
        "note_too_long": _("The note must be %(limit)d characters or fewer", limit=handover.NOTE_LIMIT),
    }
    return messages.get(reason, reason)


@staff.route("/tasks/<task_id>/hand-over", methods=["GET", "POST"])
def hand_over(task_id: str) -> Response | tuple[str, int]:
    task = steps.get_task(db(), actor(), task_id)
    colleagues = handover.colleagues(db(), actor(), task_id)
    form = HandoverForm()
    form.colleague.choices = choices((c.id, f"{c.full_name or c.username} ({c.username})") for c in colleagues)
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                chosen = handover.hand_over(
                    db(), platform(), actor(), task_id, to_user_id=form.colleague.data, note=form.note.data or ""
                )
            except HandoverRefusedError as exc:
                form.colleague.errors = [_refusal(exc.reason)]
            except ConflictError as exc:
                db().rollback()
                flash(conflict_text(exc), "warning")
                return redirect(url_for("staff.task", task_id=task_id))
            else:
                flash(
                    _("You handed the task for application %(reference)s to %(name)s.",
                      reference=task.reference, name=chosen.full_name or chosen.username),
                    "success",
                )  # fmt: skip
                return redirect(url_for("staff.queue"))
    return render_template(
        "pages/staff/hand_over.html", task=task, form=form, errors=errors_of(form), colleagues=colleagues
    ), status
