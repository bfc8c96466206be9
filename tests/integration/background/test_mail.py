"""Citizens' e-mails go through a real SMTP server, once each, in the citizen's language."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.models import HumanTask, Incident, Job, OutboxMessage, User
from engine.services.authoring.scenarios import ScenarioResult, load_scenarios, run_scenario
from engine.services.background.runner import run_due_jobs
from engine.services.context import Platform
from engine.worker import run_once

from .conftest import ActorOf, Mailbox, body

CITIZEN = "citizen@example.org"


def _people(actor_of: ActorOf) -> dict[str, Any]:
    return {"applicant": actor_of("citizen"), "official": actor_of("official")}


def run(platform: Platform, actor_of: ActorOf, service: str, name: str, *, steps: int | None = None) -> ScenarioResult:
    scenario = next(s for s in load_scenarios(PROJECT_ROOT / "processes" / service) if s.name == name)
    if steps is not None:
        scenario = dataclasses.replace(scenario, steps=scenario.steps[:steps])
    with unit_of_work(platform.write_sessions) as db:
        return run_scenario(
            db, platform, scenario, actors={"applicant": actor_of("citizen"), "official": actor_of("official")}
        )


def work(platform: Platform) -> int:
    return run_due_jobs(platform, worker_id="test-worker", limit=100)


def test_received_corrections_and_decision_each_mailed_once(
    platform: Platform, clock: FakeClock, mailbox: Mailbox, actor_of: ActorOf
) -> None:
    result = run(platform, actor_of, "outdoor_advertising_permit", "issued_after_corrections")
    assert result.status == "completed"
    assert mailbox.to(CITIZEN) == []  # nothing leaves before the worker runs

    run_once(platform, worker_id="w1")
    run_once(platform, worker_id="w2")

    subjects = mailbox.subjects(CITIZEN)
    assert subjects == [
        f"Заяву {result.reference} отримано",
        f"Заява {result.reference}: потрібні виправлення",
        f"Рішення за заявою {result.reference}",
    ]
    decided = body(mailbox.to(CITIZEN)[2])
    assert f"Результат: {result.outcome_name}" in decided
    for message in mailbox.to(CITIZEN):
        assert f"{platform.settings.base_url}/status/{result.reference}" in body(message)
        assert result.reference in body(message)
    assert len({m["Message-ID"] for m in mailbox.messages}) == len(mailbox.messages)
    with unit_of_work(platform.read_sessions) as db:
        statuses = db.scalars(select(OutboxMessage.status).where(OutboxMessage.to_address == CITIZEN)).all()
    assert statuses == ["sent", "sent", "sent"]


def test_mail_is_in_the_citizens_language(
    platform: Platform, clock: FakeClock, mailbox: Mailbox, actor_of: ActorOf
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        db.execute(update(User).where(User.username == "citizen").values(locale="en"))
    result = run(platform, actor_of, "family_composition_certificate", "issued")
    work(platform)
    assert mailbox.subjects(CITIZEN) == [
        f"Application {result.reference} received",
        f"Decision on application {result.reference}",
    ]
    assert "Outcome: " in body(mailbox.to(CITIZEN)[1])


def test_temporary_failure_is_retried_with_back_off_then_sent(
    platform: Platform, clock: FakeClock, mailbox: Mailbox, actor_of: ActorOf
) -> None:
    result = run(platform, actor_of, "family_composition_certificate", "issued", steps=1)
    mailbox.reply = "451 4.3.0 try again later"
    assert work(platform) == 1
    with unit_of_work(platform.read_sessions) as db:
        message = db.scalars(select(OutboxMessage)).one()
        job = db.scalars(select(Job).where(Job.kind == "send_email")).one()
        assert message.status == "temporary_failure"
        assert "451" in (message.last_error or "")
        assert job.status == "queued"
        assert job.run_at == clock.now() + timedelta(seconds=30)

    mailbox.reply = None
    clock.advance(timedelta(seconds=29))
    assert work(platform) == 0
    clock.advance(timedelta(seconds=1))
    assert work(platform) == 1
    assert mailbox.subjects(CITIZEN) == [f"Заяву {result.reference} отримано"]
    with unit_of_work(platform.read_sessions) as db:
        message = db.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts, message.sent_at) == ("sent", 2, clock.now())


def test_permanent_failure_stops_and_raises_an_incident(
    platform: Platform, clock: FakeClock, mailbox: Mailbox, actor_of: ActorOf
) -> None:
    run(platform, actor_of, "family_composition_certificate", "issued", steps=1)
    mailbox.reply = "550 5.1.1 no such mailbox"
    work(platform)
    clock.advance(timedelta(hours=1))
    assert work(platform) == 0  # not retried
    with unit_of_work(platform.read_sessions) as db:
        message = db.scalars(select(OutboxMessage)).one()
        assert message.status == "permanent_failure"
        incident = db.scalars(select(Incident)).one()
        assert "550" in incident.message and incident.status == "open"
    assert mailbox.messages == []


def test_officials_digest_and_the_missed_deadline_notice_go_once(
    platform: Platform, clock: FakeClock, mailbox: Mailbox, actor_of: ActorOf
) -> None:
    result = run(platform, actor_of, "family_composition_certificate", "issued", steps=1)
    run_once(platform, worker_id="w1")
    digests = [m for m in mailbox.to("official@example.org") if "Зведення задач" in str(m["Subject"])]
    assert len(digests) == 1 and result.reference in body(digests[0])
    run_once(platform, worker_id="w2")
    assert len([m for m in mailbox.to("official@example.org") if "Зведення задач" in str(m["Subject"])]) == 1

    with unit_of_work(platform.read_sessions) as db:
        due = db.scalars(select(HumanTask.due_at).where(HumanTask.status == "open")).one()
    assert due is not None
    clock.set(due + timedelta(minutes=1))
    run_once(platform, worker_id="w1")
    run_once(platform, worker_id="w2")
    missed = [m for m in mailbox.to(CITIZEN) if "строк розгляду минув" in str(m["Subject"])]
    assert len(missed) == 1 and result.reference in str(missed[0]["Subject"])
