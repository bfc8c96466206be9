"""The same engine on PostgreSQL: migration, text state, and two people acting on one task at the same moment."""

import json
from collections.abc import Callable

import pytest
from sqlalchemy import func, inspect, select, text

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.models import AuditEvent, HumanTask
from engine.runtime.cases import Case
from engine.services.authoring.scenarios import Scenario, load_scenarios, run_scenario
from engine.services.cases.steps import complete_task
from engine.services.cases.views import ApplicationView, TaskView
from engine.services.context import Actor, Platform
from engine.services.errors import ConflictError, TaskClaimedByOtherError
from engine.services.worklist.queues import claim
from engine.store import catalog

from .conftest import ActorOf, at_once, submit

pytestmark = pytest.mark.postgres

FAMILY = "family_composition_certificate"
SERVICES = sorted({p.parent for p in (PROJECT_ROOT / "processes").rglob("*.bpmn")})
PG_SCENARIOS = [s for d in SERVICES for s in load_scenarios(d)]


def test_migration_creates_the_schema_with_text_state(platform: Platform) -> None:
    assert platform.engine.dialect.name == "postgresql"
    inspector = inspect(platform.engine)
    tables = set(inspector.get_table_names())
    assert {"application", "human_task", "task_candidate", "audit_event", "service_version", "process_spec"} <= tables
    with platform.engine.connect() as conn:
        types = dict(
            conn.execute(
                text(
                    "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND column_name IN ('state_json', 'spec_json')"
                )
            ).all()
        )
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    assert types["application.state_json"] == "text"
    assert set(types.values()) == {"text"}


def test_state_is_stored_as_text_in_key_order_and_restores(platform: Platform, actor_of: ActorOf) -> None:
    citizen, official = actor_of("citizen"), actor_of("lubny.cnap")
    application = submit(platform, citizen, FAMILY)
    with unit_of_work(platform.read_sessions) as db:
        raw, digest = db.execute(
            text(
                "SELECT a.state_json, v.spec_digest FROM application a "
                "JOIN service_version v ON v.id = a.service_version_id WHERE a.reference = :r"
            ),
            {"r": application.reference},
        ).one()
        spec_json = catalog.get_spec_json(db, digest)
    assert isinstance(raw, str)
    restored = Case.load(spec_json, raw, platform.script_engine)
    assert restored.dump() == raw  # byte for byte: nothing reordered the keys
    task_ids = list(json.loads(raw)["tasks"])
    assert task_ids == list(json.loads(restored.dump())["tasks"])
    assert [s.element_id for s in restored.open_steps()] == ["prepare_certificate"]
    assert restored.current_data()["persons_registered"] == 3

    (task,) = application.open_steps
    with unit_of_work(platform.write_sessions) as db:
        done = complete_task(db, platform, official, task.id, {"decision": "issue", "certificate_number": "СС-9"})
    assert (done.status, done.outcome, done.data["persons_registered"]) == ("completed", "end_issued", 3)


def _claim_as(platform: Platform, actor: Actor, task_id: str) -> Callable[[], TaskView]:
    def call() -> TaskView:
        with unit_of_work(platform.write_sessions) as db:
            view, _data = claim(db, actor, task_id)
            return view

    return call


def test_two_officials_claiming_the_same_task_at_once(platform: Platform, actor_of: ActorOf) -> None:
    first, second = actor_of("lubny.cnap"), actor_of("lubny.cnap2")
    for _ in range(3):
        application = submit(platform, actor_of("citizen"), FAMILY)
        (task,) = application.open_steps
        outcomes = at_once(_claim_as(platform, first, task.id), _claim_as(platform, second, task.id))
        won = [o for o in outcomes if isinstance(o, TaskView)]
        lost = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert isinstance(lost[0], TaskClaimedByOtherError)
        winner = first if won[0].assignee == first.username else second
        assert won[0].assignee_id == winner.user_id
        with unit_of_work(platform.read_sessions) as db:
            row = db.get(HumanTask, task.id)
            assert row is not None and row.assignee_id == winner.user_id
            claims = db.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.task_id == task.id, AuditEvent.action == "task.claimed")
            )
            assert claims == 1


def _complete_as(platform: Platform, actor: Actor, task_id: str, decision: str) -> Callable[[], ApplicationView]:
    data = (
        {"decision": decision, "certificate_number": "СС-1"}
        if decision == "issue"
        else {"decision": decision, "refusal_reason": "Не зареєстрована"}
    )

    def call() -> ApplicationView:
        with unit_of_work(platform.write_sessions) as db:
            return complete_task(db, platform, actor, task_id, data)

    return call


def test_two_concurrent_completions_of_one_task(platform: Platform, actor_of: ActorOf) -> None:
    first, second = actor_of("lubny.cnap"), actor_of("lubny.cnap2")
    for _ in range(3):
        application = submit(platform, actor_of("citizen"), FAMILY)
        (task,) = application.open_steps
        outcomes = at_once(
            _complete_as(platform, first, task.id, "issue"), _complete_as(platform, second, task.id, "refuse")
        )
        applied = [o for o in outcomes if isinstance(o, ApplicationView)]
        refused = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(applied) == 1 and len(refused) == 1, outcomes
        assert isinstance(refused[0], ConflictError)
        view = applied[0]
        expected_end = "end_issued" if view.data["decision"] == "issue" else "end_refused"
        assert (view.status, view.outcome) == ("completed", expected_end)
        control = submit(platform, actor_of("citizen"), FAMILY)
        alone = _complete_as(platform, first, control.open_steps[0].id, view.data["decision"])()
        assert view.version - application.version == alone.version - control.version  # exactly one step applied
        with unit_of_work(platform.read_sessions) as db:
            completions = db.scalars(
                select(AuditEvent).where(AuditEvent.task_id == task.id, AuditEvent.action == "task.completed")
            ).all()
            assert len(completions) == 1
            row = db.get(HumanTask, task.id)
            assert (
                row is not None
                and row.completed_by_id == (first if view.data["decision"] == "issue" else second).user_id
            )
            steps = db.scalars(select(HumanTask.status).where(HumanTask.application_id == row.application_id)).all()
            assert sorted(steps) == ["completed", "completed"]  # the start form and this task, nothing else
            assert json.loads(completions[0].details_json)["fields"]["decision"] == view.data["decision"]
            finished = db.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "application.completed", AuditEvent.element_id == expected_end)
            )
            assert finished is not None and finished >= 1


@pytest.mark.parametrize("scenario", PG_SCENARIOS, ids=lambda s: f"{s.service_id}/{s.name}")
def test_scenarios_on_postgres(platform: Platform, actor_of: ActorOf, scenario: Scenario) -> None:
    actors = {"applicant": actor_of("citizen"), "official": actor_of("official")}
    with unit_of_work(platform.write_sessions) as db:
        result = run_scenario(db, platform, scenario, actors=actors)
    assert result.mismatches() == []
    assert (result.status, result.end_event) == ("completed", scenario.end_event)
