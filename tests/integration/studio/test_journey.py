"""The issue's "done when": an analyst takes a new service from an empty diagram to published, using only the
studio's pages, and a citizen finds it in the catalog and applies; an official then decides."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

SERVICE = "tree_felling_permit"
TITLE = "Дозвіл на видалення зелених насаджень"

# What the analyst draws in the modeler: start → review by an official → end (no forms, nobody assigned yet).
DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="Definitions_{SERVICE}" targetNamespace="https://posluhy.example/bpmn/{SERVICE}">
  <bpmn:process id="{SERVICE}" name="{TITLE}" isExecutable="true">
    <bpmn:startEvent id="start" name="Заяву подано"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Розгляд заяви">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="granted" name="Дозвіл видано"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="granted" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_1">
    <bpmndi:BPMNPlane id="Plane_1" bpmnElement="{SERVICE}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="review_di" bpmnElement="review"><dc:Bounds x="240" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="granted_di" bpmnElement="granted"><dc:Bounds x="392" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120" /><di:waypoint x="392" y="120" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def version_number(location: str) -> int:
    found = re.search(r"/versions/(\d+)$", location)
    assert found, location
    return int(found.group(1))


def save_form(analyst: Any, key: str, rows: list[dict[str, str]]) -> None:
    data: dict[str, str] = {"mode": "table", "rows": str(len(rows)), "title_uk": key, "action": "save"}
    for i, row in enumerate(rows):
        data.update({f"{column}-{i}": value for column, value in row.items()})
    reply = analyst.post(f"/studio/forms/{key}", data)
    page = analyst.follow(reply)
    assert f"Form {key} is saved." in page


def test_analyst_publishes_a_new_service_that_a_citizen_uses(browser: Any, app: Flask) -> None:
    analyst = browser("analyst")

    # A new service starts from an empty diagram as draft version 1.
    reply = analyst.post("/studio/services/new", {"process_id": SERVICE, "title": TITLE})
    assert reply.status_code == 302
    assert version_number(reply.headers["Location"]) == 1
    page = analyst.follow(reply)
    assert TITLE in page and "Draft" in page
    assert SERVICE in analyst.page("/studio/")

    # The forms, built in the form editor's fields table (no file written by hand).
    save_form(
        analyst,
        "tree-felling-application",
        [
            {"name": "address", "type": "text", "label_uk": "Адреса ділянки", "required": "on", "order": "10"},
            {"name": "trees", "type": "integer", "label_uk": "Кількість дерев", "minimum": "1", "maximum": "50"},
        ],
    )
    save_form(
        analyst,
        "tree-felling-decision",
        [{"name": "decision_note", "type": "textarea", "label_uk": "Примітка до рішення", "required": "on"}],
    )

    # The drawn diagram is saved; its problems are listed with element ids and publishing is blocked.
    reply = analyst.post(f"/studio/services/{SERVICE}/drafts", {"xml": DIAGRAM})
    number = version_number(reply.headers["Location"])
    assert number == 2
    page = analyst.follow(reply)
    assert 'data-element="review"' in page
    assert "cannot be published until its errors are fixed" in page
    assert re.search(r'id="publish"[^>]*disabled', page)
    refused = analyst.post(f"/studio/services/{SERVICE}/versions/{number}/publish")
    assert refused.status_code == 302
    assert "Published" not in analyst.page(f"/studio/services/{SERVICE}/versions/{number}")

    # Steps and catalog properties through the plain forms; each save is a new draft.
    base = f"/studio/services/{SERVICE}/versions"
    reply = analyst.post(
        f"{base}/{number}/steps/start",
        {"name": "Заяву подано", "form_key": "tree-felling-application", "candidate_groups": "", "assignee": ""},
    )
    number = version_number(reply.headers["Location"])
    reply = analyst.post(
        f"{base}/{number}/steps/review",
        {
            "name": "Розгляд заяви",
            "form_key": "tree-felling-decision",
            "candidate_groups": "lubny-cnap",
            "assignee": "",
        },
    )
    number = version_number(reply.headers["Location"])
    reply = analyst.post(
        f"{base}/{number}/properties",
        {
            "title": TITLE,
            "title_en": "Tree felling permit",
            "description": "Дозвіл на видалення дерев на території громади.",
            "description_en": "Permit to fell trees in the community.",
            "category": "Дозволи",
            "organisation": "lubny-council",
            "sla_days": "10",
            "availability": "online",
        },
    )
    number = version_number(reply.headers["Location"])
    assert number == 5
    page = analyst.follow(reply)
    assert "cannot be published" not in page, page
    assert "Tree felling permit" not in analyst.client.get("/services?lang=en").get_data(as_text=True)

    # Publish: citizens now see it.
    page = analyst.follow(analyst.post(f"{base}/{number}/publish"))
    assert "is published" in page and "Published" in page

    citizen = browser("citizen")
    catalog = citizen.page("/services?lang=en")
    assert "Tree felling permit" in catalog
    assert "Tree felling permit" in citizen.page(f"/services/{SERVICE}")

    api = app.test_client(use_cookies=False)
    token = api.post("/api/v1/auth/token", json={"username": "citizen", "password": "demo"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    started = api.post("/api/v1/applications", json={"service": SERVICE}, headers=headers)
    assert started.status_code == 201, started.get_json()
    application = started.get_json()
    task = application["tasks"][0]
    done = api.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"address": "Лубни, вул. Садова, 3", "trees": 2}},
        headers=headers,
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "active"

    # The official of the candidate group decides; the application ends at the diagram's end event.
    token = api.post("/api/v1/auth/token", json={"username": "lubny.cnap", "password": "demo"}).get_json()["token"]
    official = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    queue = api.get(f"/api/v1/tasks?scope=queue&service={SERVICE}", headers=official).get_json()
    review = next(t for t in queue if t["reference"] == application["reference"])
    decided = api.post(
        f"/api/v1/tasks/{review['id']}/complete", json={"data": {"decision_note": "Погоджено"}}, headers=official
    )
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["status"] == "completed"
    assert decided.get_json()["outcome"] == "granted"
