"""Organisations, groups and people: loading the demo directory (idempotent)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from sqlalchemy.orm import Session

from engine.models import Role
from engine.paths import DEMO_DIR
from engine.services.admin.accounts import create_user, hash_password
from engine.services.admin.directory_io import import_directory
from engine.services.context import SYSTEM
from engine.store import directory

DEMO_DIRECTORY = DEMO_DIR / "directory.json"
DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo credential, created only with demo data


def load_organisations(db: Session, path: Path = DEMO_DIRECTORY) -> None:
    """The demo organisations and their groups, through the directory import (its rules; loading again changes
    nothing). The demo accounts come from `load_demo_users`, with the published password."""
    organisations = json.loads(path.read_text(encoding="utf-8"))["organisations"]
    import_directory(db, SYSTEM, json.dumps({"organisations": organisations}), "json", dry_run=False)


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
