"""iGov (Activiti 5) script and service tasks, as they are in iGov's diagrams.

Script tasks (every ``bpmn:scriptTask`` goes through :class:`IgovScriptTask`):

* ``scriptFormat="javascript"`` (any case, also ``js``/``ecmascript``) runs in the sandboxed QuickJS interpreter
  (:func:`engine.runtime.igov.javascript.run_javascript`) under the script engine's time limit, with the task data as
  variables; what the script sets with ``execution.setVariable`` is merged into the task data. A failing script
  raises ``WorkflowTaskException`` naming the element: the case goes into the visible error state (an incident),
  exactly like a failing Python script.
* ``scriptFormat="groovy"`` cannot run here: reaching one raises ``WorkflowTaskException`` ("Groovy scripts are not
  supported"), so the case stops with an incident an operator sees (``posluhy check`` warns beforehand).
* no format, ``python`` → the platform's restricted Python, unchanged.

Service tasks with Activiti attributes become the platform's parked service tasks (see
:mod:`engine.runtime.service_tasks`), with a topic and input expressions read from ``activiti:field``:

* ``activiti:type="mail"`` → topic :data:`MAIL_TOPIC` (``igov_mail``);
* ``activiti:delegateExpression="#{bean}"`` / ``${bean}`` (also iGov's malformed ``{bean}`` and ``class:#{bean}``)
  → topic :data:`BEAN_TOPIC` (``igov_bean``) with the input ``bean`` naming it; the registry
  ``engine.services.igov.beans`` maps the bean to a platform handler (unknown bean → incident).

Each field becomes an input: ``activiti:string`` is literal text; ``activiti:expression`` is JUEL text translated
with :func:`engine.bpmn.igov.juel.translate_template` (an expression iGov's parser could not have read is kept as
literal text and reported by :func:`activiti_service_problems`).
"""

from __future__ import annotations

import re
from typing import Any, Final

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.task_parsers import ScriptTaskParser
from SpiffWorkflow.bpmn.specs.defaults import ScriptTask
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.igov.juel import JuelError, translate_template
from engine.bpmn.igov.juel_runtime import juel_globals
from engine.runtime.igov.javascript import JavaScriptError, run_javascript

__all__ = [
    "ACTIVITI_NS",
    "BEAN_TOPIC",
    "MAIL_TOPIC",
    "IgovScriptTask",
    "IgovScriptTaskParser",
    "activiti_service_config",
    "activiti_service_problems",
    "bean_name",
    "evaluate_igov_inputs",
    "is_activiti_service_task",
    "script_language",
    "unsupported_script_failures",
]

ACTIVITI_NS: Final = "http://activiti.org/bpmn"
_A: Final = f"{{{ACTIVITI_NS}}}"
MAIL_TOPIC: Final = "igov_mail"
BEAN_TOPIC: Final = "igov_bean"
SCRIPT_FORMAT_KEY: Final = "script_format"
IGOV_INPUTS_KEY: Final = "igov_inputs"
"""Marks a service config whose inputs are JUEL translations: evaluated with ``var``/``juel`` bound to the data."""
DEFAULT_SCRIPT_TIME_LIMIT: Final = 1.0
_JAVASCRIPT: Final = frozenset({"javascript", "js", "ecmascript", "text/javascript", "application/javascript"})
_PYTHON: Final = frozenset({"", "python", "text/x-python"})
_BEAN_RE: Final = re.compile(r"^\s*(?:class:)?\s*[#$]?\{?\s*([A-Za-z_][\w.]*)\s*\}?\s*$")


def script_language(script_format: str | None) -> str:
    """``"python"``, ``"javascript"``, ``"groovy"`` or the format itself (lower case) for anything else."""
    value = (script_format or "").strip().lower()
    if value in _PYTHON:
        return "python"
    if value in _JAVASCRIPT:
        return "javascript"
    return value


