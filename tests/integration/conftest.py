"""Fixtures shared by the integration tests: the demo people as actors, a real SMTP server (aiosmtpd), and the
check that every API answer a test sees is one the OpenAPI document describes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import request_finished

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Actor, Platform
from engine.store import directory
from tests.local_servers import Mailbox, mailbox

from .api.contract import ApiContract

__all__ = ["Mailbox", "mailbox"]

ActorOf = Callable[[str], Actor]


@pytest.fixture
def actor_of(platform: Platform) -> ActorOf:
    """Look up a demo person (e.g. "lubny.cnap") as the engine's Actor."""

    def load(username: str) -> Actor:
        with unit_of_work(platform.read_sessions) as db:
            user = directory.find_user(db, username)
            assert user is not None, username
            return Actor.of(user)

    return load


@pytest.fixture(autouse=True)
def api_contract() -> Iterator[ApiContract]:
    """Fails the test if an API answer it saw has a status, body or headers the OpenAPI document does not list."""
    contract = ApiContract()
    with request_finished.connected_to(contract.record):
        yield contract
    problems = contract.problems()
    assert not problems, "\n".join(problems)


def deploy_files(platform: Platform, folder: Path, files: dict[str, str]) -> None:
    """Write diagrams (and sidecars) into `folder` and deploy them; every one must be accepted."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(db, processes_dir=folder, forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM)
    assert not report.rejected, report.lines()
