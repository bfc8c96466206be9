"""The demo residence registration: a working-day deadline, and a missed deadline that e-mails the supervisor."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from sqlalchemy import select

from engine.calendar import KYIV
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.models import AuditEvent, EscalationFiring
from engine.services.admin import calendar as calendar_admin
from engine.services.admin.calendar import RuleInput
from engine.services.authoring.scenarios import load_scenarios, run_scenario
from engine.services.background.escalations import load_demo_rules
from engine.services.context import Platform
from engine.store import catalog
from engine.worker import run_once

from .conftest import START, ActorOf, Mailbox, open_tasks

SUPERVISOR = "head@myrhorod.example.org"


def submit(platform: Platform, actor_of: ActorOf) -> str:
    """The first step of a demo scenario: the citizen submits; the registry's check is then open."""
    scenario = next(s for s in load_scenarios(PROJECT_ROOT / "processes" / "residence_registration"))
    scenario = dataclasses.replace(scenario, steps=scenario.steps[:1])
    actors = {"applicant": actor_of("citizen"), "official": actor_of("official")}
    with unit_of_work(platform.write_sessions) as db:
        return str(run_scenario(db, platform, scenario, actors=actors).reference)


def due_in_kyiv(platform: Platform, reference: str) -> str:
    (task,) = open_tasks(platform, reference)
    assert task.element_id == "check_documents" and task.due_at is not None
    return task.due_at.astimezone(KYIV).strftime("%Y-%m-%d %H:%M")


def test_due_date_in_working_days_follows_calendar_changes(
    platform: Platform, clock: FakeClock, actor_of: ActorOf
) -> None:
    clock.set(START + timedelta(days=3))  # Thursday 31 December, 09:00 Kyiv
    first = submit(platform, actor_of)
    assert due_in_kyiv(platform, first) == "2027-01-04 18:00"  # New Year's Day and the weekend skipped

    admin = actor_of("admin")
    with unit_of_work(platform.write_sessions) as db:
        calendar_admin.set_holidays_are_days_off(db, platform, admin, False)
        calendar_admin.set_calendar_day(db, platform, admin, day=date(2027, 1, 1), kind="day_off", note="")
        calendar_admin.set_calendar_day(db, platform, admin, day=date(2027, 1, 2), kind="working_day", note="")
    second = submit(platform, actor_of)
    assert due_in_kyiv(platform, second) == "2027-01-02 18:00"  # the transferred Saturday counts
    assert due_in_kyiv(platform, first) == "2027-01-04 18:00"  # deadlines already set stay

    with unit_of_work(platform.write_sessions) as db:
        overview = calendar_admin.calendar_overview(db, admin, 2027)
        calendar_admin.set_holidays_are_days_off(db, platform, admin, True)
    assert overview.holidays_are_days_off is False
    assert [h.is_day_off for h in overview.holidays if h.day == date(2027, 1, 1)] == [True]  # adjusted
    assert [h.is_day_off for h in overview.holidays if h.day == date(2027, 3, 8)] == [False]


def test_missed_deadline_escalates_once_and_mails_the_supervisor(
    platform: Platform, clock: FakeClock, actor_of: ActorOf, mailbox: Mailbox
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        assert load_demo_rules(db) == ["residence_registration"]
        assert load_demo_rules(db) == []
    reference = submit(platform, actor_of)
    assert due_in_kyiv(platform, reference) == "2026-12-29 18:00"

    clock.set(START + timedelta(days=1, hours=9))  # Tuesday 18:00 Kyiv: due now, not late yet
    run_once(platform, worker_id="w1")
    assert mailbox.to(SUPERVISOR) == []
    clock.set(START + timedelta(days=1, hours=11))  # two hours late
    run_once(platform, worker_id="w1")
    run_once(platform, worker_id="w2")

    (mail,) = mailbox.to(SUPERVISOR)
    assert reference in str(mail["Subject"])
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Перевірка документів та реєстрація" in text and "29.12.2026 18:00" in text
    with unit_of_work(platform.read_sessions) as db:
        firings = db.scalars(select(EscalationFiring)).all()
        audited = db.scalars(select(AuditEvent).where(AuditEvent.action == "escalation.fired")).all()
    assert [(f.notified, f.reassigned_to) for f in firings] == [(1, None)]
    assert len(audited) == 1

    clock.advance(timedelta(days=3))
    run_once(platform, worker_id="w1")
    assert len(mailbox.to(SUPERVISOR)) == 1


def test_unclaimed_task_is_reassigned_to_the_supervisors_group(
    platform: Platform, clock: FakeClock, actor_of: ActorOf, mailbox: Mailbox
) -> None:
    admin = actor_of("admin")
    with unit_of_work(platform.write_sessions) as db:
        service = catalog.find_service(db, "residence_registration")
        assert service is not None
        rule = RuleInput(
            service_id=service.id,
            element_id=None,
            condition="unclaimed",
            days=2,
            notify_supervisors=False,
            reassign_group="myrhorod-heads",
            active=True,
        )
        calendar_admin.create_rule(db, platform, admin, rule)
    reference = submit(platform, actor_of)
    (task,) = open_tasks(platform, reference)
    assert task.groups == ["myrhorod-registry"]

    clock.advance(timedelta(days=1, hours=23))
    run_once(platform, worker_id="w")
    assert open_tasks(platform, reference)[0].groups == ["myrhorod-registry"]

    clock.advance(timedelta(hours=2))
    run_once(platform, worker_id="w")
    (moved,) = open_tasks(platform, reference)
    assert (moved.id, moved.groups, moved.assignee_id) == (task.id, ["myrhorod-heads"], None)
    run_once(platform, worker_id="w")
    assert mailbox.to(SUPERVISOR) == []
    with unit_of_work(platform.read_sessions) as db:
        assert [rule.firings for rule in calendar_admin.list_rules(db, admin)] == [1]
