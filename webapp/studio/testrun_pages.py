"""Test runs: the analyst plays every role of a version in turn, in a sandbox that never touches applications."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from engine.forms import Form
from engine.services.errors import ValidationFailedError
from engine.services.studio import testrun
from engine.services.studio.testrun import TestRunView
from webapp.citizen.formdata import raw_from_request
from webapp.i18n import field_error_message
from webapp.requests import actor, db, platform
from webapp.studio import studio


def _render(run: TestRunView, *, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> str:
    form = run.open_step.form if run.open_step is not None else None
    return render_template(
        "pages/studio/test_run.html",
        run=run,
        form=form,
        values=values or {},
        errors=errors or {},
        has_files=form is not None and any(f.type.value == "file" for f in form.fields),
    )


@studio.post("/services/<service_id>/versions/<int:number>/test-runs")
def start_test_run(service_id: str, number: int) -> Response:
    run = testrun.start_test_run(db(), platform(), actor(), service_id, number)
    return redirect(url_for("studio.test_run", run_id=run.id))


@studio.get("/test-runs/<int:run_id>")
def test_run(run_id: int) -> str:
    return _render(testrun.get_test_run(db(), actor(), run_id))


@studio.post("/test-runs/<int:run_id>")
def test_run_step(run_id: int) -> Response | str:
    run = testrun.get_test_run(db(), actor(), run_id)
    form: Form | None = run.open_step.form if run.open_step is not None else None
    raw, upload_errors = raw_from_request(form.input_fields) if form is not None else ({}, {})
    if upload_errors and form is not None:
        return _render(
            run, values=raw, errors={k: field_error_message(form.field(k), e) for k, e in upload_errors.items()}
        )
    try:
        testrun.complete_test_step(db(), platform(), actor(), run_id, raw)
    except ValidationFailedError as exc:
        messages = {
            name: field_error_message(exc.form.field(name) if exc.form.has_field(name) else None, error)
            for name, error in exc.errors.items()
        }
        return _render(run, values=raw, errors=messages)
    return redirect(url_for("studio.test_run", run_id=run_id))
