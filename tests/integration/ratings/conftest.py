"""The statistics tests' web app and fake clock (tests/integration/statistics/conftest.py), and signed-in citizens."""

from __future__ import annotations

import pytest
from flask import Flask

from ..citizen.conftest import Browser
from ..statistics.conftest import anonymous, app, clock

__all__ = ["anonymous", "app", "clock"]


@pytest.fixture
def citizen(app: Flask) -> Browser:
    return Browser(app.test_client()).login("citizen")


@pytest.fixture
def citizen2(app: Flask) -> Browser:
    return Browser(app.test_client()).login("citizen2")
