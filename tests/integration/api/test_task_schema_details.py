"""What a task's `schema` holds for a client building the form, and how refusals of data outside it rank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.services.context import Platform

from ..conftest import deploy_files

OFFICE_PICKER = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
    targetNamespace="http://www.activiti.org/test">
  <process id="igov_office_pick" name="Довідка з обраного ЦНАП" isExecutable="true">
    <startEvent id="startevent1" name="Start">
      <extensionElements>
        <activiti:formProperty id="sID_Public_SubjectOrganJoin" name="Оберіть ЦНАП" type="select" required="true"/>
        <activiti:formProperty id="bankIdlastName" name="Прізвище" type="string" required="true"/>
        <activiti:formProperty id="sNote" name="Примітка" type="label" default="Візьміть паспорт"/>
        <activiti:formProperty id="sID_Payment" type="invisible" default=" "/>
      </extensionElements>
    </startEvent>
    <sequenceFlow id="flow1" sourceRef="startevent1" targetRef="endevent1"/>
    <endEvent id="endevent1" name="End"/>
  </process>
</definitions>
"""


def deploy_office_picker(platform: Platform, tmp_path: Path) -> None:
    sidecar = '{"organisation": "lubny-council"}'
    deploy_files(platform, tmp_path / "extra", {"office_pick.bpmn": OFFICE_PICKER, "office_pick.service.json": sidecar})


def test_igov_office_picker_prefill_and_static_text_in_the_schema(api: Any, platform: Platform, tmp_path: Path):
    deploy_office_picker(platform, tmp_path)
    citizen = api("citizen")
    started = citizen.post("/applications", {"service": "igov_office_pick"}).get_json()
    task = citizen.get(f"/tasks/{started['tasks'][0]['id']}").get_json()
    schema = task["schema"]
    office = schema["properties"]["sID_Public_SubjectOrganJoin"]
    slugs = [option["const"] for option in office["anyOf"]]
    assert {"lubny-council", "myrhorod-council"} <= set(slugs)
    assert {"const": "lubny-council", "title": "Лубенська міська рада"} in office["anyOf"]
    fields = {f["name"]: f for f in task["fields"]}
    assert fields["sID_Public_SubjectOrganJoin"]["type"] == "choice"  # as the pages offer it, not iGov's text
    assert [o["value"] for o in fields["sID_Public_SubjectOrganJoin"]["options"]] == slugs
    assert schema["properties"]["bankIdlastName"]["default"] == "Петренко"  # from the account, as on the page
    for name in ("sNote", "sID_Payment"):
        assert schema["properties"][name]["readOnly"] is True and fields[name]["input"] is False
    assert schema["required"] == ["sID_Public_SubjectOrganJoin", "bankIdlastName"]

    elsewhere = citizen.complete(task["id"], {"sID_Public_SubjectOrganJoin": "kyiv-cnap-7", "bankIdlastName": "П"})
    assert elsewhere.status_code == 422 and list(elsewhere.get_json()["errors"]) == ["sID_Public_SubjectOrganJoin"]
    sent = citizen.complete(task["id"], {"sID_Public_SubjectOrganJoin": "myrhorod-council", "bankIdlastName": "П"})
    assert sent.status_code == 200 and sent.get_json()["status"] == "completed"


def test_schema_titles_follow_the_callers_language(api: Any):
    citizen = api("citizen")
    started = citizen.post("/applications", {"service": "outdoor_advertising_permit"}).get_json()
    task_id = started["tasks"][0]["id"]
    english = citizen.get(f"/tasks/{task_id}?lang=en").get_json()["schema"]
    ukrainian = citizen.get(f"/tasks/{task_id}?lang=uk").get_json()["schema"]
    assert english["properties"]["ad_type"]["title"] == "Type of advertising structure"
    assert ukrainian["properties"]["ad_type"]["title"] != english["properties"]["ad_type"]["title"]
    assert english["properties"]["email"]["default"] == "citizen@example.org"


def test_data_outside_the_schema_is_refused_after_access_and_conflict_checks(api: Any, steps: list[dict[str, Any]]):
    citizen, cnap, architect = api("citizen"), api("lubny.cnap"), api("lubny.architect")
    reference = citizen.submit(steps)["reference"]
    review = cnap.queue_task(reference, "review_application")
    padded = {"decision": " reject ", "review_comment": "Заборонено"}
    # Lubny's architect sees the application but is no candidate for the CNAP's step: 403 comes first.
    assert architect.get(f"/tasks/{review['id']}").status_code == 200
    assert architect.complete(review["id"], padded).status_code == 403
    refused = cnap.complete(review["id"], padded)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["decision"]
    assert cnap.complete(review["id"], {"decision": "reject", "review_comment": "Заборонено"}).status_code == 200
    assert cnap.complete(review["id"], padded).status_code == 409  # no longer open
