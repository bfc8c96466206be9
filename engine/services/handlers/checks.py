"""`posluhy check` rules for service tasks (handler names and parameters) and message events."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from lxml import etree

from engine.bpmn.problems import Severity
from engine.bpmn.xml import BPMN, CAMUNDA, local_name
from engine.runtime.sandbox import compile_check
from engine.services.handlers import ServiceHandler
from engine.services.handlers.registry import get_handler, handler_names

Add = Callable[..., None]
"""`add(element_id, message, severity=Severity.ERROR)`, as in engine.services.authoring.checking."""

SERVICE_TYPES = ("posluhy", "external")
CATCHING = ("intermediateCatchEvent", "boundaryEvent")


def check_service_task(element: etree._Element, element_id: str, add: Add) -> None:
    for java in ("class", "expression", "delegateExpression"):
        if element.get(CAMUNDA + java):
            add(element_id, f"camunda:{java} (a Java delegate) is not supported: name a handler with camunda:topic")
            return
    kind = element.get(CAMUNDA + "type")
    if kind is not None and kind not in SERVICE_TYPES:
        add(element_id, f'camunda:type {kind!r} is not supported: use camunda:type="posluhy" with camunda:topic')
        return
    topic = (element.get(CAMUNDA + "topic") or "").strip()
    known = ", ".join(handler_names())
    if not topic:
        add(element_id, f"service task names no handler: add camunda:topic (one of: {known})")
        return
    handler = get_handler(topic)
    if handler is None:
        add(element_id, f"unknown service task handler {topic!r} (known handlers: {known})")
        return
    result_variable = element.get(CAMUNDA + "resultVariable")
    if result_variable is not None and not (result_variable.isidentifier() and result_variable.isascii()):
        add(element_id, f"camunda:resultVariable {result_variable!r} is not a valid variable name")
    if element.find(f".//{CAMUNDA}outputParameter") is not None:
        add(element_id, "camunda:outputParameter is not supported: use camunda:resultVariable")
    names = _check_inputs(element, element_id, handler, add)
    for name in handler.missing_params(names):
        add(element_id, f"handler {topic!r} needs the input parameter {name!r}")
    for name in handler.unknown_params(names):
        add(element_id, f"handler {topic!r} does not use the input parameter {name!r}", Severity.WARNING)


def _check_inputs(element: etree._Element, element_id: str, handler: ServiceHandler, add: Add) -> list[str]:
    names: list[str] = []
    for parameter in element.iterfind(f".//{CAMUNDA}inputOutput/{CAMUNDA}inputParameter"):
        name = (parameter.get("name") or "").strip()
        if not name:
            add(element_id, "camunda:inputParameter has no name")
            continue
        names.append(name)
        if len(parameter):
            add(
                element_id,
                f"input {name!r}: write the value as a Python expression, not camunda:{local_name(parameter[0])}",
            )
            continue
        source = (parameter.text or "").strip()
        if not source:
            continue
        if "${" in source or "#{" in source:
            add(element_id, f'input {name!r} is JUEL; write a Python expression, e.g. applicant_email or "text"')
        elif (message := compile_check(source, mode="eval")) is not None:
            add(element_id, f"input {name!r}: {source!r} does not compile: {message}")
        elif (problem := _literal_problem(handler, name, source)) is not None:
            add(element_id, f"input {name!r}: {problem}")
    return names


_NOT_LITERAL = object()


def _literal_problem(handler: ServiceHandler, name: str, source: str) -> str | None:
    """Values written as literals (a quoted template name, a URL) can be checked before anything runs."""
    if handler.check_literal is None:
        return None
    literal = _literal(source)
    return None if literal is _NOT_LITERAL else handler.check_literal(name, literal)


def _literal(source: str) -> Any:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOT_LITERAL


def check_message_event(element: etree._Element, element_id: str, add: Add) -> None:
    """`element` is a messageEventDefinition or a receiveTask."""
    if local_name(element) == "messageEventDefinition":
        parent = element.getparent()
        owner = local_name(parent) if parent is not None else ""
        element_id = (parent.get("id") if parent is not None else None) or element_id
        if owner == "startEvent":
            add(element_id, "message start events are not supported: applications start with the citizen's form")
            return
        if owner not in CATCHING:
            add(element_id, "sending messages is not supported: call the other system with an http_call service task")
            return
    ref = (element.get("messageRef") or "").strip()
    if not ref:
        add(element_id, "the message event names no message (messageRef)")
        return
    message = _message(element, ref)
    if message is None:
        add(element_id, f"messageRef {ref!r} names no bpmn:message of this file")
        return
    name = (message.get("name") or "").strip()
    if not (name.isidentifier() and name.isascii() and not name.startswith("_")):
        add(
            element_id,
            f"message name {name!r} must be a variable name (letters, digits, underscores): "
            "the payload is stored in the process data under it",
        )


def _message(element: etree._Element, ref: str) -> etree._Element | None:
    root = element.getroottree().getroot()
    for message in root.iter(BPMN + "message"):
        if message.get("id") == ref:
            return message
    return None
