"""iGov script and service tasks at run time: JavaScript, Groovy, mail fields with JUEL, beans, tags, timers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from engine.runtime.cases import Case
from engine.runtime.igov.tasks import BEAN_TOPIC, MAIL_TOPIC, bean_name, script_language
from engine.runtime.sandbox import create_script_engine
from engine.runtime.service_tasks import finish_service_task, started_service_tasks
from engine.runtime.specs import SERIALIZER, compile_spec
from engine.runtime.timers import fire_all_timers
from engine.services.handlers.registry import get_handler
from engine.services.igov.beans import BEANS, counter_value, counter_variable, known_bean, queue_ticket
from engine.services.igov.mail import html_to_text, recipients, render_igov_text

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
    targetNamespace="http://www.activiti.org/test">
  <process id="igov_t" name="Тест" isExecutable="true">
    <startEvent id="start" activiti:initiator="initiator">
      <extensionElements>
        <activiti:formProperty id="email" name="Пошта" type="string"></activiti:formProperty>
        <activiti:formProperty id="nDays" name="Днів" type="long"></activiti:formProperty>
      </extensionElements>
    </startEvent>
    <sequenceFlow id="f1" sourceRef="start" targetRef="script"></sequenceFlow>
    <scriptTask id="script" name="Дата" scriptFormat="JavaScript" activiti:autoStoreVariables="false">
      <script>var n = execution.getVariable('nDays');
execution.setVariable('sTwice', n * 2);
execution.setVariable('sKey', execution.getProcessDefinitionId().split(':')[0]);</script>
    </scriptTask>
    <sequenceFlow id="f2" sourceRef="script" targetRef="mail"></sequenceFlow>
    <serviceTask id="mail" name="Лист" activiti:type="mail">
      <extensionElements>
        <activiti:field name="to"><activiti:expression>${email}</activiti:expression></activiti:field>
        <activiti:field name="subject"><activiti:string>Звернення [sID_Order]</activiti:string></activiti:field>
        <activiti:field name="text">
          <activiti:expression>Днів: ${nDays + 1}, двічі: ${sTwice}</activiti:expression>
        </activiti:field>
      </extensionElements>
    </serviceTask>
    <sequenceFlow id="f3" sourceRef="mail" targetRef="bean"></sequenceFlow>
    <serviceTask id="bean" name="Номер" activiti:delegateExpression="#{ProcessCountTaskCustomListener}">
      <extensionElements>
        <activiti:field name="sPattern">
          <activiti:string><![CDATA[[sID_Custom_GovPublic]]]></activiti:string>
        </activiti:field>
        <activiti:field name="nDigits"><activiti:string>5</activiti:string></activiti:field>
      </extensionElements>
    </serviceTask>
    <sequenceFlow id="f4" sourceRef="bean" targetRef="{after_bean}"></sequenceFlow>
    {extra}
    <endEvent id="end"></endEvent>
  </process>
</definitions>
"""

GROOVY = """<scriptTask id="groovy" name="Groovy" scriptFormat="groovy">
      <script>execution.setVariable('x', new Date().format('dd.MM.yyyy'))</script></scriptTask>
    <sequenceFlow id="f5" sourceRef="groovy" targetRef="end"></sequenceFlow>"""


def _case(after_bean: str = "end", extra: str = "") -> Case:
    text = DIAGRAM.replace("{after_bean}", after_bean).replace("{extra}", extra)
    tree = etree.ElementTree(etree.fromstring(text.encode()))
    return Case.new(compile_spec(tree, filename="t.bpmn", process_id="igov_t"), create_script_engine())


def _start(case: Case, **data: Any) -> None:
    (start,) = case.open_steps()
    assert not case.complete(start.task_id, data).failed


def _restored(case: Case) -> Case:
    spec = json.dumps(
        {
            "spec": SERIALIZER.to_dict(case.workflow.spec),
            "subprocess_specs": {k: SERIALIZER.to_dict(v) for k, v in case.workflow.subprocess_specs.items()},
        }
    )
    return Case.load(spec, case.dump(), create_script_engine())


def test_a_javascript_script_task_sets_variables_and_mail_fields_get_juel_values() -> None:
    case = _case()
    _start(case, email="maria@example.org", nDays=3)
    case = _restored(case)  # the script task and the parked mail task survive a save and restore
    (mail,) = started_service_tasks(case)
    assert (mail.element_id, mail.topic) == ("mail", MAIL_TOPIC)
    assert mail.inputs["to"] == "maria@example.org"
    assert mail.inputs["subject"] == "Звернення [sID_Order]"  # a literal string: iGov tags are rendered later
    assert mail.inputs["text"].strip() == "Днів: 4, двічі: 6"
    data = case.data_at(mail.task_id)
    assert (data["sTwice"], data["sKey"]) == (6, "igov_t")
    assert not finish_service_task(case, mail.task_id, {}).failed
    (bean,) = started_service_tasks(case)
    assert (bean.topic, bean.inputs["bean"], bean.inputs["nDigits"]) == (
        BEAN_TOPIC,
        "ProcessCountTaskCustomListener",
        "5",
    )
    outcome = finish_service_task(case, bean.task_id, {"sID_Custom_GovPublic": "00001"})
    assert (outcome.completed, outcome.end_event) == (True, "end")


