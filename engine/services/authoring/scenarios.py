"""Scenario files: a service's paths written down as data, run through the same use cases as pages and API.

A scenario lives in `processes/<service>/scenarios/*.json` (in a folder of several diagrams:
`scenarios/<diagram file name without .bpmn>/*.json`):
`{"description", "steps": [{"task", "actor", "data"}], "expect": {"end_event", "status", "data"}}`.
`"@file:name"` values are uploaded as small attachments by the step's actor and replaced by their ids.
Every step goes through `complete_task`, which loads the case from the database and saves it again,
so a scenario also proves the case survives a save and restore after every step.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn.manifest import executable_processes
from engine.bpmn.xml import XmlProblemError, parse_xml
from engine.services.authoring.scenario_service_tasks import run_parked_service_tasks
from engine.services.cases.applications import get_application, start_application
from engine.services.cases.attachments import store_upload
from engine.services.cases.steps import complete_task
from engine.services.cases.views import ApplicationView
from engine.services.context import Actor, Platform
from engine.services.errors import ValidationFailedError

FILE_PREFIX = "@file:"
ACTOR_ROLES = ("applicant", "official")


class ScenarioFileError(Exception):
    """The scenario file cannot be read or does not have the expected shape."""


class ScenarioFailedError(Exception):
    """The service did not behave as the scenario says at a step; `step` is its 1-based number."""

    def __init__(self, scenario: Scenario, step: int, message: str) -> None:
        super().__init__(f"{scenario.path.name} step {step}: {message}")
        self.scenario = scenario
        self.step = step


@dataclass(frozen=True)
class ScenarioStep:
    task: str
    actor: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    service_id: str
    name: str
    path: Path
    steps: tuple[ScenarioStep, ...]
    end_event: str | None
    status: str = "completed"
    expect_data: dict[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    reference: str
    status: str
    end_event: str | None
    outcome_name: str | None
    data: dict[str, Any]
    error_element: str | None = None
    error_message: str | None = None

    def mismatches(self) -> list[str]:
        """What differs from the scenario's `expect` section; empty when the scenario passed."""
        expected = self.scenario
        found: list[str] = []
        if self.status != expected.status:
            detail = f" ({self.error_element}: {self.error_message})" if self.error_message else ""
            found.append(f"status is {self.status!r}, expected {expected.status!r}{detail}")
        if expected.end_event is not None and self.end_event != expected.end_event:
            found.append(f"ended at {self.end_event!r}, expected {expected.end_event!r}")
        for key, value in expected.expect_data.items():
            if key not in self.data:
                found.append(f"data has no {key!r}, expected {value!r}")
            elif self.data[key] != value:
                found.append(f"data {key!r} is {self.data[key]!r}, expected {value!r}")
        return found


def _process_id(diagram: Path) -> str | None:
    try:
        processes = executable_processes(parse_xml(diagram.read_bytes()))
    except XmlProblemError:
        processes = []
    return str(processes[0].get("id")) if len(processes) == 1 and processes[0].get("id") else None


def service_id_of(service_dir: Path) -> str:
    """The executable process id of the single diagram in the folder, or the folder's name."""
    diagrams = sorted(service_dir.glob("*.bpmn"))
    if len(diagrams) == 1:
        return _process_id(diagrams[0]) or service_dir.name
    return service_dir.name


def diagram_service_id(diagram: Path) -> str:
    """The service id of one diagram: its executable process id (else what its folder gives)."""
    return _process_id(diagram) or service_id_of(diagram.parent)


def scenario_dir(diagram: Path) -> Path:
    """Where a diagram's scenarios live: `scenarios/` beside it, or `scenarios/<file name without .bpmn>/` when
    its folder holds several diagrams (e.g. `processes/igov/`, where iGov files are dropped side by side)."""
    if len(list(diagram.parent.glob("*.bpmn"))) > 1:
        return diagram.parent / "scenarios" / diagram.stem
    return diagram.parent / "scenarios"


def load_diagram_scenarios(diagram: Path) -> list[Scenario]:
    """Every scenario of one diagram, sorted by file name."""
    service_id = diagram_service_id(diagram)
    return [load_scenario(path, service_id) for path in sorted(scenario_dir(diagram).glob("*.json"))]


def load_scenarios(service_dir: Path) -> list[Scenario]:
    """Every scenario of the diagrams in one folder (see :func:`scenario_dir`), sorted by diagram and file name."""
    diagrams = sorted(service_dir.glob("*.bpmn"))
    if not diagrams:
        service_id = service_id_of(service_dir)
        return [load_scenario(path, service_id) for path in sorted((service_dir / "scenarios").glob("*.json"))]
    return [scenario for diagram in diagrams for scenario in load_diagram_scenarios(diagram)]


