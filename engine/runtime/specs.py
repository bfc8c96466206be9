"""Compile a diagram into the engine's spec, serialized once per content and shared by every case."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn.problems import Severity
from engine.runtime.igov.activiti import is_activiti, prepare_activiti
from engine.runtime.service_tasks import SERIALIZER_CONFIG, PosluhyParser
from engine.runtime.timers import quote_timer_literals

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))
CalledProcesses = Callable[[str], tuple[etree._ElementTree, str] | None]
"""Finds the diagram defining a called process id (`calledElement`): (tree, file name), or None."""
MAX_CALL_DEPTH = 20


class SpecCompileError(Exception):
    """The engine refused the diagram; `element_id` names the element when the engine said which."""

    def __init__(self, message: str, *, element_id: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.element_id = element_id
        self.line = line


def _line_of(tree: etree._ElementTree, element_id: str) -> int | None:
    if not element_id:
        return None
    found = tree.xpath("//*[@id=$i]", i=element_id)
    return found[0].sourceline if found else None


def engine_tree(tree: etree._ElementTree, *, filename: str = "") -> etree._ElementTree:
    """The copy of a diagram the engine parses: iGov files rewritten (`engine.runtime.igov.activiti`), ISO timers
    quoted."""
    if is_activiti(tree):
        prepared, problems = prepare_activiti(tree, file=filename)
        first = next((p for p in problems if p.severity is Severity.ERROR), None)
        if first is not None:
            raise SpecCompileError(first.message, element_id=first.element_id, line=_line_of(tree, first.element_id))
        tree = prepared
    return quote_timer_literals(tree)


def _add_called(parser: Any, called: CalledProcesses | None) -> None:
    """Add the diagrams of called processes (call activities), and theirs, until nothing is missing."""
    if called is None:
        return
    tried: set[str] = set()
    for _ in range(MAX_CALL_DEPTH):
        missing = sorted(d for d in parser.get_process_dependencies() if d and d not in parser.process_parsers)
        missing = [d for d in missing if d not in tried]
        if not missing:
            return
        for process_id in missing:
            tried.add(process_id)
            found = called(process_id)
            if found is None:
                continue
            other, other_name = found
            ids = {p.get("id") for p in other.getroot().iter("{*}process")}
            if ids & set(parser.process_parsers):
                continue  # the same process defined twice (e.g. two copies of one file): keep the first
            try:
                prepared = engine_tree(other, filename=other_name)
            except SpecCompileError as exc:
                raise SpecCompileError(f"called process {process_id!r} ({other_name}): {exc}") from exc
            parser.add_bpmn_xml(prepared, filename=other_name)


def compile_spec(
    tree: etree._ElementTree, *, filename: str, process_id: str, called: CalledProcesses | None = None
) -> str:
    """Parse with the engine and return `{"spec", "subprocess_specs"}` as JSON text.

    `called` finds the diagrams of processes that call activities name (the folder of the file, deployed services).
    """
    parser = PosluhyParser()
    try:
        parser.add_bpmn_xml(engine_tree(tree, filename=filename), filename=filename)
        _add_called(parser, called)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        element_id = getattr(exc, "id", "") or ""
        raise SpecCompileError(_message(exc), element_id=element_id, line=_line_of(tree, element_id)) from exc
    except (SpiffWorkflowException, ValueError, KeyError, AttributeError) as exc:
        raise SpecCompileError(f"the engine could not read the diagram: {exc}") from exc
    document = {
        "spec": SERIALIZER.to_dict(spec),
        "subprocess_specs": {name: SERIALIZER.to_dict(sub) for name, sub in subprocess_specs.items()},
    }
    return json.dumps(document, ensure_ascii=False)


def _message(exc: ValidationException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def spec_digest(spec_json: str) -> str:
    return hashlib.sha256(spec_json.encode()).hexdigest()


def load_specs(spec_json: str) -> tuple[BpmnProcessSpec, dict[str, Any]]:
    """Fresh spec objects for each case: from_dict mutates its input and specs are mutated at run time."""
    document = json.loads(spec_json)
    spec = SERIALIZER.from_dict(document["spec"])
    subs = {name: SERIALIZER.from_dict(sub) for name, sub in document["subprocess_specs"].items()}
    return spec, subs
