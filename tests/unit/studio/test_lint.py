"""Each lint rule on a small inline diagram: once where it fires, once where it must stay quiet."""

from __future__ import annotations

import pytest

from engine.bpmn.problems import Severity

from .conftest import end, flow, found, lint, simple, start, task


def gateway(first: str, second: str, *, default: str = "") -> str:
    """review -> gw -> yes | no; conditions on both flows."""
    attr = f'default="{default}"' if default else ""
    return "\n".join(
        [
            start(),
            task("review", "f0", "f1"),
            f'<bpmn:exclusiveGateway id="gw" {attr}><bpmn:incoming>f1</bpmn:incoming>'
            "<bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>",
            end("yes", "f_yes"),
            end("no", "f_no"),
            flow("f0", "start", "review"),
            flow("f1", "review", "gw"),
            flow("f_yes", "gw", "yes", first or None),
            flow("f_no", "gw", "no", second or None),
        ]
    )


def test_a_clean_diagram_has_no_problems() -> None:
    assert found(simple()) == []
    assert found(gateway('decision == "yes"', "", default="f_no")) == []


def test_gateway_without_default_flow() -> None:
    problems = lint(gateway('decision == "yes"', 'decision != "yes"'))
    assert [(p.element_id, p.severity) for p in problems] == [("gw", Severity.WARNING)]
    assert "no default flow" in problems[0].message
    assert found(gateway('decision == "yes"', "", default="f_no")) == []


def test_gateway_with_two_identical_conditions() -> None:
    messages = [m for e, m in found(gateway('decision == "yes"', 'decision == "yes"', default="f_no")) if e == "gw"]
    assert messages == ["flows f_yes and f_no have the same condition 'decision == \"yes\"'"]


def test_gateway_with_two_tests_of_the_same_value() -> None:
    overlapping = gateway('decision == "yes"', 'decision == "maybe" or "yes" == decision', default="f_no")
    (message,) = [m for e, m in found(overlapping) if e == "gw"]
    assert "f_yes and f_no both hold when decision == 'yes'" in message
    assert found(gateway('decision == "yes"', 'decision == "no"', default="f_no")) == []


def test_user_task_without_form_or_people() -> None:
    body = "\n".join(
        [
            start(),
            '<bpmn:userTask id="review" camunda:candidateGroups="g"><bpmn:incoming>f0</bpmn:incoming>'
            "<bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>",
            end("done", "f1"),
            flow("f0", "start", "review"),
            flow("f1", "review", "done"),
        ]
    )
    assert found(body) == [("review", "user task has no form (camunda:formKey or camunda:formData)")]
    nobody = simple().replace('camunda:candidateGroups="g"', "")
    assert found(nobody) == [
        ("review", "user task has nobody to do it (candidateGroups, candidateUsers, assignee or a lane)")
    ]
    assert found(simple().replace('camunda:candidateGroups="g"', 'camunda:assignee="applicant"')) == []


def test_unreachable_element() -> None:
    island = task("orphan", "f_in", "f_out")
    body = simple(island, end("orphan_end", "f_out"), flow("f_out", "orphan", "orphan_end"))
    problems = {(p.element_id, p.severity) for p in lint(body) if "cannot be reached" in p.message}
    assert problems == {("orphan", Severity.WARNING), ("orphan_end", Severity.WARNING)}
    assert not [p for p in lint(simple()) if "cannot be reached" in p.message]


def test_dead_end() -> None:
    body = "\n".join([start(), task("review", "f0", None), flow("f0", "start", "review"), end("done", "f_x")])
    dead = [(p.element_id, p.severity) for p in lint(body) if "no outgoing flow" in p.message]
    assert dead == [("review", Severity.ERROR)]
    assert not [p for p in lint(simple()) if "no outgoing flow" in p.message]  # end events end


def test_missing_end_event() -> None:
    body = "\n".join([start(), task("review", "f0", "f1"), flow("f0", "start", "review")])
    assert ("svc", "the process has no end event: cases can never finish with an outcome") in found(body)
    assert not [m for _, m in found(simple()) if "no end event" in m]


def timer(definition: str) -> str:
    """start -> wait (timer) -> review -> done."""
    return "\n".join(
        [
            start(),
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f_w</bpmn:outgoing>'
            f"<bpmn:timerEventDefinition>{definition}</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>",
            task("review", "f_w", "f1"),
            end("done", "f1"),
            flow("f0", "start", "wait"),
            flow("f_w", "wait", "review"),
            flow("f1", "review", "done"),
        ]
    )


