"""Who may manage people, the rules that protect administrators, the list's filters and a person's sign-ins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.db import unit_of_work
from engine.services.admin import people
from engine.services.admin.people import PersonInput, PersonRefusedError
from engine.services.context import Actor, Platform
from engine.store import directory

from .conftest import Browser, version_in


def user_id(platform: Platform, username: str) -> int:
    with unit_of_work(platform.read_sessions) as db:
        user = directory.find_user(db, username)
        assert user is not None
        return user.id


@pytest.mark.parametrize("who", ["citizen", "lubny.cnap", "analyst"])
def test_only_administrators_reach_the_people_and_groups_pages(
    platform: Platform, browser: Callable[..., Browser], who: str
) -> None:
    someone = browser(who)
    person = f"/admin/people/{user_id(platform, 'lubny.cnap2')}"
    for path in ("/admin/people", "/admin/people/new", person, "/admin/groups", "/admin/groups/new", "/admin/groups/1"):
        assert someone.get(path).status_code == 403, path
    token = someone.token("/")
    for path in (f"{person}/deactivate", f"{person}/invite", "/admin/people/new", "/admin/groups/1/members"):
        reply = someone.client.post(path, data={"csrf_token": token, "reason": "x", "username": "evil"})
        assert reply.status_code == 403, path
    assert browser("lubny.cnap2").page("/staff/my")  # still active


def test_an_administrator_cannot_deactivate_themself_or_drop_their_own_role(
    platform: Platform, browser: Callable[..., Browser], audit_rows: Any
) -> None:
    admin = browser("admin")
    me = f"/admin/people/{user_id(platform, 'admin')}"
    refused = admin.post(f"{me}/deactivate", {"reason": "test"}, token_from=me)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "You cannot deactivate yourself" in html and "<title>Error: " in html
    page = admin.page(me)
    demoted = admin.post(
        me,
        {"version": version_in(page), "full_name": "Адмін", "email": "admin@example.org", "role": "official"},
        token_from=me,
    )
    assert demoted.status_code == 409 and "change your own role" in demoted.get_data(as_text=True)
    assert admin.page("/admin/people")  # still an administrator
    assert audit_rows("person.deactivated") == [] and audit_rows("person.updated") == []


def test_the_last_active_administrator_cannot_be_removed(platform: Platform) -> None:
    """Reachable through a tool acting as an administrator (or two administrators deactivating each other)."""
    tool = Actor(user_id=None, username="directory-tool", role="admin")
    admin_id = user_id(platform, "admin")
    with unit_of_work(platform.write_sessions) as db:
        with pytest.raises(PersonRefusedError) as refused:
            people.deactivate(db, tool, admin_id, reason="test")
        assert refused.value.reason == "last_admin"
        current = people.get_person(db, tool, admin_id)
        data = PersonInput(full_name="x", email="", phone="", role="official", locale="uk")
        with pytest.raises(PersonRefusedError):
            people.update_person(db, tool, admin_id, version=current.version, data=data)


def test_the_list_finds_people_by_name_role_organisation_and_status(
    platform: Platform, browser: Callable[..., Browser]
) -> None:
    admin = browser("admin")
    everyone = admin.page("/admin/people")
    assert "lubny.cnap" in everyone and "citizen2" in everyone
    by_name = admin.page("/admin/people?q=Савченко")
    assert "lubny.cnap<" in by_name and "lubny.cnap2" not in by_name
    by_mail = admin.page("/admin/people?q=ARCH@lubny")
    assert "lubny.architect" in by_mail and "lubny.cnap" not in by_mail
    with unit_of_work(platform.read_sessions) as db:
        myrhorod = directory.find_organisation(db, "myrhorod-council")
        assert myrhorod is not None
        organisation = myrhorod.id
    officials = admin.page(f"/admin/people?role=official&organisation={organisation}")
    assert "myrhorod.cnap" in officials and "myrhorod.head" in officials and "lubny.cnap" not in officials
    assert "citizen2" not in admin.page("/admin/people?role=official")
    person = f"/admin/people/{user_id(platform, 'citizen2')}"
    assert admin.post(f"{person}/deactivate", {"reason": "Дубль"}, token_from=person).status_code == 302
    assert "citizen2" not in admin.page("/admin/people")
    deactivated = admin.page("/admin/people?status=inactive")
    assert "citizen2" in deactivated and "lubny.cnap" not in deactivated
    assert 'value="inactive" selected' in deactivated  # the filters keep what was chosen


def test_the_person_page_lists_their_sign_ins(platform: Platform, browser: Callable[..., Browser]) -> None:
    browser("lubny.cnap")
    failed = browser(None).post("/login", {"username": "lubny.cnap", "password": "nope"}, token_from="/login")
    assert failed.status_code == 400
    page = browser("admin").page(f"/admin/people/{user_id(platform, 'lubny.cnap')}")
    sign_ins = page.split('id="sign-ins"')[1]
    assert sign_ins.count("<tr>") == 3  # the header, a failure, a success
    assert "Sign-in failed" in sign_ins and "Wrong password" in sign_ins
    assert "Signed in" in sign_ins and "Password" in sign_ins
    assert sign_ins.index("Sign-in failed") < sign_ins.index("Signed in")  # newest first
    assert "No sign-ins yet." in browser("admin").page(f"/admin/people/{user_id(platform, 'citizen2')}")
