"""Two administrators acting on the same case at the same moment on PostgreSQL: one wins, the other changes
nothing and is told the case changed."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.services.cases.applications import start_application
from engine.services.console.operations import cancel_case, suspend_case
from engine.services.context import Platform
from engine.services.errors import ConcurrentUpdateError
from engine.store import applications

from ..conftest import ActorOf


@pytest.mark.postgres
def test_two_admins_at_once_one_wins(platform: Platform, actor_of: ActorOf) -> None:
    citizen, admin = actor_of("citizen"), actor_of("admin")
    with unit_of_work(platform.write_sessions) as db:
        reference = start_application(db, platform, citizen, "family_composition_certificate").reference
    with unit_of_work(platform.read_sessions) as db:
        found = applications.find_by_reference(db, reference)
        assert found is not None
        seen_version, application_id = found.version, found.id
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def operator(action: str) -> None:
        try:
            with unit_of_work(platform.write_sessions) as db:
                start.wait()
                run = suspend_case if action == "suspend" else cancel_case
                run(db, platform, admin, reference, f"{action} by one of two", expected_version=seen_version)
            outcomes.append(action)
        except ConcurrentUpdateError:
            outcomes.append("refused")
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=operator, args=(a,)) for a in ("suspend", "cancel")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) in (["refused", "suspend"], ["cancel", "refused"]), outcomes
    winner = next(o for o in outcomes if o != "refused")
    with unit_of_work(platform.read_sessions) as db:
        status = applications.get(db, application_id)
        assert status is not None
        assert status.status == {"suspend": "suspended", "cancel": "cancelled"}[winner]
        events = db.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.application_id == application_id,
                AuditEvent.action.in_(("application.suspended", "application.cancelled")),
            )
        )
        assert events == 1
