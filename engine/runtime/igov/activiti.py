"""Rewrite an iGov (Activiti 5) diagram so the engine runs it with Activiti's meaning, before SpiffWorkflow parses it.

The file itself is never changed: `prepare_activiti` works on a copy, keeps every element id, and returns the
problems it found (by element) instead of raising. What it rewrites:

* sequence-flow conditions: JUEL (``${decide == 'accept'}``) becomes the platform's Python expression
  (:func:`engine.bpmn.igov.juel.translate_condition`; it calls ``var``/``juel``, provided by the script engine);
  an untranslatable condition is an ERROR on the flow;
* timer values with ``${...}`` (``${sEndDay}``) become Python expressions
  (:func:`engine.bpmn.igov.juel.translate_value`);
* several outgoing flows, or conditional ones, straight out of an activity or event (no gateway): Activiti takes
  every flow whose condition holds (an unconditional flow always holds) and ends the path when none does, so a
  parallel gateway (no conditions) or an inclusive gateway (some conditions; unconditional flows get ``True`` and
  a default flow to an end event) is inserted after the element — SpiffWorkflow ignores conditions there and
  refuses several flows;
* an activity or event without an outgoing flow ends its path in Activiti (BPMN's implicit end): an end event is
  added after it, so the case finishes with an outcome.

Added elements have ids ``<element id>__split``, ``<element id>__end`` and ``<element id>__flow_N``.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable

from lxml import etree

from engine.bpmn.graph import FLOW_NODES
from engine.bpmn.igov.activiti import is_activiti
from engine.bpmn.igov.juel import JuelError, translate_condition, translate_value
from engine.bpmn.problems import Problem
from engine.bpmn.xml import BPMN, local_name, text_of
from engine.runtime.timers import TIMER_VALUE_TAGS

__all__ = ["is_activiti", "prepare_activiti"]

_NOT_ENDING = frozenset({"endEvent", "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway"})
# Activities and events that can have outgoing flows (Activiti gives them an implicit split or end).
_ACTIVITIES_AND_EVENTS = FLOW_NODES - {
    "endEvent",
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "complexGateway",
}
_CONTAINERS = ("process", "subProcess", "transaction")


def prepare_activiti(tree: etree._ElementTree, *, file: str = "") -> tuple[etree._ElementTree, list[Problem]]:
    """A copy of the diagram the engine can run with Activiti's meaning, and the problems (by element id)."""
    copied = copy.deepcopy(tree)
    problems: list[Problem] = []
    root = copied.getroot()
    _translate_conditions(root, file, problems)
    _translate_timers(root, file, problems)
    for container in list(root.iter(*(BPMN + tag for tag in _CONTAINERS))):
        _Flows(container).rewrite()
    return copied, problems


def _owner_id(element: etree._Element) -> str:
    parent = element.getparent()
    while parent is not None and not parent.get("id"):
        parent = parent.getparent()
    return parent.get("id", "") if parent is not None else ""


def _set_text(element: etree._Element, text: str) -> None:
    for child in list(element):
        element.remove(child)
    element.text = text


def _translate_conditions(root: etree._Element, file: str, problems: list[Problem]) -> None:
    for condition in root.iter(BPMN + "conditionExpression"):
        source = text_of(condition)
        owner = _owner_id(condition)
        if not source:
            problems.append(Problem(file, owner, "empty condition expression"))
            continue
        try:
            _set_text(condition, translate_condition(source))
        except JuelError as exc:
            problems.append(Problem(file, owner, f"condition {source!r} cannot be translated: {exc.message}"))


def _translate_timers(root: etree._Element, file: str, problems: list[Problem]) -> None:
    for tag in TIMER_VALUE_TAGS:
        for value in root.iter(BPMN + tag):
            source = text_of(value)
            if "${" not in source and "#{" not in source:
                continue
            try:
                _set_text(value, f'juel("timer", {translate_value(source)})')
            except JuelError as exc:
                owner = _owner_id(value)
                problems.append(Problem(file, owner, f"timer {tag} {source!r} cannot be translated: {exc.message}"))


