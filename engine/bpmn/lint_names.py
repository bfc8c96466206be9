"""Lint rule: an expression reading a name that no earlier form field or script sets on some path to it."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable

from lxml import etree

from engine.bpmn.graph import CONTAINERS, FlowGraph, parse_python
from engine.bpmn.igov.juel import RESERVED_NAMES
from engine.bpmn.manifest import ServiceManifest
from engine.bpmn.problems import Severity
from engine.bpmn.xml import BPMN, local_name, text_of

KNOWN_NAMES = frozenset(dir(builtins)) | frozenset(RESERVED_NAMES)
_SET_VARIABLE = re.compile(r"""setVariable\s*\(\s*['"]([^'"]+)['"]""")


def _script_names(source: str) -> tuple[set[str], set[str]]:
    """(names a script sets, names it reads before or without setting them)."""
    tree = parse_python(source, "exec")
    if tree is None:
        return set(), set()
    assigned: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            assigned.add(node.id)
        elif isinstance(node, ast.arg):
            assigned.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            assigned.add(node.name)
        elif isinstance(node, ast.alias):
            assigned.add((node.asname or node.name).split(".")[0])
    return assigned, _reads(tree) - assigned


def _element_script_names(element: etree._Element) -> tuple[set[str], set[str]]:
    """(set, read) names of a script task: Python analysed; JavaScript's `execution.setVariable("x", ...)` sets x."""
    source = text_of(element.find(BPMN + "script"))
    script_format = (element.get("scriptFormat") or "python").strip().lower()
    if script_format in ("python", "py", "python3", "text/x-python"):
        return _script_names(source)
    if script_format in ("javascript", "js", "ecmascript"):
        return set(_SET_VARIABLE.findall(source)), set()
    return set(), set()


def _reads(tree: ast.AST) -> set[str]:
    local: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.comprehension | ast.Lambda):
            targets = node.target if isinstance(node, ast.comprehension) else node.args
            local |= {n.id for n in ast.walk(targets) if isinstance(n, ast.Name)}
            local |= {a.arg for a in ast.walk(targets) if isinstance(a, ast.arg)}
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return (names - local - KNOWN_NAMES) | _variables_read(tree)


def _variables_read(tree: ast.AST) -> set[str]:
    """Process variables that translated iGov JUEL reads: `var("name")`."""
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "var"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def _gen(graph: FlowGraph, manifest: ServiceManifest, node_id: str) -> set[str]:
    step = manifest.step(node_id)
    names = {f.name for f in step.form.input_fields} if step is not None and step.form is not None else set()
    element = graph.nodes[node_id]
    if local_name(element) == "scriptTask":
        names |= _element_script_names(element)[0]
    if local_name(element) in CONTAINERS:
        for inner in graph.nodes:
            if graph.container(inner) == node_id:
                names |= _gen(graph, manifest, inner)
    return names


def _predecessors(graph: FlowGraph, node_id: str) -> list[str]:
    preds = [f.get("sourceRef", "") for f in graph.incoming[node_id]]
    element = graph.nodes[node_id]
    if local_name(element) == "boundaryEvent" and element.get("attachedToRef") in graph.nodes:
        preds.append("in:" + element.get("attachedToRef", ""))
    container = graph.container(node_id)
    if graph.kind(node_id) == "startEvent" and container is not None and container in graph.nodes:
        preds.append("in:" + container)
    return preds


def _names_set_before(graph: FlowGraph, manifest: ServiceManifest) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Names set on every path into (IN) and out of (OUT) each node; a must-analysis to a fixpoint."""
    gen = {n: _gen(graph, manifest, n) for n in graph.nodes}
    universe = set().union(*gen.values()) if gen else set()
    roots = set(graph.roots())
    into = {n: (set() if n in roots else set(universe)) for n in graph.nodes}
    out = {n: into[n] | gen[n] for n in graph.nodes}
    changed = True
    while changed:
        changed = False
        for node_id in graph.nodes:
            if node_id in roots:
                continue
            sources = [
                into[p[3:]] if p.startswith("in:") else out[p]
                for p in _predecessors(graph, node_id)
                if p.removeprefix("in:") in graph.nodes
            ]
            new_in = set.intersection(*sources) if sources else set(universe)
            if new_in != into[node_id]:
                into[node_id], out[node_id] = new_in, new_in | gen[node_id]
                changed = True
    return into, out


def check_names(graph: FlowGraph, manifest: ServiceManifest, add: Callable[..., None]) -> None:
    if any(step.form is None and (step.form_key or not step.is_start) for step in manifest.steps.values()):
        return  # a missing or unreadable form is an error already; what it would set is unknown
    into, out = _names_set_before(graph, manifest)
    for flow in graph.flows:
        source_id = flow.get("sourceRef", "")
        tree = parse_python(text_of(flow.find(BPMN + "conditionExpression")), "eval")
        if tree is None or source_id not in graph.nodes:
            continue
        for name in sorted(_reads(tree) - out[source_id]):
            add(flow.get("id", ""), _unset_message("condition", name), Severity.WARNING)
    for node_id, element in graph.nodes.items():
        if local_name(element) != "scriptTask":
            continue
        for name in sorted(_element_script_names(element)[1] - into[node_id]):
            add(node_id, _unset_message("script", name), Severity.WARNING)


def _unset_message(what: str, name: str) -> str:
    return f"{what} reads {name!r}, which no earlier form field or script sets on some path to it"
