"""Actors for running scenarios: the demo citizen and the demo official who belongs to every demo group."""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from engine.services.context import Actor, Platform
from engine.store import directory


def actor_named(platform: Platform, username: str) -> Actor:
    with unit_of_work(platform.read_sessions) as db:
        user = directory.find_user(db, username)
        assert user is not None, username
        return Actor.of(user)


@pytest.fixture
def scenario_actors(platform: Platform) -> dict[str, Actor]:
    return {"applicant": actor_named(platform, "citizen"), "official": actor_named(platform, "official")}
