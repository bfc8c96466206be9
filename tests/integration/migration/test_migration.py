"""Moving running applications between versions of a service: dry run, batch, and what cannot move."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.authoring.checking import FormFiles, check_bytes
from engine.services.cases import step
from engine.services.cases.applications import get_application
from engine.services.context import Actor, Platform
from engine.services.errors import ForbiddenError, NotFoundError
from engine.services.studio.migration import MigrationTargetError, migrate_applications, plan_migration
from engine.services.studio.migration_needs import unmet_needs
from engine.services.worklist import queues
from engine.store import applications, audit, tasks

from .conftest import SERVICE, V2_TITLE, Versions, do_steps, scenario, start_at, version_2, version_3

STEPS = scenario().steps


def version_of(platform: Platform, reference: str) -> int:
    with unit_of_work(platform.read_sessions) as db:
        application = applications.find_by_reference(db, reference)
        assert application is not None
        return application.service_version.number


def open_tasks(db: Session, reference: str) -> list[Any]:
    application = applications.find_by_reference(db, reference)
    assert application is not None
    return list(tasks.open_for_application(db, application.id))


def finish(platform: Platform, actors: dict[str, Actor], reference: str, steps: Any) -> tuple[str, str | None]:
    do_steps(platform, actors, reference, steps)
    with unit_of_work(platform.read_sessions) as db:
        view = get_application(db, actors["applicant"], reference)
        return view.status, view.outcome


def test_dry_run_then_batch_moves_every_application_to_version_2_where_they_finish(
    platform: Platform, actors: dict[str, Actor], versions: Versions
) -> None:
    at_start, at_review, at_correction = (start_at(platform, actors, n) for n in (0, 1, 2))
    with unit_of_work(platform.write_sessions) as db:
        review_task = open_tasks(db, at_review)[0]
        queues.claim(db, actors["official"], review_task.id)
    versions.deploy(version_2)

    with unit_of_work(platform.read_sessions) as db:
        plan = plan_migration(db, platform, actors["analyst"], SERVICE, 1, 2)
    assert [(i.reference, i.current_steps, i.can_move, i.reasons) for i in plan.items] == [
        (at_start, ["start_application"], True, []),
        (at_review, ["review_application"], True, []),
        (at_correction, ["correct_application"], True, []),
    ]
    assert version_of(platform, at_review) == 1  # a dry run changes nothing

    with unit_of_work(platform.write_sessions) as db:
        report = migrate_applications(db, platform, actors["analyst"], SERVICE, 1, 2)
    assert report.moved == [at_start, at_review, at_correction] and report.skipped == {}
    assert {version_of(platform, r) for r in report.moved} == {2}

    with unit_of_work(platform.read_sessions) as db:
        moved_review = open_tasks(db, at_review)
        assert [(t.id, t.title, t.assignee_id) for t in moved_review] == [
            (review_task.id, V2_TITLE, actors["official"].user_id)
        ]
        view = get_application(db, actors["official"], at_review)
        assert view.open_steps[0].form is not None and view.open_steps[0].form.has_field("internal_note")
        assert view.data["last_name"] == "Мельник"
        application = applications.find_by_reference(db, at_review)
        assert application is not None
        actions = [e.action for e in audit.for_application(db, application.id)]
        assert actions.count("application.migrated") == 1
        assert actions.index("task.completed") < actions.index("application.migrated")  # history is kept
        batch = [e for e in audit.recent(db) if e.action == "studio.migration"]
        assert len(batch) == 1 and batch[0].actor == "analyst"
        assert json.loads(batch[0].details_json)["moved"] == report.moved

    assert finish(platform, actors, at_start, STEPS) == ("completed", "end_permit_issued")
    assert finish(platform, actors, at_review, STEPS[1:]) == ("completed", "end_permit_issued")
    assert finish(platform, actors, at_correction, STEPS[2:]) == ("completed", "end_permit_issued")


def test_version_3_moves_those_it_can_and_says_why_the_others_cannot(
    platform: Platform, actors: dict[str, Actor], versions: Versions
) -> None:
    at_start, at_review, at_correction = (start_at(platform, actors, n) for n in (0, 1, 2))
    versions.deploy(version_2)
    versions.deploy(version_3)

    with unit_of_work(platform.read_sessions) as db:
        plan = plan_migration(db, platform, actors["analyst"], SERVICE, 1, 3)
    by_reference = {item.reference: item for item in plan.items}
    assert plan.movable == [at_start, at_correction]
    blocked = by_reference[at_review]
    assert not blocked.can_move and blocked.current_steps == ["review_application"]
    assert blocked.reasons[0].startswith("current task 'review_application' no longer exists in version 3")

    with unit_of_work(platform.write_sessions) as db:
        report = migrate_applications(db, platform, actors["analyst"], SERVICE, 1, 3)
    assert report.moved == [at_start, at_correction]
    assert report.skipped == {at_review: blocked.reasons}
    assert version_of(platform, at_review) == 1

    # On version 3 the CNAP review is automatic: after the correction the application goes to architecture.
    assert finish(platform, actors, at_correction, (STEPS[2], STEPS[4])) == ("completed", "end_permit_issued")
    with unit_of_work(platform.read_sessions) as db:
        assert get_application(db, actors["applicant"], at_correction).data["review_comment"] == "Прийнято автоматично"
    assert finish(platform, actors, at_start, (STEPS[0], STEPS[4])) == ("completed", "end_permit_issued")
    assert finish(platform, actors, at_review, STEPS[1:]) == ("completed", "end_permit_issued")


def _failing_for(reference: str) -> Any:
    real = step.sync_worklist

    def sync(db: Session, caches: Any, application: Any, *args: Any, **kwargs: Any) -> Any:
        change = real(db, caches, application, *args, **kwargs)  # the worklist is half rewritten when it fails
        if application.reference == reference:
            raise RuntimeError("disk full")
        return change

    return sync


def _half_move_is_impossible(
    platform: Platform, actors: dict[str, Actor], versions: Versions, monkeypatch: Any
) -> None:
    first, failing, last = (start_at(platform, actors, n) for n in (1, 0, 2))
    with unit_of_work(platform.read_sessions) as db:
        application = applications.find_by_reference(db, failing)
        assert application is not None
        state_before = application.state_json
        tasks_before = [(t.id, t.element_id, t.title) for t in open_tasks(db, failing)]
    versions.deploy(version_2)
    monkeypatch.setattr(step, "sync_worklist", _failing_for(failing))

    with unit_of_work(platform.write_sessions) as db:
        report = migrate_applications(db, platform, actors["analyst"], SERVICE, 1, 2)
    assert report.moved == [first, last]
    assert report.skipped == {failing: ["moving failed: RuntimeError: disk full"]}

    with unit_of_work(platform.read_sessions) as db:
        application = applications.find_by_reference(db, failing)
        assert application is not None
        assert application.service_version.number == 1 and application.state_json == state_before
        assert [(t.id, t.element_id, t.title) for t in open_tasks(db, failing)] == tasks_before
        assert "application.migrated" not in [e.action for e in audit.for_application(db, application.id)]
    assert version_of(platform, first) == 2 and version_of(platform, last) == 2

    monkeypatch.undo()
    with unit_of_work(platform.write_sessions) as db:
        assert migrate_applications(db, platform, actors["analyst"], SERVICE, 1, 2).moved == [failing]
    assert finish(platform, actors, failing, STEPS) == ("completed", "end_permit_issued")


def test_an_application_that_fails_mid_batch_is_left_exactly_as_it_was(
    platform: Platform, actors: dict[str, Actor], versions: Versions, monkeypatch: pytest.MonkeyPatch
) -> None:
    _half_move_is_impossible(platform, actors, versions, monkeypatch)


def test_only_analysts_and_administrators_migrate_and_only_between_real_versions(
    platform: Platform, actors: dict[str, Actor], versions: Versions
) -> None:
    at_review, at_correction = start_at(platform, actors, 1), start_at(platform, actors, 2)
    versions.deploy(version_2)
    with unit_of_work(platform.write_sessions) as db:
        for who in ("applicant", "official"):
            with pytest.raises(ForbiddenError):
                plan_migration(db, platform, actors[who], SERVICE, 1, 2)
            with pytest.raises(ForbiddenError):
                migrate_applications(db, platform, actors[who], SERVICE, 1, 2)
        with pytest.raises(MigrationTargetError):
            plan_migration(db, platform, actors["analyst"], SERVICE, 2, 2)
        with pytest.raises(NotFoundError):
            plan_migration(db, platform, actors["analyst"], SERVICE, 1, 9)
        report = migrate_applications(
            db, platform, actors["analyst"], SERVICE, 1, 2, references=[at_correction, "ZZZ-000"]
        )
    assert report.moved == [at_correction]
    assert report.skipped == {"ZZZ-000": ["not a running application of version 1"]}
    assert version_of(platform, at_review) == 1


def test_a_condition_reading_an_answer_no_form_ahead_gives_is_reported() -> None:
    xml = (PROJECT_ROOT / "processes" / SERVICE / f"{SERVICE}.bpmn").read_text(encoding="utf-8")
    renamed = xml.replace('decision == "accept"', 'verdict == "accept"')
    checked = check_bytes(renamed.encode(), FormFiles(PROJECT_ROOT / "forms"), name="v")
    assert checked.manifest is not None
    assert unmet_needs(renamed, checked.manifest, ["correct_application"], {"correction_round": 1}) == [
        "field 'verdict' used by condition on flow flow_accept is no longer set by any form"
    ]
    assert unmet_needs(xml, checked.manifest, ["correct_application"], {"correction_round": 1}) == []
