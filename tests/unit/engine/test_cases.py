"""The case runtime on small inline diagrams: save/restore, closed steps, failures that must become visible."""

from typing import Any

import pytest

from engine.runtime.cases import MAX_TASK_DEPTH, Case, StepNotOpenError

from .conftest import diagram, spec_of


def _flows(*pairs: tuple[str, str, str]) -> str:
    out = []
    for flow_id, source, target in pairs:
        out.append(f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />')
    return "\n".join(out)


TWO_STEPS = diagram(
    """
<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="review" name="Розгляд"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
</bpmn:userTask>
<bpmn:scriptTask id="compute" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  <bpmn:script>fee = copies * 10</bpmn:script></bpmn:scriptTask>
<bpmn:userTask id="sign" name="Підпис"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
</bpmn:userTask>
<bpmn:endEvent id="end_done" name="Готово"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
"""
    + _flows(
        ("f0", "start", "review"), ("f1", "review", "compute"), ("f2", "compute", "sign"), ("f3", "sign", "end_done")
    )
)


def _restored(case: Case, spec: str, engine: Any) -> Case:
    return Case.load(spec, case.dump(), engine)


def _only_step(case: Case) -> tuple[str, str]:
    (step,) = case.open_steps()
    return step.task_id, step.element_id


def test_case_survives_save_and_restore_after_every_step(script_engine: Any) -> None:
    spec = spec_of(TWO_STEPS)
    case = Case.new(spec, script_engine)
    start_id, element = _only_step(case)
    assert element == "start" and case.open_steps()[0].is_start
    case = _restored(case, spec, script_engine)
    assert _only_step(case) == (start_id, "start")

    assert case.complete(start_id, {"applicant": "Олена", "copies": 3}).completed is False
    case = _restored(case, spec, script_engine)
    review_id, element = _only_step(case)
    assert element == "review"
    assert case.data_at(review_id) == {"applicant": "Олена", "copies": 3}

    case.complete(review_id, {"decision": "accept"})
    case = _restored(case, spec, script_engine)
    sign_id, element = _only_step(case)
    assert element == "sign"
    assert case.current_data() == {"applicant": "Олена", "copies": 3, "decision": "accept", "fee": 30}

    result = _restored(case, spec, script_engine).complete(sign_id, {"signed": True})
    assert (result.completed, result.end_event, result.failed) == (True, "end_done", False)


def test_state_is_ordered_json_without_the_spec(script_engine: Any) -> None:
    spec = spec_of(TWO_STEPS)
    case = Case.new(spec, script_engine)
    state = case.dump()
    assert '"spec"' not in state and "serializer_version" in state
    assert len(state) < len(spec)


def test_completing_a_closed_or_unknown_step_raises(script_engine: Any) -> None:
    spec = spec_of(TWO_STEPS)
    case = Case.new(spec, script_engine)
    start_id, _ = _only_step(case)
    case.complete(start_id, {"copies": 1})
    review_id, _ = _only_step(case)
    case.complete(review_id, {})
    case = _restored(case, spec, script_engine)
    for stale in (start_id, review_id, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(StepNotOpenError):
            case.complete(stale, {"copies": 99})
    assert _only_step(case)[1] == "sign"
    assert case.current_data()["copies"] == 1


def _one_script(source: str) -> bytes:
    return diagram(
        f"""
<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
<bpmn:scriptTask id="calc" name="Розрахунок" scriptFormat="python"><bpmn:incoming>f0</bpmn:incoming>
  <bpmn:outgoing>f1</bpmn:outgoing><bpmn:script>{source}</bpmn:script></bpmn:scriptTask>
<bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
"""
        + _flows(("f0", "start", "calc"), ("f1", "calc", "end"))
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("fee = amount / 0", "ZeroDivisionError"),
        ("fee = amont * 2", "amont"),
        ("import os\nfee = 1", "os"),
        ("fee = amount.__class__", "__class__"),
    ],
)
def test_a_failing_script_is_reported_with_its_element(script_engine: Any, source: str, message: str) -> None:
    spec = spec_of(_one_script(source))
    case = Case.new(spec, script_engine)
    start_id, _ = _only_step(case)
    result = case.complete(start_id, {"amount": 5})
    assert result.failed and not result.completed
    assert result.error_element == "calc"
    assert message in (result.error_message or "")
    assert case.error_tasks() == ["calc"]
    assert "fee" not in case.current_data()


def test_a_script_that_runs_too_long_is_stopped(script_engine: Any) -> None:
    case = Case.new(spec_of(_one_script("n = 0\nwhile True:\n    n = n + 1")), script_engine)
    start_id, _ = _only_step(case)
    result = case.complete(start_id, {})
    assert result.failed and result.error_element == "calc"


def test_an_uncaught_bpmn_error_end_event_is_an_error(script_engine: Any) -> None:
    xml = diagram(
        """
<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
<bpmn:endEvent id="end_broken" name="Збій"><bpmn:incoming>f0</bpmn:incoming>
  <bpmn:errorEventDefinition errorRef="err_registry" /></bpmn:endEvent>
"""
        + _flows(("f0", "start", "end_broken")),
        extra='<bpmn:error id="err_registry" name="Реєстр недоступний" errorCode="REGISTRY_DOWN" />',
    )
    case = Case.new(spec_of(xml), script_engine)
    start_id, _ = _only_step(case)
    result = case.complete(start_id, {})
    assert result.failed and not result.completed
    assert result.error_element == "end_broken"
    assert "REGISTRY_DOWN" in (result.error_message or "")
    assert "error" in (result.error_message or "")


def test_a_gateway_loop_deeper_than_the_limit_stops_with_an_error(script_engine: Any) -> None:
    def loop(limit: int) -> bytes:
        return diagram(
            f"""
<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
<bpmn:scriptTask id="init" scriptFormat="python"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
  <bpmn:script>n = 0</bpmn:script></bpmn:scriptTask>
<bpmn:exclusiveGateway id="merge"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f_back</bpmn:incoming>
  <bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:scriptTask id="count" scriptFormat="python"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
  <bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>
<bpmn:exclusiveGateway id="again" default="f_end"><bpmn:incoming>f3</bpmn:incoming>
  <bpmn:outgoing>f_back</bpmn:outgoing><bpmn:outgoing>f_end</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:endEvent id="end" name="Готово"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f_back" sourceRef="again" targetRef="merge">
  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">n &lt; {limit}</bpmn:conditionExpression>
</bpmn:sequenceFlow>
"""
            + _flows(
                ("f0", "start", "init"),
                ("f1", "init", "merge"),
                ("f2", "merge", "count"),
                ("f3", "count", "again"),
                ("f_end", "again", "end"),
            )
        )

    short = Case.new(spec_of(loop(5)), script_engine)
    result = short.complete(_only_step(short)[0], {})
    assert (result.completed, result.end_event, short.current_data()["n"]) == (True, "end", 5)

    deep = Case.new(spec_of(loop(2000)), script_engine)
    result = deep.complete(_only_step(deep)[0], {})
    assert result.failed and not result.completed
    assert str(MAX_TASK_DEPTH) in (result.error_message or "")
    assert deep.current_data()["n"] < 2000


def test_a_failing_gateway_condition_names_the_gateway(script_engine: Any) -> None:
    xml = diagram(
        """
<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
<bpmn:exclusiveGateway id="gw_decision" default="f2"><bpmn:incoming>f0</bpmn:incoming>
  <bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:endEvent id="end_yes"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="end_no"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="gw_decision" targetRef="end_yes">
  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">desicion == "yes"</bpmn:conditionExpression>
</bpmn:sequenceFlow>
"""
        + _flows(("f0", "start", "gw_decision"), ("f2", "gw_decision", "end_no"))
    )
    case = Case.new(spec_of(xml), script_engine)
    result = case.complete(_only_step(case)[0], {"decision": "yes"})
    assert result.failed and result.error_element == "gw_decision"
    assert "desicion" in (result.error_message or "")
