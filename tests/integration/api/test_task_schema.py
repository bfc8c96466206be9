"""Every task's `schema` is the truth: data generated from it is accepted, data breaking it is refused by field.

For each demo service and each deployable iGov corpus file, hypothesis walks whole journeys over the API: each
example is a fresh application; at every open step the data is drawn from the step's schema (file fields get a
real upload) and sent to POST /tasks/{id}/complete, which must answer 200. The first time a step is seen, valid data
is also broken one rule at a time (wrong type, missing required, outside the options, too long, pattern, surrounding
spaces, read-only or unknown key) and each must be a 422 naming the field, with nothing changed.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from engine.config import PROJECT_ROOT, Settings
from engine.db import unit_of_work
from engine.migrate import upgrade_database
from engine.services.admin.directory import load_demo_users, load_organisations
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Platform
from engine.worker import run_once
from webapp import create_app

from .conftest import Api

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "igov"
DEMO_SERVICES = [
    "outdoor_advertising_permit",
    "family_composition_certificate",
    "residence_registration",
    "housing_subsidy",
    "land_allotment_permit",
    "Kherson_uorpg_kv",
    "zhitomir_mvk_2",
]
#: Corpus files already deployed as demo services (from processes/igov, with their sidecars).
IN_DEMO = {p.name for p in (PROJECT_ROOT / "processes" / "igov").glob("*.bpmn")}
#: All in one folder, so call activities find their process (_doc_justice_11 calls _doc_justice_22).
CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*.bpmn") if p.name not in IN_DEMO) if CORPUS.is_dir() else []
EXAMPLES = 2  # journeys per service; each is a new application
MAX_STEPS = 8  # some iGov diagrams loop by design (system_escalation)
JOURNEY_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # each example makes its own application
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
UNKNOWN_KEY = "zz_not_a_field"
SERVER_ONLY = "unknown attachment"  # fits the schema (an id), but no such file was uploaded: only the server knows
_strategies: dict[str, st.SearchStrategy[Any]] = {}


def strategy_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """hypothesis-jsonschema's strategy, shared by schemas that differ only in their defaults."""
    bare = {**schema, "properties": {k: _without_default(v) for k, v in schema["properties"].items()}}
    key = json.dumps(bare, sort_keys=True)
    if key not in _strategies:
        _strategies[key] = from_schema(bare)
    return _strategies[key]


def _without_default(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "default"}


