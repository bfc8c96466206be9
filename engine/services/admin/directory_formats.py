"""The directory file — organisations with their groups, and staff — as JSON or CSV, read into plain entries.

Reading checks the shape only (keys, types, choices, CSV columns and booleans), each problem named by where it is
(`organisations[3] (lubny-council)`, `line 7`) and by field; the rules of the directory itself (parents, kinds,
ЄДРПОУ, groups that exist) are the importer's (engine.services.admin.directory_io). An entry carries only the
values the file gives: a key left out keeps what the directory has.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import jsonschema  # type: ignore[import-untyped, unused-ignore]

from engine.models import OrganisationKind

FORMATS: Final = ("json", "csv")
STAFF_ROLES: Final = ("official", "analyst", "admin")
ORGANISATION_KEYS: Final = ("slug", "name", "name_en", "kind", "parent", "region", "edrpou", "address", "address_en",
                            "phone", "email", "working_hours", "working_hours_en", "active")  # fmt: skip
GROUP_KEYS: Final = ("slug", "name", "supervisor", "sees_child_organisations")
PERSON_KEYS: Final = ("username", "role", "full_name", "email", "phone", "active", "groups")
CSV_COLUMNS: Final = ("type", *ORGANISATION_KEYS, "organisation", "supervisor", "sees_child_organisations",
                      "username", "role", "full_name", "groups")  # fmt: skip
CSV_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "organisation": ORGANISATION_KEYS,
    "group": (*GROUP_KEYS, "organisation"),
    "person": PERSON_KEYS,
}
"""The columns each row type uses; another non-empty cell in the row is refused."""
BOOLEANS: Final = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
USERNAME_PATTERN: Final = r"^[a-z0-9][a-z0-9._-]{1,149}$"

_TEXT: Final = {"type": "string"}
_FLAG: Final = {"type": "boolean"}
GROUP_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "name"],
    "properties": {"slug": _TEXT, "name": _TEXT, "supervisor": _FLAG, "sees_child_organisations": _FLAG},
}
ORGANISATION_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "name"],
    "properties": {
        **{name: _TEXT for name in ORGANISATION_KEYS},
        "kind": {"enum": [kind.value for kind in OrganisationKind]},
        "parent": {"type": ["string", "null"]},
        "active": _FLAG,
        "groups": {"type": "array", "items": GROUP_SCHEMA},
    },
}
PERSON_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["username", "role"],
    "properties": {
        **{name: _TEXT for name in PERSON_KEYS},
        "username": {"type": "string", "pattern": USERNAME_PATTERN},
        "role": {"enum": list(STAFF_ROLES)},
        "active": _FLAG,
        "groups": {"type": "array", "items": _TEXT},
    },
}
FILE_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "organisations": {"type": "array", "items": ORGANISATION_SCHEMA},
        "people": {"type": "array", "items": PERSON_SCHEMA},
        "users": {"type": "array"},  # the older shape: read as people (citizens skipped) when there is no "people"
    },
}
_CSV_GROUP_SCHEMA: Final = {**GROUP_SCHEMA, "properties": {**GROUP_SCHEMA["properties"], "organisation": _TEXT},
                            "required": ["slug", "name", "organisation"]}  # fmt: skip
_CSV_ORGANISATION_SCHEMA: Final = {**ORGANISATION_SCHEMA, "properties": {
    k: v for k, v in ORGANISATION_SCHEMA["properties"].items() if k != "groups"}}  # fmt: skip
_CSV_SCHEMAS: Final = {"organisation": _CSV_ORGANISATION_SCHEMA, "group": _CSV_GROUP_SCHEMA, "person": PERSON_SCHEMA}

MESSAGES: Final = {
    "not_json": "the file is not JSON: {detail}",
    "not_utf8": "the file is not UTF-8 text",
    "not_csv": "the file is not CSV: {detail}",
    "no_header": "the first line must name the columns",
    "unknown_column": "unknown column {detail}",
    "unknown_key": "unknown key {detail}",
    "missing": "required, missing",
    "wrong_type": "must be {detail}",
    "not_one_of": "must be one of {detail}",
    "bad_format": "has a wrong format",
    "bad_type": "the type must be organisation, group or person, not {detail}",
    "bad_boolean": "must be true or false (1/0, yes/no), not {detail}",
    "not_for_type": "this column is not used on a {detail} line",
    "both_people_and_users": "give either people or users, not both",
    "invalid": "{detail}",
    "duplicate": "{detail} is in the file more than once",
    "cycle": "the parents go round in a circle (each under the next): {detail}",
    "unknown_parent": "there is no organisation {detail}",
    "unknown_organisation": "there is no organisation {detail}",
    "unknown_group": "there is no group {detail}",
    "bad_slug": "{detail} is not a short name (small Latin letters, digits and hyphens)",
    "slug_taken": "another organisation has the short name {detail}",
    "no_name": "required, empty",
    "too_long": "is too long",
    "bad_kind": "is not a kind of organisation",
    "bad_edrpou": "{detail} is not an ЄДРПОУ code (8 digits, the last one the control digit)",
    "edrpou_taken": "another organisation has the ЄДРПОУ code {detail}",
    "own_descendant": "an organisation cannot stand under itself or under one below it",
    "parent_kind": "this kind of organisation cannot stand there",
    "citizen": "{detail} is a citizen's account: citizens are not part of the directory",
    "username_taken": "another account has the username {detail}",
    "last_admin": "the last active administrator must stay an administrator",
    "self": "you cannot change your own role",
    "active_on_person_page": "deactivate or reactivate people on their page (a reason is asked)",
}
"""English texts of the problem codes (the command line prints them; the pages translate the codes)."""


@dataclass(frozen=True)
class Problem:
    """What is wrong and where: `where` the entry ("" for the whole file), `field` the key or column ("" if none),
    `code` one of MESSAGES or a rule of the importer, `detail` what fills the message."""

    where: str
    field: str
    code: str
    detail: str = ""

    def __str__(self) -> str:
        text = MESSAGES.get(self.code, self.code.replace("_", " ")).format(detail=self.detail)
        return ": ".join(part for part in (self.where, self.field, text) if part)


class DirectoryFileError(Exception):
    """The file cannot be read as a directory; `problems` lists everything found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class OrganisationEntry:
    slug: str
    where: str
    values: Mapping[str, str | bool | None]
    """Keys of ORGANISATION_KEYS but slug, as given; "parent" is a slug or None (a root)."""


