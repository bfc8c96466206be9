"""Element-level differences between two versions of a service: tasks, events, gateways, flows, forms, catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from engine.bpmn.graph import FLOW_NODES
from engine.bpmn.manifest import ServiceManifest, executable_processes
from engine.bpmn.xml import BPMN, CAMUNDA, local_name, parse_xml, text_of
from engine.forms import Field, Form
from engine.services.context import Actor
from engine.services.errors import NotFoundError
from engine.services.studio import require_analyst, xmledit
from engine.services.studio.versions import manifest_or_none
from engine.store import catalog, studio

NODE_ATTRIBUTES = {
    "name": "name",
    CAMUNDA + "formKey": "form key",
    CAMUNDA + "candidateGroups": "candidate groups",
    CAMUNDA + "candidateUsers": "candidate users",
    CAMUNDA + "assignee": "assignee",
    CAMUNDA + "dueDate": "due date",
    "default": "default flow",
    "attachedToRef": "attached to",
}
FIELD_ASPECTS = ("type", "required", "label", "hint", "options", "validation", "page")


@dataclass(frozen=True)
class ElementChange:
    kind: str  # "added" | "removed" | "changed"
    element_id: str
    element_type: str
    name: str
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VersionDiff:
    service_id: str
    a: int
    b: int
    elements: list[ElementChange]
    flows: list[ElementChange]
    forms: list[ElementChange]
    properties: list[str]

    @property
    def empty(self) -> bool:
        return not (self.elements or self.flows or self.forms or self.properties)


def _process(xml: str) -> etree._Element | None:
    try:
        processes = executable_processes(parse_xml(xml.encode("utf-8")))
    except Exception:  # an unreadable draft: everything in the other version counts as added or removed
        return None
    return processes[0] if len(processes) == 1 else None


def _nodes(process: etree._Element | None) -> dict[str, etree._Element]:
    if process is None:
        return {}
    return {
        e.get("id", ""): e
        for e in process.iter()
        if isinstance(e.tag, str) and e.tag.startswith(BPMN) and local_name(e) in FLOW_NODES and e.get("id")
    }


def _flows(process: etree._Element | None) -> dict[str, etree._Element]:
    if process is None:
        return {}
    return {f.get("id", ""): f for f in process.iter(BPMN + "sequenceFlow") if f.get("id")}


def _compare_sets(
    old: dict[str, etree._Element], new: dict[str, etree._Element], details_of: Any
) -> list[ElementChange]:
    changes = []
    for element_id in sorted(old.keys() | new.keys()):
        before, after = old.get(element_id), new.get(element_id)
        element = after if after is not None else before
        assert element is not None
        kind, name = local_name(element), element.get("name", "")
        if before is None:
            changes.append(ElementChange("added", element_id, kind, name))
        elif after is None:
            changes.append(ElementChange("removed", element_id, kind, name))
        elif details := details_of(before, after):
            changes.append(ElementChange("changed", element_id, kind, name, details))
    return changes


def _node_details(before: etree._Element, after: etree._Element) -> list[str]:
    details = []
    if local_name(before) != local_name(after):
        details.append(f"type: {local_name(before)} → {local_name(after)}")
    for attribute, label in NODE_ATTRIBUTES.items():
        if before.get(attribute, "") != after.get(attribute, ""):
            details.append(f"{label}: {before.get(attribute, '')!r} → {after.get(attribute, '')!r}")
    if text_of(before.find(BPMN + "script")) != text_of(after.find(BPMN + "script")):
        details.append("script changed")
    if _event_kinds(before) != _event_kinds(after):
        details.append(f"event: {_event_kinds(before) or '-'} → {_event_kinds(after) or '-'}")
    return details


def _event_kinds(element: etree._Element) -> str:
    return ",".join(
        local_name(c).removesuffix("EventDefinition")
        for c in element
        if isinstance(c.tag, str) and local_name(c).endswith("EventDefinition")
    )


def _flow_details(before: etree._Element, after: etree._Element) -> list[str]:
    details = []
    for attribute in ("sourceRef", "targetRef", "name"):
        if before.get(attribute, "") != after.get(attribute, ""):
            details.append(f"{attribute}: {before.get(attribute, '')!r} → {after.get(attribute, '')!r}")
    old, new = (text_of(f.find(BPMN + "conditionExpression")) for f in (before, after))
    if old != new:
        details.append(f"condition: {old or '-'} → {new or '-'}")
    return details


def _field_aspects(f: Field) -> dict[str, str]:
    return {
        "type": str(f.type),
        "required": str(f.required),
        "label": str(f.label.to_dict()),
        "hint": str(f.hint.to_dict()) if f.hint else "",
        "options": ", ".join(f.option_values),
        "validation": ", ".join(
            f"{k}={v}"
            for k, v in (
                ("pattern", f.pattern),
                ("minimum", f.minimum),
                ("maximum", f.maximum),
                ("min_length", f.min_length),
                ("max_length", f.max_length),
            )
            if v is not None
        ),
        "page": str(f.page + 1),
    }


def _form_details(old: Form | None, new: Form | None) -> list[str]:
    old_fields = {f.name: f for f in old.fields} if old else {}
    new_fields = {f.name: f for f in new.fields} if new else {}
    details = []
    for name in sorted(old_fields.keys() | new_fields.keys()):
        if name not in old_fields:
            details.append(f"field {name} added ({new_fields[name].type})")
        elif name not in new_fields:
            details.append(f"field {name} removed")
        else:
            a, b = _field_aspects(old_fields[name]), _field_aspects(new_fields[name])
            for aspect in FIELD_ASPECTS:
                if a[aspect] != b[aspect]:
                    details.append(f"field {name} {aspect}: {a[aspect] or '-'} → {b[aspect] or '-'}")
    if old and new and [f.name for f in old.fields] != [f.name for f in new.fields] and not details:
        details.append("fields reordered")
    return details


def _forms(old: ServiceManifest | None, new: ServiceManifest | None) -> list[ElementChange]:
    old_steps = old.steps if old else {}
    new_steps = new.steps if new else {}
    changes = []
    for element_id in sorted(old_steps.keys() | new_steps.keys()):
        before, after = old_steps.get(element_id), new_steps.get(element_id)
        step = after or before
        assert step is not None
        kind = "startEvent" if step.is_start else "userTask"
        old_form, new_form = (before.form if before else None), (after.form if after else None)
        if old_form is None and new_form is None:
            continue
        details = _form_details(old_form, new_form)
        if before is None or old_form is None:
            changes.append(ElementChange("added", element_id, kind, step.name, details))
        elif after is None or new_form is None:
            changes.append(ElementChange("removed", element_id, kind, step.name, details))
        elif details:
            changes.append(ElementChange("changed", element_id, kind, step.name, details))
    return changes


def _properties(old_xml: str, new_xml: str) -> list[str]:
    def read(xml: str) -> dict[str, str]:
        try:
            return xmledit.read_process_properties(xml)
        except xmledit.XmlEditError:
            return {}

    old, new = read(old_xml), read(new_xml)
    return [
        f"{name}: {old.get(name, '')!r} → {new.get(name, '')!r}"
        for name in xmledit.PROCESS_PROPERTIES
        if old.get(name, "") != new.get(name, "")
    ]


def diff_versions(db: Session, actor: Actor, service_id: str, a: int, b: int) -> VersionDiff:
    """What changed going from version `a` to version `b`."""
    require_analyst(actor)
    service = catalog.find_service(db, service_id)
    if service is None:
        raise NotFoundError(service_id)
    first, second = studio.find_version(db, service.id, a), studio.find_version(db, service.id, b)
    if first is None or second is None:
        raise NotFoundError(f"{service_id} v{a if first is None else b}")
    old_process, new_process = _process(first.bpmn_xml), _process(second.bpmn_xml)
    return VersionDiff(
        service_id=service_id,
        a=a,
        b=b,
        elements=_compare_sets(_nodes(old_process), _nodes(new_process), _node_details),
        flows=_compare_sets(_flows(old_process), _flows(new_process), _flow_details),
        forms=_forms(manifest_or_none(first), manifest_or_none(second)),
        properties=_properties(first.bpmn_xml, second.bpmn_xml),
    )
