"""The console's actions: suspend, resume, cancel and reassign, each with a reason, audited and mailed; refused
for the wrong people, without a reason, when sent twice and when another operator acted first."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask

from engine.clock import FakeClock
from engine.services.context import Platform
from engine.worker import run_once

from ..conftest import Mailbox
from .conftest import Browser, Citizen, act

CITIZEN = "citizen@example.org"


def _text(message: Any) -> str:
    parts = [p.get_payload(decode=True) for p in message.walk() if p.get_content_type() == "text/plain"]
    return "".join(p.decode("utf-8") for p in parts if isinstance(p, bytes))


def _task_id(admin: Browser, reference: str) -> str:
    """The open official task of the case, as the case page's reassign form offers it."""
    found = re.search(r'name="reassign-task_id" value="([^"]+)"', admin.page(f"/admin/cases/{reference}"))
    assert found
    return found.group(1)


def test_suspend_and_resume_with_a_reason_are_audited_mailed_and_move_the_due_date(
    clock: FakeClock, browser: Any, citizen: Citizen, mailbox: Mailbox, platform: Platform
):
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    admin = browser("admin")
    due_before = re.search(
        r"<td>(\d\d\.\d\d\.\d{4} \d\d:\d\d)</td>\s*<td></td>\s*</tr>", admin.page(f"/admin/cases/{reference}")
    )
    assert due_before and due_before.group(1) == "05.01.2027 18:00"

    suspended = act(admin, "admin", reference, "suspend", "Waiting for the court's decision")
    assert suspended.status_code == 302
    page = admin.page(f"/admin/cases/{reference}")
    assert 'data-status="suspended"' in page and "Resume the case" in page
    assert "application.suspended" in page and "Waiting for the court&#39;s decision" in page
    assert citizen.application(reference)["status"] == "suspended"

    clock.advance(timedelta(days=3))
    resumed = act(admin, "admin", reference, "resume", "The court decided")
    assert resumed.status_code == 302
    page = admin.page(f"/admin/cases/{reference}")
    assert "application.resumed" in page and 'data-status="active"' in page
    assert "08.01.2027 18:00" in page  # the due date moved by the three days the case was suspended

    run_once(platform, worker_id="w")
    subjects = mailbox.subjects(CITIZEN)
    assert any("paused" in s or "призупинено" in s for s in subjects)
    assert any("again" in s or "відновлено" in s for s in subjects)
    assert any("Waiting for the court's decision" in _text(m) for m in mailbox.to(CITIZEN))


def test_a_suspended_case_accepts_no_step_over_the_api_or_the_pages(browser: Any, citizen: Citizen, app: Flask):
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    admin = browser("admin")
    task_id = _task_id(admin, reference)
    assert act(admin, "admin", reference, "suspend", "Paused for a check").status_code == 302

    cnap = browser("lubny.cnap")
    assert reference not in cnap.page("/staff/queue")  # its task left the queue
    page_reply = cnap.post(
        f"/staff/tasks/{task_id}/complete",
        {"decision": "issue", "certificate_number": "1"},
        token_from=f"/staff/tasks/{task_id}",
    )
    assert page_reply.status_code == 409
    api = Citizen(app, "lubny.cnap")
    api_reply = api.client.post(
        f"/api/v1/tasks/{task_id}/complete", headers=api.headers, json={"data": {"decision": "reject"}}
    )
    assert api_reply.status_code == 409
    assert cnap.post(f"/staff/tasks/{task_id}/claim", {}).status_code == 302
    assert "nobody yet" in admin.page(f"/admin/cases/{reference}")

    started = citizen.client.post(
        "/api/v1/applications", headers=citizen.headers, json={"service": "family_composition_certificate"}
    )
    draft = started.get_json()
    assert act(admin, "admin", draft["reference"], "suspend", "A draft paused").status_code == 302
    refused = citizen.client.post(
        f"/api/v1/tasks/{draft['tasks'][0]['id']}/complete", headers=citizen.headers, json={"data": {}}
    )
    assert refused.status_code == 409


def test_a_reason_is_required(browser: Any, citizen: Citizen):
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    admin = browser("admin")
    reply = act(admin, "admin", reference, "suspend", "   ")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert 'href="#field-suspend-reason"' in html and "Enter the reason" in html
    assert "<title>Error: " in html
    assert citizen.application(reference)["status"] == "active"