@pytest.mark.parametrize(
    "definition",
    [
        '<bpmn:timeDuration>"P5D"</bpmn:timeDuration>',
        '<bpmn:timeDuration>"PT1H30M"</bpmn:timeDuration>',
        "<bpmn:timeDate>'2026-03-01T09:00:00+02:00'</bpmn:timeDate>",
        '<bpmn:timeCycle>"R3/PT10M"</bpmn:timeCycle>',
        "<bpmn:timeDuration>P5D</bpmn:timeDuration>",
        "<bpmn:timeCycle>R2/PT1H</bpmn:timeCycle>",
        '<bpmn:timeDuration>"P" + str(amount) + "D"</bpmn:timeDuration>',
    ],
)
def test_valid_timers_pass(definition: str) -> None:
    assert found(timer(definition)) == []


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            "<bpmn:timeDuration>5 days</bpmn:timeDuration>",
            "timer timeDuration '5 days' is neither ISO 8601 nor a Python expression",
        ),
        ("<bpmn:timeDuration>${days}</bpmn:timeDuration>", "timer timeDuration '${days}' is JUEL"),
        ('<bpmn:timeDuration>"5 days"</bpmn:timeDuration>', "timer timeDuration '5 days' is not a valid ISO 8601"),
        ('<bpmn:timeDate>"next monday"</bpmn:timeDate>', "timer timeDate 'next monday' is not a valid ISO 8601"),
        ('<bpmn:timeCycle>"every hour"</bpmn:timeCycle>', "timer timeCycle 'every hour' is not a valid ISO 8601"),
        ("", "timer has no value"),
    ],
)
def test_invalid_timers_are_errors(definition: str, message: str) -> None:
    problems = lint(timer(definition))
    assert [(p.element_id, p.severity) for p in problems] == [("wait", Severity.ERROR)]
    assert problems[0].message.startswith(message)


def test_condition_reading_a_name_no_form_sets() -> None:
    problems = lint(gateway("amount > 10 and size == 2", "", default="f_no"))
    assert [(p.element_id, p.severity, p.message) for p in problems] == [
        (
            "f_yes",
            Severity.WARNING,
            "condition reads 'size', which no earlier form field or script sets on some path to it",
        )
    ]  # amount comes from the start form, decision from the review task


def test_a_name_set_on_only_one_path_is_reported() -> None:
    script = (
        '<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:incoming>f_yes</bpmn:incoming>'
        "<bpmn:outgoing>f_c</bpmn:outgoing><bpmn:script>fee = amount * 2</bpmn:script></bpmn:scriptTask>"
    )
    merge = (
        '<bpmn:exclusiveGateway id="join"><bpmn:incoming>f_c</bpmn:incoming><bpmn:incoming>f_no</bpmn:incoming>'
        "<bpmn:outgoing>f_j</bpmn:outgoing></bpmn:exclusiveGateway>"
    )
    notify = (
        '<bpmn:scriptTask id="notify" scriptFormat="python"><bpmn:incoming>f_j</bpmn:incoming>'
        "<bpmn:outgoing>f_e</bpmn:outgoing><bpmn:script>total = fee + sum([x for x in [1, 2]])</bpmn:script>"
        "</bpmn:scriptTask>"
    )
    base = gateway('decision == "yes"', "", default="f_no")
    base = base.replace(
        flow("f_yes", "gw", "yes", 'decision == "yes"'), flow("f_yes", "gw", "calc", 'decision == "yes"')
    )
    base = base.replace(flow("f_no", "gw", "no"), flow("f_no", "gw", "join"))
    base = base.replace(end("yes", "f_yes"), "").replace(end("no", "f_no"), "")
    body = "\n".join(
        [
            base,
            script,
            merge,
            notify,
            end("done", "f_e"),
            flow("f_c", "calc", "join"),
            flow("f_j", "join", "notify"),
            flow("f_e", "notify", "done"),
        ]
    )
    assert found(body) == [
        ("notify", "script reads 'fee', which no earlier form field or script sets on some path to it")
    ]
    both_paths = (
        body.replace(flow("f_no", "gw", "join"), flow("f_no", "gw", "calc"))
        .replace(
            "<bpmn:incoming>f_c</bpmn:incoming><bpmn:incoming>f_no</bpmn:incoming>",
            "<bpmn:incoming>f_c</bpmn:incoming>",
        )
        .replace(
            "<bpmn:incoming>f_yes</bpmn:incoming>",
            "<bpmn:incoming>f_yes</bpmn:incoming><bpmn:incoming>f_no</bpmn:incoming>",
        )
    )
    assert found(both_paths) == []
