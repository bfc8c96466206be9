"""Compile a diagram into the engine's spec, serialized once per content and shared by every case."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.runtime.service_tasks import SERIALIZER_CONFIG, PosluhyParser
from engine.runtime.timers import quote_timer_literals

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))


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


def compile_spec(tree: etree._ElementTree, *, filename: str, process_id: str) -> str:
    """Parse with the engine and return `{"spec", "subprocess_specs"}` as JSON text."""
    parser = PosluhyParser()
    try:
        parser.add_bpmn_xml(quote_timer_literals(tree), filename=filename)
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
