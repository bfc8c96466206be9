"""Bad input through the use cases: each gets a clear error and changes nothing."""

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import unit_of_work
from engine.models import Attachment, AuditEvent
from engine.services.authoring.scenarios import load_scenarios
from engine.services.cases.applications import get_application, start_application
from engine.services.cases.attachments import store_upload
from engine.services.cases.steps import complete_task
from engine.services.context import Actor, Platform
from engine.services.errors import TaskNotOpenError, UploadTooLargeError, ValidationFailedError
from engine.store import tasks

from .conftest import ActorOf, application_row, submit

FAMILY = "family_composition_certificate"


def snapshot(db: Session, reference: str) -> tuple[Any, ...]:
    row = application_row(db, reference)
    db.refresh(row)
    open_tasks = sorted((t.id, t.status, t.assignee_id) for t in tasks.open_for_application(db, row.id))
    audit_count = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.application_id == row.id))
    return row.version, row.status, row.state_json, row.data_json, row.submitted_at, open_tasks, audit_count


def start_answers(db: Session, platform: Platform, actor: Actor) -> dict[str, Any]:
    """The first scenario's start form, with a freshly uploaded passport scan."""
    scenario = load_scenarios(Path(__file__).resolve().parents[3] / "processes" / FAMILY)[0]
    scan = store_upload(
        db,
        actor,
        upload_dir=platform.settings.upload_dir,
        limit=platform.settings.max_upload_bytes,
        filename="passport.pdf",
        content_type="application/pdf",
        stream=io.BytesIO(b"%PDF-1.4"),
    )
    return {**scenario.steps[0].data, "passport_scan": scan.id}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"last_name": ""}, "last_name", "required"),
        ({"persons_registered": "три"}, "persons_registered", "invalid_integer"),
        ({"persons_registered": [3]}, "persons_registered", "invalid_type"),
        ({"birth_date": "1985-02-30"}, "birth_date", "invalid_date"),
        ({"rnokpp": "12345"}, "rnokpp", "pattern"),
        ({"housing_type": "castle"}, "housing_type", "invalid_choice"),
        ({"passport_scan": "00000000-0000-0000-0000-000000000000"}, "passport_scan", "unknown_attachment"),
    ],
)
def test_invalid_answers_are_refused_and_change_nothing(
    platform: Platform, actor_of: ActorOf, change: dict[str, Any], field: str, code: str
) -> None:
    citizen = actor_of("citizen")
    with unit_of_work(platform.write_sessions) as db:
        application = start_application(db, platform, citizen, FAMILY)
    with unit_of_work(platform.write_sessions) as db:
        answers = start_answers(db, platform, citizen)
        before = snapshot(db, application.reference)
        (task,) = get_application(db, citizen, application.reference).open_steps
        with pytest.raises(ValidationFailedError) as refused:
            complete_task(db, platform, citizen, task.id, {**answers, **change})
        assert list(refused.value.errors) == [field]
        assert refused.value.errors[field].code == code
        assert snapshot(db, application.reference) == before  # the page re-renders in the same transaction
    with unit_of_work(platform.read_sessions) as db:
        assert snapshot(db, application.reference) == before
        assert get_application(db, citizen, application.reference).submitted_at is None


def test_a_task_completed_twice_is_refused_and_changes_nothing(platform: Platform, actor_of: ActorOf) -> None:
    citizen, official = actor_of("citizen"), actor_of("lubny.cnap")
    application = submit(platform, citizen, FAMILY)
    (task,) = application.open_steps
    with unit_of_work(platform.write_sessions) as db:
        done = complete_task(
            db, platform, official, task.id, {"decision": "refuse", "refusal_reason": "Не зареєстрована"}
        )
        assert done.status == "completed"
    with unit_of_work(platform.write_sessions) as db:
        before = snapshot(db, application.reference)
        with pytest.raises(TaskNotOpenError):
            complete_task(db, platform, official, task.id, {"decision": "issue"})
        assert snapshot(db, application.reference) == before
    with unit_of_work(platform.read_sessions) as db:
        after = get_application(db, citizen, application.reference)
        assert snapshot(db, application.reference) == before
    assert (after.status, after.outcome, after.data["decision"]) == ("completed", "end_refused", "refuse")


def test_the_start_form_cannot_be_submitted_twice(platform: Platform, actor_of: ActorOf) -> None:
    citizen = actor_of("citizen")
    with unit_of_work(platform.write_sessions) as db:
        application = start_application(db, platform, citizen, FAMILY)
        (start,) = application.open_steps
        complete_task(db, platform, citizen, start.id, start_answers(db, platform, citizen))
    with unit_of_work(platform.write_sessions) as db:
        answers = start_answers(db, platform, citizen)
        before = snapshot(db, application.reference)
        with pytest.raises(TaskNotOpenError):
            complete_task(db, platform, citizen, start.id, {**answers, "last_name": "Інша"})
        assert snapshot(db, application.reference) == before


def test_an_oversize_upload_is_refused_and_leaves_no_file(platform: Platform, actor_of: ActorOf) -> None:
    citizen = actor_of("citizen")
    upload_dir = platform.settings.upload_dir
    limit = platform.settings.max_upload_bytes
    with unit_of_work(platform.write_sessions) as db:
        small = store_upload(
            db,
            citizen,
            upload_dir=upload_dir,
            limit=limit,
            filename="ok.pdf",
            content_type="application/pdf",
            stream=io.BytesIO(b"%PDF-1.4 small"),
        )
    assert sorted(p.name for p in upload_dir.iterdir()) == [small.id]
    with unit_of_work(platform.write_sessions) as db, pytest.raises(UploadTooLargeError) as refused:
        store_upload(
            db,
            citizen,
            upload_dir=upload_dir,
            limit=limit,
            filename="../../big.pdf",
            content_type="application/pdf",
            stream=io.BytesIO(b"x" * (limit + 1)),
        )
    assert refused.value.limit == limit
    assert sorted(p.name for p in upload_dir.iterdir()) == [small.id]
    with unit_of_work(platform.read_sessions) as db:
        assert db.scalar(select(func.count()).select_from(Attachment)) == 1
    exactly = io.BytesIO(b"y" * limit)
    with unit_of_work(platform.write_sessions) as db:
        stored = store_upload(
            db,
            citizen,
            upload_dir=upload_dir,
            limit=limit,
            filename="../../max.pdf",
            content_type="application/pdf",
            stream=exactly,
        )
    assert (stored.size, stored.filename, stored.path.parent) == (limit, "max.pdf", upload_dir)
