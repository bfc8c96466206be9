"""The web app on the demo platform with a fake clock, and a visitor's browser that keeps the CSRF token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from engine.clock import FakeClock
from engine.config import Settings
from engine.services.context import Platform
from webapp import create_app

from ..citizen.conftest import Browser
from ..statistics.cases import MONDAY


@pytest.fixture
def clock(platform: Platform) -> FakeClock:
    fake = FakeClock(MONDAY)
    platform.clock = fake
    return fake


@pytest.fixture
def app(settings: Settings, platform: Platform, clock: FakeClock) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    yield app


@pytest.fixture
def anonymous(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def citizen(app: Flask) -> Browser:
    return Browser(app.test_client()).login("citizen")


@pytest.fixture
def citizen2(app: Flask) -> Browser:
    return Browser(app.test_client()).login("citizen2")
