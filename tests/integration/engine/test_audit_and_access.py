"""Every change leaves an audit event; officials see only their organisations' work."""

import json
from typing import Any

import pytest

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.authoring.scenarios import load_scenarios, run_scenario
from engine.services.cases.applications import get_application
from engine.services.cases.steps import complete_task, get_task
from engine.services.context import Platform
from engine.services.errors import NotFoundError
from engine.services.worklist.queues import claim, my_tasks, queue, release
from engine.store import audit

from .conftest import ActorOf, application_row, submit


def audit_trail(platform: Platform, reference: str) -> list[dict[str, Any]]:
    with unit_of_work(platform.read_sessions) as db:
        application = application_row(db, reference)
        return [
            {
                "action": e.action,
                "actor": e.actor,
                "actor_id": e.actor_id,
                "task": e.task_id,
                "element": e.element_id,
                "details": json.loads(e.details_json),
                "at": e.at,
            }
            for e in audit.for_application(db, application.id)
        ]


def test_every_change_writes_who_which_task_and_what(platform: Platform, actor_of: ActorOf) -> None:
    citizen, official = actor_of("citizen"), actor_of("lubny.cnap")
    scenario = next(
        s for s in load_scenarios(PROJECT_ROOT / "processes" / "family_composition_certificate") if s.name == "issued"
    )
    application = submit(platform, citizen, "family_composition_certificate")
    (task,) = application.open_steps
    with unit_of_work(platform.write_sessions) as db:
        claim(db, official, task.id)
    with unit_of_work(platform.write_sessions) as db:
        release(db, official, task.id)
    with unit_of_work(platform.write_sessions) as db:
        claim(db, official, task.id)
    with unit_of_work(platform.write_sessions) as db:
        complete_task(db, platform, official, task.id, {"decision": "issue", "certificate_number": "СС-7"})

    trail = audit_trail(platform, application.reference)
    assert [(e["action"], e["actor"]) for e in trail] == [
        ("application.created", "citizen"),
        ("task.completed", "citizen"),
        ("application.submitted", "citizen"),
        ("task.claimed", "lubny.cnap"),
        ("task.released", "lubny.cnap"),
        ("task.claimed", "lubny.cnap"),
        ("task.completed", "lubny.cnap"),
        ("application.completed", "engine"),
    ]
    assert all(e["at"] is not None for e in trail)
    created, submitted_step, _, claimed, *_, decided, completed = trail
    assert created["details"] == {"service": "family_composition_certificate", "version": 1}
    assert submitted_step["actor_id"] == citizen.user_id and submitted_step["element"] == "start_application"
    start_answers = scenario.steps[0].data
    assert submitted_step["details"]["fields"]["last_name"] == start_answers["last_name"]
    assert submitted_step["details"]["fields"]["persons_registered"] == start_answers["persons_registered"]
    assert (claimed["task"], claimed["actor_id"]) == (task.id, official.user_id)
    assert (decided["task"], decided["element"]) == (task.id, "prepare_certificate")
    assert decided["details"]["fields"] == {"decision": "issue", "certificate_number": "СС-7"}
    assert completed["details"]["outcome"] == "end_issued"
    assert completed["details"]["outcome_name"] == "Довідку видано"


def test_officials_see_only_their_organisations_tasks(platform: Platform, actor_of: ActorOf) -> None:
    citizen = actor_of("citizen")
    lubny = submit(platform, citizen, "family_composition_certificate")
    myrhorod = submit(platform, citizen, "residence_registration")
    (lubny_task,) = lubny.open_steps
    (myrhorod_task,) = myrhorod.open_steps
    registry, cnap, cnap2, architect, admin = map(
        actor_of, ["myrhorod.registry", "lubny.cnap", "lubny.cnap2", "lubny.architect", "admin"]
    )
    with unit_of_work(platform.read_sessions) as db:
        assert [t.id for t in queue(db, registry)] == [myrhorod_task.id]
        assert [t.id for t in queue(db, cnap)] == [lubny_task.id]
        assert [t.id for t in queue(db, cnap2)] == [lubny_task.id]
        assert queue(db, architect) == []
        assert {t.id for t in queue(db, admin)} == {lubny_task.id, myrhorod_task.id}
        assert [t.id for t in queue(db, admin, service_id="residence_registration")] == [myrhorod_task.id]
        for outsider, task_id, reference in (
            (registry, lubny_task.id, lubny.reference),
            (cnap, myrhorod_task.id, myrhorod.reference),
        ):
            with pytest.raises(NotFoundError):
                get_task(db, outsider, task_id)
            with pytest.raises(NotFoundError):
                get_application(db, outsider, reference)
        assert get_application(db, registry, myrhorod.reference).reference == myrhorod.reference
        with pytest.raises(NotFoundError):
            get_application(db, actor_of("citizen2"), lubny.reference)
    with unit_of_work(platform.write_sessions) as db, pytest.raises(NotFoundError):
        claim(db, registry, lubny_task.id)
    with unit_of_work(platform.write_sessions) as db:
        claim(db, cnap, lubny_task.id)
    with unit_of_work(platform.read_sessions) as db:
        assert [t.id for t in my_tasks(db, cnap)] == [lubny_task.id]
        assert my_tasks(db, registry) == []
        assert [t.id for t in queue(db, cnap2, unassigned_only=True)] == []


def test_scenario_run_as_organisation_officials(platform: Platform, actor_of: ActorOf) -> None:
    """The demo's per-organisation officials, not only the all-groups demo official, can do each step."""
    scenario = next(
        s
        for s in load_scenarios(PROJECT_ROOT / "processes" / "residence_registration")
        if s.name == "registered_after_corrections"
    )
    actors = {"applicant": actor_of("citizen2"), "official": actor_of("myrhorod.registry")}
    with unit_of_work(platform.write_sessions) as db:
        result = run_scenario(db, platform, scenario, actors=actors)
    assert result.mismatches() == []
