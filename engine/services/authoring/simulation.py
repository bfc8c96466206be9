"""`posluhy simulate` and `posluhy test`: run a diagram headless, in memory, without a database.

The case is dumped and loaded again after every step, exactly as the platform stores it between requests,
so a simulation also proves the service survives a save and restore at each step.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from engine.bpmn.manifest import ServiceManifest, StepInfo
from engine.bpmn.problems import Severity
from engine.bpmn.xml import XmlProblemError, parse_xml
from engine.forms import Form, clean_form_data, english_message
from engine.runtime.cases import Case, OpenStep, StepResult
from engine.runtime.sandbox import create_script_engine
from engine.services.authoring.autodata import UnsatisfiableFieldError, generate_form_data
from engine.services.authoring.checking import FormFiles, check_file
from engine.services.authoring.scenarios import Scenario, ScenarioResult, ScenarioStep
from engine.services.authoring.simulated_tasks import drive, kept_answers, with_written_values
from engine.services.authoring.steering import steering_preferences

MAX_STEPS: Final = 200
AUTO_ATTEMPTS: Final = 8
EMPTY_FORM: Final = Form.single_page(None, None, ())


@dataclass
class SimulationResult:
    service: str
    completed: bool = False
    end_event: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    status: str = "active"  # completed | active (stopped before an end event) | error (the case failed)

    def to_json(self) -> dict[str, Any]:
        """The documented `--json` shape; errors are reported among the warnings, prefixed "error: "."""
        return {
            "service": self.service,
            "completed": self.completed,
            "end_event": self.end_event,
            "steps": self.steps,
            "warnings": [*self.warnings, *(f"error: {e}" for e in self.errors)],
        }


@dataclass(frozen=True)
class ScenarioOutcome:
    scenario: Scenario
    result: SimulationResult
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        return f"{self.scenario.service_id}/{self.scenario.name}"


def role_of(step: StepInfo) -> str:
    """Who does a step: "applicant", the candidate groups, or the named people."""
    if step.for_applicant:
        return "applicant"
    if step.groups:
        return ",".join(step.groups)
    people = [*([step.assignee] if step.assignee else []), *step.candidate_users]
    return ",".join(people) or "nobody"


def simulate(
    path: Path,
    *,
    forms_dir: Path,
    auto: bool,
    scenario: Scenario | None,
    seed: int,
    extra_paths: Sequence[Path] = (),
    max_steps: int = MAX_STEPS,
) -> SimulationResult:
    """Run the diagram at `path` with generated data (`auto`) or a scenario's data; never raises for the model."""
    checked = check_file(path, FormFiles(forms_dir))
    manifest = checked.manifest
    result = SimulationResult(service=manifest.process_id if manifest else path.stem)
    result.warnings.extend(str(p) for p in checked.problems if p.severity is Severity.WARNING)
    if extra_paths:
        result.errors.append("diagrams split over several files (call activities) cannot be simulated yet")
    if not checked.ok or manifest is None or checked.spec_json is None:
        result.errors.extend(str(p) for p in checked.problems if p.severity is Severity.ERROR)
    if result.errors or manifest is None or checked.spec_json is None:
        result.status = "error"
        return result
    if scenario is None and not auto:
        raise ValueError("simulate needs auto=True or a scenario")
    runner = _Runner(checked.spec_json, manifest, result, seed=seed, preferences=_preferences(path, manifest))
    if scenario is not None:
        runner.run_scenario(scenario)
    else:
        runner.run_auto(max_steps)
    return result


def _preferences(path: Path, manifest: ServiceManifest) -> dict[str, dict[str, Any]]:
    try:
        return steering_preferences(parse_xml(path.read_bytes()), manifest)
    except (OSError, XmlProblemError):
        return {}


