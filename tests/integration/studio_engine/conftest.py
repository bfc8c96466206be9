"""The studio's engine services as the demo analyst uses them, one unit of work per request."""

from __future__ import annotations

import pytest

from engine.services.context import Actor

from ..conftest import ActorOf as ActorOf

SERVICE = "studio_permit"
HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="https://example.org/t">\n'
)
REVIEW_FORM = """<bpmn:extensionElements><camunda:formData>
  <camunda:formField id="decision" label="Рішення" type="enum">
    <camunda:value id="approve" name="Погодити" /><camunda:value id="reject" name="Відмовити" />
    <camunda:validation><camunda:constraint name="required" /></camunda:validation>
  </camunda:formField>
</camunda:formData></bpmn:extensionElements>"""


def permit_xml(
    *,
    review: str = 'camunda:candidateGroups="lubny-cnap"',
    review_form: str = REVIEW_FORM,
    approved_name: str = "Погоджено",
    amount_type: str = "long",
    amount_required: bool = True,
    category: str = "Дозволи",
    extra_nodes: str = "",
    process_id: str = SERVICE,
) -> str:
    """Start form (name, amount) -> review by lubny-cnap -> approved | rejected (default)."""
    required = '<camunda:validation><camunda:constraint name="required" /></camunda:validation>'
    amount_rule = required if amount_required else ""
    return f"""{HEADER}<bpmn:process id="{process_id}" name="Дозвіл для студії" isExecutable="true">
<bpmn:extensionElements><camunda:properties>
  <camunda:property name="organisation" value="lubny-council" />
  <camunda:property name="category" value="{category}" />
</camunda:properties></bpmn:extensionElements>
<bpmn:startEvent id="start" name="Заяву подано"><bpmn:extensionElements><camunda:formData>
  <camunda:formField id="full_name" label="ПІБ" type="string">{required}</camunda:formField>
  <camunda:formField id="amount" label="Кількість" type="{amount_type}">{amount_rule}</camunda:formField>
</camunda:formData></bpmn:extensionElements><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="review" name="Розгляд" {review}>{review_form}<bpmn:incoming>f0</bpmn:incoming>
  <bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
<bpmn:exclusiveGateway id="gw" default="f_no"><bpmn:incoming>f1</bpmn:incoming>
  <bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:endEvent id="approved" name="{approved_name}"><bpmn:incoming>f_yes</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="rejected" name="Відмовлено"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
<bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="gw" />
<bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="approved">
  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "approve"</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="rejected" />
{extra_nodes}
</bpmn:process></bpmn:definitions>
"""


@pytest.fixture
def analyst(actor_of: ActorOf) -> Actor:
    return actor_of("analyst")
