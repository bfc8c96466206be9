"""`posluhy check` as an analyst runs it: one `FILE:ELEMENT_ID: message` line per problem, exit 1 on errors."""

import json
import re
from pathlib import Path

import pytest

from engine.cli import main
from engine.config import PROJECT_ROOT

from .conftest import diagram

LINE = re.compile(r"^(?P<file>[^:]+):(?P<element>[^:]+): (?P<message>.+)$")

FORM = {
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["decision"],
        "properties": {"decision": {"type": "string", "title": "Рішення", "enum": ["accept", "reject"]}},
    },
}

START_FORM = """<bpmn:extensionElements><camunda:formData>
  <camunda:formField id="surname" label="Прізвище" type="string" />
</camunda:formData></bpmn:extensionElements>"""

PROPERTIES = """<bpmn:extensionElements><camunda:properties>
  <camunda:property name="organisation" value="lubny-council" />
</camunda:properties></bpmn:extensionElements>"""


def service(
    *,
    review: str = 'camunda:formKey="decision" camunda:candidateGroups="lubny-cnap"',
    condition: str = 'decision == "accept"',
    gateway: str = 'default="f_no"',
    otherwise: str = "",
    extra_node: str = "",
    extra: str = "",
) -> bytes:
    return diagram(
        f"""{PROPERTIES}
<bpmn:startEvent id="start">{START_FORM}<bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="review" name="Розгляд" {review}><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
</bpmn:userTask>
<bpmn:exclusiveGateway id="gw" {gateway}><bpmn:incoming>f1</bpmn:incoming>
  <bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:endEvent id="end_yes" name="Так"><bpmn:incoming>f_yes</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="end_no" name="Ні"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
<bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="gw" />
<bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="end_yes">
  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end_no">{otherwise}</bpmn:sequenceFlow>
{extra_node}""",
        extra=extra,
    )


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "decision.json").write_text(json.dumps(FORM), encoding="utf-8")
    return forms


def run_check(capsys: pytest.CaptureFixture[str], forms_dir: Path, *files: Path) -> tuple[int, list[str]]:
    status = main(["check", "--forms", str(forms_dir), *map(str, files)])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line]
    for line in lines:
        assert LINE.match(line), line
    return status, lines


