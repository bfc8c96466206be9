"""Organisations, groups and people: loading the demo directory (idempotent)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.models import Group, Organisation, Role
from engine.paths import DEMO_DIR
from engine.services.admin.accounts import create_user, hash_password
from engine.store import directory

DEMO_DIRECTORY = DEMO_DIR / "directory.json"
DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo credential, created only with demo data


_ORGANISATION_FIELDS = ("name_en", "kind", "region", "edrpou", "address", "address_en", "phone", "email",
                        "working_hours", "working_hours_en")  # fmt: skip


def ensure_organisation(db: Session, spec: dict[str, Any]) -> Organisation:
    """Create or update one demo organisation with its groups (its parent, by slug, loaded before it)."""
    organisation = directory.find_organisation(db, spec["slug"])
    if organisation is None:
        organisation = Organisation(slug=spec["slug"], name=spec["name"])
        directory.add(db, organisation)
    organisation.name = spec["name"]
    for name in _ORGANISATION_FIELDS:
        if name in spec:
            setattr(organisation, name, spec[name])
    parent = directory.find_organisation(db, spec["parent"]) if spec.get("parent") else None
    organisation.parent_id = parent.id if parent is not None else None
    for group_spec in spec.get("groups", []):
        group = directory.find_group(db, group_spec["slug"])
        if group is None:
            group = Group(slug=group_spec["slug"], name=group_spec["name"], organisation_id=organisation.id)
            directory.add(db, group)
        group.name = group_spec["name"]
        group.is_supervisor = bool(group_spec.get("supervisor", False))
        group.sees_child_organisations = bool(group_spec.get("sees_child_organisations", False))
    db.flush()
    return organisation


def load_organisations(db: Session, path: Path = DEMO_DIRECTORY) -> None:
    for spec in json.loads(path.read_text(encoding="utf-8"))["organisations"]:
        ensure_organisation(db, spec)


@functools.cache
def _demo_password_hash() -> str:
    """Hashed once per process: argon2 is slow on purpose and every demo user shares the published password."""
    return hash_password(DEMO_PASSWORD)


def load_demo_users(db: Session, path: Path = DEMO_DIRECTORY) -> list[str]:
    """Create the demo users (password `demo`) that do not exist yet; returns the names created."""
    created = []
    demo_hash = _demo_password_hash()
    for spec in json.loads(path.read_text(encoding="utf-8"))["users"]:
        if directory.find_user(db, spec["username"]) is not None:
            continue
        create_user(
            db,
            username=spec["username"],
            password=DEMO_PASSWORD,
            role=Role(spec["role"]),
            full_name=spec.get("full_name", ""),
            email=spec.get("email", ""),
            group_slugs=tuple(spec.get("groups", [])),
            is_demo=True,
            password_hash=demo_hash,
        )
        created.append(spec["username"])
    return created
