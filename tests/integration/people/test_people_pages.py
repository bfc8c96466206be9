"""Administrators manage people in the browser: create and invite, edit without overwriting each other,
deactivate (access ends at once, claimed tasks go back to the queue) and reactivate."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.db import unit_of_work
from engine.models import Role
from engine.services.admin.accounts import create_user
from engine.services.admin.links import LinkPurpose, read_link_token
from engine.services.context import Platform
from engine.store import directory
from engine.worker import run_once
from webapp import create_app

from ..staff.conftest import Citizen
from .conftest import Browser, Mailbox, version_in

NEW = {
    "username": "lubny.cnap3",
    "full_name": "Марія Іваненко",
    "email": "maria@lubny.example.org",
    "phone": "+380 50 123 45 67",
    "role": "official",
    "locale": "en",
    "send_invitation": "y",
}


def user_id(platform: Platform, username: str) -> int:
    with unit_of_work(platform.read_sessions) as db:
        user = directory.find_user(db, username)
        assert user is not None
        return user.id


def group_id(platform: Platform, slug: str) -> int:
    with unit_of_work(platform.read_sessions) as db:
        group = directory.find_group(db, slug)
        assert group is not None
        return group.id


def test_admin_creates_an_official_and_the_invitation_link_works(
    platform: Platform, browser: Callable[..., Browser], mailbox: Mailbox, audit_rows: Any
) -> None:
    admin = browser("admin")
    form = admin.page("/admin/people/new")
    assert "ЦНАП Лубенської міської ради" in form and "Лубенська міська рада" in form  # groups by organisation
    cnap = group_id(platform, "lubny-cnap")
    reply = admin.post("/admin/people/new", {**NEW, "groups": [str(cnap)]}, token_from="/admin/people/new")
    assert reply.status_code == 302, reply.get_data(as_text=True)
    page = admin.page(reply.headers["Location"])
    assert "The account was created and the invitation was sent to maria@lubny.example.org." in page
    assert "Марія Іваненко" in page and "None yet" in page
    assert f'id="groups-{cnap}" name="groups" value="{cnap}" checked' in page

    assert mailbox.to(NEW["email"]) == []  # the worker sends it
    run_once(platform, worker_id="w1")
    (mail,) = mailbox.to(NEW["email"])
    assert mail["Subject"] == "Your invitation to Posluhy"  # the person's language
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "lubny.cnap3" in text
    found = re.search(re.escape(platform.settings.base_url) + r"/invitation/(\S+)", text)
    assert found, text
    with unit_of_work(platform.read_sessions) as db:
        user = read_link_token(db, platform.settings.secret_key, platform.clock, LinkPurpose.INVITATION, found.group(1))
        assert user.username == "lubny.cnap3" and not user.password_hash.startswith("$")
        assert [g.slug for g in user.groups] == ["lubny-cnap"]
    (created,) = audit_rows("person.created")
    assert created["actor"] == "admin" and created["details"]["username"] == "lubny.cnap3"
    assert [r["details"]["user_id"] for r in audit_rows("person.invited")] == [created["details"]["user_id"]]

    # Sent again from the person's page: a second mail.
    person = f"/admin/people/{created['details']['user_id']}"
    again = admin.post(f"{person}/invite", token_from=person)
    assert again.status_code == 302
    assert "The invitation was sent again." in admin.page(person)
    run_once(platform, worker_id="w1")
    assert len(mailbox.to(NEW["email"])) == 2


def test_bad_input_is_refused_and_what_was_typed_is_kept(
    platform: Platform, browser: Callable[..., Browser], audit_rows: Any
) -> None:
    admin = browser("admin")
    typed = {**NEW, "username": "Bad Name!", "email": "not-an-address", "phone": "call me", "full_name": "Марія"}
    reply = admin.post("/admin/people/new", typed, token_from="/admin/people/new")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "<title>Error: " in html and 'role="alert"' in html
    for name in ("username", "email", "phone"):
        assert f'href="#field-{name}"' in html
    assert 'value="bad name!"' in html or 'value="Bad Name!"' in html
    assert 'value="not-an-address"' in html and 'value="call me"' in html and 'value="Марія"' in html

    taken = admin.post("/admin/people/new", {**NEW, "username": "lubny.cnap"}, token_from="/admin/people/new")
    assert taken.status_code == 422
    assert "An account with this username already exists" in taken.get_data(as_text=True)

    no_mail = admin.post("/admin/people/new", {**NEW, "email": ""}, token_from="/admin/people/new")
    assert no_mail.status_code == 422
    assert "Enter the e-mail address to send the invitation to" in no_mail.get_data(as_text=True)
    assert audit_rows("person.created") == []


def test_two_admins_editing_one_person_cannot_overwrite_each_other(
    platform: Platform, browser: Callable[..., Browser], app: Any, audit_rows: Any
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        create_user(db, username="admin2", password="demo", role=Role.ADMIN, full_name="Друга адміністраторка")
    first, second = browser("admin"), browser("admin2")
    person = f"/admin/people/{user_id(platform, 'lubny.cnap2')}"
    seen_first, seen_second = first.page(person), second.page(person)
    version = version_in(seen_first)
    assert version_in(seen_second) == version
    cnap = str(group_id(platform, "lubny-cnap"))
    base = {"email": "cnap2@lubny.example.org", "phone": "", "role": "official", "locale": "uk", "groups": [cnap]}

    saved = first.post(person, {**base, "version": version, "full_name": "Сергій Кравченко-Перший"}, token_from=person)
    assert saved.status_code == 302
    late = second.post(person, {**base, "version": version, "full_name": "Сергій Другий"}, token_from=person)
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Someone else changed this person while you were editing" in html and "Nothing was saved" in html
    assert "Сергій Другий" in html  # what was typed, shown as not saved
    assert 'value="Сергій Кравченко-Перший"' in html  # the form now holds the saved values
    assert version_in(html) != version
    with unit_of_work(platform.read_sessions) as db:
        user = directory.find_user(db, "lubny.cnap2")
        assert user is not None and user.full_name == "Сергій Кравченко-Перший"
    (updated,) = audit_rows("person.updated")
    assert updated["details"]["changed"] == ["full_name"]


def test_deactivation_ends_sessions_and_tokens_at_once_and_releases_claimed_tasks(
    platform: Platform, browser: Callable[..., Browser], app: Any, audit_rows: Any
) -> None:
    citizen = Citizen(app)
    reference, _steps = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    official = browser("lubny.cnap")
    queue = official.page("/staff/queue")
    task_url = re.search(r'href="(/staff/tasks/[^"]+)">' + re.escape(reference) + "<", queue)
    assert task_url
    assert official.post(f"{task_url.group(1)}/claim", token_from="/staff/my").status_code == 302
    api = app.test_client(use_cookies=False)
    token = api.post("/api/v1/auth/token", json={"username": "lubny.cnap", "password": "demo"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/tasks", headers=headers).status_code == 200

    admin = browser("admin")
    person = f"/admin/people/{user_id(platform, 'lubny.cnap')}"
    no_reason = admin.post(f"{person}/deactivate", {"reason": ""}, token_from=person)
    assert no_reason.status_code == 422 and 'href="#field-reason"' in no_reason.get_data(as_text=True)
    assert official.get("/staff/my").status_code == 200  # nothing happened

    done = admin.post(f"{person}/deactivate", {"reason": "Звільнена"}, token_from=person)
    assert done.status_code == 302
    page = admin.page(person)
    assert "Tasks returned to the queue: 1." in page and "Deactivated" in page

    signed_out = official.get("/staff/my")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    assert api.get("/api/v1/tasks", headers=headers).status_code == 401
    stranger = Browser(app, None)
    refused = stranger.post("/login", {"username": "lubny.cnap", "password": "demo"}, token_from="/login")
    assert refused.status_code == 400 and "Enter a correct username and password" in refused.get_data(as_text=True)

    other = browser("lubny.cnap2")
    row = [r for r in other.page("/staff/queue").split("<tr>") if reference in r]
    assert row and "lubny.cnap" not in row[0].split("</tr>")[0].replace("lubny.cnap2", "")
    (released,) = audit_rows("task.released")
    assert released["details"]["reason"] == "deactivated" and released["actor"] == "admin"
    assert released["task_id"] and released["application_id"]
    (deactivated,) = audit_rows("person.deactivated")
    assert deactivated["details"]["reason"] == "Звільнена" and deactivated["details"]["tasks_released"] == 1

    back = admin.post(f"{person}/reactivate", {"reason": "Повернулася"}, token_from=person)
    assert back.status_code == 302
    assert "The person was reactivated." in admin.page(person)
    assert browser("lubny.cnap").page("/staff/my")
    assert [r["details"]["reason"] for r in audit_rows("person.reactivated")] == ["Повернулася"]


def test_a_deactivation_on_one_host_ends_the_session_on_another_at_once(
    platform: Platform, settings: Any, browser: Callable[..., Browser]
) -> None:
    other_host = Platform.from_settings(settings)  # its own caches, as another process would have
    try:
        official = Browser(create_app(settings, platform=other_host), "lubny.cnap2")
        assert official.page("/staff/my")  # the person is now cached on the other host
        admin = browser("admin")
        person = f"/admin/people/{user_id(platform, 'lubny.cnap2')}"
        assert admin.post(f"{person}/deactivate", {"reason": "Звільнено"}, token_from=person).status_code == 302
        refused = official.get("/staff/my")
        assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    finally:
        other_host.engine.dispose()
