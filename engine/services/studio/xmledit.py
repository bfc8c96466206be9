"""Edits of a diagram's platform properties with lxml, so analysts need not write XML by hand."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from engine.bpmn.manifest import executable_processes
from engine.bpmn.xml import BPMN, CAMUNDA, NS, local_name, parse_xml, text_of
from engine.forms import Form, read_inline_form
from engine.services.studio.inline_forms import inline_form_element

# Catalog properties stored as camunda:property of the process; title and description have their own spots.
PROPERTY_NAMES = ("title_en", "description_en", "category", "organisation", "sla_days", "availability")
PROCESS_PROPERTIES = ("title", "description", *PROPERTY_NAMES)
STEP_KINDS = ("startEvent", "userTask")


class XmlEditError(ValueError):
    """The diagram cannot be edited this way (unreadable, or the element is missing)."""


def _process(tree: etree._ElementTree) -> etree._Element:
    processes = executable_processes(tree)
    if len(processes) != 1:
        raise XmlEditError("the diagram needs exactly one executable process")
    return processes[0]


def _parse(xml: str) -> etree._ElementTree:
    try:
        return parse_xml(xml.encode("utf-8"))
    except Exception as exc:  # XmlProblemError and friends: the caller reports one message
        raise XmlEditError(str(exc)) from exc


def _serialise(tree: etree._ElementTree) -> str:
    etree.cleanup_namespaces(tree, top_nsmap={"camunda": NS["camunda"]})
    return str(etree.tostring(tree, xml_declaration=True, encoding="UTF-8").decode("utf-8")) + "\n"


def _set_attribute(element: etree._Element, name: str, value: str) -> None:
    if value:
        element.set(name, value)
    elif name in element.attrib:
        del element.attrib[name]


def _child(parent: etree._Element, tag: str, *, first: bool = False) -> etree._Element:
    found = parent.find(tag)
    if found is None:
        found = etree.Element(tag)
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def read_process_properties(xml: str) -> dict[str, str]:
    process = _process(_parse(xml))
    props = {name: "" for name in PROCESS_PROPERTIES}
    props["title"] = process.get("name", "")
    props["description"] = text_of(process.find(BPMN + "documentation"))
    for prop in process.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS):
        name = prop.get("name") or prop.get("id") or ""
        if name in PROPERTY_NAMES:
            props[name] = prop.get("value", "")
    return props


def set_process_properties(xml: str, props: dict[str, str]) -> str:
    """Set the given catalog properties; an empty value removes the property."""
    unknown = sorted(set(props) - set(PROCESS_PROPERTIES))
    if unknown:
        raise XmlEditError(f"unknown properties: {', '.join(unknown)}")
    tree = _parse(xml)
    process = _process(tree)
    for name, raw in props.items():
        value = raw.strip() if name != "description" else raw.strip("\n")
        if name == "title":
            _set_attribute(process, "name", value)
        elif name == "description":
            _set_documentation(process, value)
        else:
            _set_property(process, name, value)
    return _serialise(tree)


def _set_documentation(process: etree._Element, value: str) -> None:
    existing = process.find(BPMN + "documentation")
    if not value:
        if existing is not None:
            process.remove(existing)
        return
    _child(process, BPMN + "documentation", first=True).text = value


def _set_property(process: etree._Element, name: str, value: str) -> None:
    matches = [
        p
        for p in process.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)
        if (p.get("name") or p.get("id")) == name
    ]
    for extra in matches[1:]:
        extra.getparent().remove(extra)
    if not value:
        if matches:
            matches[0].getparent().remove(matches[0])
        return
    if matches:
        matches[0].set("value", value)
        return
    extensions = process.find(BPMN + "extensionElements")
    if extensions is None:
        extensions = etree.Element(BPMN + "extensionElements")
        documentation = process.find(BPMN + "documentation")
        process.insert(0 if documentation is None else process.index(documentation) + 1, extensions)
    properties = _child(extensions, CAMUNDA + "properties")
    etree.SubElement(properties, CAMUNDA + "property", {"name": name, "value": value})


def find_step(process: etree._Element, element_id: str) -> etree._Element:
    """The start event or user task with this id; XmlEditError when there is none."""
    found = [e for e in process.iter(*(BPMN + k for k in STEP_KINDS)) if e.get("id") == element_id]
    if not found:
        raise XmlEditError(f"no start event or user task {element_id!r}")
    return found[0]


def update_step(
    xml: str, element_id: str, *, name: str, form_key: str | None, candidate_groups: str, assignee: str
) -> str:
    """Set a start event's or user task's name, form key and people; `form_key=None` leaves the form alone."""
    tree = _parse(xml)
    process = _process(tree)
    element = find_step(process, element_id)
    _set_attribute(element, "name", name.strip())
    if form_key is not None:
        _set_attribute(element, CAMUNDA + "formKey", form_key.strip())
    if local_name(element) == "userTask":
        _set_attribute(element, CAMUNDA + "candidateGroups", _normalise_list(candidate_groups))
        _set_attribute(element, CAMUNDA + "assignee", assignee.strip())
    return _serialise(tree)


def set_inline_form(xml: str, element_id: str, form: Form | None) -> str:
    """Write the form as the step's `camunda:formData` and drop its formKey; None (or no fields) removes the form."""
    tree = _parse(xml)
    element = find_step(_process(tree), element_id)
    form_data = inline_form_element(form) if form is not None and form.fields else None
    extensions = element.find(BPMN + "extensionElements")
    if extensions is not None:
        for old in extensions.findall(CAMUNDA + "formData"):
            extensions.remove(old)
    if form_data is not None:
        if extensions is None:
            extensions = etree.Element(BPMN + "extensionElements")
            documentation = element.find(BPMN + "documentation")
            element.insert(0 if documentation is None else element.index(documentation) + 1, extensions)
        extensions.append(form_data)
        read_inline_form(element, element_id=element_id)  # what the engine will read: errors name the field
    elif extensions is not None and len(extensions) == 0:
        element.remove(extensions)
    _set_attribute(element, CAMUNDA + "formKey", "")
    return _serialise(tree)


def read_step_inline_form(xml: str, element_id: str) -> Form | None:
    """The step's inline form; FormDefinitionError when the diagram's fields are unreadable."""
    return read_inline_form(find_step(_process(_parse(xml)), element_id), element_id=element_id)


def _normalise_list(value: str) -> str:
    return ",".join(v.strip() for v in value.split(",") if v.strip())


def minimal_diagram(process_id: str, title: str) -> str:
    """Start event to end event, with a diagram section so the modeler can draw it."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{NS["bpmn"]}" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:camunda="{NS["camunda"]}" id="Definitions_{process_id}" targetNamespace="https://posluhy.local/bpmn/{process_id}">
  <bpmn:process id="{process_id}" name={quoteattr(title)} isExecutable="true">
    <bpmn:startEvent id="start" name="{escape("Заяву подано")}">
      <bpmn:outgoing>flow_start_end</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:endEvent id="end" name="{escape("Завершено")}">
      <bpmn:incoming>flow_start_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_start_end" sourceRef="start" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_{process_id}">
    <bpmndi:BPMNPlane id="BPMNPlane_{process_id}" bpmnElement="{process_id}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="180" y="100" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="400" y="100" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_start_end_di" bpmnElement="flow_start_end">
        <di:waypoint x="216" y="118" />
        <di:waypoint x="400" y="118" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