def test_a_double_submit_and_a_race_between_two_admins_change_nothing_the_second_time(
    browser: Any, citizen: Citizen, app: Flask
):
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    first, second = browser("admin"), Browser(app, "admin")
    page = first.page(f"/admin/cases/{reference}")
    token = re.search(r'name="suspend-csrf_token" type="hidden" value="([^"]+)"', page)
    version = re.search(r'name="suspend-version" value="(\d+)"', page)
    assert token and version
    form = {"suspend-csrf_token": token.group(1), "suspend-version": version.group(1), "suspend-reason": "Twice"}
    assert first.client.post(f"/admin/cases/{reference}/suspend", data=form).status_code == 302
    again = first.client.post(f"/admin/cases/{reference}/suspend", data=form)
    assert again.status_code == 409
    assert "Nothing was changed" in again.get_data(as_text=True)

    # two admins looked at the case at once; the second one's cancel comes after the first one's resume
    seen_by_second = second.page(f"/admin/cases/{reference}")
    token2 = re.search(r'name="cancel-csrf_token" type="hidden" value="([^"]+)"', seen_by_second)
    version2 = re.search(r'name="cancel-version" value="(\d+)"', seen_by_second)
    assert token2 and version2
    assert act(first, "admin", reference, "resume", "Done checking").status_code == 302
    late = second.client.post(
        f"/admin/cases/{reference}/cancel",
        data={"cancel-csrf_token": token2.group(1), "cancel-version": version2.group(1), "cancel-reason": "Duplicate"},
    )
    assert late.status_code == 409
    assert "The case changed since you opened this page" in late.get_data(as_text=True)
    assert citizen.application(reference)["status"] == "active"


def test_cancel_is_for_administrators_and_tells_the_citizen(
    browser: Any, citizen: Citizen, mailbox: Mailbox, platform: Platform
):
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    cnap = browser("lubny.cnap")
    assert "Cancel the case" not in cnap.page(f"/staff/cases/{reference}")
    assert cnap.post(f"/staff/cases/{reference}/cancel", {"cancel-reason": "x"}).status_code in (404, 405)
    admin = browser("admin")
    assert act(admin, "admin", reference, "cancel", "Filed twice by mistake").status_code == 302
    assert citizen.application(reference)["status"] == "cancelled"
    assert "application.cancelled" in admin.page(f"/admin/cases/{reference}")
    run_once(platform, worker_id="w")
    assert any("cancelled" in s or "скасовано" in s for s in mailbox.subjects(CITIZEN))


def test_officials_act_on_their_organisations_cases_only(browser: Any, citizen: Citizen, app: Flask):
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    cnap = browser("lubny.cnap")
    assert act(cnap, "staff", reference, "suspend", "Missing stamp").status_code == 302
    assert act(cnap, "staff", reference, "resume", "Stamp found").status_code == 302

    other = browser("myrhorod.cnap")
    token = other.token("/staff/cases")
    for action in ("suspend", "resume", "reassign"):
        reply = other.client.post(
            f"/staff/cases/{reference}/{action}",
            data={
                f"{action}-csrf_token": token,
                f"{action}-version": "1",
                f"{action}-reason": "not mine",
                f"{action}-task_id": "x",
                f"{action}-username": "myrhorod.cnap",
            },
        )
        assert reply.status_code == 404, action
    person = Browser(app, "citizen")
    assert (
        person.post(
            f"/staff/cases/{reference}/suspend", {"suspend-reason": "x", "suspend-version": "1"}, token_from="/"
        ).status_code
        == 403
    )
    anonymous = app.test_client().post(f"/admin/cases/{reference}/suspend", data={"suspend-reason": "x"})
    assert anonymous.status_code in (302, 400)
    assert citizen.application(reference)["status"] == "active"


def test_reassign_a_task_to_a_person_or_a_group(browser: Any, citizen: Citizen):
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    admin = browser("admin")
    task_id = _task_id(admin, reference)
    nobody = act(admin, "admin", reference, "reassign", "Holiday cover", task_id=task_id, username="citizen")
    assert nobody.status_code == 409
    assert "no active official or administrator" in nobody.get_data(as_text=True)
    neither = act(admin, "admin", reference, "reassign", "Holiday cover", task_id=task_id)
    assert neither.status_code == 422 and "Enter either a username or a group code" in neither.get_data(as_text=True)

    assert (
        act(admin, "admin", reference, "reassign", "Holiday cover", task_id=task_id, username="lubny.cnap2").status_code
        == 302
    )
    assert "lubny.cnap2" in browser("lubny.cnap2").page("/staff/my")
    page = admin.page(f"/admin/cases/{reference}")
    assert "task.reassigned" in page and "Holiday cover" in page

    assert (
        act(
            admin, "admin", reference, "reassign", "To the registry", task_id=task_id, group="myrhorod-registry"
        ).status_code
        == 302
    )
    assert reference in browser("myrhorod.registry").page("/staff/queue")
    assert reference not in browser("lubny.cnap").page("/staff/queue")
