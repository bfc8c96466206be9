"""Administrators edit escalation rules and the calendar on /admin; citizens see overdue steps on the status page."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from engine.clock import FakeClock
from engine.config import Settings
from engine.db import unit_of_work
from engine.models import AuditEvent, CalendarDay, EscalationRule
from engine.services.context import Platform
from webapp import create_app

from .conftest import ActorOf, apply

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    def __init__(self, app: Flask, username: str | None) -> None:
        self.client = app.test_client()
        self.client.get("/login?lang=en")
        if username is not None:
            reply = self.post("/login", {"username": username, "password": "demo"}, token_from="/login")
            assert reply.status_code == 302

    def page(self, path: str) -> str:
        reply = self.client.get(path)
        assert reply.status_code == 200, (path, reply.status_code)
        return html.unescape(reply.get_data(as_text=True))

    def post(self, path: str, data: dict[str, str], *, token_from: str) -> Any:
        (token,) = TOKEN_RE.findall(self.page(token_from))[:1]
        return self.client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Flask:
    return create_app(settings, platform=platform)


def test_rules_are_created_validated_edited_and_deleted(app: Flask, platform: Platform) -> None:
    admin = Browser(app, "admin")
    assert "There are no escalation rules." in admin.page("/admin/escalations")
    form = admin.page("/admin/escalations/new")
    assert "Реєстрація місця проживання особи" in form

    bad = admin.post(
        "/admin/escalations/new",
        {"condition": "overdue", "days": "many", "reassign_group": "nobody"},
        token_from="/admin/escalations/new",
    )
    text = html.unescape(bad.get_data(as_text=True))
    assert bad.status_code == 422
    assert "<title>Error:" in text
    assert 'href="#field-days"' in text and 'href="#field-reassign_group"' in text
    assert 'value="many"' in text

    created = admin.post(
        "/admin/escalations/new",
        {
            "condition": "overdue",
            "days": "2",
            "notify_supervisors": "yes",
            "active": "yes",
            "element_id": "check_documents",
        },
        token_from="/admin/escalations/new",
    )
    assert created.status_code == 302
    listing = admin.page("/admin/escalations")
    assert "All services" in listing and "2 working days overdue" in listing and "check_documents" in listing

    with unit_of_work(platform.read_sessions) as db:
        (rule,) = db.scalars(select(EscalationRule)).all()
        rule_id = rule.id
    edited = admin.post(
        f"/admin/escalations/{rule_id}",
        {"condition": "unclaimed", "days": "3", "reassign_group": "myrhorod-heads", "active": ""},
        token_from=f"/admin/escalations/{rule_id}",
    )
    assert edited.status_code == 302
    listing = admin.page("/admin/escalations")
    assert "unclaimed for 3 days" in listing and "reassign to myrhorod-heads" in listing and "Switched off" in listing

    deleted = admin.post(f"/admin/escalations/{rule_id}/delete", {}, token_from=f"/admin/escalations/{rule_id}")
    assert deleted.status_code == 302
    assert "There are no escalation rules." in admin.page("/admin/escalations")
    with unit_of_work(platform.read_sessions) as db:
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("escalation_rule.%"))).all()
    assert actions == ["escalation_rule.created", "escalation_rule.updated", "escalation_rule.deleted"]


def test_calendar_adjustments_and_the_holiday_setting(app: Flask, platform: Platform) -> None:
    admin = Browser(app, "admin")
    page = admin.page("/admin/calendar?year=2027")
    assert "Working-day calendar 2027" in page and "Новий рік" in page

    bad = admin.post("/admin/calendar/days?year=2027", {"day": "08.01.2027"}, token_from="/admin/calendar?year=2027")
    assert bad.status_code == 422
    assert 'href="#field-day"' in bad.get_data(as_text=True) and 'href="#field-kind"' in bad.get_data(as_text=True)

    added = admin.post(
        "/admin/calendar/days",
        {"day": "2027-01-08", "kind": "day_off", "note": "Перенесено"},
        token_from="/admin/calendar?year=2027",
    )
    assert added.status_code == 302
    assert "Перенесено" in admin.page("/admin/calendar?year=2027")
    switched = admin.post(
        "/admin/calendar/holidays?year=2027", {"holidays_are_days_off": "no"}, token_from="/admin/calendar?year=2027"
    )
    assert switched.status_code == 302
    assert 'value="no" checked' in admin.page("/admin/calendar?year=2027")

    with unit_of_work(platform.read_sessions) as db:
        (day,) = db.scalars(select(CalendarDay)).all()
        day_id = day.id
    removed = admin.post(f"/admin/calendar/days/{day_id}/remove?year=2027", {}, token_from="/admin/calendar?year=2027")
    assert removed.status_code == 302
    assert "No adjustments in 2027." in admin.page("/admin/calendar?year=2027")


def test_only_administrators_and_only_with_a_csrf_token(settings: Settings, platform: Platform) -> None:
    app = create_app(settings, platform=platform)
    assert Browser(app, "official").client.get("/admin/escalations").status_code == 403
    assert Browser(app, None).client.get("/admin/calendar").status_code == 302
    admin = Browser(app, "admin")
    refused = admin.client.post("/admin/calendar/holidays", data={"holidays_are_days_off": "no"})
    assert refused.status_code == 400
    assert 'value="yes" checked' in admin.page("/admin/calendar")


def test_the_status_page_marks_an_overdue_step(
    app: Flask, platform: Platform, clock: FakeClock, actor_of: ActorOf
) -> None:
    reference = apply(platform, actor_of("citizen"), "timer_boundary", {"note": "x"})
    visitor = Browser(app, None)
    assert "Overdue" not in visitor.page(f"/status/{reference}")
    with unit_of_work(platform.write_sessions) as db:
        from engine.store import applications, tasks

        found = applications.find_by_reference(db, reference)
        assert found is not None
        (task,) = tasks.open_for_application(db, found.id)
        task.due_at = clock.now() - timedelta(days=400)
    page = visitor.page(f"/status/{reference}")
    assert "Review" in page and "Overdue" in page
