"""Small diagrams written inline, compiled and run by the engine runtime without a database."""

from __future__ import annotations

from typing import Any

import pytest

from engine.bpmn.xml import parse_xml
from engine.runtime.sandbox import create_script_engine
from engine.runtime.specs import compile_spec

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="https://example.org/t">\n'
)


def diagram(body: str, *, process_id: str = "svc", name: str = "Тестова послуга", extra: str = "") -> bytes:
    """A definitions document with one executable process around `body` (flow elements)."""
    return (
        f'{HEADER}<bpmn:process id="{process_id}" name="{name}" isExecutable="true">\n{body}\n</bpmn:process>'
        f"{extra}</bpmn:definitions>\n"
    ).encode()


def spec_of(xml: bytes, process_id: str = "svc") -> str:
    return compile_spec(parse_xml(xml), filename="test.bpmn", process_id=process_id)


@pytest.fixture(scope="session")
def script_engine() -> Any:
    return create_script_engine(time_limit=1.0)