@dataclass(frozen=True)
class GroupEntry:
    slug: str
    organisation: str
    where: str
    values: Mapping[str, str | bool]  # "name", and "supervisor", "sees_child_organisations" when given


@dataclass(frozen=True)
class PersonEntry:
    username: str
    where: str
    values: Mapping[str, str | bool]  # "role", and "full_name", "email", "phone", "active" when given
    groups: tuple[str, ...] | None = None
    """The group slugs that replace the person's groups; None: not given, the groups stay."""


@dataclass(frozen=True)
class DirectoryFile:
    organisations: list[OrganisationEntry] = field(default_factory=list)
    groups: list[GroupEntry] = field(default_factory=list)
    people: list[PersonEntry] = field(default_factory=list)
    skipped_citizens: int = 0
    """Citizen entries of an older file's "users", not read (citizens manage their own accounts)."""


def read_directory(data: str | bytes, fmt: str) -> DirectoryFile:
    """Read the file (bytes as UTF-8, a BOM accepted); raises DirectoryFileError listing every problem."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {FORMATS}")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DirectoryFileError([Problem("", "", "not_utf8")]) from None
    text = data.removeprefix("\ufeff")
    return _read_json(text) if fmt == "json" else _read_csv(text)


def _label(items: Any, index: int, key: str) -> str:
    item = items[index] if isinstance(items, list) and index < len(items) else None
    name = item.get(key) if isinstance(item, dict) else None
    return f"[{index}] ({name})" if isinstance(name, str) and name else f"[{index}]"


def _place(document: Any, path: list[Any]) -> tuple[str, str]:
    """(where, field) of a JSON path such as ["organisations", 3, "groups", 0, "slug"]."""
    if len(path) < 2 or not isinstance(path[1], int):
        return "", ".".join(str(p) for p in path)
    key, index = path[0], path[1]
    items = document.get(key) if isinstance(document, dict) else None
    where = key + _label(items, index, "username" if key in ("people", "users") else "slug")
    rest = path[2:]
    if key == "organisations" and len(rest) >= 2 and rest[0] == "groups" and isinstance(rest[1], int):
        spec = items[index] if isinstance(items, list) else None
        where += " groups" + _label(spec.get("groups") if isinstance(spec, dict) else None, rest[1], "slug")
        rest = rest[2:]
    return where, str(rest[0]) if rest else ""


def _problem(document: Any, error: Any, base: list[Any]) -> list[Problem]:
    where, name = _place(document, [*base, *error.absolute_path])
    instance, validator = error.instance, error.validator
    if validator == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        return [Problem(where, key, "unknown_key", repr(key)) for key in instance if key not in known]
    if validator == "required" and isinstance(instance, dict):
        return [Problem(where, key, "missing") for key in error.validator_value if key not in instance]
    if validator == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        kinds: dict[str, str] = {
            "string": "text",
            "boolean": "true or false",
            "array": "a list",
            "object": "an object",
            "null": "null",
        }
        return [Problem(where, name, "wrong_type", " or ".join(kinds.get(str(w), str(w)) for w in wanted))]
    if validator == "enum":
        return [Problem(where, name, "not_one_of", ", ".join(str(v) for v in error.validator_value))]
    if validator == "pattern":
        return [Problem(where, name, "bad_format")]
    return [Problem(where, name, "invalid", error.message)]


def _validate(schema: dict[str, Any], instance: Any, *, document: Any, base: list[Any]) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    found = [problem for error in errors for problem in _problem(document, error, base)]
    return list(dict.fromkeys(found))  # one "required" error per missing key, each listing them all


def _read_json(text: str) -> DirectoryFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DirectoryFileError([Problem("", "", "not_json", f"line {exc.lineno}: {exc.msg}")]) from None
    problems = _validate(FILE_SCHEMA, document, document=document, base=[])
    if problems:
        raise DirectoryFileError(problems)
    skipped = 0
    people_key = "people"
    if "users" in document:
        if "people" in document:
            raise DirectoryFileError([Problem("", "users", "both_people_and_users")])
        people_key = "users"
        for index, spec in enumerate(document["users"]):
            if isinstance(spec, dict) and spec.get("role") == "citizen":
                skipped += 1
            else:
                problems += _validate(PERSON_SCHEMA, spec, document=document, base=["users", index])
        if problems:
            raise DirectoryFileError(problems)
    read = DirectoryFile(skipped_citizens=skipped)
    for index, spec in enumerate(document.get("organisations", [])):
        where = "organisations" + _label(document["organisations"], index, "slug")
        read.organisations.append(_organisation(spec, where))
        for group_index, group in enumerate(spec.get("groups", [])):
            group_where = f"{where} groups" + _label(spec["groups"], group_index, "slug")
            read.groups.append(_group({**group, "organisation": spec["slug"]}, group_where))
    for index, spec in enumerate(document.get(people_key, [])):
        if spec.get("role") != "citizen":
            read.people.append(_person(spec, people_key + _label(document[people_key], index, "username")))
    return read


def _organisation(spec: Mapping[str, Any], where: str) -> OrganisationEntry:
    values = {key: spec[key] for key in ORGANISATION_KEYS if key in spec and key != "slug"}
    return OrganisationEntry(slug=spec["slug"], where=where, values=values)


def _group(spec: Mapping[str, Any], where: str) -> GroupEntry:
    values = {key: spec[key] for key in GROUP_KEYS if key in spec and key != "slug"}
    return GroupEntry(slug=spec["slug"], organisation=spec["organisation"], where=where, values=values)


def _person(spec: Mapping[str, Any], where: str) -> PersonEntry:
    values = {key: spec[key] for key in PERSON_KEYS if key in spec and key not in ("username", "groups")}
    groups = tuple(spec["groups"]) if "groups" in spec else None
    return PersonEntry(username=spec["username"], where=where, values=values, groups=groups)


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), restval="", strict=True)
    _ = reader.fieldnames  # reads the header
    line = reader.line_num
    for row in reader:
        yield line + 1, {k: (v or "") for k, v in row.items() if isinstance(k, str)}
        line = reader.line_num


_TRIMMED: Final = ("slug", "username", "role", "organisation", "kind")


def _cells(kind: str, row: dict[str, str], where: str) -> tuple[dict[str, Any], list[Problem]]:
    """The row's values for its type: booleans read, `parent` empty a root, `groups` split at spaces."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for column, cell in row.items():
        if column == "type":
            continue
        if column not in CSV_TYPES[kind]:
            if cell.strip():
                problems.append(Problem(where, column, "not_for_type", kind))
            continue
        if column in ("active", "supervisor", "sees_child_organisations"):
            if cell.strip():
                values[column] = BOOLEANS.get(cell.strip().casefold())
                problems += [Problem(where, column, "bad_boolean", repr(cell))] if values[column] is None else []
        elif column == "parent":
            values[column] = cell.strip() or None
        elif column == "groups":
            values[column] = cell.split()
        elif column in _TRIMMED:
            if cell.strip():  # an empty one is missing (or, for the kind, not given)
                values[column] = cell.strip()
        elif column != "name" or cell.strip():
            values[column] = cell
    return values, problems


