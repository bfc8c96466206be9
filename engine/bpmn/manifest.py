"""The service manifest: what the platform needs from a diagram besides the engine spec.

Catalog metadata, the form and the people of every human step, and end-event names. It is
built once at deploy, stored as JSON with the version, so queues and pages never load a workflow
to know who may act or what to ask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.bpmn.igov.activiti import ACTIVITI, is_activiti, read_assignment
from engine.bpmn.problems import Problem, Severity
from engine.bpmn.xml import BPMN, CAMUNDA, NS, local_name, text_of
from engine.forms import Form, FormDefinitionError, LocalText, read_activiti_form, read_inline_form

AVAILABILITY = ("online", "soon", "in_work")
APPLICANT = "applicant"
FormLoader = Callable[[str], Form]


@dataclass(frozen=True)
class StepInfo:
    """A human step: the start event's form or a user task."""

    element_id: str
    name: str
    is_start: bool
    form: Form | None
    form_key: str | None = None
    candidate_groups: tuple[str, ...] = ()
    candidate_users: tuple[str, ...] = ()
    assignee: str | None = None
    lane: str | None = None
    due_date: str | None = None
    group_expressions: tuple[str, ...] = ()
    """iGov steps: Python expressions giving iGov group names, evaluated on the task's data
    (engine.bpmn.igov.activiti)."""
    assignee_expression: str | None = None
    """iGov steps: a Python expression giving the assignee's username (``activiti:assignee="${assignee}"``)."""
    igov: bool = False
    """From an iGov (Activiti) diagram: groups go through the iGov group mapping (engine.bpmn.igov.groups)."""

    @property
    def for_applicant(self) -> bool:
        return self.is_start or self.assignee == APPLICANT or (self.lane or "").lower() == APPLICANT

    @property
    def groups(self) -> tuple[str, ...]:
        if self.candidate_groups:
            return self.candidate_groups
        if self.lane and not self.for_applicant and not self.assignee and not self.candidate_users:
            return (self.lane,)
        return ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "element_id": self.element_id,
            "name": self.name,
            "is_start": self.is_start,
            "form": self.form.to_dict() if self.form else None,
            "form_key": self.form_key,
            "candidate_groups": list(self.candidate_groups),
            "candidate_users": list(self.candidate_users),
            "assignee": self.assignee,
            "lane": self.lane,
            "due_date": self.due_date,
            "group_expressions": list(self.group_expressions),
            "assignee_expression": self.assignee_expression,
            "igov": self.igov,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepInfo:
        return cls(
            element_id=data["element_id"],
            name=data["name"],
            is_start=data["is_start"],
            form=Form.from_dict(data["form"]) if data["form"] else None,
            form_key=data["form_key"],
            candidate_groups=tuple(data["candidate_groups"]),
            candidate_users=tuple(data["candidate_users"]),
            assignee=data["assignee"],
            lane=data["lane"],
            due_date=data["due_date"],
            group_expressions=tuple(data.get("group_expressions", ())),
            assignee_expression=data.get("assignee_expression"),
            igov=bool(data.get("igov", False)),
        )


