"""Tests for the restricted script environment (engine.runtime.sandbox)."""

from __future__ import annotations

import datetime
import decimal
import math
import sys
import threading
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime.sandbox import (
    ALLOWED_MODULES,
    RestrictedEnvironment,
    ScriptAccessError,
    ScriptLimitError,
    ScriptRestrictionError,
    ScriptTimeoutError,
    compile_check,
    create_script_engine,
)

MODULES = {"datetime": datetime, "math": math, "decimal": decimal}


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment(time_limit=0.5)


def run(env: RestrictedEnvironment, script: str, **data: Any) -> dict[str, Any]:
    env.execute(script, data)
    return data


# ------------------------------------------------------------------------------------------ plain use


def test_gateway_condition(env: RestrictedEnvironment) -> None:
    assert env.evaluate('amount > 10 and kind == "a"', {"amount": 11, "kind": "a"}) is True
    assert env.evaluate('amount > 10 and kind == "a"', {"amount": 11, "kind": "b"}) is False


def test_script_with_datetime_comprehension_fstring_dict_and_augassign(env: RestrictedEnvironment) -> None:
    data = run(
        env,
        "import datetime\n"
        "from decimal import Decimal\n"
        "due = datetime.date(2024, 1, 30) + datetime.timedelta(days=3)\n"
        "doubled = [n * 2 for n in numbers if n > 1]\n"
        "label = f'{name!r:>8}|{due:%d.%m.%Y}'\n"
        "info['seen'] = True\n"
        "info.update(count=len(numbers))\n"
        "x += 1\n"
        "total = str(sum(Decimal(n) for n in numbers))\n"
        "for i, n in enumerate(numbers):\n"
        "    last = (i, n)\n",
        numbers=[1, 2, 3],
        name="ok",
        info={},
        x=41,
    )
    assert data == {
        "numbers": [1, 2, 3],
        "name": "ok",
        "info": {"seen": True, "count": 3},
        "x": 42,
        "due": datetime.date(2024, 2, 2),
        "doubled": [4, 6],
        "label": "    'ok'|02.02.2024",
        "total": "6",
        "i": 2,
        "n": 3,
        "last": (2, 3),
    }  # the module, Decimal class and the guards were removed again


def test_functions_defined_by_script_are_dropped_and_values_kept(env: RestrictedEnvironment) -> None:
    data = run(env, "def twice(v):\n    return v * 2\nresult = twice(21)\nsquare = lambda v: v ** 2\n")
    assert data == {"result": 42}


def test_environment_globals_are_available_then_removed() -> None:
    def working_days_after(day: datetime.date, days: int) -> datetime.date:
        return day + datetime.timedelta(days=days)

    env = RestrictedEnvironment({"working_days_after": working_days_after})
    data: dict[str, Any] = {"start": datetime.date(2024, 1, 1)}
    env.execute("due = working_days_after(start, 2)", data)
    assert data == {"start": datetime.date(2024, 1, 1), "due": datetime.date(2024, 1, 3)}
    assert env.evaluate("working_days_after(start, 1).day", data) == 2


def test_task_data_overwriting_a_predefined_function_is_refused() -> None:
    env = RestrictedEnvironment({"helper": len})
    with pytest.raises(ValueError, match="overwrites a predefined function"):
        env.execute("x = 1", {"helper": 3})


def test_external_context_is_visible_and_not_left_in_data(env: RestrictedEnvironment) -> None:
    data: dict[str, Any] = {"a": 1}
    env.execute("b = a + ext", data, {"ext": 2})
    assert data == {"a": 1, "b": 3}


def test_task_data_cannot_replace_a_guard(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptAccessError, match="'__class__'"):
        env.evaluate("getattr(1, '__class__')", {"_getattr_": getattr})


def test_evaluate_does_not_change_context(env: RestrictedEnvironment) -> None:
    data = {"a": 1}
    assert env.evaluate("[b for b in range(3)]", data) == [0, 1, 2]
    assert data == {"a": 1}


def test_compiled_code_is_cached() -> None:
    from engine.runtime.sandbox_policy import compile_source

    assert compile_source("cached_probe + 1", "eval") is compile_source("cached_probe + 1", "eval")


# --------------------------------------------------------------------------------------------- escapes


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("__import__('os')", '"__import__" is an invalid variable name'),
        ("().__class__.__base__.__subclasses__()", '"__class__" is an invalid attribute name'),
        ("type(x).__mro__", '"__mro__" is an invalid attribute name'),
        ("[].__class__", '"__class__" is an invalid attribute name'),
        ("eval('1')", "Eval calls are not allowed"),
        ("exec('x=1')", "Exec calls are not allowed"),
        ("(x for x in []).gi_frame", '"gi_frame" is a restricted name'),
        ("(lambda _getattr_=getattr: _getattr_)()", '"_getattr_" is an invalid variable name'),
        ("(lambda f=().__class__: f)()", '"__class__" is an invalid attribute name'),
        ("amount >", "SyntaxError"),
    ],
)
def test_refused_at_compile_time(env: RestrictedEnvironment, source: str, message: str) -> None:
    with pytest.raises(ScriptRestrictionError, match=message.replace("(", r"\(")):
        env.evaluate(source, {"x": 1})


