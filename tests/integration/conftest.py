"""Fixtures shared by the integration tests: the demo people as actors, a real SMTP server (aiosmtpd), and the
check that every API answer a test sees is one the OpenAPI document describes."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import request_finished

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Actor, Platform
from engine.store import directory

from .api.contract import ApiContract

ActorOf = Callable[[str], Actor]


class Mailbox:
    """What the SMTP server received; `reply` makes it answer every message with that SMTP status instead."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.reply: str | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.reply is not None:
            return self.reply
        content = envelope.original_content or b""
        with self._lock:
            self.messages.append(email.message_from_bytes(content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def subjects(self, address: str | None = None) -> list[str]:
        return [str(m["Subject"]) for m in (self.to(address) if address else self.messages)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    try:
        yield box
    finally:
        controller.stop()


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
