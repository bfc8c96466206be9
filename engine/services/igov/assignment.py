"""Who gets a user task of an iGov diagram: its iGov group names, computed and mapped when the task is created.

`StepInfo.group_expressions` (translated `activiti:candidateGroups`, literal or templated like
`cnap_${sID_Public_SubjectOrganJoin}`) are evaluated on the task's data with the case's restricted script engine,
then mapped to our groups with the iGov group mapping (engine.bpmn.igov.groups). A name the mapping does not know
(or that maps to a group missing from the directory), an expression that fails, or a task naming no group at all
goes to the first group (not a supervisors' group) of the application's organisation.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn.igov.groups import GroupMapping, GroupMappingError, load_group_mapping, organisation_of
from engine.bpmn.igov.juel_runtime import to_string
from engine.bpmn.manifest import StepInfo
from engine.models import Application, Group, Organisation
from engine.runtime.cases import Case
from engine.store import directory

log = logging.getLogger(__name__)

__all__ = ["igov_people"]


def _evaluate(case: Case, task_id: str, expression: str) -> Any:
    environment = case.workflow.script_engine.environment
    return environment.evaluate(expression, case.data_at(task_id))


def _first_group(organisation: Organisation | None) -> Group | None:
    """The organisation's first group that is not a supervisors' group (in the order groups were created)."""
    if organisation is None:
        return None
    ordinary = [g for g in organisation.groups if not g.is_supervisor]
    return min(ordinary, key=lambda g: g.id) if ordinary else None


def _mapping() -> GroupMapping:
    try:
        return load_group_mapping()
    except GroupMappingError:
        log.exception("the iGov group mapping cannot be read: every iGov task goes to its organisation's group")
        return GroupMapping(exact={}, prefixes=())


def igov_people(
    db: Session, application: Application, case: Case, task_id: str, info: StepInfo
) -> tuple[list[str], str | None]:
    """(our group slugs, assignee username computed from `activiti:assignee="${...}"` or None)."""
    names: list[str] = []
    failed = False
    for expression in info.group_expressions:
        try:
            names.extend(n.strip() for n in to_string(_evaluate(case, task_id, expression)).split(",") if n.strip())
        except Exception:  # a failing template must not stop the case: the task goes to the default group
            log.warning("iGov group %r of %s could not be computed", expression, info.element_id, exc_info=True)
            failed = True
    assignee: str | None = None
    if info.assignee_expression:
        try:
            assignee = to_string(_evaluate(case, task_id, info.assignee_expression)).strip() or None
        except Exception:
            log.warning("assignee of %s could not be computed", info.element_id, exc_info=True)
    mapping = _mapping()
    slugs: list[str] = []
    unknown = failed
    for name in names:
        group = _group_for(db, mapping.slug_for(name))
        unknown = unknown or group is None
        if group is not None and group.slug not in slugs:
            slugs.append(group.slug)
    if assignee is not None and directory.find_user(db, assignee) is None:
        log.warning("assignee %r of %s is not a user here", assignee, info.element_id)
        assignee = None
    nobody = not (names or info.candidate_users or info.assignee or assignee)
    if unknown or nobody:
        default = _first_group(application.organisation)
        if default is not None and default.slug not in slugs:
            slugs.append(default.slug)
    return slugs, assignee


def _group_for(db: Session, slug: str | None) -> Group | None:
    if slug is None:
        return None
    organisation = organisation_of(slug)
    if organisation is not None:
        return _first_group(directory.find_organisation(db, organisation))
    return directory.find_group(db, slug)