class IgovScriptTaskParser(ScriptTaskParser):  # type: ignore[misc]  # untyped base
    """Keeps ``scriptFormat`` in the spec's extensions (JSON-safe, serialized with the spec)."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        element = node if node is not None else self.node
        extensions[SCRIPT_FORMAT_KEY] = script_language(element.get("scriptFormat"))
        return extensions

    def get_script(self) -> str:
        found = self.xpath(".//bpmn:script")
        if len(found) == 1 and not (found[0].text or "").strip():
            return ""  # an empty script does nothing (Activiti too); the base class would refuse it
        return str(super().get_script())


class IgovScriptTask(ScriptTask):  # type: ignore[misc]  # untyped base
    """A script task in Python (the platform's sandbox), JavaScript (QuickJS) or Groovy (refused when reached)."""

    def _execute(self, task: Any) -> Any:
        language = str(self.extensions.get(SCRIPT_FORMAT_KEY, "python"))
        if language == "python":
            return super()._execute(task) if (self.script or "").strip() else True
        if language == "javascript":
            return self._run_javascript(task)
        name = "Groovy" if language == "groovy" else repr(language)
        raise WorkflowTaskException(
            f"script task {self.bpmn_id}: {name} scripts are not supported (only JavaScript and Python run here)",
            task=task,
        )

    def _run_javascript(self, task: Any) -> bool:
        engine = task.workflow.script_engine
        time_limit = float(getattr(getattr(engine, "environment", None), "time_limit", DEFAULT_SCRIPT_TIME_LIMIT))
        top = task.workflow.top_workflow if hasattr(task.workflow, "top_workflow") else task.workflow
        process_key = str(getattr(task.workflow.spec, "name", "") or "")
        try:
            changed = run_javascript(
                self.script or "",
                dict(task.data),
                time_limit=time_limit,
                process_instance_id=str(top.task_tree.id),
                process_definition_id=f"{process_key}:1:1",
            )
        except JavaScriptError as exc:
            missing = missing_igov_service(str(exc))
            if missing is not None:
                task.internal_data[MISSING_SERVICE_KEY] = missing
            raise WorkflowTaskException(f"script task {self.bpmn_id} (JavaScript): {exc}", task=task) from exc
        task.data.update(changed)
        return True


# -- service tasks ------------------------------------------------------------------------------------


def bean_name(expression: str) -> str | None:
    """The bean of a ``delegateExpression`` (``#{MailTaskWithAttachments}`` → ``MailTaskWithAttachments``)."""
    match = _BEAN_RE.match(expression or "")
    return match.group(1) if match else None


def _field_source(field: etree._Element) -> tuple[str, bool]:
    """The field's text and whether it is an expression (``activiti:expression``) rather than a literal string."""
    if field.get("stringValue") is not None:
        return field.get("stringValue") or "", False
    if field.get("expression") is not None:
        return field.get("expression") or "", True
    for child in field:
        if not isinstance(child.tag, str):
            continue
        if child.tag == f"{_A}string":
            return child.text or "", False
        if child.tag == f"{_A}expression":
            return child.text or "", True
    return field.text or "", False


def _fields(element: etree._Element) -> list[tuple[str, str, bool]]:
    found: list[tuple[str, str, bool]] = []
    for field in element.iter(f"{_A}field"):
        name = (field.get("name") or "").strip()
        if name:
            text, is_expression = _field_source(field)
            found.append((name, text, is_expression))
    return found


def _translated(text: str, is_expression: bool) -> tuple[str, str | None]:
    """Python expression for a field, and the problem when it had to be kept as literal text."""
    if not is_expression or ("${" not in text and "#{" not in text):
        return repr(text), None
    try:
        return translate_template(text), None
    except JuelError as exc:
        return repr(text), str(exc)


def is_activiti_service_task(element: etree._Element) -> bool:
    return element.get(f"{_A}type") is not None or element.get(f"{_A}delegateExpression") is not None


def activiti_service_config(element: etree._Element) -> dict[str, Any] | None:
    """``{"topic", "inputs", "result_variable", "igov_inputs"}`` for an Activiti service task, else None.

    ``inputs`` are Python expressions (translated JUEL) evaluated by :func:`evaluate_igov_inputs`.
    """
    if not is_activiti_service_task(element):
        return None
    inputs: dict[str, str] = {}
    kind = (element.get(f"{_A}type") or "").strip()
    if kind:
        topic = MAIL_TOPIC if kind == "mail" else f"igov_type_{kind}"
    else:
        topic = BEAN_TOPIC
        bean = bean_name(element.get(f"{_A}delegateExpression") or "")
        inputs["bean"] = repr(bean or (element.get(f"{_A}delegateExpression") or "").strip())
    for name, text, is_expression in _fields(element):
        if name != "bean":
            inputs[name] = _translated(text, is_expression)[0]
    result_variable = (element.get(f"{_A}resultVariable") or "").strip() or None
    return {"topic": topic, "inputs": inputs, "result_variable": result_variable, IGOV_INPUTS_KEY: True}


def activiti_service_problems(element: etree._Element) -> list[str]:
    """Check-time warnings for an Activiti service task: fields whose JUEL could not be translated."""
    problems: list[str] = []
    kind = (element.get(f"{_A}type") or "").strip()
    if kind and kind != "mail":
        problems.append(f'activiti:type="{kind}" is not supported: reaching it becomes an incident')
    delegate = element.get(f"{_A}delegateExpression")
    if delegate is not None and bean_name(delegate) is None:
        problems.append(f"delegateExpression {delegate!r} names no bean")
    for name, text, is_expression in _fields(element):
        problem = _translated(text, is_expression)[1]
        if problem is not None:
            problems.append(f"field {name!r} is sent as literal text: {problem}")
    return problems


def evaluate_igov_inputs(task: Any, inputs: dict[str, str]) -> dict[str, Any]:
    """Evaluate translated JUEL inputs on the task's data (``var``/``juel`` bound to it; errors name the task)."""
    engine = task.workflow.script_engine
    external = juel_globals(task.data.get)
    return {
        name: engine.evaluate(task, expr, external_context=external) if expr else None for name, expr in inputs.items()
    }


MISSING_SERVICE_KEY: Final = "posluhy_missing_igov_service"
_MISSING_NAME = re.compile(r"ReferenceError: '(\w+Service)' is not defined")


def missing_igov_service(message: str) -> str | None:
    """The iGov server bean (``documentStepService``...) a JavaScript error says is missing, if that is the cause.

    iGov scripts called the portal's own Java services; they do not exist on this platform, which is a documented
    unsupported feature like Groovy: an incident in a real case, skipped (with a warning) by `simulate`.
    """
    match = _MISSING_NAME.search(message)
    return match.group(1) if match else None


def unsupported_script_failures(workflow: Any) -> list[str]:
    """Script tasks in ERROR because they need what cannot run here (Groovy, iGov's Java services), for `simulate`."""
    return [
        str(task.task_spec.bpmn_id)
        for task in workflow.get_tasks(state=TaskState.ERROR)
        if isinstance(task.task_spec, IgovScriptTask)
        and (
            task.task_spec.extensions.get(SCRIPT_FORMAT_KEY, "python") not in ("python", "javascript")
            or MISSING_SERVICE_KEY in task.internal_data
        )
    ]
