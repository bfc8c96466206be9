"""Service tasks: the engine parks them (STARTED) and the platform's background jobs do the work.

SpiffWorkflow's plain `serviceTask` stays STARTED forever and cannot be serialized. Ours also stops in
STARTED, on purpose, after evaluating its input parameters; a job then runs the named handler and calls
`finish_service_task`. Diagram syntax (Camunda 7 style, read from the XML by our own parser):

    <bpmn:serviceTask id="send" camunda:type="posluhy" camunda:topic="send_email" camunda:resultVariable="mail">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="to">applicant_email</camunda:inputParameter>   <!-- Python expression -->
      </camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ScriptTask, ServiceTask
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from engine.runtime.igov.tasks import (
    IGOV_INPUTS_KEY,
    IgovScriptTask,
    IgovScriptTaskParser,
    activiti_service_config,
    evaluate_igov_inputs,
)

if TYPE_CHECKING:  # cases imports specs, which imports this module
    from engine.runtime.cases import Case, StepResult

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SERVICE_KEY = "posluhy_service"
INPUTS_KEY = "posluhy_service_inputs"


@dataclass(frozen=True)
class ServiceTaskConfig:
    """What a diagram says about one service task (kept in the spec's JSON-safe `extensions`)."""

    topic: str
    inputs: dict[str, str]
    result_variable: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "inputs": dict(self.inputs), "result_variable": self.result_variable}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServiceTaskConfig:
        return cls(topic=data["topic"], inputs=dict(data["inputs"]), result_variable=data.get("result_variable"))


@dataclass(frozen=True)
class ServiceCall:
    """A parked service task with its evaluated inputs: what a job needs to run the handler."""

    task_id: str
    element_id: str
    topic: str
    inputs: dict[str, Any]
    result_variable: str | None


def read_service_config(node: etree._Element) -> ServiceTaskConfig:
    """The topic, input expressions and result variable of a `bpmn:serviceTask` element (no validation)."""
    topic = (node.get(f"{{{CAMUNDA_NS}}}topic") or "").strip()
    inputs: dict[str, str] = {}
    for parameter in node.iterfind(f".//{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}inputParameter"):
        name = (parameter.get("name") or "").strip()
        if name:
            inputs[name] = (parameter.text or "").strip()
    result_variable = (node.get(f"{{{CAMUNDA_NS}}}resultVariable") or "").strip() or None
    return ServiceTaskConfig(topic=topic, inputs=inputs, result_variable=result_variable)


class PosluhyServiceTask(ServiceTask):  # type: ignore[misc]  # untyped base
    """Evaluates its inputs when reached, then waits in STARTED for the platform to run the handler."""

    def _run_hook(self, my_task: Any) -> bool | None:
        config = ServiceTaskConfig.from_dict(self.extensions[SERVICE_KEY])
        if self.extensions[SERVICE_KEY].get(IGOV_INPUTS_KEY):  # iGov (Activiti) fields: translated JUEL
            my_task.internal_data[INPUTS_KEY] = evaluate_igov_inputs(my_task, config.inputs)
            return None
        engine = my_task.workflow.script_engine
        inputs = {name: engine.evaluate(my_task, expr) if expr else None for name, expr in config.inputs.items()}
        my_task.internal_data[INPUTS_KEY] = inputs
        return None


class PosluhyServiceTaskParser(TaskParser):  # type: ignore[misc]  # untyped base
    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        element = node if node is not None else self.node
        extensions[SERVICE_KEY] = activiti_service_config(element) or read_service_config(element).to_dict()
        return extensions


class PosluhyParser(BpmnParser):  # type: ignore[misc]  # untyped base
    """The plain BPMN parser with our service task; a COPY of the override map, never `.update()`."""

    OVERRIDE_PARSER_CLASSES = {  # noqa: RUF012 - the library's class-level extension point
        **BpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (PosluhyServiceTaskParser, PosluhyServiceTask),
        full_tag("scriptTask"): (IgovScriptTaskParser, IgovScriptTask),  # + JavaScript, Groovy refused
    }


SERIALIZER_CONFIG: dict[Any, Any] = {
    **DEFAULT_CONFIG,
    PosluhyServiceTask: BpmnTaskSpecConverter,
    IgovScriptTask: DEFAULT_CONFIG[ScriptTask],
}


# -- what the platform does with parked service tasks ------------------------------------------------


def _call_of(task: Any) -> ServiceCall:
    config = ServiceTaskConfig.from_dict(task.task_spec.extensions[SERVICE_KEY])
    return ServiceCall(
        task_id=str(task.id),
        element_id=str(task.task_spec.bpmn_id),
        topic=config.topic,
        inputs=dict(task.internal_data.get(INPUTS_KEY) or {}),
        result_variable=config.result_variable,
    )


def _started(case: Case) -> list[Any]:
    return [
        task
        for task in case.workflow.get_tasks(state=TaskState.STARTED)
        if isinstance(task.task_spec, PosluhyServiceTask)
    ]


def started_service_tasks(case: Case) -> list[ServiceCall]:
    """Every service task waiting for its handler (a job is enqueued for each after a run)."""
    return [_call_of(task) for task in _started(case)]


def service_call(case: Case, task_id: str) -> ServiceCall | None:
    """The parked call with this task id, or None when it already finished (jobs may run twice)."""
    task = _find(case, task_id)
    if task is None or not isinstance(task.task_spec, PosluhyServiceTask) or task.state != TaskState.STARTED:
        return None
    return _call_of(task)


def finish_service_task(case: Case, task_id: str, variables: dict[str, Any]) -> StepResult:
    """Store the handler's variables on the task, complete it and run the engine on from there."""
    task = _find(case, task_id)
    if task is None or task.state != TaskState.STARTED:
        raise LookupError(f"service task {task_id} is not waiting")
    if variables:
        task.set_data(**variables)
    task.complete()
    return case.advance()


def _find(case: Case, task_id: str) -> Any | None:
    try:
        return case.workflow.get_task_from_id(uuid.UUID(task_id))
    except (TaskNotFoundException, ValueError):
        return None
