"""Lint rules worth an analyst's time: problems the engine accepts but that strand or confuse cases.

Pure lxml and ast; nothing here runs a workflow. Graph rules follow sequence flows within each process
or sub-process; a sub-process's content is reached through its own start event.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

from lxml import etree

from engine.bpmn.graph import CONTAINERS, FlowGraph, parse_python
from engine.bpmn.lint_names import check_names
from engine.bpmn.manifest import ServiceManifest
from engine.bpmn.problems import Problem, Severity
from engine.bpmn.xml import BPMN, local_name, text_of

_Add = Callable[..., None]


def lint_rules(process: etree._Element, manifest: ServiceManifest, file: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(element_id: str, message: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Problem(file, element_id, message, severity))

    graph = FlowGraph(process)
    _check_gateways(graph, add)
    _check_steps(manifest, add)
    _check_end_events(graph, process, add)
    _check_reachability(graph, add)
    _check_dead_ends(graph, add)
    check_names(graph, manifest, add)
    return problems


# -- gateways --------------------------------------------------------------------------------------


def _check_gateways(graph: FlowGraph, add: _Add) -> None:
    for node_id, element in graph.nodes.items():
        kind = local_name(element)
        if kind not in ("exclusiveGateway", "inclusiveGateway"):
            continue
        outgoing = graph.outgoing[node_id]
        if len(outgoing) > 1 and not element.get("default"):
            add(node_id, "gateway has no default flow: a case stalls if no condition holds", Severity.WARNING)
        if kind == "exclusiveGateway":
            _check_overlaps(node_id, outgoing, add)


def _check_overlaps(gateway_id: str, flows: list[etree._Element], add: _Add) -> None:
    seen: dict[str, str] = {}
    tests: dict[tuple[str, object], str] = {}
    for flow in flows:
        source = text_of(flow.find(BPMN + "conditionExpression"))
        flow_id = flow.get("id", "")
        tree = parse_python(source, "eval")
        if tree is None:
            continue
        shape = ast.dump(tree)
        if shape in seen:
            add(gateway_id, f"flows {seen[shape]} and {flow_id} have the same condition {source!r}", Severity.WARNING)
            continue
        seen[shape] = flow_id
        for name, value in _equality_tests(tree):
            if (name, value) in tests:
                add(
                    gateway_id,
                    f"flows {tests[(name, value)]} and {flow_id} both hold when {name} == {value!r}: "
                    "only the first one is taken",
                    Severity.WARNING,
                )
            tests.setdefault((name, value), flow_id)


def _equality_tests(tree: ast.AST) -> Iterable[tuple[str, object]]:
    """`x == "v"` tests that make a condition true on their own (the whole test or an `or` branch)."""
    body = tree.body if isinstance(tree, ast.Expression) else tree
    branches = body.values if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.Or) else [body]
    for branch in branches:
        if isinstance(branch, ast.Compare) and len(branch.ops) == 1 and isinstance(branch.ops[0], ast.Eq):
            left, right = branch.left, branch.comparators[0]
            if isinstance(right, ast.Name):
                left, right = right, left
            if isinstance(left, ast.Name) and isinstance(right, ast.Constant):
                yield left.id, right.value


# -- human steps -----------------------------------------------------------------------------------


def _check_steps(manifest: ServiceManifest, add: _Add) -> None:
    for step in manifest.steps.values():
        if step.is_start:
            if step.form is None and step.form_key is None:
                add(step.element_id, "start event has no form: citizens will only confirm", Severity.WARNING)
            continue
        if step.igov:
            continue  # iGov: a task without fields is a confirmation; people come from the group mapping
        if step.form is None and step.form_key is None:
            add(step.element_id, "user task has no form (camunda:formKey or camunda:formData)")
        if not (step.for_applicant or step.groups or step.candidate_users or step.assignee):
            add(step.element_id, "user task has nobody to do it (candidateGroups, candidateUsers, assignee or a lane)")


# -- graph -----------------------------------------------------------------------------------------


def _check_end_events(graph: FlowGraph, process: etree._Element, add: _Add) -> None:
    if not any(graph.kind(n) == "endEvent" and graph.container(n) is None for n in graph.nodes):
        add(process.get("id", ""), "the process has no end event: cases can never finish with an outcome")


def _reachable(graph: FlowGraph) -> set[str]:
    seen: set[str] = set()
    todo = graph.roots()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(n for n in graph.successors(node) if n in graph.nodes and n not in seen)
    return seen


def _check_reachability(graph: FlowGraph, add: _Add) -> None:
    if not graph.roots():
        return
    reachable = _reachable(graph)
    for node_id in graph.nodes:
        if node_id not in reachable and not _is_event_subprocess(graph.nodes[node_id]):
            add(node_id, "element cannot be reached from a start event", Severity.WARNING)


def _is_event_subprocess(element: etree._Element) -> bool:
    return local_name(element) in CONTAINERS and element.get("triggeredByEvent") == "true"


def _check_dead_ends(graph: FlowGraph, add: _Add) -> None:
    for node_id, element in graph.nodes.items():
        kind = local_name(element)
        if kind == "endEvent" or _is_event_subprocess(element) or graph.outgoing[node_id]:
            continue
        if kind == "boundaryEvent" and any(local_name(c) == "compensateEventDefinition" for c in element):
            continue
        add(node_id, "element has no outgoing flow: a case stops here without an outcome")
