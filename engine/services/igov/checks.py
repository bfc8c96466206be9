"""`posluhy check` rules for iGov (Activiti 5) diagrams: what runs, what is mapped, what is ignored (and says so).

Documented unsupported features are WARNINGS (a file whose only problems are warnings passes): listeners without a
platform meaning, Groovy scripts (an incident if a case reaches one), unknown delegate beans (an incident an
operator can retry or skip), Java classes, call-activity variable mappings. ERRORS are what would break cases:
a process variable named like the functions translated JUEL needs (``var``, ``juel``). Conditions and timers are
checked when the diagram is prepared for the engine (:mod:`engine.runtime.igov.activiti`); forms by the form reader.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from typing import Final

import quickjs  # type: ignore[import-untyped, unused-ignore]
from lxml import etree

from engine.bpmn.igov.activiti import ACTIVITI
from engine.bpmn.igov.groups import GroupMapping, GroupMappingError, load_group_mapping, mapping_file
from engine.bpmn.igov.juel import RESERVED_NAMES
from engine.bpmn.manifest import ServiceManifest, StepInfo
from engine.bpmn.problems import Problem, Severity
from engine.bpmn.xml import BPMN, local_name, text_of
from engine.runtime.igov.tasks import activiti_service_problems, bean_name, is_activiti_service_task, script_language
from engine.services.igov import beans as igov_beans

__all__ = ["LISTENER_MEANINGS", "check_foreign_script", "igov_problems", "javascript_syntax_problem", "known_bean"]

Add = Callable[..., None]

#: Listeners with a platform meaning: nothing is reported for them.
LISTENER_MEANINGS: Final = {
    "fileTaskUploadListener": "the citizen's uploads are already the application's attachments",
    "fileTaskInheritance": "attachments stay with the application for every later step",
}
#: Listeners that assign tasks in iGov's code: the platform uses the group mapping instead.
_ASSIGNING: Final = frozenset({"assignUser", "assignGroup", "assignGroupByPrefix", "FindGroup", "SetTasks"})
_SET_VARIABLE: Final = re.compile(r"""setVariable\s*\(\s*['"]([^'"]+)['"]""")


def known_bean(name: str) -> bool:
    """Whether the bean registry (engine.services.igov.beans) maps this bean; unknown if it is missing."""
    return igov_beans.known_bean(name)


def igov_problems(process: etree._Element, manifest: ServiceManifest, file: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(element_id: str, message: str, severity: Severity = Severity.WARNING) -> None:
        problems.append(Problem(file, element_id, message, severity))

    _check_reserved(process, manifest, add)
    _check_groups(manifest, add)
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        kind, element_id = local_name(element), element.get("id", "")
        if kind in ("taskListener", "executionListener"):
            _check_listener(element, add)
        elif kind == "serviceTask":
            _check_service_task(element, element_id, add)
        elif kind == "callActivity" and element.find(f".//{ACTIVITI}out") is not None:
            add(element_id, "activiti:out mappings are not applied: every variable of the called process comes back")
        elif kind == "startEvent" and element.get(ACTIVITI + "initiator"):
            add(element_id, f"activiti:initiator {element.get(ACTIVITI + 'initiator')!r} is not set (stays empty)")
    return problems


def _owner(element: etree._Element) -> str:
    parent = element.getparent()
    while parent is not None and not parent.get("id"):
        parent = parent.getparent()
    return parent.get("id", "") if parent is not None else ""


def _check_reserved(process: etree._Element, manifest: ServiceManifest, add: Add) -> None:
    """`var` and `juel` are the translated JUEL's functions: a process variable cannot be called so."""
    message = "a process variable cannot be called {name!r}: the name is reserved for translated expressions"
    for step in manifest.steps.values():
        for field in step.form.fields if step.form is not None else ():
            if field.name in RESERVED_NAMES:
                add(step.element_id, message.format(name=field.name), Severity.ERROR)
    for mapping in process.iter(ACTIVITI + "in", ACTIVITI + "out"):
        if mapping.get("target") in RESERVED_NAMES:
            add(_owner(mapping), message.format(name=mapping.get("target")), Severity.ERROR)
    for script in process.iter(BPMN + "scriptTask"):
        for name in _SET_VARIABLE.findall(text_of(script.find(BPMN + "script"))):
            if name in RESERVED_NAMES:
                add(script.get("id", ""), message.format(name=name), Severity.ERROR)


def _group_mapping(add: Add) -> GroupMapping:
    try:
        return load_group_mapping()
    except GroupMappingError as exc:
        add("", str(exc), Severity.ERROR)
        return GroupMapping(exact={}, prefixes=())


def _check_groups(manifest: ServiceManifest, add: Add) -> None:
    mapping: GroupMapping | None = None
    fallback = "the first group of the service's organisation"
    for step in manifest.steps.values():
        if not step.igov or step.is_start:
            continue
        if not (step.group_expressions or step.candidate_users or step.assignee or step.assignee_expression):
            add(step.element_id, f"user task names no candidate group: it goes to {fallback}")
            continue
        mapping = mapping or _group_mapping(add)
        for name in _unmapped(step, mapping):
            add(step.element_id, f"iGov group {name!r} is not in the group mapping ({mapping_file().name}): {fallback}")


def _unmapped(step: StepInfo, mapping: GroupMapping) -> list[str]:
    """Literal names the mapping does not know, and templates whose fixed beginning no prefix rule covers."""
    names: list[str] = []
    for expression in step.group_expressions:
        literal, complete = _leading_text(expression)
        if complete:
            if mapping.slug_for(literal) is None:
                names.append(literal)
        elif not mapping.covers_prefix(literal):
            names.append(f"{literal}${{…}}")
    return names


def _leading_text(expression: str) -> tuple[str, bool]:
    """The fixed text a translated template starts with, and whether that text is all of it."""
    try:
        node: ast.expr = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return "", False
    complete = True
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        node, complete = node.left, False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, complete
    return "", False


def _check_listener(element: etree._Element, add: Add) -> None:
    event = element.get("event") or ""
    source = element.get("delegateExpression") or element.get("expression") or element.get("class") or ""
    bean = bean_name(source) or source
    if bean in LISTENER_MEANINGS:
        return
    where = _owner(element)
    kind = local_name(element)
    if bean in _ASSIGNING:
        add(where, f"{kind} {source!r} ({event}) ignored: the task's groups come from the iGov group mapping")
    else:
        add(where, f"{kind} {source!r} ({event}) ignored: it has no meaning on this platform")


def _check_service_task(element: etree._Element, element_id: str, add: Add) -> None:
    if not is_activiti_service_task(element):
        java = next((a for a in ("class", "expression") if element.get(ACTIVITI + a)), None)
        if java is not None:
            add(element_id, f"activiti:{java} (Java code) is not supported: reaching it becomes an incident")
        return
    for message in activiti_service_problems(element):
        add(element_id, message)
    delegate = element.get(ACTIVITI + "delegateExpression")
    bean = bean_name(delegate) if delegate is not None else None
    if bean is not None and not known_bean(bean):
        add(element_id, f"unknown bean {bean!r}: reaching it becomes an incident an operator can retry or skip")


def check_foreign_script(element: etree._Element, element_id: str, add: Add) -> None:
    """JavaScript and Groovy script tasks (any diagram): warnings only, the case shows an incident when it fails."""
    language = script_language(element.get("scriptFormat"))
    if language == "groovy":
        add(
            element_id, "Groovy scripts are not supported: a case reaching this task gets an incident", Severity.WARNING
        )
    elif language == "javascript":
        problem = javascript_syntax_problem(text_of(element.find(BPMN + "script")))
        if problem is not None:
            message = f"JavaScript does not parse ({problem}): a case reaching this task gets an incident"
            add(element_id, message, Severity.WARNING)


def javascript_syntax_problem(source: str) -> str | None:
    """The JavaScript engine's complaint about the script's syntax (nothing runs), or None."""
    context = quickjs.Context()
    try:
        context.eval(f"new Function({json.dumps(source)}); 0")
    except quickjs.JSException as exc:
        return str(exc).splitlines()[0]
    return None