@pytest.mark.parametrize(
    ("source", "error", "message"),
    [
        ("getattr(x, '__class__')", ScriptAccessError, "Access to '__class__' is not allowed"),
        ("'{0.__class__}'.format(1)", ScriptAccessError, "Access to 'format' is not allowed"),
        ("str.format('{0.__class__}', 1)", ScriptAccessError, "Access to 'format' is not allowed"),
        ("'{a}'.format_map({})", ScriptAccessError, "Access to 'format_map' is not allowed"),
        ("getattr((v for v in []), 'gi_frame')", ScriptAccessError, "Access to 'gi_frame' is not allowed"),
        ("(lambda f=getattr: f(x, '__class__'))()", ScriptAccessError, "Access to '__class__' is not allowed"),
        ("int.mro()", ScriptAccessError, "Access to 'mro' is not allowed"),
        ("datetime.sys", ScriptAccessError, "module 'sys'"),
        ("decimal.getcontext()", ScriptAccessError, "decimal.getcontext"),
        ("open('/etc/passwd')", NameError, "'open' is not defined"),
        ("globals()", NameError, "'globals' is not defined"),
        ("type(x)", NameError, "'type' is not defined"),
        ("2 ** 10 ** 10", ScriptLimitError, "Power"),
        ("pow(2, 10 ** 10)", ScriptLimitError, "Power"),
        ("2.0 ** 5000", ScriptLimitError, "Exponent 5000"),
        ("'a' * 10 ** 9", ScriptLimitError, "Repetition"),
        ("[1] * 10 ** 8", ScriptLimitError, "Repetition"),
        ("1 << 10 ** 6", ScriptLimitError, "Left shift"),
        ("'%099999d' % 1", ScriptLimitError, "%-formatting"),
        ("f'{1:99999}'", ScriptLimitError, "format spec"),
        ("''.join(['a' * 1000000] * 2)", ScriptLimitError, "join"),
        ("'a'.ljust(10 ** 9)", ScriptLimitError, "Padding"),
        ("('a' * 1000).replace('', 'b' * 1000)", ScriptLimitError, "replace"),
        ("math.factorial(10 ** 6)", ScriptLimitError, "10000"),
        ("sum(range(10 ** 12))", ScriptLimitError, "range"),
    ],
)
def test_refused_at_run_time(env: RestrictedEnvironment, source: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(")):
        env.evaluate(source, {"x": 1}, dict(MODULES))


def test_limits_leave_ordinary_arithmetic_alone(env: RestrictedEnvironment) -> None:
    assert env.evaluate("2 ** 100 + 3 * 4 + (1 << 10) + len('ab' * 1000) + len([0] * 1000)", {}) == (
        2**100 + 12 + 1024 + 2000 + 1000
    )
    assert env.evaluate("'%05.1f' % 3.14159", {}) == "003.1"
    assert env.evaluate("f'{3.14159:.2f}'", {}) == "3.14"


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "import random",
        "import os.path",
        "import json.decoder",
        "from json import decoder",
        "from datetime import sys",
        "import subprocess",
    ],
)
def test_imports_outside_the_allow_list_are_refused(env: RestrictedEnvironment, script: str) -> None:
    with pytest.raises(ScriptAccessError, match="not allowed"):
        env.execute(script, {})


def test_import_error_names_the_module(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptAccessError, match="Import of 'os' is not allowed"):
        env.execute("import os", {})


def test_allow_list_does_not_contain_random() -> None:
    assert "random" not in ALLOWED_MODULES
    assert {"datetime", "math", "re", "json", "decimal"} <= ALLOWED_MODULES


def test_writing_to_non_container_objects_is_refused(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptAccessError, match="Modifying date objects"):
        env.execute("d.year = 1", {"d": datetime.date(2024, 1, 1)})


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("class A:\n    pass", "Class definitions are not allowed"),
        ("try:\n    x = 1\nexcept:\n    pass", "Bare 'except:' is not allowed"),
        ("try:\n    x = 1\nfinally:\n    pass", "'finally' blocks are not allowed"),
    ],
)
def test_constructs_that_could_outlive_a_timeout_are_refused(
    env: RestrictedEnvironment, script: str, message: str
) -> None:
    with pytest.raises(ScriptRestrictionError, match=message):
        env.execute(script, {})


# ------------------------------------------------------------------------------------------- time limit