def write(tmp_path: Path, content: bytes, name: str = "svc.bpmn") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def problems_of(lines: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for line in lines:
        match = LINE.match(line)
        assert match is not None
        found.append((match["file"], match["element"], match["message"]))
    return found


def test_a_good_diagram_passes_silently(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, service())
    assert run_check(capsys, forms_dir, path) == (0, [])


def test_the_demo_processes_pass(capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = run_check(capsys, PROJECT_ROOT / "forms", PROJECT_ROOT / "processes")
    assert status == 0, lines


def test_malformed_xml_gives_the_line(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = service().replace(
        b'<bpmn:endEvent id="end_no" name="\xd0\x9d\xd1\x96">', b'<bpmn:endEvent id="end_no" <oops'
    )
    path = write(tmp_path, broken)
    status, lines = run_check(capsys, forms_dir, path)
    line_no = broken[: broken.index(b"<oops")].count(b"\n") + 1
    assert status == 1
    ((file, element, message),) = problems_of(lines)
    assert (file, element) == (str(path), f"line {line_no}")
    assert message.startswith("not well-formed XML")


def test_entity_bomb_is_rejected_not_expanded(
    tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    bomb = service(review='name="&i;" camunda:formKey="decision" camunda:candidateGroups="lubny-cnap"')
    bomb = bomb.replace(b'name="\xd0\xa0\xd0\xbe\xd0\xb7\xd0\xb3\xd0\xbb\xd1\x8f\xd0\xb4" ', b"")
    bomb = bomb.replace(
        b"<bpmn:definitions", f"<!DOCTYPE bpmn:definitions [{entities}]>\n<bpmn:definitions".encode(), 1
    )
    path = write(tmp_path, bomb)
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    assert len("\n".join(lines)) < 1000  # 10^9 "a"s would not fit
    (problem,) = problems_of(lines)
    assert problem[0] == str(path)
    assert "DOCTYPE" in problem[2] or "entit" in problem[2].lower()


def test_unknown_form_key(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, service(review='camunda:formKey="embedded:app:forms/nope.json" camunda:candidateGroups="g"'))
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    assert f"{path}:review: form 'nope' not found (expected forms/nope.json)" in lines


def test_form_file_with_a_bad_schema(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {"schema": {"type": "object", "properties": {"decision": {"type": "strnig", "title": "Рішення"}}}}
    form_path = forms_dir / "broken.json"
    form_path.write_text(json.dumps(bad), encoding="utf-8")
    status, lines = run_check(capsys, forms_dir, form_path)
    assert status == 1
    assert problems_of(lines)[0][0] == str(form_path)

    path = write(tmp_path, service(review='camunda:formKey="broken" camunda:candidateGroups="lubny-cnap"'))
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    ((file, element, message),) = problems_of(lines)
    assert (file, element) == (str(path), "review")
    assert "broken.json" in message


def test_user_task_without_form(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, service(review='camunda:candidateGroups="lubny-cnap"'))
    status, lines = run_check(capsys, forms_dir, path)
    assert (status, lines) == (1, [f"{path}:review: user task has no form (camunda:formKey or camunda:formData)"])


def test_user_task_without_anyone_to_do_it(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, service(review='camunda:formKey="decision"'))
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    assert lines == [
        f"{path}:review: user task has nobody to do it (candidateGroups, candidateUsers, assignee or a lane)"
    ]


def test_juel_condition(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, service(condition="${decision == 'accept'}"))
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    ((file, element, message),) = problems_of(lines)
    assert (file, element) == (str(path), "f_yes")
    assert "JUEL" in message


def test_condition_that_does_not_compile(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, service(condition='decision = = "accept"'))
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    ((_, element, message),) = problems_of(lines)
    assert element == "f_yes"
    assert "does not compile" in message


def test_script_with_a_forbidden_import(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = """
<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>import os
fee = 1</bpmn:script></bpmn:scriptTask>"""
    path = write(tmp_path, service(extra_node=script))
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    # the lone script task is also unconnected (unreachable, dead end): every problem is about it
    assert {element for _, element, _ in problems_of(lines)} == {"calc"}
    assert any("import of 'os' is not allowed" in message for _, _, message in problems_of(lines))


def test_gateway_without_default_is_only_a_warning(
    tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    otherwise = (
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision != "accept"</bpmn:conditionExpression>'
    )
    path = write(tmp_path, service(gateway="", otherwise=otherwise))
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 0
    assert lines == [f"{path}:gw: warning: gateway has no default flow: a case stalls if no condition holds"]


def test_service_task_without_a_handler_fails(
    tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, service(extra_node='<bpmn:serviceTask id="call_registry" name="Реєстр" />'))
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    assert any(line.startswith(f"{path}:call_registry: service task names no handler") for line in lines), lines


def test_two_executable_processes_in_one_file(
    tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    second = '<bpmn:process id="second" isExecutable="true"><bpmn:startEvent id="s2" /></bpmn:process>'
    path = write(tmp_path, service(extra=second))
    status, lines = run_check(capsys, forms_dir, path)
    assert (status, lines) == (1, [f"{path}:-: one service per file: found several executable processes (svc, second)"])


def test_every_problem_of_a_file_is_reported_and_folders_are_searched(
    tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "processes" / "svc"
    folder.mkdir(parents=True)
    write(folder, service(review='camunda:candidateGroups="g"', condition="${x}"))
    write(folder, service(), "good.bpmn")
    status, lines = run_check(capsys, forms_dir, tmp_path / "processes")
    assert status == 1
    assert sorted(element for _, element, _ in problems_of(lines)) == ["f_yes", "review"]


def test_nothing_to_check_is_an_error(tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["check", "--forms", str(forms_dir), str(empty)]) == 1
    assert "nothing to check" in capsys.readouterr().err


def test_a_flow_to_a_missing_element_is_an_error(
    tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = service().replace(b'targetRef="end_no"', b'targetRef="end_nowhere"')
    path = write(tmp_path, broken)
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    assert f"{path}:f_no: sequence flow targetRef 'end_nowhere' names no element of this process" in lines


def test_an_outgoing_reference_to_a_missing_flow_is_an_error(
    tmp_path: Path, forms_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = service().replace(b"<bpmn:outgoing>f1</bpmn:outgoing>", b"<bpmn:outgoing>f_gone</bpmn:outgoing>")
    path = write(tmp_path, broken)
    status, lines = run_check(capsys, forms_dir, path)
    assert status == 1
    assert f"{path}:review: outgoing flow 'f_gone' does not exist" in lines
