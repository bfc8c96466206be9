"""Two hosts on one database: what one host caches is never staler than a change the other has committed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.models import Group, Organisation
from engine.services.admin.calendar import set_calendar_day
from engine.services.cache import caches_of
from engine.services.context import Platform
from engine.services.worklist import queues

from .conftest import ActorOf, submit

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def other_host(platform: Platform) -> Iterator[Platform]:
    """A second platform process (its own caches) on the same database, on the same clock."""
    host = Platform.from_settings(platform.settings)
    clock = FakeClock(MONDAY)
    platform.clock = clock
    host.clock = clock
    yield host
    host.engine.dispose()


def _due_of_new_review(host: Platform, actor_of: ActorOf) -> datetime:
    application = submit(host, actor_of("citizen"), "family_composition_certificate")
    with unit_of_work(host.read_sessions) as db:
        (task,) = [t for t in queues.queue(db, actor_of("lubny.cnap")) if t.reference == application.reference]
    assert task.due_at is not None
    return task.due_at


def test_a_day_off_set_on_one_host_counts_at_once_on_the_other(
    platform: Platform, other_host: Platform, actor_of: ActorOf
) -> None:
    before = _due_of_new_review(other_host, actor_of)  # the other host has read the calendar and keeps it
    with unit_of_work(platform.write_sessions) as db:
        set_calendar_day(db, platform, actor_of("admin"), day=date(2026, 3, 4), kind="day_off", note="тест")
    after = _due_of_new_review(other_host, actor_of)
    assert (after - before).days == 1  # five working days now end one calendar day later


def test_an_organisation_and_group_added_on_one_host_are_known_on_the_other(
    platform: Platform, other_host: Platform
) -> None:
    with unit_of_work(other_host.read_sessions) as db:
        assert caches_of(db).directory(db).organisation("new-council") is None
    with unit_of_work(platform.write_sessions) as db:
        council = Organisation(slug="new-council", name="Нова громада", name_en="New council")
        db.add(council)
        db.flush()
        db.add(Group(slug="new-cnap", name="ЦНАП", organisation_id=council.id))
    with unit_of_work(other_host.read_sessions) as db:
        directory = caches_of(db).directory(db)
        found = directory.organisation("new-council")
        assert found is not None and found.name == "Нова громада"
        assert directory.groups["new-cnap"].organisation_id == found.id
