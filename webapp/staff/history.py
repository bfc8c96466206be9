"""The case timeline in words for officials."""

from __future__ import annotations

from flask_babel import gettext as _

from engine.services.cases.views import HistoryItem


def history_text(item: HistoryItem) -> str:
    step = item.title or item.step or ""
    match item.event:
        case "application.created":
            return str(_("Application started"))
        case "application.submitted":
            return str(_("Application submitted"))
        case "task.completed" if item.by == "applicant":
            return str(_("Applicant completed: %(step)s", step=step))
        case "task.completed":
            return str(_("Official completed: %(step)s", step=step))
        case "task.claimed":
            return str(_("Taken into work: %(step)s", step=step))
        case "task.handed_over" if item.details.get("note"):
            return str(_("Handed to %(name)s: %(step)s (note: %(note)s)", name=item.details.get("to", ""), step=step,
                         note=item.details["note"]))  # fmt: skip
        case "task.handed_over":
            return str(_("Handed to %(name)s: %(step)s", name=item.details.get("to", ""), step=step))
        case "application.returned":
            return str(_("Returned to the applicant for corrections"))
        case "application.completed":
            return str(_("Closed: %(outcome)s", outcome=item.details.get("outcome_name") or step))
        case "application.error":
            return str(_("Technical problem at step %(step)s", step=step))
        case _:
            return item.event