def test_a_failing_javascript_names_the_element_and_stops_the_case() -> None:
    case = _case()
    (start,) = case.open_steps()
    outcome = case.complete(start.task_id, {"email": "a@b.c", "nDays": None})
    assert not outcome.failed  # null * 2 is 0 in JavaScript
    broken = DIAGRAM.replace("n * 2", "documentStepService.setDocumentStep(n)")
    tree = etree.ElementTree(etree.fromstring(broken.replace("{after_bean}", "end").replace("{extra}", "").encode()))
    case = Case.new(compile_spec(tree, filename="t.bpmn", process_id="igov_t"), create_script_engine())
    (start,) = case.open_steps()
    outcome = case.complete(start.task_id, {"email": "a@b.c", "nDays": 1})
    assert outcome.failed and outcome.error_element == "script"
    assert "documentStepService" in (outcome.error_message or "")
    assert case.error_tasks() == ["script"]


def test_a_groovy_script_is_an_error_when_reached() -> None:
    case = _case(after_bean="groovy", extra=GROOVY)
    _start(case, email="a@b.c", nDays=1)
    outcome = None
    while calls := started_service_tasks(case):
        outcome = finish_service_task(case, calls[0].task_id, {})
    assert outcome is not None and outcome.failed and outcome.error_element == "groovy"
    assert "Groovy scripts are not supported" in (outcome.error_message or "")


@pytest.mark.parametrize(
    ("text", "bean"),
    [
        ("#{MailTaskWithAttachments}", "MailTaskWithAttachments"),
        ("${fileTaskUpload}", "fileTaskUpload"),
        ("{MailTaskWithoutAttachment}", "MailTaskWithoutAttachment"),
        ("class:#{procedQueueTickets}", "procedQueueTickets"),
        ("#{a + b}", None),
    ],
)
def test_bean_names_including_igovs_malformed_ones(text: str, bean: str | None) -> None:
    assert bean_name(text) == bean


def test_script_languages() -> None:
    assert [script_language(s) for s in ("JavaScript", "", "groovy", "ECMAScript")] == [
        "javascript",
        "python",
        "groovy",
        "javascript",
    ]


def test_every_bean_in_the_corpus_is_mapped_and_others_are_unknown() -> None:
    for name in (
        "MailTaskWithAttachments",
        "MailTaskWithoutAttachment",
        "MailTaskWithAttachmentsAndSMS",
        "MailTaskWithoutAttachmentAndWithSms",
        "fileTaskUpload",
        "ProcessCountTaskCustomListener",
        "procedQueueTickets",
    ):
        assert known_bean(name), name
    assert not known_bean("Update_ARM")
    assert get_handler("igov_bean") is not None and get_handler("igov_mail") is not None
    assert set(BEANS) >= {"fileTaskInheritance", "MailTaskWithSMS"}


def test_counter_and_queue_ticket_values() -> None:
    assert counter_variable("[sID_Custom_GovPublic]") == "sID_Custom_GovPublic"
    assert counter_variable("no brackets") == "sID_Custom_GovPublic"
    assert counter_value(42, "5") == "00042"
    ticket = queue_ticket(datetime(2017, 5, 16, 10, 30), 7)
    assert ticket["date_of_visit"] == "2017-05-16 10:30:00.00"
    assert '"sDate":"2017-05-16 10:30:00.00"' in ticket["visitDay"]  # iGov's scripts search this exact text


def test_mail_tags_are_rendered() -> None:
    text = (
        "[pattern/mail/_common_header.html]<b>Заявка [sID_Order]</b>: enum{[decide]}, value{[rName]}, "
        "[pattern_dictonary:dnepr_soc_help.csv:value{[rName]}][paymentButton_LiqPay]"
        "[pattern/mail/new_design/_common_signature_start.html][pattern/print/form.html]"
    )
    rendered = render_igov_text(
        text,
        data={"decide": "reject", "rName": "<Соборний>"},
        reference="LUB-123",
        enum_labels={"decide": {"reject": "Відмовлено", "accept": "Погоджено"}},
        as_html=True,
    )
    assert rendered == (
        "Портал державних послуг<b>Заявка LUB-123</b>: Відмовлено, &lt;Соборний&gt;, &lt;Соборний&gt;З повагою,"
    )
    assert html_to_text("<p>Рядок 1</p><p>Рядок&nbsp;2<br>3</p>") == "Рядок 1\nРядок\xa02\n3\n"
    assert recipients('"maria@example.org"', "a@b.c; maria@example.org", None) == ["maria@example.org", "a@b.c"]


@pytest.mark.needs("igov_corpus")
def test_a_boundary_timer_on_a_user_task_in_an_igov_file_takes_its_path() -> None:
    """DFS_F3000410: usertask1 has an interrupting boundary timer (PT...) leading on without the official."""
    path = PROJECT_ROOT.parent / "shared" / "corpus" / "igov" / "DFS_F3000410.bpmn"
    tree = etree.parse(str(path))
    case = Case.new(compile_spec(tree, filename=path.name, process_id="DFS_F3000410"), create_script_engine())
    (start,) = case.open_steps()
    assert not case.complete(start.task_id, {}).failed
    while calls := started_service_tasks(case):
        assert not finish_service_task(case, calls[0].task_id, {}).failed
    steps = [s.element_id for s in case.open_steps()]
    assert steps and case.next_timer_at() is not None
    fired = fire_all_timers(case)
    assert fired
    assert steps[0] not in [s.element_id for s in case.open_steps()]