def load_scenario(path: Path, service_id: str) -> Scenario:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioFileError(f"{path}: cannot read scenario: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("steps"), list):
        raise ScenarioFileError(f"{path}: a scenario is an object with a list of steps")
    expect = document.get("expect") or {}
    if not isinstance(expect, dict) or not isinstance(expect.get("data", {}), dict):
        raise ScenarioFileError(f"{path}: 'expect' must be an object with an object 'data'")
    return Scenario(
        service_id=service_id,
        name=path.stem,
        path=path,
        steps=tuple(_step(path, i, raw) for i, raw in enumerate(document["steps"], start=1)),
        end_event=expect.get("end_event"),
        status=str(expect.get("status", "completed")),
        expect_data=dict(expect.get("data", {})),
        description=str(document.get("description", "")),
    )


def _step(path: Path, number: int, raw: object) -> ScenarioStep:
    if not isinstance(raw, dict) or not isinstance(raw.get("task"), str):
        raise ScenarioFileError(f"{path}: step {number} needs a 'task' (the element id)")
    actor = raw.get("actor", "applicant")
    if actor not in ACTOR_ROLES:
        raise ScenarioFileError(f"{path}: step {number}: actor must be one of {', '.join(ACTOR_ROLES)}")
    data = raw.get("data", {})
    if not isinstance(data, dict):
        raise ScenarioFileError(f"{path}: step {number}: 'data' must be an object")
    return ScenarioStep(task=raw["task"], actor=actor, data=data)


def run_scenario(db: Session, platform: Platform, scenario: Scenario, *, actors: dict[str, Actor]) -> ScenarioResult:
    """Start an application as the applicant and complete each step as its actor; raises ScenarioFailedError."""
    application = start_application(db, platform, actors["applicant"], scenario.service_id)
    reference = application.reference
    for number, step in enumerate(scenario.steps, start=1):
        actor = actors[step.actor]
        application = get_application(db, actors["applicant"], reference)
        task_id = _open_task(scenario, number, step, application)
        data = _with_uploads(db, platform, actor, step.data)
        try:
            application = complete_task(db, platform, actor, task_id, data)
        except ValidationFailedError as exc:
            details = "; ".join(f"{name}: {error}" for name, error in exc.errors.items())
            raise ScenarioFailedError(scenario, number, f"{step.task} refused the data: {details}") from exc
        problem = run_parked_service_tasks(db, platform, reference)  # no worker here: run them inline
        if problem is not None:
            raise ScenarioFailedError(scenario, number, problem)
        if application.status == "error" and number < len(scenario.steps):
            raise ScenarioFailedError(
                scenario, number, f"the case failed at {application.error_element}: {application.error_message}"
            )
    final = get_application(db, actors["applicant"], reference)
    return ScenarioResult(
        scenario=scenario,
        reference=reference,
        status=final.status,
        end_event=final.outcome,
        outcome_name=final.outcome_name,
        data=final.data,
        error_element=final.error_element,
        error_message=final.error_message,
    )


def _open_task(scenario: Scenario, number: int, step: ScenarioStep, application: ApplicationView) -> str:
    matching = [t for t in application.open_steps if t.element_id == step.task]
    if not matching:
        open_ids = ", ".join(t.element_id for t in application.open_steps) or "none"
        raise ScenarioFailedError(
            scenario,
            number,
            f"expected {step.task!r} to be open, but open steps are: {open_ids} (status {application.status})",
        )
    return matching[0].id


def _with_uploads(db: Session, platform: Platform, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    return {name: _upload_placeholders(db, platform, actor, value) for name, value in data.items()}


def _upload_placeholders(db: Session, platform: Platform, actor: Actor, value: Any) -> Any:
    if isinstance(value, list):
        return [_upload_placeholders(db, platform, actor, item) for item in value]
    if not isinstance(value, str) or not value.startswith(FILE_PREFIX):
        return value
    filename = value.removeprefix(FILE_PREFIX) or "file"
    stored = store_upload(
        db,
        actor,
        upload_dir=platform.settings.upload_dir,
        limit=platform.settings.max_upload_bytes,
        filename=filename,
        content_type="application/pdf" if filename.endswith(".pdf") else "application/octet-stream",
        stream=io.BytesIO(f"scenario attachment {filename}\n".encode()),
    )
    return stored.id
