"""The flow graph of a process for lint rules: flow nodes (sub-process content included) and sequence flows."""

from __future__ import annotations

import ast

from lxml import etree

from engine.bpmn.xml import BPMN, local_name

FLOW_NODES = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "transaction",
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
CONTAINERS = frozenset({"subProcess", "transaction"})


class FlowGraph:
    """Flow nodes of a process (including sub-process content) and the sequence flows between them."""

    def __init__(self, process: etree._Element) -> None:
        self.nodes: dict[str, etree._Element] = {}
        for element in process.iter():
            tag, element_id = element.tag, element.get("id")
            if isinstance(tag, str) and tag.startswith(BPMN) and local_name(element) in FLOW_NODES and element_id:
                self.nodes[element_id] = element
        self.flows = [f for f in process.iter(BPMN + "sequenceFlow") if f.get("id")]
        self.outgoing: dict[str, list[etree._Element]] = {n: [] for n in self.nodes}
        self.incoming: dict[str, list[etree._Element]] = {n: [] for n in self.nodes}
        for flow in self.flows:
            source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
            if source in self.nodes and target in self.nodes:
                self.outgoing[source].append(flow)
                self.incoming[target].append(flow)
        self.process = process

    def kind(self, node_id: str) -> str:
        return local_name(self.nodes[node_id])

    def container(self, node_id: str) -> str | None:
        """The sub-process holding a node, or None at the process level."""
        parent = self.nodes[node_id].getparent()
        return parent.get("id") if parent is not None and parent is not self.process else None

    def is_event_subprocess_start(self, node_id: str) -> bool:
        parent = self.nodes[node_id].getparent()
        return parent is not None and parent.get("triggeredByEvent") == "true"

    def successors(self, node_id: str) -> list[str]:
        """Where a case goes from a node: flows, boundary events, and into a sub-process's start events."""
        found = [f.get("targetRef", "") for f in self.outgoing[node_id]]
        found += [
            b for b, e in self.nodes.items() if local_name(e) == "boundaryEvent" and e.get("attachedToRef") == node_id
        ]
        if self.kind(node_id) in CONTAINERS:
            found += [n for n in self.nodes if self.container(n) == node_id and self.kind(n) == "startEvent"]
        return found

    def roots(self) -> list[str]:
        return [
            n
            for n in self.nodes
            if self.kind(n) == "startEvent" and (self.container(n) is None or self.is_event_subprocess_start(n))
        ]


def parse_python(source: str, mode: str) -> ast.AST | None:
    if not source or "${" in source or "#{" in source:
        return None
    try:
        return ast.parse(source, mode=mode)
    except (SyntaxError, ValueError):
        return None
