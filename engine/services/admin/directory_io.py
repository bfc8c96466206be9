"""The directory exported and imported as one file (engine.services.admin.directory_formats): organisations in tree
order with their groups, and staff with their groups — never citizens, never passwords.

An import creates or changes by slug and username and deletes nothing. It applies the administrators' rules
(engine.services.admin.organisations: parents, kinds under kinds, ЄДРПОУ, no cycles) inside a savepoint: any
problem rolls all of it back and every problem found is listed; a dry run rolls back too and returns the plan.
Changes go through the ORM, so the directory and people revisions are bumped with them.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import Group, Organisation, OrganisationKind, Role, User
from engine.services.admin import accounts
from engine.services.admin.directory_formats import (
    DirectoryFile,
    DirectoryFileError,
    GroupEntry,
    OrganisationEntry,
    PersonEntry,
    Problem,
    read_directory,
    write_csv,
    write_json,
)
from engine.services.admin.groups import SLUG_RE
from engine.services.admin.organisations import (
    FIELDS,
    OrganisationInput,
    OrganisationRefusedError,
    add_organisation,
    change_organisation,
    check_organisation,
)
from engine.services.context import SYSTEM, Actor
from engine.services.errors import ForbiddenError
from engine.store import audit, directory, organisation_tree, people

__all__ = ["DirectoryFileError", "ImportPlan", "Problem", "export_directory", "import_directory"]

GROUP_NAME_LIMIT: Final = 300
_PERSON_TEXTS: Final = ("role", "full_name", "email", "phone")


@dataclass
class EntityPlan:
    """What an import does to one kind of entry: created keys, changed keys with their field names, unchanged."""

    created: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0

    def note(self, key: str, changed: list[str] | None) -> None:
        """`changed` None: created."""
        if changed is None:
            self.created.append(key)
        elif changed:
            self.changed[key] = changed
        else:
            self.unchanged += 1

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "changed": len(self.changed), "unchanged": self.unchanged}

    def line(self, name: str) -> str:
        changed = "; ".join(f"{key} ({', '.join(fields)})" for key, fields in self.changed.items())
        parts = [f"{len(self.created)} created" + (f": {', '.join(self.created)}" if self.created else "")]
        parts.append(f"{len(self.changed)} changed" + (f": {changed}" if changed else ""))
        parts.append(f"{self.unchanged} unchanged")
        return f"{name}: " + ", ".join(parts)


@dataclass
class ImportPlan:
    """What the import did (`applied`) or would do (a dry run)."""

    organisations: EntityPlan = field(default_factory=EntityPlan)
    groups: EntityPlan = field(default_factory=EntityPlan)
    people: EntityPlan = field(default_factory=EntityPlan)
    skipped_citizens: int = 0
    applied: bool = False

    @property
    def changes_anything(self) -> bool:
        return any(p.created or p.changed for p in (self.organisations, self.groups, self.people))

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: getattr(self, name).counts() for name in ("organisations", "groups", "people")}

    def lines(self) -> list[str]:
        """The plan in English, for the command line."""
        lines = [getattr(self, name).line(name) for name in ("organisations", "groups", "people")]
        if self.skipped_citizens:
            lines.append(f"{self.skipped_citizens} citizen(s) in users skipped: citizens manage their own accounts")
        if not self.changes_anything:
            lines.append("nothing changed" if self.applied else "nothing would change")
        return lines


def _require_admin(actor: Actor) -> None:
    if not (actor.is_admin or actor == SYSTEM):
        raise ForbiddenError("directory")


def _organisation_values(organisation: Organisation, slugs: dict[int, str]) -> dict[str, Any]:
    values: dict[str, Any] = {"slug": organisation.slug, "name": organisation.name, "name_en": organisation.name_en,
                              "kind": organisation.kind}  # fmt: skip
    values["parent"] = slugs.get(organisation.parent_id) if organisation.parent_id is not None else None
    for name in ("region", "edrpou", "address", "address_en", "phone", "email", "working_hours", "working_hours_en"):
        values[name] = getattr(organisation, name)
    values["active"] = organisation.active
    return values


def export_directory(db: Session, actor: Actor, fmt: str) -> str:
    """The whole directory as a file of `fmt` ("json" or "csv"); importing it back changes nothing."""
    _require_admin(actor)
    every = organisation_tree.every_organisation(db)
    slugs = {o.id: o.slug for o in every}
    organisations = [
        {
            **_organisation_values(o, slugs),
            "groups": [
                {
                    "slug": g.slug,
                    "name": g.name,
                    "supervisor": g.is_supervisor,
                    "sees_child_organisations": g.sees_child_organisations,
                }
                for g in o.groups
            ],
        }
        for o, _depth in organisation_tree.tree_order(every)
    ]
    staff = [
        {
            "username": u.username,
            "role": u.role,
            "full_name": u.full_name,
            "email": u.email,
            "phone": u.phone,
            "active": u.active,
            "groups": sorted(g.slug for g in u.groups),
        }
        for u in directory.list_users(db)
        if u.role != Role.CITIZEN.value
    ]
    return write_json(organisations, staff) if fmt == "json" else write_csv(organisations, staff)


def import_directory(db: Session, actor: Actor, data: str | bytes, fmt: str, *, dry_run: bool) -> ImportPlan:
    """Apply the file, or with `dry_run` only say what it would do; raises DirectoryFileError (nothing applied)
    listing every problem found. An applied import is audited as `directory.imported` with its counts."""
    _require_admin(actor)
    read = read_directory(data, fmt)
    savepoint = db.begin_nested()
    try:
        importer = _Importer(db, actor, read)
        importer.run()
    except BaseException:
        savepoint.rollback()
        raise
    plan = importer.plan
    if importer.problems or dry_run:
        savepoint.rollback()
        if importer.problems:
            raise DirectoryFileError(importer.problems)
        return plan
    savepoint.commit()
    plan.applied = True
    audit.record(
        db,
        action="directory.imported",
        actor_id=actor.user_id,
        actor=actor.username,
        details={"format": fmt, **plan.counts(), "skipped_citizens": plan.skipped_citizens},
    )
    db.flush()
    return plan


def parents_first(entries: list[OrganisationEntry]) -> tuple[list[OrganisationEntry], list[Problem]]:
    """The file's organisations with each parent given in the file before its children; a cycle within the file
    is a problem on each of its organisations (they are left out)."""
    by_slug = {e.slug: e for e in entries}
    done: set[str] = set()
    ordered: list[OrganisationEntry] = []
    problems: list[Problem] = []
    for entry in entries:
        chain: list[OrganisationEntry] = []
        node: OrganisationEntry | None = entry
        cyclic: list[OrganisationEntry] = []
        while node is not None and node.slug not in done:
            if node in chain:
                cyclic = chain[chain.index(node) :]
                break
            chain.append(node)
            parent = node.values.get("parent")
            node = by_slug.get(parent) if isinstance(parent, str) else None
        if cyclic:
            path = " → ".join([*(n.slug for n in cyclic), cyclic[0].slug])
            problems += [Problem(n.where, "parent", "cycle", path) for n in cyclic]
        done.update(n.slug for n in chain)
        ordered += [n for n in reversed(chain) if n not in cyclic]
    return ordered, problems


def _duplicates(entries: list[Any], key: str) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for entry in entries:
        value = getattr(entry, key)
        if value in seen:
            problems.append(Problem(entry.where, key, "duplicate", value))
        seen.add(value)
    return problems


class _Importer:
    """One import's work: entries applied in order, problems collected rather than raised where it can go on."""

    def __init__(self, db: Session, actor: Actor, read: DirectoryFile) -> None:
        self.db = db
        self.actor = actor
        self.read = read
        self.problems: list[Problem] = []
        self.failed: set[str] = set()
        """Organisations of the file not applied (a problem was listed): their children and groups are left out."""
        self.plan = ImportPlan(skipped_citizens=read.skipped_citizens)

    def run(self) -> None:
        read = self.read
        self.problems += _duplicates(read.organisations, "slug") + _duplicates(read.groups, "slug")
        self.problems += _duplicates(read.people, "username")
        ordered, cycles = parents_first(read.organisations)
        self.problems += cycles
        self.failed.update(e.slug for e in read.organisations if e not in ordered)
        for organisation in ordered:
            self._organisation(organisation)
        for group in read.groups:
            self._group(group)
        admins_before = people.count_active_admins(self.db, role=Role.ADMIN.value)
        demoted = [entry for entry in read.people if self._person(entry)]
        self.db.flush()
        if admins_before and not people.count_active_admins(self.db, role=Role.ADMIN.value):
            self.problems += [Problem(e.where, "role", "last_admin") for e in demoted]

    def _organisation(self, entry: OrganisationEntry) -> None:
        values: dict[str, Any] = dict(entry.values)
        parent_given = "parent" in values
        parent = values.pop("parent", None)
        if isinstance(parent, str) and parent in self.failed:
            self._check_alone(entry, values)
            return
        existing = directory.find_organisation(self.db, entry.slug)
        if existing is not None:
            data = OrganisationInput(**{name: getattr(existing, name) for name in FIELDS})
        else:
            data = OrganisationInput(slug=entry.slug, name="")
        if isinstance(parent, str):
            found = directory.find_organisation(self.db, parent)
            if found is None:
                self._refuse(entry, Problem(entry.where, "parent", "unknown_parent", parent))
                return
            data = dataclasses.replace(data, parent_id=found.id)
        elif parent_given:
            data = dataclasses.replace(data, parent_id=None)
        data = dataclasses.replace(data, **values)
        try:
            if existing is None:
                add_organisation(self.db, data)
                self.plan.organisations.note(entry.slug, None)
            else:
                changed = change_organisation(self.db, existing, data)
                self.plan.organisations.note(entry.slug, ["parent" if n == "parent_id" else n for n in changed])
        except OrganisationRefusedError as exc:
            parent_problem = exc.field == "parent_id"
            detail = str(parent or "") if parent_problem else str(getattr(data, exc.field, ""))
            self._refuse(entry, Problem(entry.where, "parent" if parent_problem else exc.field, exc.reason, detail))

    def _check_alone(self, entry: OrganisationEntry, values: dict[str, Any]) -> None:
        """An organisation whose parent in the file has problems: its own values are still checked."""
        self.failed.add(entry.slug)
        existing = directory.find_organisation(self.db, entry.slug)
        data = dataclasses.replace(OrganisationInput(slug=entry.slug, name=""), **values)
        try:  # as a root of any kind: only what does not depend on the parent
            check_organisation(self.db, dataclasses.replace(data, kind=OrganisationKind.OTHER.value, parent_id=None),
                               organisation_id=existing.id if existing else None)  # fmt: skip
        except OrganisationRefusedError as exc:
            self.problems.append(Problem(entry.where, exc.field, exc.reason, str(getattr(data, exc.field, ""))))

    def _refuse(self, entry: OrganisationEntry, problem: Problem) -> None:
        self.problems.append(problem)
        self.failed.add(entry.slug)

    def _group(self, entry: GroupEntry) -> None:
        if entry.organisation in self.failed:
            return
        organisation = directory.find_organisation(self.db, entry.organisation)
        name = str(entry.values["name"])
        problems = [Problem(entry.where, "slug", "bad_slug", entry.slug)] if not SLUG_RE.match(entry.slug) else []
        if organisation is None:
            problems.append(Problem(entry.where, "organisation", "unknown_organisation", entry.organisation))
        if not name.strip() or len(name) > GROUP_NAME_LIMIT:
            problems.append(Problem(entry.where, "name", "no_name" if not name.strip() else "too_long"))
        if problems or organisation is None:
            self.problems += problems
            return
        group = directory.find_group(self.db, entry.slug)
        wanted = {
            "name": name,
            "organisation_id": organisation.id,
            "is_supervisor": entry.values.get("supervisor", group.is_supervisor if group else False),
            "sees_child_organisations": entry.values.get(
                "sees_child_organisations", group.sees_child_organisations if group else False
            ),
        }
        if group is None:
            directory.add(self.db, Group(slug=entry.slug, **wanted))
            self.plan.groups.note(entry.slug, None)
            return
        changed = [key for key, value in wanted.items() if getattr(group, key) != value]
        for key in changed:
            setattr(group, key, wanted[key])
        names = {"organisation_id": "organisation", "is_supervisor": "supervisor"}
        self.plan.groups.note(entry.slug, [names.get(key, key) for key in changed])

    def _groups_of(self, entry: PersonEntry) -> list[Group] | None:
        if entry.groups is None:
            return None
        found = directory.groups_by_slug(self.db, sorted(set(entry.groups)))
        unknown = [slug for slug in dict.fromkeys(entry.groups) if slug not in found]
        self.problems += [Problem(entry.where, "groups", "unknown_group", slug) for slug in unknown]
        return sorted(found.values(), key=lambda g: g.id)

    def _person(self, entry: PersonEntry) -> bool:
        """Create or change one person; True when an active administrator stops being one."""
        groups = self._groups_of(entry)
        user = directory.find_user(self.db, entry.username)
        if user is None:
            if people.username_taken(self.db, entry.username):
                self.problems.append(Problem(entry.where, "username", "username_taken", entry.username))
            else:
                self._new_person(entry, groups or [])
            return False
        if user.role == Role.CITIZEN.value:
            self.problems.append(Problem(entry.where, "username", "citizen", entry.username))
            return False
        changed = [n for n in _PERSON_TEXTS if n in entry.values and getattr(user, n) != entry.values[n]]
        if "active" in entry.values and entry.values["active"] != user.active:
            self.problems.append(Problem(entry.where, "active", "active_on_person_page"))
        if "role" in changed and user.id == self.actor.user_id:
            self.problems.append(Problem(entry.where, "role", "self"))
        demoted = "role" in changed and user.role == Role.ADMIN.value and user.active
        for name in changed:
            setattr(user, name, entry.values[name])
        if "email" in changed:
            user.email_verified_at = None
        if groups is not None and {g.id for g in groups} != {g.id for g in user.groups}:
            user.groups[:] = groups
            changed.append("groups")
        if changed:
            user.version = user.version + 1  # as on the person's page: a form opened before is stale
        self.plan.people.note(entry.username, changed)
        return demoted

    def _new_person(self, entry: PersonEntry, groups: list[Group]) -> None:
        """Without a password and without a mail: an administrator invites them from the person's page."""
        active = bool(entry.values.get("active", True))
        user = User(
            username=entry.username,
            password_hash="!" + secrets.token_hex(16),  # no password opens it (identities.has_password: no "$")
            **{name: str(entry.values.get(name, "")) for name in _PERSON_TEXTS},
            active=active,
            deactivated_at=None if active else session_now(self.db),
            security_stamp=accounts.new_security_stamp(),
            created_at=session_now(self.db),
        )
        user.groups = groups
        directory.add(self.db, user)
        self.plan.people.note(entry.username, None)
