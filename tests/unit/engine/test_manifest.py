import json
from pathlib import Path

import pytest

from engine.bpmn.manifest import ServiceManifest, build_manifest
from engine.bpmn.xml import parse_xml
from engine.services.authoring.checking import FormFiles

from .conftest import diagram

FORM = {
    "title": {"uk": "Рішення", "en": "Decision"},
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["decision"],
        "properties": {"decision": {"type": "string", "title": "Рішення", "enum": ["accept", "reject"]}},
    },
}

INLINE_FORM = """<bpmn:extensionElements><camunda:formData>
  <camunda:formField id="{name}" label="Поле" type="string" />
</camunda:formData></bpmn:extensionElements>"""

SERVICE = f"""
<bpmn:documentation>**Довідка** для громадян</bpmn:documentation>
<bpmn:extensionElements><camunda:properties>
  <camunda:property name="category" value="Довідки" />
  <camunda:property name="organisation" value="lubny-council" />
  <camunda:property name="sla_days" value="5" />
  <camunda:property name="availability" value="soon" />
  <camunda:property name="title_en" value="Certificate" />
  <camunda:property name="fee" value="0" />
</camunda:properties></bpmn:extensionElements>
<bpmn:laneSet id="lanes">
  <bpmn:lane id="lane_applicant" name="applicant"><bpmn:flowNodeRef>fix</bpmn:flowNodeRef></bpmn:lane>
  <bpmn:lane id="lane_cnap" name="lubny-cnap">
    <bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>sign</bpmn:flowNodeRef>
  </bpmn:lane>
</bpmn:laneSet>
<bpmn:startEvent id="start" name="Подати заяву">{INLINE_FORM.format(name="surname")}</bpmn:startEvent>
<bpmn:userTask id="review" name="Розгляд" camunda:formKey="decision_form" />
<bpmn:userTask id="sign" name="Підпис" camunda:formKey="decision_form.json"
  camunda:candidateGroups="lubny-heads, lubny-cnap" />
<bpmn:userTask id="fix" name="Виправлення" camunda:formKey="embedded:app:forms/decision_form.json" />
<bpmn:userTask id="confirm" name="Підтвердження" camunda:assignee="applicant">
  {INLINE_FORM.format(name="ok")}
</bpmn:userTask>
<bpmn:userTask id="named" name="Особисто" camunda:candidateUsers="lubny.cnap,lubny.cnap2" camunda:dueDate="P3D">
  {INLINE_FORM.format(name="note")}
</bpmn:userTask>
<bpmn:endEvent id="end_ok" name="Видано" />
<bpmn:endEvent id="end_no" />
"""


@pytest.fixture
def forms(tmp_path: Path) -> FormFiles:
    (tmp_path / "decision_form.json").write_text(json.dumps(FORM), encoding="utf-8")
    return FormFiles(tmp_path)


def _manifest(xml: bytes, forms: FormFiles) -> tuple[ServiceManifest | None, list[str]]:
    manifest, problems = build_manifest(parse_xml(xml), file="svc.bpmn", load_form=forms.load)
    return manifest, [str(p) for p in problems]


def test_catalog_properties_come_from_the_process(forms: FormFiles) -> None:
    manifest, problems = _manifest(diagram(SERVICE), forms)
    assert problems == []
    assert manifest is not None
    assert (manifest.process_id, manifest.title, manifest.title_en) == ("svc", "Тестова послуга", "Certificate")
    assert manifest.description == "**Довідка** для громадян"
    assert (manifest.category, manifest.organisation, manifest.sla_days) == ("Довідки", "lubny-council", 5)
    assert manifest.availability == "soon"
    assert manifest.properties == {"fee": "0"}
    assert manifest.end_events == {"end_ok": "Видано", "end_no": "end_no"}
    assert ServiceManifest.from_dict(json.loads(json.dumps(manifest.to_dict()))) == manifest


def test_who_does_each_step(forms: FormFiles) -> None:
    manifest, _ = _manifest(diagram(SERVICE), forms)
    assert manifest is not None
    steps = manifest.steps
    assert manifest.start_step is not None and manifest.start_step.element_id == "start"
    assert steps["start"].for_applicant
    assert steps["review"].groups == ("lubny-cnap",)  # the lane's name is the group
    assert not steps["review"].for_applicant
    assert steps["sign"].groups == ("lubny-heads", "lubny-cnap")  # candidateGroups win over the lane
    assert steps["fix"].for_applicant and steps["fix"].groups == ()  # the applicant's lane
    assert steps["confirm"].for_applicant and steps["confirm"].groups == ()
    assert steps["named"].candidate_users == ("lubny.cnap", "lubny.cnap2")
    assert steps["named"].due_date == "P3D"


def test_form_key_spellings_all_name_the_same_file(forms: FormFiles) -> None:
    manifest, _ = _manifest(diagram(SERVICE), forms)
    assert manifest is not None
    for element_id in ("review", "sign", "fix"):
        step = manifest.steps[element_id]
        assert step.form_key == "decision_form"
        assert step.form is not None
        assert [f.name for f in step.form.input_fields] == ["decision"]
    start_form = manifest.steps["start"].form
    assert start_form is not None and [f.name for f in start_form.input_fields] == ["surname"]


def test_bad_properties_and_missing_form_are_reported(forms: FormFiles) -> None:
    body = (
        SERVICE.replace('value="5"', 'value="five"')
        .replace('value="soon"', 'value="someday"')
        .replace('camunda:formKey="decision_form" ', 'camunda:formKey="no_such_form" ')
    )
    manifest, problems = _manifest(diagram(body), forms)
    assert manifest is not None
    assert manifest.sla_days is None and manifest.availability == "online"
    assert any(p.startswith("svc.bpmn:svc: property sla_days") for p in problems)
    assert any(
        p.startswith("svc.bpmn:svc: property availability must be one of online, soon, in_work") for p in problems
    )
    assert "svc.bpmn:review: form 'no_such_form' not found (expected forms/no_such_form.json)" in problems


def test_one_executable_process_per_file(forms: FormFiles) -> None:
    second = '<bpmn:process id="other" isExecutable="true"><bpmn:startEvent id="s2" /></bpmn:process>'
    manifest, problems = _manifest(diagram("<bpmn:startEvent id='s' />", extra=second), forms)
    assert manifest is None
    assert problems == ["svc.bpmn:-: one service per file: found several executable processes (svc, other)"]
    not_executable = second.replace('isExecutable="true"', 'isExecutable="false"')
    manifest, problems = _manifest(diagram("<bpmn:startEvent id='s' />", extra=not_executable), forms)
    assert manifest is not None and problems == []