def is_file(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "uuid"


def with_uploads(user: Api, schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Generated data with each file field's value replaced by the id of a file this user really uploaded."""
    files = {k for k, v in schema["properties"].items() if is_file(v)}
    return {k: user.upload(f"{k}.pdf") if k in files else v for k, v in data.items()}


def open_tasks(reference: str, citizen: Api, admin: Api) -> list[tuple[Api, dict[str, Any]]]:
    """Open steps of the application with who does them: the applicant, or the administrator (any official step)."""
    found = []
    for user in (citizen, admin):
        reply = user.get(f"/applications/{reference}")
        assert reply.status_code == 200, reply.get_json()
        found += [(user, task) for task in reply.get_json()["tasks"]]
    return found


def walk_journey(platform: Platform, service: str, citizen: Api, admin: Api, draw: Any, seen: set[str]) -> None:
    started = citizen.post("/applications", {"service": service})
    assert started.status_code == 201, started.get_json()
    reference = started.get_json()["reference"]
    for _step in range(MAX_STEPS):
        tasks = open_tasks(reference, citizen, admin)
        if not tasks and run_once(platform):  # service tasks (iGov mail, beans) run in the worker
            tasks = open_tasks(reference, citizen, admin)
        if not tasks:
            return
        user, task = tasks[0]
        fetched = user.get(f"/tasks/{task['id']}")
        assert fetched.status_code == 200, fetched.get_json()
        schema = fetched.get_json()["schema"]
        assert schema == task["schema"]  # the same contract wherever the task is read
        data = with_uploads(user, schema, draw(strategy_for(schema), label=f"{service}/{task['name']}"))
        if task["name"] not in seen:
            seen.add(task["name"])
            assert_violations_refused(user, task["id"], schema, data)
        reply = user.complete(task["id"], data)
        assert reply.status_code == 200, (task["name"], data, reply.get_json())
        assert task["id"] not in [t["id"] for t in reply.get_json()["tasks"]]


def assert_violations_refused(user: Api, task_id: str, schema: dict[str, Any], data: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    for kind, field, bad in violations(schema, data):
        assert kind == SERVER_ONLY or not validator.is_valid(bad), (kind, field, bad)
        reply = user.complete(task_id, bad)
        assert reply.status_code == 422, (field, bad, reply.get_json())
        assert field in reply.get_json()["errors"], (field, reply.get_json())


def violations(schema: dict[str, Any], data: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Valid data broken in one place each: (kind of violation, the field named in the refusal, the broken data)."""
    properties: dict[str, dict[str, Any]] = schema["properties"]
    yield "unknown key", UNKNOWN_KEY, {**data, UNKNOWN_KEY: "x"}
    read_only = [name for name, p in properties.items() if p.get("readOnly")]
    if read_only:
        yield "read-only", read_only[0], {**data, read_only[0]: "x"}
    if schema["required"]:
        name = schema["required"][0]
        yield "missing", name, {k: v for k, v in data.items() if k != name}
    done: set[str] = set()
    for name, prop in properties.items():
        for kind, value in broken_values(prop, data.get(name)):
            if kind not in done:
                done.add(kind)
                yield kind, name, {**data, name: value}


def broken_values(prop: dict[str, Any], valid: Any) -> Iterator[tuple[str, Any]]:
    """(kind of violation, a value breaking it) for one property's schema."""
    kind = prop.get("type")
    if prop.get("readOnly"):
        return
    yield f"type:{kind}", {"string": 12345, "integer": "12", "number": "1,5", "boolean": "true", "array": "a"}[kind]
    if "anyOf" in prop or "anyOf" in prop.get("items", {}):
        yield f"option:{kind}", ["__no_such_option__"] if kind == "array" else "__no_such_option__"
    if "maxLength" in prop:
        yield "too long", "x" * (prop["maxLength"] + 1)
    if "pattern" in prop and not is_file(prop) and not re.search(prop["pattern"], "~~~"):
        yield f"pattern:{prop.get('format')}", "~~~"
    if "minimum" in prop:
        yield "too small", prop["minimum"] - 1
    if "maximum" in prop:
        yield "too big", prop["maximum"] + 1
    if kind == "string" and "not" in prop and isinstance(valid, str):
        yield "untrimmed", f" {valid} "
    if prop.get("format") == "date":
        yield "dotted date", "31.12.2024"  # pages take it; the API takes ISO dates only
    if is_file(prop):
        yield SERVER_ONLY, "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """One database for the module (signing in and deploying are the slow parts): the demo services and every
    corpus file that deploys. Journeys never share an application, so the tests stay independent."""
    root = tmp_path_factory.mktemp("schema")
    settings = Settings.from_env(
        database_url=f"sqlite:///{root / 'test.db'}",
        secret_key="test-secret",
        var_dir=root,
        upload_dir=root / "uploads",
        processes_dir=PROJECT_ROOT / "processes",
        forms_dir=PROJECT_ROOT / "forms",
    )
    upgrade_database(settings.database_url)
    platform = Platform.from_settings(settings)
    corpus = root / "igov"
    corpus.mkdir()
    for name in CORPUS_FILES:
        shutil.copy(CORPUS / name, corpus / name)
    with unit_of_work(platform.write_sessions) as db:
        load_organisations(db)
        load_demo_users(db)
        demo = deploy_directory(db, processes_dir=settings.processes_dir, forms_dir=settings.forms_dir, actor=SYSTEM)
        assert not demo.rejected, demo.lines()
        platform.corpus_report = deploy_directory(  # type: ignore[attr-defined]
            db, processes_dir=corpus, forms_dir=settings.forms_dir, actor=SYSTEM
        )
    yield platform
    platform.engine.dispose()


@pytest.fixture(scope="module")
def app(platform: Platform) -> Flask:
    app = create_app(platform.settings, platform=platform)
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def citizen(app: Flask) -> Api:
    return Api(app.test_client(use_cookies=False), "citizen")


@pytest.fixture(scope="module")
def admin(app: Flask) -> Api:
    """Acts on every official step of every service (a candidate for all of them)."""
    return Api(app.test_client(use_cookies=False), "admin")


def run_journeys(platform: Platform, service: str, citizen: Api, admin: Api) -> None:
    seen: set[str] = set()

    @JOURNEY_SETTINGS
    @given(st.data())
    def journeys(data: st.DataObject) -> None:
        walk_journey(platform, service, citizen, admin, data.draw, seen)

    journeys()


@pytest.mark.parametrize("service", DEMO_SERVICES)
def test_demo_service_accepts_its_schema_and_refuses_the_rest(
    service: str, platform: Platform, citizen: Api, admin: Api
) -> None:
    run_journeys(platform, service, citizen, admin)


CORPUS_PARAMS = CORPUS_FILES or ["-"]  # without the corpus, one case that the `needs` mark skips (or fails, strict)


@pytest.mark.needs("igov_corpus")
@pytest.mark.parametrize("file", CORPUS_PARAMS)
def test_corpus_service_accepts_its_schema_and_refuses_the_rest(
    file: str, platform: Platform, citizen: Api, admin: Api
) -> None:
    report = platform.corpus_report  # type: ignore[attr-defined]
    deployed = [line for line in report.deployed if line.startswith(f"igov/{file} (")]
    if not deployed:
        pytest.skip(f"{file} cannot be deployed: {[str(p) for p in report.problems if file in str(p)]}")
    run_journeys(platform, deployed[0].rsplit("(", 1)[1].rstrip(")"), citizen, admin)
