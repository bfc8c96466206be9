"""iGov diagrams run with Activiti's meaning: JUEL conditions, flows out of tasks, implicit ends, call activities."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.bpmn.xml import BPMN, parse_xml
from engine.clock import FakeClock
from engine.runtime.cases import Case
from engine.runtime.igov.activiti import prepare_activiti
from engine.runtime.sandbox import create_script_engine
from engine.runtime.specs import SpecCompileError, compile_spec
from engine.services.catalog.called_processes import FolderProcesses

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DECISION = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
    targetNamespace="http://www.activiti.org/test">
  <process id="decision" name="Рішення" isExecutable="true">
    <startEvent id="start" activiti:initiator="initiator"/>
    <sequenceFlow id="f0" sourceRef="start" targetRef="review"/>
    <userTask id="review" name="Розгляд" activiti:candidateGroups="cnap_${office}"/>
    <sequenceFlow id="f1" sourceRef="review" targetRef="gw"/>
    <exclusiveGateway id="gw"/>
    <sequenceFlow id="f_accept" sourceRef="gw" targetRef="issue">
      <conditionExpression><![CDATA[${decide == 'accept' && nSum >= 200}]]></conditionExpression></sequenceFlow>
    <sequenceFlow id="f_reject" sourceRef="gw" targetRef="refused">
      <conditionExpression><![CDATA[${decide == 'reject' || empty decide}]]></conditionExpression></sequenceFlow>
    <sequenceFlow id="f_small" sourceRef="gw" targetRef="refused">
      <conditionExpression><![CDATA[${decide == 'accept' && nSum < 200}]]></conditionExpression></sequenceFlow>
    <userTask id="issue" name="Видача"/>
    <sequenceFlow id="f2" sourceRef="issue" targetRef="issued"/>
    <sequenceFlow id="f3" sourceRef="issue" targetRef="notify">
      <conditionExpression><![CDATA[${bNotify == 'yes'}]]></conditionExpression></sequenceFlow>
    <userTask id="notify" name="Повідомлення"/>
    <endEvent id="issued" name="Видано"/>
    <endEvent id="refused" name="Відмовлено"/>
  </process>
</definitions>
"""


def _case(xml: str, process_id: str, **kwargs: object) -> Case:
    spec = compile_spec(parse_xml(xml.encode()), filename=f"{process_id}.bpmn", process_id=process_id, **kwargs)  # type: ignore[arg-type]
    return Case.new(spec, create_script_engine(), FakeClock(START))


def _complete_only(case: Case, element_id: str, data: dict[str, object]) -> None:
    (step,) = [s for s in case.open_steps() if s.element_id == element_id]
    result = case.complete(step.task_id, data)
    assert not result.failed, result


@pytest.mark.parametrize(
    ("decide", "amount", "end"),
    [("accept", 500, "issued"), ("accept", "150", "refused"), ("reject", 500, "refused"), (None, 0, "refused")],
)
def test_juel_conditions_route_a_running_case(decide: str | None, amount: object, end: str) -> None:
    case = _case(DECISION, "decision")
    _complete_only(case, "start", {"office": "lubny-council", "nSum": amount})
    _complete_only(case, "review", {"decide": decide} if decide else {})
    if end == "issued":
        _complete_only(case, "issue", {"bNotify": "no"})
    assert case.is_completed() and case.end_event() == end
    assert "var" not in case.current_data() and "juel" not in case.current_data()


def test_conditional_flows_out_of_a_task_are_all_taken_when_they_hold() -> None:
    case = _case(DECISION, "decision")
    _complete_only(case, "start", {"nSum": 300})
    _complete_only(case, "review", {"decide": "accept"})
    _complete_only(case, "issue", {"bNotify": "yes"})
    assert [s.element_id for s in case.open_steps()] == ["notify"]
    _complete_only(case, "notify", {})
    assert case.is_completed()


