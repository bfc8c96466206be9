"""The directory file: exported and imported back unchanged, dry runs that change nothing, problems named by their
place in the file, all or nothing, the audit event, the older demo shape, and the two commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.cli import main
from engine.config import Settings
from engine.db import unit_of_work
from engine.models import AuditEvent, Organisation, User
from engine.services.admin.directory import DEMO_DIRECTORY
from engine.services.admin.directory_io import DirectoryFileError, ImportPlan, export_directory, import_directory
from engine.services.context import SYSTEM, Actor, Platform
from engine.services.errors import ForbiddenError
from engine.store import directory, revisions

Run = Callable[..., ImportPlan]


@pytest.fixture
def admin(actor_of: Callable[[str], Actor]) -> Actor:
    return actor_of("admin")


@pytest.fixture
def run(platform: Platform, admin: Actor) -> Run:
    """Import `data` as the administrator in one unit of work (committed unless it raises)."""

    def go(data: str | bytes, fmt: str = "json", *, dry_run: bool = False) -> ImportPlan:
        with unit_of_work(platform.write_sessions) as db:
            return import_directory(db, admin, data, fmt, dry_run=dry_run)

    return go


def exported(platform: Platform, admin: Actor, fmt: str = "json") -> str:
    with unit_of_work(platform.read_sessions) as db:
        return export_directory(db, admin, fmt)


def problems_of(run: Run, data: str, fmt: str = "json") -> list[str]:
    with pytest.raises(DirectoryFileError) as raised:
        run(data, fmt)
    return [str(p) for p in raised.value.problems]


def counts(platform: Platform) -> tuple[int, int, int]:
    with unit_of_work(platform.read_sessions) as db:
        return (
            db.scalar(select(func.count(Organisation.id))) or 0,
            db.scalar(select(func.count(User.id))) or 0,
            revisions.current(db)[revisions.DIRECTORY],
        )


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_imported_back_changes_nothing(platform: Platform, admin: Actor, run: Run, fmt: str) -> None:
    text = exported(platform, admin, fmt)
    assert "citizen2" not in text and "argon2" not in text and "$" not in text  # no citizens, no password hashes
    if fmt == "json":
        document = json.loads(text)
        slugs = [o["slug"] for o in document["organisations"]]
        for organisation in document["organisations"]:  # parents first
            assert organisation["parent"] is None or slugs.index(organisation["parent"]) < slugs.index(
                organisation["slug"]
            )
        assert {p["username"] for p in document["people"]} >= {"admin", "official", "lubny.cnap"}
    else:
        assert text.splitlines()[0].startswith("type,slug,name,name_en,kind,parent")
    before = counts(platform)
    plan = run(text, fmt, dry_run=True)
    assert not plan.changes_anything and "nothing would change" in plan.lines()
    assert plan.organisations.unchanged == 7 and plan.people.unchanged == 12
    plan = run(text, fmt)
    assert not plan.changes_anything and plan.applied
    assert counts(platform) == before  # not even a revision bump


def test_a_dry_run_lists_the_changes_and_changes_nothing(platform: Platform, admin: Actor, run: Run) -> None:
    document = json.loads(exported(platform, admin))
    lubny = next(o for o in document["organisations"] if o["slug"] == "lubny-council")
    lubny["phone"] = "+380 5361 0 00 00"
    lubny["groups"].append({"slug": "lubny-reception", "name": "Прийом громадян", "supervisor": False})
    document["organisations"].insert(0, {"slug": "lubny-youth", "name": "Молодіжний центр", "parent": "lubny-council"})
    person = next(p for p in document["people"] if p["username"] == "lubny.cnap2")
    person["groups"] = ["lubny-reception"]
    document["people"].append({"username": "lubny.new", "role": "official", "groups": ["lubny-reception"]})
    text = json.dumps(document, ensure_ascii=False)

    plan = run(text, dry_run=True)
    assert plan.organisations.created == ["lubny-youth"] and plan.organisations.changed == {"lubny-council": ["phone"]}
    assert plan.groups.created == ["lubny-reception"]
    assert plan.people.created == ["lubny.new"] and plan.people.changed == {"lubny.cnap2": ["groups"]}
    assert not plan.applied
    with unit_of_work(platform.read_sessions) as db:
        assert directory.find_organisation(db, "lubny-youth") is None
        assert directory.find_group(db, "lubny-reception") is None and directory.find_user(db, "lubny.new") is None

    plan = run(text)
    assert plan.applied and plan.people.created == ["lubny.new"]
    with unit_of_work(platform.read_sessions) as db:
        youth = directory.find_organisation(db, "lubny-youth")
        council = directory.find_organisation(db, "lubny-council")
        assert youth is not None and council is not None and youth.parent_id == council.id
        assert council.phone == "+380 5361 0 00 00"
        newcomer = directory.find_user(db, "lubny.new")
        assert newcomer is not None and newcomer.password_hash.startswith("!")  # invited later, from their page
        moved = directory.find_user(db, "lubny.cnap2")
        assert moved is not None and [g.slug for g in moved.groups] == ["lubny-reception"]
        imported = select(AuditEvent).where(AuditEvent.action == "directory.imported", AuditEvent.actor == "admin")
        events = db.scalars(imported).all()  # the demo directory was loaded through the import too, by "system"
    (event,) = events
    details = json.loads(event.details_json)
    assert event.actor == "admin" and details["people"] == {"created": 1, "changed": 1, "unchanged": 11}
    assert details["organisations"]["created"] == 1
    assert run(text, dry_run=True).lines()[-1] == "nothing would change"


def test_problems_name_their_place_and_nothing_is_applied(platform: Platform, admin: Actor, run: Run) -> None:
    document = json.loads(exported(platform, admin))
    document["organisations"][1]["edrpou"] = "12345670"
    document["organisations"][2]["name"] = "Змінена назва"  # fine on its own: not applied with the rest
    document["organisations"].append({"slug": "loop-a", "name": "A", "parent": "loop-b"})
    document["organisations"].append({"slug": "loop-b", "name": "B", "parent": "loop-a"})
    document["organisations"].append({"slug": "orphan", "name": "C", "parent": "nowhere"})
    document["people"][0]["groups"] = ["no-such-group"]
    document["people"].append({"username": "citizen", "role": "official"})
    second = document["organisations"][1]["slug"]
    before = counts(platform)

    problems = problems_of(run, json.dumps(document, ensure_ascii=False))
    assert any(p.startswith(f"organisations[1] ({second}): edrpou: 12345670 is not an ЄДРПОУ code") for p in problems)
    cycle = "the parents go round in a circle (each under the next): loop-a → loop-b → loop-a"
    assert f"organisations[7] (loop-a): parent: {cycle}" in problems
    assert "organisations[9] (orphan): parent: there is no organisation nowhere" in problems
    assert f"people[0] ({document['people'][0]['username']}): groups: there is no group no-such-group" in problems
    assert any(p.startswith("people[12] (citizen): username: citizen is a citizen's account") for p in problems)
    assert counts(platform) == before
    with unit_of_work(platform.read_sessions) as db:
        unchanged = directory.find_organisation(db, document["organisations"][2]["slug"])
        assert unchanged is not None and unchanged.name != "Змінена назва"


def test_the_file_shape_is_checked(run: Run) -> None:
    assert problems_of(run, '{"organisations": [{"slug": "x", "name": "X", "colour": "red"}], "extra": 1}') == [
        "extra: unknown key 'extra'",
        "organisations[0] (x): colour: unknown key 'colour'",
    ]
    assert problems_of(run, '{"people": [{"username": "p.one", "role": "citizen", "active": "yes"}]}') == [
        "people[0] (p.one): active: must be true or false",
        "people[0] (p.one): role: must be one of official, analyst, admin",
    ]
    csv = "type,slug,name,organisation,supervisor\ngroup,lubny-x,X,lubny-council,maybe\nteam,a,b,,\n"
    assert problems_of(run, csv, "csv") == [
        "line 2: supervisor: must be true or false (1/0, yes/no), not 'maybe'",
        "line 3: type: the type must be organisation, group or person, not 'team'",
    ]
    assert problems_of(run, "{not json", "json")[0].startswith("the file is not JSON")


def test_csv_with_a_bom_creates_and_the_last_admin_stays(platform: Platform, run: Run) -> None:
    csv = (
        "\ufefftype,slug,name,kind,parent,organisation,supervisor,username,role,full_name,groups\n"
        "group,youth-desk,Молодь,,,youth,yes,,,,\n"  # its organisation comes later in the file
        "organisation,youth,Молодіжний центр,other,lubny-council,,,,,,\n"
        "person,,,,,,,youth.one,official,Ольга,youth-desk lubny-cnap\n"
    )
    plan = run(csv.encode("utf-8"), "csv")
    assert plan.groups.created == ["youth-desk"] and plan.people.created == ["youth.one"]
    with unit_of_work(platform.read_sessions) as db:
        person = directory.find_user(db, "youth.one")
        group = directory.find_group(db, "youth-desk")
        assert person is not None and sorted(g.slug for g in person.groups) == ["lubny-cnap", "youth-desk"]
        assert group is not None and group.is_supervisor
    with unit_of_work(platform.write_sessions) as db:  # the only active administrator, as another admin imports
        assert import_directory(db, SYSTEM, '{"people": []}', "json", dry_run=True).applied is False
    problems = problems_of(run, '{"people": [{"username": "admin", "role": "official"}]}')
    assert problems == [
        "people[0] (admin): role: you cannot change your own role",
        "people[0] (admin): role: the last active administrator must stay an administrator",
    ]
    with unit_of_work(platform.write_sessions) as db, pytest.raises(DirectoryFileError) as raised:  # not themself
        import_directory(db, SYSTEM, '{"people": [{"username": "admin", "role": "official"}]}', "json", dry_run=False)
    assert [p.code for p in raised.value.problems] == ["last_admin"]


def test_the_older_demo_shape_is_read_without_its_citizens(run: Run) -> None:
    plan = run(DEMO_DIRECTORY.read_text(encoding="utf-8"), dry_run=True)
    assert plan.skipped_citizens == 2 and not plan.changes_anything
    assert "2 citizen(s) in users skipped: citizens manage their own accounts" in plan.lines()


def test_only_administrators_import_and_export(platform: Platform, actor_of: Callable[[str], Actor]) -> None:
    official = actor_of("official")
    with unit_of_work(platform.write_sessions) as db:
        with pytest.raises(ForbiddenError):
            export_directory(db, official, "json")
        with pytest.raises(ForbiddenError):
            import_directory(db, official, "{}", "json", dry_run=True)


def test_the_commands_print_the_plan_or_the_problems(
    platform: Platform, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    out = tmp_path / "directory.csv"
    assert main(["export-directory", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("type,slug,")
    assert main(["export-directory", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["people"]
    assert main(["load-directory", str(out), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "dry run: nothing was changed" in printed and "nothing would change" in printed
    bad = tmp_path / "bad.json"
    bad.write_text('{"organisations": [{"slug": "x", "name": "X", "parent": "nowhere"}]}', encoding="utf-8")
    assert main(["load-directory", str(bad)]) == 1
    assert "error: organisations[0] (x): parent: there is no organisation nowhere" in capsys.readouterr().err