class _Flows:
    """The sequence flows directly inside one process or sub-process, and the rewrites on them."""

    def __init__(self, container: etree._Element) -> None:
        self.container = container
        self.ids = {e.get("id") for e in container.getroottree().getroot().iter() if e.get("id")}
        self.outgoing: dict[str, list[etree._Element]] = defaultdict(list)
        for flow in self._children("sequenceFlow"):
            self.outgoing[flow.get("sourceRef", "")].append(flow)

    def _children(self, *kinds: str) -> Iterable[etree._Element]:
        return [c for c in self.container if isinstance(c.tag, str) and c.tag in {BPMN + k for k in kinds}]

    def _new_id(self, base: str) -> str:
        candidate, number = base, 1
        while candidate in self.ids:
            number += 1
            candidate = f"{base}{number}"
        self.ids.add(candidate)
        return candidate

    def rewrite(self) -> None:
        for node in self._children(*_ACTIVITIES_AND_EVENTS):
            node_id = node.get("id", "")
            if not node_id or local_name(node) in _NOT_ENDING:
                continue
            flows = self.outgoing.get(node_id, [])
            if not flows and not _is_exempt(node):
                self._add_end(node, node_id)
            elif len(flows) > 1 or any(f.find(BPMN + "conditionExpression") is not None for f in flows):
                self._add_split(node, node_id, flows)

    def _flow(self, source: str, target: str, base: str) -> etree._Element:
        flow = etree.SubElement(self.container, BPMN + "sequenceFlow")
        flow.set("id", self._new_id(base))
        flow.set("sourceRef", source)
        flow.set("targetRef", target)
        return flow

    def _end_event(self, base: str, name: str) -> str:
        end = etree.SubElement(self.container, BPMN + "endEvent")
        end_id = self._new_id(base)
        end.set("id", end_id)
        end.set("name", name)
        return end_id

    def _add_end(self, node: etree._Element, node_id: str) -> None:
        end_id = self._end_event(f"{node_id}__end", (node.get("name") or node_id).strip())
        flow = self._flow(node_id, end_id, f"{node_id}__flow_1")
        _add_ref(node, "outgoing", flow.get("id", ""))

    def _add_split(self, node: etree._Element, node_id: str, flows: list[etree._Element]) -> None:
        conditional = any(f.find(BPMN + "conditionExpression") is not None for f in flows)
        gateway = etree.SubElement(self.container, BPMN + ("inclusiveGateway" if conditional else "parallelGateway"))
        gateway_id = self._new_id(f"{node_id}__split")
        gateway.set("id", gateway_id)
        for flow in flows:
            flow.set("sourceRef", gateway_id)
            _move_ref(node, gateway, flow.get("id", ""))
            if conditional and flow.find(BPMN + "conditionExpression") is None:
                etree.SubElement(flow, BPMN + "conditionExpression").text = "True"
        entry = self._flow(node_id, gateway_id, f"{node_id}__flow_1")
        _add_ref(node, "outgoing", entry.get("id", ""))
        if conditional:  # no condition holds: Activiti ends this path
            end_id = self._end_event(f"{node_id}__end", (node.get("name") or node_id).strip())
            default = self._flow(gateway_id, end_id, f"{node_id}__flow_2")
            gateway.set("default", default.get("id", ""))


def _is_exempt(node: etree._Element) -> bool:
    """Compensation handlers and event sub-processes have no outgoing flow by design."""
    if node.get("isForCompensation") == "true" or node.get("triggeredByEvent") == "true":
        return True
    return any(isinstance(c.tag, str) and local_name(c) == "compensateEventDefinition" for c in node)


def _add_ref(node: etree._Element, kind: str, flow_id: str) -> None:
    """Keep `bpmn:incoming`/`bpmn:outgoing` children consistent when the element lists them."""
    if node.find(BPMN + kind) is not None:
        etree.SubElement(node, BPMN + kind).text = flow_id


def _move_ref(node: etree._Element, gateway: etree._Element, flow_id: str) -> None:
    for ref in node.iterfind(BPMN + "outgoing"):
        if text_of(ref) == flow_id:
            node.remove(ref)
            etree.SubElement(gateway, BPMN + "outgoing").text = flow_id