def _read_csv(text: str) -> DirectoryFile:
    header = next(csv.reader(io.StringIO(text, newline="")), None)
    if not header or "type" not in header:
        raise DirectoryFileError([Problem("line 1", "", "no_header")])
    problems = [Problem("line 1", "", "unknown_column", repr(name)) for name in header if name not in CSV_COLUMNS]
    read = DirectoryFile()
    try:
        for line, row in _rows(text):
            if not any(cell.strip() for cell in row.values()):
                continue
            where = f"line {line}"
            kind = row.get("type", "").strip()
            if kind not in CSV_TYPES:
                problems.append(Problem(where, "type", "bad_type", repr(kind)))
                continue
            values, found = _cells(kind, row, where)
            found += _validate(_CSV_SCHEMAS[kind], values, document={}, base=[]) if not found else []
            problems += [Problem(where, p.field, p.code, p.detail) for p in found]
            if found:
                continue
            if kind == "organisation":
                read.organisations.append(_organisation(values, where))
            elif kind == "group":
                read.groups.append(_group(values, where))
            else:
                read.people.append(_person(values, where))
    except csv.Error as exc:
        problems.append(Problem("", "", "not_csv", str(exc)))
    if problems:
        raise DirectoryFileError(problems)
    return read


def write_json(organisations: list[dict[str, Any]], people: list[dict[str, Any]]) -> str:
    """`organisations` with their "groups" nested, `people` with their group slugs: keys in the documented order."""
    return json.dumps({"organisations": organisations, "people": people}, ensure_ascii=False, indent=2) + "\n"


def write_csv(organisations: list[dict[str, Any]], people: list[dict[str, Any]]) -> str:
    """One line per organisation, then its groups; then one line per person (booleans true/false)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()

    def cells(kind: str, values: Mapping[str, Any]) -> dict[str, str]:
        row = {"type": kind}
        for key, value in values.items():
            if isinstance(value, bool):
                row[key] = "true" if value else "false"
            elif isinstance(value, list):
                row[key] = " ".join(value)
            else:
                row[key] = "" if value is None else str(value)
        return row

    for organisation in organisations:
        writer.writerow(cells("organisation", {k: v for k, v in organisation.items() if k != "groups"}))
        for group in organisation.get("groups", []):
            writer.writerow(cells("group", {**group, "organisation": organisation["slug"]}))
    for person in people:
        writer.writerow(cells("person", person))
    return out.getvalue()
