"""generate_pdf renders a document and attaches it to the case; send_email queues a templated mail once."""

from __future__ import annotations

import pytest

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.models import OutboxMessage
from engine.services.cases.applications import get_application
from engine.services.cases.attachments import open_attachment
from engine.services.context import Platform

from .conftest import actor, jobs_of, run_jobs, submit

pytestmark = pytest.mark.usefixtures("services")


@pytest.mark.needs("weasyprint")
def test_pdf_is_generated_attached_and_mailed(platform: Platform, clock: FakeClock) -> None:
    reference = submit(platform, "svc_pdf", amount=318, email="maria@example.org")
    for _ in range(3):  # set_variables, then generate_pdf, then send_email: one job each, queued as reached
        run_jobs(platform)
    citizen = actor(platform, "citizen")
    with unit_of_work(platform.read_sessions) as db:
        view = get_application(db, citizen, reference)
        assert (view.status, view.outcome) == ("completed", "end_issued")
        (document,) = [a for a in view.attachments if a.content_type == "application/pdf"]
        assert document.filename == "dovidka-СС-318.pdf"
        assert view.data["certificate_id"] == document.id
        stored = open_attachment(db, citizen, document.id, upload_dir=platform.settings.upload_dir)
        pdf = stored.path.read_bytes()
        assert pdf.startswith(b"%PDF") and stored.size == len(pdf) > 1000
        mails = db.query(OutboxMessage).filter(OutboxMessage.to_address == "maria@example.org").all()
        ready = [m for m in mails if "dovidka-СС-318.pdf" in m.body_text]
        assert len(ready) == 1
        assert reference in ready[0].subject and f"/status/{reference}" in ready[0].body_text
    assert {j.status for j in jobs_of(platform, "service_task")} == {"done"}


@pytest.mark.needs("weasyprint")
def test_an_official_from_another_organisation_cannot_download_the_document(
    platform: Platform, clock: FakeClock
) -> None:
    reference = submit(platform, "svc_pdf")
    for _ in range(3):
        run_jobs(platform)
    with unit_of_work(platform.read_sessions) as db:
        view = get_application(db, actor(platform, "citizen"), reference)
        (document,) = [a for a in view.attachments if a.content_type == "application/pdf"]
        from engine.services.errors import NotFoundError

        with pytest.raises(NotFoundError):
            open_attachment(db, actor(platform, "citizen2"), document.id, upload_dir=platform.settings.upload_dir)
