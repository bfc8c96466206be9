"""Hardened XML parsing for diagrams that may come from anyone (uploads, other registries)."""

from __future__ import annotations

from lxml import etree

MAX_BPMN_BYTES = 2 * 1024 * 1024

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "activiti": "http://activiti.org/bpmn",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
BPMN = f"{{{NS['bpmn']}}}"
CAMUNDA = f"{{{NS['camunda']}}}"


class XmlProblemError(Exception):
    """The bytes are not a diagram we can read; `line` is the XML line when known."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def parse_xml(data: bytes) -> etree._ElementTree:
    """Parse with entities, DTDs and network access off, and a size limit."""
    if len(data) > MAX_BPMN_BYTES:
        raise XmlProblemError(f"file is larger than {MAX_BPMN_BYTES // 1024} KiB")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise XmlProblemError(f"not well-formed XML: {exc.msg}", line=exc.lineno) from exc
    if root is None:
        raise XmlProblemError("empty document")
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise XmlProblemError("DOCTYPE declarations are not allowed")
    if root.tag != BPMN + "definitions":
        raise XmlProblemError(f"root element is {etree.QName(root).localname!r}, expected BPMN 'definitions'")
    return tree


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def text_of(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext()).strip()
