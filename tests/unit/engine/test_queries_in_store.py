"""Queries are written only in engine/store: use cases and pages never build SQL themselves."""

from __future__ import annotations

import ast
from pathlib import Path

from engine.paths import PROJECT_ROOT

SQL_BUILDERS = {"select", "insert", "update", "delete", "text", "func", "and_", "or_", "exists", "bindparam"}
OUTSIDE_THE_STORE = ("engine/services", "engine/runtime", "engine/bpmn", "engine/forms", "webapp")


def _sql_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name in SQL_BUILDERS]
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            continue
        if node.value.id == "sqlalchemy" and node.attr in SQL_BUILDERS:
            found.append(f"sqlalchemy.{node.attr}")
        if node.value.id == "db" and node.attr == "query":
            found.append("db.query")
    return found


def test_no_sql_is_built_outside_engine_store() -> None:
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): names
        for folder in OUTSIDE_THE_STORE
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if (names := _sql_imports(path))
    }
    assert offenders == {}


def test_the_scan_finds_sql_where_it_is() -> None:
    assert _sql_imports(PROJECT_ROOT / "engine" / "store" / "tasks.py")  # the store does build queries
