"""Organisations in the browser: the tree, a new organisation under a parent, edits with the version shown, and the
rules that keep the tree a tree (kinds under kinds, no organisation under its own descendant, ЄДРПОУ codes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.db import unit_of_work
from engine.services.admin.organisations import FIELDS
from engine.services.context import Platform
from engine.store import directory

from .conftest import Browser, version_in


def org_id(platform: Platform, slug: str) -> int:
    with unit_of_work(platform.read_sessions) as db:
        found = directory.find_organisation(db, slug)
        assert found is not None
        return found.id


def as_sent(platform: Platform, slug: str) -> dict[str, str]:
    """The organisation's form fields as its page sends them unchanged."""
    with unit_of_work(platform.read_sessions) as db:
        found = directory.find_organisation(db, slug)
        assert found is not None
        sent = {name: str(getattr(found, name)) for name in FIELDS if name not in ("active", "parent_id")}
        return {**sent, "parent_id": str(found.parent_id or ""), **({"active": "y"} if found.active else {})}


def new_organisation(**overrides: str) -> dict[str, str]:
    return {
        "name": "Пирятинська міська рада",
        "slug": "pyriatyn-council",
        "kind": "hromada",
        "active": "y",
        **overrides,
    }


def test_the_tree_lists_parents_before_children_and_only_admins_come_in(browser: Callable[..., Browser]) -> None:
    html = browser("admin").page("/admin/organisations")
    names = ["Полтавська обласна", "Лубенська районна", "Лубенська міська рада", "Центр надання адміністративних"]
    positions = [html.index(name) for name in names]
    assert positions == sorted(positions)
    assert 'class="tree-level-2"' in html and "00022608" in html
    assert 'href="/admin/organisations"' in browser("admin").page("/admin/")
    assert browser("lubny.cnap").get("/admin/organisations").status_code == 403
    assert browser("analyst").get("/admin/organisations/new").status_code == 403


def test_a_new_hromada_is_created_under_its_district(
    platform: Platform, browser: Callable[..., Browser], audit_rows: Any
) -> None:
    admin = browser("admin")
    district = org_id(platform, "lubny-district")
    form = admin.page(f"/admin/organisations/new?parent={district}")
    assert f'<option value="{district}" selected>' in form and "\u2014 Лубенська районна" in form

    mistyped = admin.post(
        "/admin/organisations/new",
        new_organisation(parent_id=str(district), edrpou="04057699", phone="ring me"),
        token_from="/admin/organisations/new",
    )
    html = mistyped.get_data(as_text=True)
    assert mistyped.status_code == 422 and 'href="#field-phone"' in html
    assert 'value="Пирятинська міська рада"' in html and 'value="04057699"' in html  # what was typed stays
    control_digit = admin.post(
        "/admin/organisations/new",
        new_organisation(parent_id=str(district), edrpou="04057699"),
        token_from="/admin/organisations/new",
    )
    assert control_digit.status_code == 422 and "not a valid ЄДРПОУ code" in control_digit.get_data(as_text=True)
    taken = admin.post(
        "/admin/organisations/new",
        new_organisation(parent_id=str(district), edrpou="04057698"),  # the district's own code
        token_from="/admin/organisations/new",
    )
    assert taken.status_code == 422 and "Another organisation has this ЄДРПОУ code" in taken.get_data(as_text=True)
    at_the_top = admin.post("/admin/organisations/new", new_organisation(parent_id=""), token_from="/admin/")
    assert at_the_top.status_code == 422 and "This kind cannot stand there" in at_the_top.get_data(as_text=True)

    made = admin.post(
        "/admin/organisations/new",
        new_organisation(parent_id=str(district), edrpou="04057675", name_en="Pyriatyn City Council"),
        token_from="/admin/organisations/new",
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    page = admin.page(made.headers["Location"])
    assert "The organisation was created." in page and "under Лубенська районна державна адміністрація" in page
    assert "Пирятинська міська рада" in admin.page(f"/admin/organisations/{district}")  # listed below the district
    created = audit_rows("organisation.created")
    assert [(row["actor"], row["details"]["slug"], row["details"]["parent_id"]) for row in created] == [
        ("admin", "pyriatyn-council", district)
    ]


def test_an_organisation_cannot_move_under_its_own_descendant(platform: Platform, browser: Callable[..., Browser]):
    admin = browser("admin")
    district, council = org_id(platform, "lubny-district"), org_id(platform, "lubny-council")
    page = admin.page(f"/admin/organisations/{district}")
    assert f'<option value="{council}"' not in page  # its own subtree is not offered as a parent
    forged = admin.post(
        f"/admin/organisations/{district}",
        {"name": "Лубенська районна державна адміністрація", "slug": "lubny-district", "kind": "other",
         "parent_id": str(council), "version": version_in(page)},
        token_from=f"/admin/organisations/{district}",
    )  # fmt: skip
    assert forged.status_code == 422  # not among the choices: refused before any rule runs
    with unit_of_work(platform.read_sessions) as db:
        found = directory.find_organisation(db, "lubny-district")
        assert found is not None and found.parent_id == org_id(platform, "poltava-oda")


def test_two_admins_editing_one_organisation_do_not_overwrite_each_other(
    platform: Platform, browser: Callable[..., Browser], audit_rows: Any
) -> None:
    first, second = browser("admin"), browser("admin")
    council = org_id(platform, "myrhorod-council")
    path = f"/admin/organisations/{council}"
    seen = version_in(first.page(path))
    fields = {**as_sent(platform, "myrhorod-council"), "version": seen}
    saved = first.post(path, {**fields, "working_hours": "Пн–Пт 9:00–18:00"}, token_from=path)
    assert saved.status_code == 302
    assert "The organisation was saved." in first.page(path)
    stale = second.post(path, {**fields, "phone": "+380 5355 00000"}, token_from=path)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Someone else changed this organisation" in html
    assert 'value="Пн–Пт 9:00–18:00"' in html  # the page shows it as it is now
    assert "What you entered (not saved)" in html and "+380 5355 00000" in html  # and what was typed
    changes = [row["details"]["changed"] for row in audit_rows("organisation.updated")]
    assert "working_hours" in changes[0] and all("phone" not in c for c in changes)
