"""Groups in the browser: listed by organisation, created and edited with the version shown, members changed, and
the change seen at once by the cached signed-in people."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from engine.db import unit_of_work
from engine.services.admin.accounts import load_actor
from engine.services.context import Platform
from engine.store import directory

from .conftest import Browser, version_in


def ids(platform: Platform) -> dict[str, int]:
    with unit_of_work(platform.read_sessions) as db:
        lubny = directory.find_organisation(db, "lubny-council")
        cnap = directory.find_group(db, "myrhorod-cnap")
        person = directory.find_user(db, "lubny.cnap2")
        assert lubny and cnap and person
        return {"lubny": lubny.id, "myrhorod_cnap": cnap.id, "lubny_cnap2": person.id}


def test_groups_are_listed_by_organisation_and_a_new_one_is_created(
    platform: Platform, browser: Callable[..., Browser], audit_rows: Any
) -> None:
    admin = browser("admin")
    listing = admin.page("/admin/groups")
    assert listing.index("Лубенська міська рада") < listing.index("ЦНАП Лубенської міської ради")
    assert "Supervisors" in listing
    known = ids(platform)
    form = admin.page(f"/admin/groups/new?organisation={known['lubny']}")
    assert f'<option value="{known["lubny"]}" selected>' in form
    assert "Members also see the cases of child organisations" in form and "For a regional office" in form

    bad = admin.post(
        "/admin/groups/new",
        {"slug": "Lubny CNAP!", "name": "Прийом громадян", "organisation_id": str(known["lubny"])},
        token_from="/admin/groups/new",
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'href="#field-slug"' in html and 'value="Прийом громадян"' in html
    taken = admin.post(
        "/admin/groups/new",
        {"slug": "lubny-cnap", "name": "Прийом", "organisation_id": str(known["lubny"])},
        token_from="/admin/groups/new",
    )
    assert taken.status_code == 422 and "Another group has this short name" in taken.get_data(as_text=True)

    made = admin.post(
        "/admin/groups/new",
        {
            "slug": "lubny-reception",
            "name": "Прийом громадян",
            "organisation_id": str(known["lubny"]),
            "sees_child_organisations": "y",
        },
        token_from="/admin/groups/new",
    )
    assert made.status_code == 302
    page = admin.page(made.headers["Location"])
    assert "The group was created." in page and "Прийом громадян" in page
    assert 'id="sees_child_organisations" name="sees_child_organisations" value="y" checked' in page
    with unit_of_work(platform.read_sessions) as db:
        group = directory.find_group(db, "lubny-reception")
        assert group is not None and group.sees_child_organisations and not group.is_supervisor
    (created,) = audit_rows("group.created")
    assert created["details"]["slug"] == "lubny-reception"


def test_members_change_and_the_person_sees_their_new_group_at_once(
    platform: Platform, browser: Callable[..., Browser], audit_rows: Any
) -> None:
    known = ids(platform)
    with unit_of_work(platform.read_sessions) as db:  # cached, as a signed-in request would leave it
        before = load_actor(db, known["lubny_cnap2"], platform.caches)
        assert before is not None and "myrhorod-cnap" not in before.group_slugs
    admin = browser("admin")
    path = f"/admin/groups/{known['myrhorod_cnap']}"
    page = admin.page(path)
    assert "Тетяна Кравець" in page  # the organisation's supervisors (myrhorod-heads)
    version = version_in(page)

    unknown = admin.post(f"{path}/members", {"version": version, "add": "lubny.cnap2 nobody.here"}, token_from=path)
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and "Enter the usernames of existing people" in html
    assert 'value="lubny.cnap2 nobody.here"' in html

    added = admin.post(f"{path}/members", {"version": version, "add": "lubny.cnap2"}, token_from=path)
    assert added.status_code == 302
    page = admin.page(path)
    assert "Members added: 1; removed: 0." in page and "Сергій Кравченко (lubny.cnap2)" in page
    with unit_of_work(platform.read_sessions) as db:
        after = load_actor(db, known["lubny_cnap2"], platform.caches)
        assert after is not None and "myrhorod-cnap" in after.group_slugs

    stale = admin.post(f"{path}/members", {"version": version, "remove": str(known["lubny_cnap2"])}, token_from=path)
    assert stale.status_code == 409
    assert "Someone else changed this group while you were editing" in stale.get_data(as_text=True)
    removed = admin.post(
        f"{path}/members", {"version": version_in(page), "remove": str(known["lubny_cnap2"])}, token_from=path
    )
    assert removed.status_code == 302
    assert [(r["details"]["added"], r["details"]["removed"]) for r in audit_rows("group.members_changed")] == [
        (["lubny.cnap2"], []),
        ([], ["lubny.cnap2"]),
    ]


def test_editing_a_group_with_a_stale_version_is_refused(
    platform: Platform, browser: Callable[..., Browser], audit_rows: Any
) -> None:
    known = ids(platform)
    first, second = browser("admin"), browser("admin")
    path = f"/admin/groups/{known['myrhorod_cnap']}"
    version = version_in(first.page(path))
    fields = {"slug": "myrhorod-cnap", "organisation_id": "", "version": version}
    with unit_of_work(platform.read_sessions) as db:
        group = directory.find_group(db, "myrhorod-cnap")
        assert group is not None
        fields["organisation_id"] = str(group.organisation_id)
    saved = first.post(path, {**fields, "name": "ЦНАП Миргорода", "is_supervisor": ""}, token_from=path)
    assert saved.status_code == 302
    late = second.post(path, {**fields, "name": "Інша назва"}, token_from=path)
    assert late.status_code == 409
    assert 'value="ЦНАП Миргорода"' in late.get_data(as_text=True)
    (updated,) = audit_rows("group.updated")
    assert updated["details"]["changed"] == ["name"]


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.labels: list[str] = []
        self.inputs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "label" and found.get("for"):
            self.labels.append(str(found["for"]))
        if tag in ("input", "select", "textarea") and found.get("type") not in ("hidden", "submit"):
            self.inputs.append(str(found.get("id")))


def test_every_people_and_groups_page_has_unique_ids_and_labelled_fields(
    platform: Platform, browser: Callable[..., Browser]
) -> None:
    known = ids(platform)
    admin = browser("admin")
    for path in (
        "/admin/",
        "/admin/people",
        "/admin/people/new",
        f"/admin/people/{known['lubny_cnap2']}",
        "/admin/groups",
        "/admin/groups/new",
        f"/admin/groups/{known['myrhorod_cnap']}",
    ):
        parser = _Ids()
        parser.feed(admin.page(path))
        assert len(parser.ids) == len(set(parser.ids)), path
        assert set(parser.inputs) <= set(parser.labels), (path, set(parser.inputs) - set(parser.labels))
    admin.get("/admin/?lang=uk")  # and in Ukrainian, the default language
    assert "Додати людину" in admin.page("/admin/people")
    assert "Керівники" in admin.page(f"/admin/groups/{known['myrhorod_cnap']}")
    refused = admin.post("/admin/people/new", {"username": "x"}, token_from="/admin/people/new")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<title>Помилка: " in html and "Введіть повне ім&#39;я людини" in html
