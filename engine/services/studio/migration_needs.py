"""Will a moved application find every answer its new diagram's conditions read?

From the steps where the application waits, walk the new diagram forward: a name that a condition on the
way reads, that the application's data lacks and that no form field or script on the way sets, would stop
the case with an error later. Order along a path is ignored, which keeps the check cheap and never wrong
about a name that is set nowhere ahead.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from typing import Any, Final

from lxml import etree

from engine.bpmn.manifest import ServiceManifest, executable_processes
from engine.bpmn.xml import BPMN, XmlProblemError, parse_xml, text_of

_KNOWN: Final = frozenset(dir(builtins))


def unmet_needs(xml: str, manifest: ServiceManifest, open_elements: Iterable[str], data: dict[str, Any]) -> list[str]:
    """Reasons, one per missing name, e.g. "field 'x' used by condition on flow f is no longer set by any form"."""
    try:
        processes = executable_processes(parse_xml(xml.encode()))
    except XmlProblemError:
        return []
    if not processes:
        return []
    process = processes[0]
    flows = list(process.iter(BPMN + "sequenceFlow"))
    reachable, reachable_flows = _walk(set(open_elements), flows)
    available = set(data) | _set_by_forms(manifest, reachable) | _set_by_scripts(process, reachable)
    reasons: list[str] = []
    for flow in reachable_flows:
        condition = text_of(flow.find(BPMN + "conditionExpression"))
        for name in sorted(_read_names(condition) - available - _KNOWN):
            reasons.append(f"field {name!r} used by condition on flow {flow.get('id')} is no longer set by any form")
    return reasons


def _walk(start: set[str], flows: list[etree._Element]) -> tuple[set[str], list[etree._Element]]:
    reachable = set(start)
    used: list[etree._Element] = []
    pending = list(start)
    while pending:
        element = pending.pop()
        for flow in flows:
            if flow.get("sourceRef") != element:
                continue
            if flow not in used:
                used.append(flow)
            target = flow.get("targetRef") or ""
            if target and target not in reachable:
                reachable.add(target)
                pending.append(target)
    return reachable, used


def _set_by_forms(manifest: ServiceManifest, elements: set[str]) -> set[str]:
    names: set[str] = set()
    for element in elements:
        step = manifest.step(element)
        if step is not None and step.form is not None:
            names.update(f.name for f in step.form.input_fields)
    return names


def _set_by_scripts(process: etree._Element, elements: set[str]) -> set[str]:
    names: set[str] = set()
    for task in process.iter(BPMN + "scriptTask"):
        if task.get("id") not in elements:
            continue
        try:
            tree = ast.parse(text_of(task.find(BPMN + "script")))
        except SyntaxError:
            continue
        names.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return names


def _read_names(source: str) -> set[str]:
    if not source:
        return set()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
