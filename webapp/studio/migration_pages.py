"""Moving running applications between versions: a dry run first, then the batch, then its report."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from engine.services.errors import NotFoundError
from engine.services.studio import drafts, migration
from engine.services.studio.drafts import StudioService
from engine.services.studio.migration import MigrationTargetError
from webapp.requests import actor, db, platform
from webapp.studio import studio


def _service(service_id: str) -> StudioService:
    found = next((s for s in drafts.list_studio_services(db(), actor()) if s.id == service_id), None)
    if found is None:
        raise NotFoundError(service_id)
    return found


def _page(service: StudioService, source: int | None, target: int | None, **found: Any) -> tuple[str, int]:
    values = {"plan": None, "report": None, "problem": None, **found}
    page = render_template("pages/studio/migration.html", service=service, source=source, target=target, **values)
    return page, 409 if values["problem"] else 200


def _refused(exc: MigrationTargetError) -> str:
    # The engine's reason is English text for analysts (e.g. "version 3 is not published").
    return str(_("These versions cannot be used: %(reason)s.", reason=str(exc)))


@studio.get("/services/<service_id>/migrate")
def migration_plan(service_id: str) -> tuple[str, int]:
    service = _service(service_id)
    source = request.args.get("from", type=int)
    target = request.args.get("to", type=int)
    if source is None or target is None:
        return _page(service, source, target)
    try:
        plan = migration.plan_migration(db(), platform(), actor(), service_id, source, target)
    except MigrationTargetError as exc:
        return _page(service, source, target, problem=_refused(exc))
    return _page(service, source, target, plan=plan)


@studio.post("/services/<service_id>/migrate")
def migrate(service_id: str) -> tuple[str, int]:
    service = _service(service_id)
    source = request.form.get("from", type=int)
    target = request.form.get("to", type=int)
    if source is None or target is None:
        return _page(service, source, target)
    chosen = request.form.getlist("reference") or None
    try:
        report = migration.migrate_applications(
            db(), platform(), actor(), service_id, source, target, references=chosen
        )
    except MigrationTargetError as exc:
        return _page(service, source, target, problem=_refused(exc))
    return _page(service, source, target, report=report)