@dataclass(frozen=True)
class ServiceManifest:
    process_id: str
    title: str
    title_en: str = ""
    description: str = ""
    description_en: str = ""
    category: str = ""
    organisation: str = ""
    sla_days: int | None = None
    availability: str = "online"
    properties: dict[str, str] = field(default_factory=dict)
    steps: dict[str, StepInfo] = field(default_factory=dict)
    end_events: dict[str, str] = field(default_factory=dict)

    @property
    def start_step(self) -> StepInfo | None:
        return next((s for s in self.steps.values() if s.is_start), None)

    def step(self, element_id: str) -> StepInfo | None:
        return self.steps.get(element_id)

    def title_in(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title

    def to_dict(self) -> dict[str, Any]:
        return {
            "process_id": self.process_id,
            "title": self.title,
            "title_en": self.title_en,
            "description": self.description,
            "description_en": self.description_en,
            "category": self.category,
            "organisation": self.organisation,
            "sla_days": self.sla_days,
            "availability": self.availability,
            "properties": self.properties,
            "steps": {k: v.to_dict() for k, v in self.steps.items()},
            "end_events": self.end_events,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServiceManifest:
        return cls(
            process_id=data["process_id"],
            title=data["title"],
            title_en=data["title_en"],
            description=data["description"],
            description_en=data["description_en"],
            category=data["category"],
            organisation=data["organisation"],
            sla_days=data["sla_days"],
            availability=data["availability"],
            properties=data["properties"],
            steps={k: StepInfo.from_dict(v) for k, v in data["steps"].items()},
            end_events=data["end_events"],
        )


def executable_processes(tree: etree._ElementTree) -> list[etree._Element]:
    return [p for p in tree.getroot().iterfind(BPMN + "process") if p.get("isExecutable", "true") != "false"]


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _properties(element: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for prop in element.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS):
        name = prop.get("name") or prop.get("id")
        if name:
            found[name] = prop.get("value", "")
    return found


def _lanes(process: etree._Element) -> dict[str, str]:
    lanes: dict[str, str] = {}
    for lane in process.iter(BPMN + "lane"):
        for ref in lane.iterfind(BPMN + "flowNodeRef"):
            lanes[text_of(ref)] = lane.get("name") or lane.get("id") or ""
    return lanes


def form_key_of(element: etree._Element) -> str | None:
    """Accept `key`, `key.json` and Camunda's `embedded:app:forms/key.json` spellings (also `activiti:formKey`)."""
    raw = element.get(CAMUNDA + "formKey") or element.get(ACTIVITI + "formKey")
    if not raw:
        return None
    key = raw.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return key.removesuffix(".json")


class ManifestBuilder:
    """Reads one executable process; collects problems instead of stopping at the first."""

    def __init__(self, file: str, load_form: FormLoader, *, activiti: bool = False) -> None:
        self.file = file
        self.load_form = load_form
        self.activiti = activiti
        self.problems: list[Problem] = []

    def problem(self, element_id: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(self.file, element_id, message, severity))

    def build(self, process: etree._Element) -> ServiceManifest:
        process_id = process.get("id", "")
        props = _properties(process)
        lanes = _lanes(process)
        steps: dict[str, StepInfo] = {}
        for element in process.iter(BPMN + "startEvent", BPMN + "userTask"):
            step = self._step(element, lanes)
            if step is not None:
                steps[step.element_id] = step
        end_events = {e.get("id") or "": e.get("name") or e.get("id") or "" for e in process.iter(BPMN + "endEvent")}
        return ServiceManifest(
            process_id=process_id,
            title=(process.get("name") or process_id).strip(),
            title_en=props.pop("title_en", ""),
            description=text_of(process.find(BPMN + "documentation")),
            description_en=props.pop("description_en", ""),
            category=props.pop("category", ""),
            organisation=props.pop("organisation", ""),
            sla_days=self._sla_days(process_id, props.pop("sla_days", None)),
            availability=self._availability(process_id, props.pop("availability", "online")),
            properties=props,
            steps=steps,
            end_events=end_events,
        )

    def _sla_days(self, process_id: str, raw: str | None) -> int | None:
        if raw is None or raw == "":
            return None
        if not raw.isdigit():
            self.problem(process_id, f"property sla_days must be a whole number of working days, not {raw!r}")
            return None
        return int(raw)

    def _availability(self, process_id: str, raw: str) -> str:
        if raw not in AVAILABILITY:
            self.problem(process_id, f"property availability must be one of {', '.join(AVAILABILITY)}, not {raw!r}")
            return "online"
        return raw

    def _step(self, element: etree._Element, lanes: dict[str, str]) -> StepInfo | None:
        element_id = element.get("id", "")
        is_start = local_name(element) == "startEvent"
        parent = element.getparent()
        if is_start and (
            self._has_event_definition(element) or (parent is not None and local_name(parent) != "process")
        ):
            return None
        if self.activiti:
            return self._activiti_step(element, element_id, is_start)
        return StepInfo(
            element_id=element_id,
            name=(element.get("name") or element_id).strip(),
            is_start=is_start,
            form=self._form(element, element_id),
            form_key=form_key_of(element),
            candidate_groups=_split(element.get(CAMUNDA + "candidateGroups")),
            candidate_users=_split(element.get(CAMUNDA + "candidateUsers")),
            assignee=element.get(CAMUNDA + "assignee") or None,
            lane=lanes.get(element_id),
            due_date=element.get(CAMUNDA + "dueDate") or None,
        )

    def _activiti_step(self, element: etree._Element, element_id: str, is_start: bool) -> StepInfo:
        """An iGov step: inline `activiti:formProperty` form (or a form file by formKey) and iGov assignment."""
        assignment = read_assignment(element)
        for message, is_error in assignment.problems:
            self.problem(element_id, message, Severity.ERROR if is_error else Severity.WARNING)
        return StepInfo(
            element_id=element_id,
            name=(element.get("name") or element_id).strip(),
            is_start=is_start,
            form=self._activiti_form(element, element_id),
            form_key=None,
            candidate_users=tuple(assignment.candidate_users),
            assignee=assignment.assignee,
            group_expressions=() if is_start else tuple(assignment.group_expressions),
            assignee_expression=assignment.assignee_expression,
            igov=True,
        )

    def _activiti_form(self, element: etree._Element, element_id: str) -> Form | None:
        form, warnings = read_activiti_form(element, element_id=element_id)
        for warning in warnings:
            self.problem(element_id, warning.removeprefix(f"{element_id}: "), Severity.WARNING)
        key = form_key_of(element)
        if form is not None or not key:
            return form
        try:
            return self.load_form(key)
        except FileNotFoundError:
            self.problem(element_id, f"activiti:formKey {key!r}: no form file forms/{key}.json", Severity.WARNING)
        except FormDefinitionError as exc:
            self.problem(element_id, str(exc))
        return None

    @staticmethod
    def _has_event_definition(element: etree._Element) -> bool:
        return any(local_name(child).endswith("EventDefinition") for child in element)

    def _form(self, element: etree._Element, element_id: str) -> Form | None:
        key = form_key_of(element)
        try:
            if key:
                return self.load_form(key)
            return read_inline_form(element, element_id=element_id)
        except FileNotFoundError:
            self.problem(element_id, f"form {key!r} not found (expected forms/{key}.json)")
        except FormDefinitionError as exc:
            self.problem(element_id, str(exc))
        return None


def build_manifest(
    tree: etree._ElementTree, *, file: str, load_form: FormLoader
) -> tuple[ServiceManifest | None, list[Problem]]:
    processes = executable_processes(tree)
    builder = ManifestBuilder(file, load_form, activiti=is_activiti(tree))
    if not processes:
        builder.problem("", "no executable process in this file")
        return None, builder.problems
    if len(processes) > 1:
        ids = ", ".join(p.get("id", "?") for p in processes)
        builder.problem("", f"one service per file: found several executable processes ({ids})")
        return None, builder.problems
    return builder.build(processes[0]), builder.problems


def localized(text: LocalText | None, locale: str) -> str:
    return text.get(locale) if text is not None else ""
