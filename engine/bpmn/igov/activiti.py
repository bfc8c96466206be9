"""Reading iGov's Activiti 5 diagrams: who does a user task (`activiti:candidateGroups` & co.) and its form key.

Group names in iGov files are iGov's own (``zhitomir_mvk_1``) or templates built from the case's data
(``cnap_${sID_Public_SubjectOrganJoin}``, ``${rdaList}_cnap``). Both are kept as Python expressions (translated
JUEL, see :mod:`engine.bpmn.igov.juel`) in :attr:`engine.bpmn.manifest.StepInfo.group_expressions`: the worklist
evaluates them on the task's data when the task is created and maps the resulting iGov names to the platform's
groups through :mod:`engine.bpmn.igov.groups`. A templated ``activiti:assignee`` (``${assignee}``) is evaluated
the same way and names a user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from lxml import etree

from engine.bpmn.igov.juel import JuelError, translate_template

ACTIVITI_NS: Final = "http://activiti.org/bpmn"
ACTIVITI: Final = f"{{{ACTIVITI_NS}}}"

__all__ = ["ACTIVITI", "ACTIVITI_NS", "Assignment", "is_activiti", "is_template", "read_assignment"]


def is_activiti(tree: etree._ElementTree | etree._Element) -> bool:
    """True for a diagram written for Activiti (iGov): any element or attribute in the Activiti namespace."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    if ACTIVITI_NS in {ns for ns in root.nsmap.values() if ns}:
        return True
    found = root.xpath("boolean(//@*[namespace-uri()=$ns] | //*[namespace-uri()=$ns])", ns=ACTIVITI_NS)
    return bool(found)


def is_template(text: str) -> bool:
    return "${" in text or "#{" in text


def _split(value: str | None) -> list[str]:
    """Comma-separated names; a comma inside ``${...}`` does not split."""
    parts: list[str] = []
    depth, current = 0, ""
    for char in value or "":
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


@dataclass
class Assignment:
    """Who may do one user task, read from its Activiti attributes; `problems` are (message, is_error)."""

    group_names: list[str] = field(default_factory=list)
    group_expressions: list[str] = field(default_factory=list)
    candidate_users: list[str] = field(default_factory=list)
    assignee: str | None = None
    assignee_expression: str | None = None
    problems: list[tuple[str, bool]] = field(default_factory=list)


def read_assignment(element: etree._Element) -> Assignment:
    """Groups (literal names and templates, all as expressions), users and assignee of an Activiti user task."""
    found = Assignment()
    for name in _split(element.get(ACTIVITI + "candidateGroups")):
        try:
            found.group_expressions.append(translate_template(name))
        except JuelError as exc:
            found.problems.append((f"candidate group {name!r} cannot be translated: {exc.message}", True))
            continue
        if not is_template(name):
            found.group_names.append(name)
    for name in _split(element.get(ACTIVITI + "candidateUsers")):
        if is_template(name):
            found.problems.append((f"candidate user template {name!r} is not supported and was ignored", False))
        else:
            found.candidate_users.append(name)
    assignee = (element.get(ACTIVITI + "assignee") or "").strip()
    if assignee and is_template(assignee):
        try:
            found.assignee_expression = translate_template(assignee)
        except JuelError as exc:
            found.problems.append((f"assignee {assignee!r} cannot be translated: {exc.message}", True))
    elif assignee:
        found.assignee = assignee
    return found
