"""iGov's office picker (`select` field `sID_Public_SubjectOrganJoin`) offers the platform's organisations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.services.context import Platform

from ..conftest import deploy_files
from .conftest import Browser, path_of

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
    targetNamespace="http://www.activiti.org/test">
  <process id="igov_office_pick" name="Довідка з обраного ЦНАП" isExecutable="true">
    <startEvent id="startevent1" name="Start">
      <extensionElements>
        <activiti:formProperty id="sID_Public_SubjectOrganJoin" name="Оберіть ЦНАП" type="select" required="true"/>
        <activiti:formProperty id="bankIdlastName" name="Прізвище" type="string" required="true"/>
      </extensionElements>
    </startEvent>
    <sequenceFlow id="flow1" sourceRef="startevent1" targetRef="usertask1"/>
    <userTask id="usertask1" name="Розгляд" activiti:candidateGroups="cnap_${sID_Public_SubjectOrganJoin}">
      <extensionElements>
        <activiti:formProperty id="decide" name="Рішення" type="enum" required="true">
          <activiti:value id="accept" name="Видати"/>
        </activiti:formProperty>
      </extensionElements>
    </userTask>
    <sequenceFlow id="flow2" sourceRef="usertask1" targetRef="endevent1"/>
    <endEvent id="endevent1" name="End"/>
  </process>
</definitions>
"""


def test_the_office_is_chosen_from_the_platforms_organisations(
    platform: Platform, browser: Callable[[str], Browser], tmp_path: Path
) -> None:
    sidecar = '{"organisation": "lubny-council"}'
    deploy_files(platform, tmp_path / "extra", {"office_pick.bpmn": DIAGRAM, "office_pick.service.json": sidecar})

    citizen = browser("citizen")
    started = citizen.post("/services/igov_office_pick/apply")
    form_url = path_of(started.headers["Location"])
    html = citizen.page(form_url)
    assert '<select class="select" id="field-sID_Public_SubjectOrganJoin"' in html
    assert '<option value="lubny-council"' in html and "Лубенська міська рада" in html

    refused = citizen.post(form_url, {"sID_Public_SubjectOrganJoin": "kyiv-cnap-7", "bankIdlastName": "Петренко"})
    assert refused.status_code == 200 and 'href="#field-sID_Public_SubjectOrganJoin"' in refused.get_data(as_text=True)

    saved = citizen.post(form_url, {"sID_Public_SubjectOrganJoin": "myrhorod-council", "bankIdlastName": "Петренко"})
    assert saved.status_code == 302
    check = citizen.page(path_of(saved.headers["Location"]))
    assert "Миргородська міська рада" in check  # the answer in words, not the slug