class _Runner:
    def __init__(
        self,
        spec_json: str,
        manifest: ServiceManifest,
        result: SimulationResult,
        *,
        seed: int,
        preferences: dict[str, dict[str, Any]],
    ) -> None:
        self.spec_json = spec_json
        self.manifest = manifest
        self.result = result
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
        self.preferences = preferences
        self.engine = create_script_engine()
        self.case = Case.new(spec_json, self.engine)

    def run_auto(self, max_steps: int) -> None:
        for _ in range(max_steps):
            open_steps = self._open_steps()
            if open_steps is None:
                return
            step = open_steps[0]
            form = self._form(step.element_id)
            before = {} if step.is_start else self.case.data_at(step.task_id)
            prefer = {**kept_answers(form, before), **self.preferences.get(step.element_id, {})}
            if not self._complete_generated(step, form, prefer):
                return
        if self._open_steps() is not None:
            self.result.warnings.append(
                f"stopped after {max_steps} steps without reaching an end event: "
                "a loop in the diagram may never end with generated data"
            )

    def _complete_generated(self, step: OpenStep, form: Form, prefer: dict[str, Any]) -> bool:
        """Complete a step with generated answers; when they lead the case into a failure (a gateway none of whose
        conditions holds...), try other answers from the same state, up to AUTO_ATTEMPTS times."""
        state, steps, warnings = self.case.dump(), len(self.result.steps), len(self.result.warnings)
        for attempt in range(AUTO_ATTEMPTS):
            if attempt:
                self.case = Case.load(self.spec_json, state, self.engine)
                del self.result.steps[steps:], self.result.warnings[warnings:]
                self.result.errors.clear()
                self.result.status = "active"
            try:
                raw = generate_form_data(form, rng=self.rng, prefer=prefer)
            except UnsatisfiableFieldError as exc:
                self._fail(f"{step.element_id}: {exc}")
                return False
            if self._complete(step, form, raw):
                return True
        return False

    def run_scenario(self, scenario: Scenario) -> None:
        for number, scenario_step in enumerate(scenario.steps, start=1):
            open_steps = self._open_steps()
            if open_steps is None:
                self.result.errors.append(f"step {number} ({scenario_step.task}): the case has already stopped")
                return
            step = next((s for s in open_steps if s.element_id == scenario_step.task), None)
            if step is None:
                found = ", ".join(s.element_id for s in open_steps)
                self._fail(f"step {number}: expected {scenario_step.task!r} to be open, but open steps are: {found}")
                return
            if not self._actor_fits(number, scenario_step):
                return
            if not self._complete(step, self._form(step.element_id), scenario_step.data, number=number):
                return
        self._open_steps()

    def _actor_fits(self, number: int, scenario_step: ScenarioStep) -> bool:
        info = self.manifest.step(scenario_step.task)
        if info is None or info.for_applicant == (scenario_step.actor == "applicant"):
            return True
        self._fail(f"step {number}: {scenario_step.task} is done by {role_of(info)}, not by the {scenario_step.actor}")
        return False

    def _open_steps(self) -> list[OpenStep] | None:
        """The open human steps, or None once the case has stopped (then the result says how)."""
        if self.result.completed or self.result.status == "error":
            return None
        steps = self.case.open_steps()
        if steps:
            return steps
        if self.case.is_completed() and self.case.end_event() is not None:
            self._finish(StepResult(completed=True, end_event=self.case.end_event()))
        else:
            self._fail("the case waits for something a simulation cannot do (a timer or a message)")
        return None

    def _form(self, element_id: str) -> Form:
        info = self.manifest.step(element_id)
        return info.form if info is not None and info.form is not None else EMPTY_FORM

    def _complete(self, step: OpenStep, form: Form, raw: dict[str, Any], *, number: int | None = None) -> bool:
        cleaned, errors = clean_form_data(form, raw, attachment_exists=lambda _id: True)
        if errors:
            where = f"step {number} ({step.element_id})" if number else step.element_id
            details = "; ".join(f"{name}: {english_message(form.field(name), e)}" for name, e in errors.items())
            self._fail(f"{where} refused the data: {details}")
            return False
        info = self.manifest.step(step.element_id)
        self.result.steps.append(
            {"task": step.element_id, "lane": role_of(info) if info else "", "data": _plain(cleaned)}
        )
        before = {} if step.is_start else self.case.data_at(step.task_id)
        cleaned = with_written_values(form, before, cleaned)
        outcome = drive(self.case, self.case.complete(step.task_id, cleaned), self.result.steps, self.result.warnings)
        # Save and restore after every step, exactly as the platform does between two requests.
        self.case = Case.load(self.spec_json, self.case.dump(), self.engine)
        self.result.data = _plain(self.case.current_data())
        if outcome.failed:
            self._fail(f"the case failed at {outcome.error_element or '?'}: {outcome.error_message}")
            return False
        if outcome.completed:
            self._finish(outcome)
        return True

    def _finish(self, outcome: StepResult) -> None:
        self.result.completed = True
        self.result.status = "completed"
        self.result.end_event = outcome.end_event
        self.result.data = _plain(self.case.current_data())

    def _fail(self, message: str) -> None:
        self.result.errors.append(message)
        self.result.status = "error"


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Data as the platform stores it (JSON), so scenario expectations compare like the database runner."""
    plain: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return plain


def run_scenario_in_memory(path: Path, scenario: Scenario, forms_dir: Path) -> ScenarioOutcome:
    """Run one scenario file against the diagram and compare the end event and data with its `expect`."""
    result = simulate(path, forms_dir=forms_dir, auto=False, scenario=scenario, seed=0)
    if result.errors:
        return ScenarioOutcome(scenario, result, list(result.errors))
    compared = ScenarioResult(
        scenario=scenario,
        reference="",
        status=result.status,
        end_event=result.end_event,
        outcome_name=None,
        data=result.data,
    )
    return ScenarioOutcome(scenario, result, compared.mismatches())