def test_the_rewrite_keeps_the_file_and_names_what_it_adds() -> None:
    tree = parse_xml(DECISION.encode())
    prepared, problems = prepare_activiti(tree, file="d.bpmn")
    assert problems == []
    added = {e.get("id"): e.tag.split("}")[1] for e in prepared.getroot().iter() if "__" in (e.get("id") or "")}
    assert added == {
        "issue__split": "inclusiveGateway",
        "issue__flow_1": "sequenceFlow",
        "issue__end": "endEvent",
        "issue__flow_2": "sequenceFlow",
        "notify__end": "endEvent",
        "notify__flow_1": "sequenceFlow",
    }
    conditions = [e.text for e in prepared.getroot().iter(BPMN + "conditionExpression")]
    assert conditions[0] == "(juel('==', var('decide'), 'accept') and juel('>=', var('nSum'), 200))"
    assert "True" in conditions  # the unconditional flow out of `issue` always holds
    assert "${" in "".join(e.text or "" for e in tree.getroot().iter(BPMN + "conditionExpression"))  # a copy


def test_an_untranslatable_condition_refuses_to_compile_naming_the_flow() -> None:
    broken = DECISION.replace("${bNotify == 'yes'}", "${bNotify == }")
    with pytest.raises(SpecCompileError) as raised:
        _case(broken, "decision")
    assert raised.value.element_id == "f3"


CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
    targetNamespace="http://www.activiti.org/test">
  <process id="caller" name="Документ" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f0" sourceRef="start" targetRef="call"/>
    <callActivity id="call" calledElement="answer">
      <extensionElements><activiti:in source="sNumber" target="sNumber"/></extensionElements>
    </callActivity>
    <sequenceFlow id="f1" sourceRef="call" targetRef="gw"/>
    <exclusiveGateway id="gw"/>
    <sequenceFlow id="f_sent" sourceRef="gw" targetRef="sent">
      <conditionExpression><![CDATA[${sAnswer == 'sent'}]]></conditionExpression></sequenceFlow>
    <sequenceFlow id="f_other" sourceRef="gw" targetRef="other">
      <conditionExpression><![CDATA[${sAnswer != 'sent'}]]></conditionExpression></sequenceFlow>
    <endEvent id="sent" name="Надіслано"/>
    <endEvent id="other" name="Інше"/>
  </process>
</definitions>
"""
CALLED = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
    targetNamespace="http://www.activiti.org/test">
  <process id="answer" name="Відповідь" isExecutable="true">
    <startEvent id="a_start"/>
    <sequenceFlow id="a0" sourceRef="a_start" targetRef="write"/>
    <userTask id="write" name="Лист-відповідь" activiti:candidateGroups="office"/>
    <sequenceFlow id="a1" sourceRef="write" targetRef="a_end">
      <conditionExpression><![CDATA[${sNumber != null}]]></conditionExpression></sequenceFlow>
    <endEvent id="a_end"/>
  </process>
</definitions>
"""


def test_a_call_activity_runs_the_process_of_another_file_in_the_folder(tmp_path: Path) -> None:
    (tmp_path / "caller.bpmn").write_text(CALLER, encoding="utf-8")
    (tmp_path / "answer.bpmn").write_text(CALLED, encoding="utf-8")
    with pytest.raises(SpecCompileError, match="'answer' was not found"):
        _case(CALLER, "caller")
    case = _case(CALLER, "caller", called=FolderProcesses(tmp_path))
    _complete_only(case, "start", {"sNumber": "12/3"})
    _complete_only(case, "write", {"sAnswer": "sent"})
    assert case.is_completed() and case.end_event() == "sent"


def test_var_reads_the_data_of_the_evaluation_and_never_stays_in_it() -> None:
    environment = create_script_engine().environment
    assert environment.evaluate("juel('==', var('nSum'), '5')", {"nSum": 5}) is True
    assert environment.evaluate("var('absent') is None", {}) is True
    data: dict[str, object] = {"a": 2}
    environment.execute("b = var('a') * 10\nc = var('b') + 1", data, {})
    assert data == {"a": 2, "b": 20, "c": 21}
    with pytest.raises(ValueError, match="var"):
        environment.execute("x = 1", {"var": "a process variable"}, {})
