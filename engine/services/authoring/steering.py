"""Steer generated answers towards an exclusive gateway's default flow, so `simulate --auto` ends.

When a human step is followed directly by an exclusive gateway that has a default flow, the choice and
yes/no fields its conditions test get values that make every condition false: the engine then takes the
default flow. A simple reading of the conditions (`x == "v"`, `x != "v"`, `x in (...)`, `x`, `not x`) is enough.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.bpmn.manifest import ServiceManifest, executable_processes
from engine.bpmn.xml import BPMN, local_name, text_of
from engine.forms import FieldType


@dataclass
class _Tests:
    """What the conditions test about one name."""

    equal_to: set[str] = field(default_factory=set)
    unequal_to: set[str] = field(default_factory=set)
    truthy: bool = False
    falsy: bool = False


def steering_preferences(tree: etree._ElementTree, manifest: ServiceManifest) -> dict[str, dict[str, Any]]:
    """Per step element id: field name → the value that avoids every condition of the following gateway."""
    processes = executable_processes(tree)
    if not processes:
        return {}
    process = processes[0]
    elements = {e.get("id"): e for e in process.iter() if isinstance(e.tag, str) and e.get("id")}
    flows = list(process.iter(BPMN + "sequenceFlow"))
    preferences: dict[str, dict[str, Any]] = {}
    for step in manifest.steps.values():
        if step.form is None:
            continue
        tests: dict[str, _Tests] = {}
        for conditions in _following_gateway_conditions(step.element_id, elements, flows):
            for condition in conditions:
                _collect(condition, tests)
        chosen = {
            f.name: value
            for f in step.form.input_fields
            if f.name in tests and (value := _avoiding(f.type, f.option_values, tests[f.name])) is not None
        }
        if chosen:
            preferences[step.element_id] = chosen
    return preferences


def _following_gateway_conditions(
    element_id: str, elements: dict[Any, etree._Element], flows: list[etree._Element]
) -> list[list[str]]:
    found: list[list[str]] = []
    for flow in flows:
        if flow.get("sourceRef") != element_id:
            continue
        gateway = elements.get(flow.get("targetRef"))
        if gateway is None or local_name(gateway) != "exclusiveGateway" or not gateway.get("default"):
            continue
        found.append(
            [
                text_of(out.find(BPMN + "conditionExpression"))
                for out in flows
                if out.get("sourceRef") == gateway.get("id") and out.get("id") != gateway.get("default")
            ]
        )
    return found


def _collect(source: str, tests: dict[str, _Tests]) -> None:
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return
    _visit(tree.body, tests)


def _visit(node: ast.expr, tests: dict[str, _Tests]) -> None:
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _visit(value, tests)
    elif isinstance(node, ast.Name):
        tests.setdefault(node.id, _Tests()).truthy = True
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name):
        tests.setdefault(node.operand.id, _Tests()).falsy = True
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        _compare(node.left, node.ops[0], node.comparators[0], tests)


def _compare(left: ast.expr, op: ast.cmpop, right: ast.expr, tests: dict[str, _Tests]) -> None:
    if not isinstance(left, ast.Name) and isinstance(right, ast.Name) and isinstance(op, ast.Eq | ast.NotEq):
        left, right = right, left
    if not isinstance(left, ast.Name):
        return
    entry = tests.setdefault(left.id, _Tests())
    constants = _constants(right)
    if isinstance(op, ast.Eq | ast.Is) and constants is not None:
        if True in constants:
            entry.truthy = True
        elif False in constants:
            entry.falsy = True
        entry.equal_to.update(str(c) for c in constants)
    elif isinstance(op, ast.NotEq | ast.IsNot) and constants is not None:
        entry.unequal_to.update(str(c) for c in constants)
    elif isinstance(op, ast.In) and constants is not None:
        entry.equal_to.update(str(c) for c in constants)


def _constants(node: ast.expr) -> list[Any] | None:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set) and all(isinstance(e, ast.Constant) for e in node.elts):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return None


def _avoiding(kind: FieldType, options: tuple[str, ...], tests: _Tests) -> Any:
    if kind is FieldType.BOOLEAN:
        if tests.truthy and not tests.falsy:
            return False
        if tests.falsy and not tests.truthy:
            return True
        return None
    if kind is not FieldType.CHOICE:
        return None
    wanted = [o for o in options if o in tests.unequal_to]
    if wanted:
        return wanted[0]
    free = [o for o in options if o not in tests.equal_to]
    return free[0] if free else None