@pytest.mark.parametrize(
    "script",
    [
        "while True: pass",
        "while True:\n    try:\n        while True: pass\n    except Exception:\n        pass",
        "x = [0 for _ in range(1000000) for _ in range(1000000)]",
        "def f(n):\n    return 0 if n == 0 else f(n - 1) + f(n - 1)\nx = f(60)",
        "f = lambda n: 0 if n == 0 else f(n - 1) + f(n - 1)\nx = f(60)",
    ],
)
def test_runaway_scripts_time_out(script: str) -> None:
    env = RestrictedEnvironment(time_limit=0.2)
    with pytest.raises(ScriptTimeoutError, match=r"Script exceeded the time limit of 0\.2 s"):
        env.execute(script, {})


def test_runaway_expression_times_out() -> None:
    env = RestrictedEnvironment(time_limit=0.2)
    with pytest.raises(ScriptTimeoutError):
        env.evaluate("[0 for _ in range(1000000) for _ in range(1000000)]", {})


def test_infinite_loop_in_a_worker_thread_times_out() -> None:
    env = RestrictedEnvironment(time_limit=0.2)
    outcome: list[BaseException] = []

    def worker() -> None:
        try:
            env.execute("while True:\n    pass", {})
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], ScriptTimeoutError)


def test_previous_trace_function_is_restored(env: RestrictedEnvironment) -> None:
    def tracer(frame: Any, event: str, arg: Any) -> None:
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        env.evaluate("1 + 1", {})
        with pytest.raises(ScriptTimeoutError):
            RestrictedEnvironment(time_limit=0.05).execute("while True: pass", {})
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


def test_time_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="time_limit"):
        RestrictedEnvironment(time_limit=0)


# ----------------------------------------------------------------------------------------- compile_check


def test_compile_check() -> None:
    assert compile_check("amount > 10", mode="eval") is None
    assert compile_check("x = 1\ny = x * 2", mode="exec") is None
    syntax = compile_check("amount >", mode="eval")
    assert syntax is not None and "SyntaxError" in syntax
    restricted = compile_check("().__class__", mode="eval")
    assert restricted is not None and "__class__" in restricted
    assert compile_check("x = 1", mode="eval") is not None  # a statement is not an expression
    imported = compile_check("import os", mode="exec")
    assert imported is not None and "'os'" in imported


# ---------------------------------------------------------------------------------------- end to end

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="defs" targetNamespace="http://example.org/posluhy">
  <bpmn:process id="fee_process" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="compute_fee" name="Compute fee">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="cheap_flow">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>expensive_flow</bpmn:outgoing>
      <bpmn:outgoing>cheap_flow</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_expensive"><bpmn:incoming>expensive_flow</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_cheap"><bpmn:incoming>cheap_flow</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute_fee"/>
    <bpmn:sequenceFlow id="f2" sourceRef="compute_fee" targetRef="gw"/>
    <bpmn:sequenceFlow id="expensive_flow" sourceRef="gw" targetRef="end_expensive">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">fee &gt; 20</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="cheap_flow" sourceRef="gw" targetRef="end_cheap"/>
  </bpmn:process>
</bpmn:definitions>
"""


def make_workflow(script: str, copies: int) -> BpmnWorkflow:
    parser = BpmnParser()
    parser.add_bpmn_str(BPMN.replace("SCRIPT", script).encode(), "x.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("fee_process"), script_engine=create_script_engine())
    start = workflow.get_tasks(state=TaskState.READY)[0]
    start.data["copies"] = copies
    return workflow


def reached_end(workflow: BpmnWorkflow) -> set[str]:
    return {
        t.task_spec.bpmn_id
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if t.task_spec.bpmn_id in ("end_expensive", "end_cheap")
    }


@pytest.mark.parametrize(("copies", "end"), [(3, "end_expensive"), (2, "end_cheap")])
def test_end_to_end_workflow_takes_the_right_branch(copies: int, end: str) -> None:
    workflow = make_workflow("fee = copies * 10", copies)
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert reached_end(workflow) == {end}
    assert workflow.last_task.data["fee"] == copies * 10


def test_end_to_end_forbidden_import_fails_the_task() -> None:
    workflow = make_workflow("import os\nfee = copies * 10", 3)
    with pytest.raises(WorkflowTaskException, match="Import of 'os' is not allowed") as info:
        workflow.do_engine_steps()
    assert info.value.task.task_spec.bpmn_id == "compute_fee"
    assert info.value.line_number == 1
    assert info.value.task.state == TaskState.ERROR
    assert not workflow.is_completed()


def test_call_service_errors_become_workflow_task_exceptions() -> None:
    workflow = make_workflow("fee = 1", 1)
    task = workflow.get_tasks(state=TaskState.READY)[0]
    with pytest.raises(WorkflowTaskException, match="Service call failed: NotImplementedError") as info:
        workflow.script_engine.call_service(task, operation_name="x", operation_params={})
    assert info.value.task is task
    assert isinstance(info.value.__cause__, NotImplementedError)
