"""Studio pages beyond the main journey: the form editor without JavaScript, test runs, diff and migration."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from engine.config import PROJECT_ROOT

SERVICE = "family_composition_certificate"


def test_form_editor_without_javascript_previews_adds_fields_and_reports_mistakes(browser: Any) -> None:
    analyst = browser("analyst")
    page = analyst.page("/studio/forms/new-permit")
    assert "Form new-permit" in page
    assert 'name="rows" value="1"' in page  # one empty row to fill in

    rows = {"mode": "table", "rows": "1", "name-0": "owner", "type-0": "text", "label_uk-0": "Власник", "page-0": "1"}
    preview = analyst.post("/studio/forms/new-permit", {**rows, "action": "preview"})
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert re.search(r'<label class="label" for="field-owner">\s*Власник', html)
    assert "No forms" not in html

    added = analyst.post("/studio/forms/new-permit", {**rows, "action": "add_row"}).get_data(as_text=True)
    assert 'name="rows" value="3"' in added  # the field plus two empty rows

    bad = analyst.post(
        "/studio/forms/new-permit",
        {**rows, "type-0": "choice", "action": "save"},  # a choice without options cannot be saved
    )
    assert bad.status_code == 400
    assert "has no options" in bad.get_data(as_text=True)
    assert analyst.client.get("/studio/forms").get_data(as_text=True).count("new-permit") == 0

    saved = analyst.post("/studio/forms/new-permit", {**rows, "required-0": "on", "action": "save"})
    assert saved.status_code == 302
    assert "new-permit" in analyst.page("/studio/forms")
    reopened = analyst.page("/studio/forms/new-permit")
    assert 'name="name-0" value="owner"' in reopened


def test_form_editor_raw_json_round_trips_a_form_file(browser: Any) -> None:
    analyst = browser("analyst")
    key = "housing_subsidy_application"
    document = json.loads((PROJECT_ROOT / "forms" / f"{key}.json").read_text(encoding="utf-8"))
    page = analyst.page(f"/studio/forms/{key}")
    assert page.count('class="fields-table__row"') == len(document["schema"]["properties"]) + 1
    reply = analyst.post(f"/studio/forms/{key}", {"mode": "json", "json": "{not json", "action": "save"})
    assert reply.status_code == 400
    assert "The JSON is not valid" in reply.get_data(as_text=True)
    document["ui"]["fields"]["last_name"]["label"]["en"] = "Family name"
    reply = analyst.post(f"/studio/forms/{key}", {"mode": "json", "json": json.dumps(document), "action": "save"})
    assert reply.status_code == 302
    assert "Family name" in analyst.page(f"/studio/forms/{key}")


def queue_size(app: Any) -> int:
    api = app.test_client(use_cookies=False)
    token = api.post("/api/v1/auth/token", json={"username": "official", "password": "demo"}).get_json()["token"]
    reply = api.get(f"/api/v1/tasks?scope=queue&service={SERVICE}", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200
    return len(reply.get_json())


def test_test_run_plays_each_role_to_the_end_without_creating_applications(browser: Any, app: Any) -> None:
    analyst = browser("analyst")
    queued = queue_size(app)
    scenario = json.loads((PROJECT_ROOT / "processes" / SERVICE / "scenarios" / "issued.json").read_text("utf-8"))
    reply = analyst.post(f"/studio/services/{SERVICE}/versions/1/test-runs")
    assert reply.status_code == 302
    run_url = reply.headers["Location"]
    for step in scenario["steps"]:
        page = analyst.page(run_url)
        assert f'<code class="muted">{step["task"]}</code>' in page
        played = "applicant" if step["actor"] == "applicant" else "lubny-cnap"
        assert f"You are playing: {played}" in page
        data: dict[str, Any] = {"csrf_token": analyst.token(run_url)}
        for name, value in step["data"].items():
            if isinstance(value, str) and value.startswith("@file:"):
                data[name] = (io.BytesIO(b"%PDF-1.4 test"), value.removeprefix("@file:"))
            elif isinstance(value, bool):
                data[name] = "yes" if value else "no"
            else:
                data[name] = str(value) if not isinstance(value, list) else value
        done = analyst.client.post(run_url, data=data, content_type="multipart/form-data")
        assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    final = analyst.page(run_url)
    assert "The run reached an end" in final
    assert scenario["expect"]["end_event"] in final
    assert queue_size(app) == queued  # the sandbox put nothing in officials' queues


def test_diff_and_migration_pages(browser: Any, app: Any) -> None:
    analyst = browser("analyst")
    api = app.test_client(use_cookies=False)
    token = api.post("/api/v1/auth/token", json={"username": "citizen", "password": "demo"}).get_json()["token"]
    started = api.post("/api/v1/applications", json={"service": SERVICE}, headers={"Authorization": f"Bearer {token}"})
    reference = started.get_json()["reference"]  # running on version 1

    base = f"/studio/services/{SERVICE}/versions/1"
    reply = analyst.post(
        f"{base}/steps/prepare_certificate",
        {"name": "Підготовка і видача довідки", "form_key": "", "candidate_groups": "lubny-cnap", "assignee": ""},
    )
    assert reply.status_code == 302
    diff = analyst.page(f"/studio/services/{SERVICE}/diff?a=1&b=2")
    assert "prepare_certificate" in diff and "Changed" in diff
    refused = analyst.client.get(f"/studio/services/{SERVICE}/migrate?from=1&to=2")
    assert refused.status_code == 409
    assert "version 2 is not published" in refused.get_data(as_text=True)

    analyst.post(f"/studio/services/{SERVICE}/versions/2/publish")
    plan = analyst.page(f"/studio/services/{SERVICE}/migrate?from=1&to=2")
    assert "Dry run: version 1 to version 2" in plan
    assert f'name="reference" value="{reference}"' in plan
    report = analyst.post(f"/studio/services/{SERVICE}/migrate", {"from": "1", "to": "2", "reference": reference})
    assert report.status_code == 200
    assert "1 application moved." in report.get_data(as_text=True)
