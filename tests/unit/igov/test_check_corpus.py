"""`posluhy check` on iGov's Activiti files: every corpus file passes with no errors, warnings say what is ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.bpmn.problems import Severity
from engine.config import PROJECT_ROOT
from engine.services.authoring.checking import FormFiles, check_bytes, check_file, check_paths

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "igov"
FILES = sorted(p.name for p in CORPUS.glob("*.bpmn")) if CORPUS.is_dir() else []
FORMS = FormFiles(PROJECT_ROOT / "forms")

needs_corpus = pytest.mark.needs("igov_corpus")


@needs_corpus
@pytest.mark.parametrize("name", FILES)
def test_every_corpus_file_passes_check(name: str) -> None:
    checked = check_file(CORPUS / name, FORMS)
    errors = [str(p) for p in checked.problems if p.severity is Severity.ERROR]
    assert errors == []
    assert checked.ok and checked.manifest is not None and checked.spec_json is not None


@needs_corpus
def test_the_command_exits_zero_on_the_corpus_and_reports_unsupported_features() -> None:
    results = check_paths([CORPUS], PROJECT_ROOT / "forms")
    assert len(results) == len(FILES) == 25
    warnings = [str(p) for r in results for p in r.problems if p.severity is Severity.WARNING]
    assert not [str(p) for r in results for p in r.problems if p.severity is Severity.ERROR]
    joined = "\n".join(warnings)
    assert "markers (browser-side field rules) are not supported" in joined
    assert "queueData) not supported" in joined
    assert "dnepr_dms_passport.bpmn:scripttask1: warning: Groovy scripts are not supported" in joined
    assert "taskListener '${DocumentInit_iDoc}' (create) ignored" in joined
    assert "fileTaskUploadListener" not in joined  # mapped: uploads already are the application's attachments


@needs_corpus
def test_the_call_activity_finds_the_called_file_in_the_same_folder(tmp_path: Path) -> None:
    checked = check_file(CORPUS / "_doc_justice_11.bpmn", FORMS)
    assert checked.spec_json is not None
    assert "_doc_justice_22" in json.loads(checked.spec_json)["subprocess_specs"]

    alone = tmp_path / "_doc_justice_11.bpmn"
    alone.write_bytes((CORPUS / "_doc_justice_11.bpmn").read_bytes())
    missing = check_file(alone, FORMS)
    assert any("'_doc_justice_22' was not found" in p.message for p in missing.problems)


@needs_corpus
def test_group_templates_and_literal_groups_are_read_as_expressions() -> None:
    manifest = check_file(CORPUS / "dnepr_cnap_39.bpmn", FORMS).manifest
    assert manifest is not None
    step = next(s for s in manifest.steps.values() if s.group_expressions)
    assert step.igov and step.candidate_groups == ()
    assert step.group_expressions == ("'dnepr_cnap_' + juel(\"str\", var('cnapСhoice'))",)
    zhitomir = check_file(CORPUS / "zhitomir_mvk-2.bpmn", FORMS).manifest
    assert zhitomir is not None and zhitomir.steps["usertask4"].group_expressions == ("'zhitomir_mvk_1'",)


ACTIVITI_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
    targetNamespace="http://www.activiti.org/test">
  <process id="p" name="Тест" isExecutable="true">
    <startEvent id="start"><extensionElements>
      <activiti:formProperty id="decide" name="Рішення" type="enum">
        <activiti:value id="accept" name="Так"/><activiti:value id="reject" name="Ні"/>
      </activiti:formProperty>
      {fields}
    </extensionElements></startEvent>
    <sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>
    <exclusiveGateway id="gw"/>
    <sequenceFlow id="f_yes" sourceRef="gw" targetRef="done"><conditionExpression xsi:type="tFormalExpression"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><![CDATA[{condition}]]></conditionExpression></sequenceFlow>
    <sequenceFlow id="f_no" sourceRef="gw" targetRef="done"><conditionExpression><![CDATA[${{decide != 'accept'}}]]>
      </conditionExpression></sequenceFlow>
    <endEvent id="done"/>
  </process>
</definitions>
"""


def _check(condition: str, fields: str = "") -> list[tuple[str, str, Severity]]:
    data = ACTIVITI_HEAD.format(condition=condition, fields=fields).encode()
    checked = check_bytes(data, FORMS, name="t.bpmn")
    return [(p.element_id, p.message, p.severity) for p in checked.problems]


def test_an_untranslatable_condition_is_an_error_on_its_flow_not_a_crash() -> None:
    problems = _check("${decisionService.decide(decide)}")
    errors = [(element, message) for element, message, severity in problems if severity is Severity.ERROR]
    assert len(errors) == 1
    assert errors[0][0] == "f_yes" and "cannot be translated" in errors[0][1] and "decisionService" in errors[0][1]


def test_translated_conditions_pass_and_a_malformed_one_igov_tolerated_is_repaired() -> None:
    assert not [p for p in _check("${decide == 'accept'}") if p[2] is Severity.ERROR]
    assert not [p for p in _check("${decide == ''} || ${decide=='accept'}") if p[2] is Severity.ERROR]


def test_a_variable_named_like_the_translation_functions_is_an_error() -> None:
    problems = _check("${decide == 'accept'}", '<activiti:formProperty id="var" name="x" type="string"/>')
    assert (
        "start",
        "a process variable cannot be called 'var': the name is reserved for translated expressions",
        Severity.ERROR,
    ) in problems
