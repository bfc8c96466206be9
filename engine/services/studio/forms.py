"""Form documents in the studio: kept in the database (hosts share no disk), overriding `forms/` files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.config import forms_dir_from_env
from engine.db import session_now
from engine.forms import Form, FormDefinitionError, load_form_file, parse_form_document
from engine.models import FormDocument
from engine.services.context import Actor
from engine.services.errors import NotFoundError
from engine.services.studio import require_analyst
from engine.store import audit, studio

KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]{0,199}$")
SCHEMA_FIELD = re.compile(r"at 'properties/([^/']+)")  # JSON Schema errors name the path, not the field


@dataclass(frozen=True)
class FormDocInfo:
    key: str
    source: str  # "database" | "file"
    updated_by: str
    updated_at: datetime | None


def _check_key(key: str) -> None:
    if not KEY.match(key):
        raise FormDefinitionError(f"form key {key!r} must be letters, digits, '_' or '-' (at most 200)", field="key")


def _file_of(forms_dir: Path, key: str) -> Path | None:
    if not KEY.match(key):
        return None
    path = forms_dir / f"{key}.json"
    return path if path.is_file() else None


def studio_form_loader(db: Session, *, forms_dir: Path | None = None) -> Callable[[str], Form]:
    """Loads forms as the studio sees them: database documents first, then `forms/` files."""
    folder = forms_dir or forms_dir_from_env()
    cache: dict[str, Form] = {}

    def load(key: str) -> Form:
        if key not in cache:
            document = studio.find_form_document(db, key) if KEY.match(key) else None
            if document is not None:
                try:
                    cache[key] = parse_form_document(json.loads(document.json), key=key)
                except FormDefinitionError as exc:
                    exc.file = exc.file or f"{key}.json"
                    raise
            else:
                path = _file_of(folder, key)
                if path is None:
                    raise FileNotFoundError(folder / f"{key}.json")
                cache[key] = load_form_file(path, key=key)
        return cache[key]

    return load


def list_form_documents(db: Session, actor: Actor, *, forms_dir: Path | None = None) -> list[FormDocInfo]:
    require_analyst(actor)
    folder = forms_dir or forms_dir_from_env()
    found = {
        d.key: FormDocInfo(key=d.key, source="database", updated_by=d.updated_by, updated_at=d.updated_at)
        for d in studio.list_form_documents(db)
    }
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if path.stem not in found and KEY.match(path.stem):
            found[path.stem] = FormDocInfo(key=path.stem, source="file", updated_by="", updated_at=None)
    return sorted(found.values(), key=lambda info: info.key)


def get_form_document(db: Session, actor: Actor, key: str, *, forms_dir: Path | None = None) -> dict[str, Any]:
    require_analyst(actor)
    document = studio.find_form_document(db, key) if KEY.match(key) else None
    if document is not None:
        loaded: dict[str, Any] = json.loads(document.json)
        return loaded
    path = _file_of(forms_dir or forms_dir_from_env(), key)
    if path is None:
        raise NotFoundError(key)
    from_file: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return from_file


def preview_form_document(document: dict[str, Any], *, key: str) -> Form:
    """Parse a document without saving it (the editor's live preview); FormDefinitionError names the field."""
    try:
        return parse_form_document(document, key=key)
    except FormDefinitionError as exc:
        if exc.field is None and (match := SCHEMA_FIELD.search(exc.message)):
            exc.field = match.group(1)
        raise


def save_form_document(db: Session, actor: Actor, key: str, document: dict[str, Any]) -> Form:
    """Store a valid document (nothing is saved when it is not); versions using the key change at their next save."""
    require_analyst(actor)
    _check_key(key)
    form = preview_form_document(document, key=key)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    existing = studio.find_form_document(db, key)
    if existing is None:
        studio.add_form_document(
            db, FormDocument(key=key, json=text, updated_at=session_now(db), updated_by=actor.username)
        )
    else:
        existing.json, existing.updated_at, existing.updated_by = text, session_now(db), actor.username
        db.flush()
    audit.record(db, action="studio.form_saved", actor_id=actor.user_id, actor=actor.username, element_id=key)
    return form
