"""Bad input and forbidden access through the API: clear JSON errors, and nothing changes."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask


def test_missing_required_field_and_wrong_type_are_422_by_field(api: Any, steps: list[dict[str, Any]], task_named):
    citizen = api("citizen")
    started = citizen.post("/applications", {"service": "outdoor_advertising_permit"}).get_json()
    start = task_named(started, "start_application")
    data = citizen.with_files(steps[0]["data"])
    del data["last_name"]
    reply = citizen.complete(start["id"], {**data, "ad_sides": "abc"})
    assert reply.status_code == 422
    errors = reply.get_json()["errors"]
    assert set(errors) == {"last_name", "ad_sides"}
    assert errors["ad_sides"] == "Number of faces must be a whole number"
    assert reply.get_json()["error"]
    ukrainian = citizen.post(f"/tasks/{start['id']}/complete?lang=uk", {"data": {**data, "ad_sides": "abc"}})
    assert "Кількість сторін (площин)" in ukrainian.get_json()["errors"]["ad_sides"]
    after = citizen.get(f"/applications/{started['reference']}").get_json()
    assert after["tasks"][0]["id"] == start["id"]  # still open: nothing was submitted
    assert "application.submitted" not in [h["event"] for h in after["history"]]


def test_unknown_keys_are_refused(api: Any, steps: list[dict[str, Any]], task_named):
    citizen = api("citizen")
    started = citizen.post("/applications", {"service": "outdoor_advertising_permit"}).get_json()
    start = task_named(started, "start_application")
    reply = citizen.complete(start["id"], {**citizen.with_files(steps[0]["data"]), "colour": "red"})
    assert reply.status_code == 422
    assert reply.get_json()["errors"] == {"colour": "colour is not a field of this form"}


def test_completing_a_task_twice_is_a_conflict(api: Any, steps: list[dict[str, Any]]):
    citizen, cnap = api("citizen"), api("lubny.cnap")
    application = citizen.submit(steps)
    task = cnap.queue_task(application["reference"], "review_application")
    reject = {"decision": "reject", "review_comment": "Заборонено"}
    assert cnap.complete(task["id"], reject).status_code == 200
    again = cnap.complete(task["id"], {"decision": "accept"})
    assert again.status_code == 409
    assert "no longer open" in again.get_json()["error"]
    final = cnap.get(f"/applications/{application['reference']}").get_json()
    assert final["status"] == "completed" and final["outcome"] == "end_rejected"


def test_claim_race_second_official_gets_409_and_cannot_complete(api: Any, steps: list[dict[str, Any]]):
    citizen, first, second = api("citizen"), api("lubny.cnap"), api("lubny.cnap2")
    reference = citizen.submit(steps)["reference"]
    task = first.queue_task(reference, "review_application")
    assert first.post(f"/tasks/{task['id']}/claim").status_code == 200
    lost = second.post(f"/tasks/{task['id']}/claim")
    assert lost.status_code == 409
    assert lost.get_json() == {"error": "Another official has claimed this task."}
    assert second.complete(task["id"], {"decision": "reject"}).status_code == 409
    assert second.post(f"/tasks/{task['id']}/release").status_code == 409
    assert second.get(f"/applications/{reference}").get_json()["tasks"] == []  # nothing the second may act on
    assert second.queue_task(reference, "review_application")["assignee"] == "lubny.cnap"
    assert [t["id"] for t in first.get("/tasks?scope=mine").get_json()] == [task["id"]]
    released = first.post(f"/tasks/{task['id']}/release")
    assert released.status_code == 200 and released.get_json()["assignee"] is None
    assert second.post(f"/tasks/{task['id']}/claim").get_json()["assignee"] == "lubny.cnap2"


def test_strangers_get_404_for_applications_and_tasks(api: Any, steps: list[dict[str, Any]]):
    citizen = api("citizen")
    application = citizen.submit(steps)
    reference = application["reference"]
    review = api("lubny.cnap").queue_task(reference, "review_application")
    for stranger in (api("citizen2"), api("myrhorod.registry")):
        assert stranger.get(f"/applications/{reference}").status_code == 404
        assert stranger.get(f"/tasks/{review['id']}").status_code == 404
        assert stranger.post(f"/tasks/{review['id']}/claim").status_code == 404
        reply = stranger.complete(review["id"], {"decision": "accept"})
        assert reply.status_code == 404 and reply.get_json() == {"error": "Not found."}
    assert api("myrhorod.registry").get("/tasks?scope=queue").get_json() == []
    assert citizen.get(f"/applications/{reference}").status_code == 200


def test_only_officials_list_tasks(api: Any):
    reply = api("citizen").get("/tasks?scope=queue")
    assert reply.status_code == 403 and "error" in reply.get_json()
    assert api("analyst").get("/tasks?scope=mine").status_code == 403
    assert api("lubny.cnap").get("/tasks?scope=everything").status_code == 400


def test_bad_or_missing_token_is_401_and_cookies_are_ignored(app: Flask, api: Any):
    client = app.test_client()
    bad = client.get("/api/v1/applications", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and "error" in bad.get_json()
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/applications").status_code == 401
    wrong_password = client.post("/api/v1/auth/token", json={"username": "citizen", "password": "nope"})
    assert wrong_password.status_code == 401 and "token" not in wrong_password.get_json()
    # A signed-in browser session does not authenticate API calls.
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"username": "citizen", "password": "demo"}).status_code == 302
    assert client.get("/api/v1/applications").status_code == 401
    assert client.get("/api/v1/applications", headers=api("citizen").headers).status_code == 200


def test_malformed_requests_are_400_json(api: Any):
    citizen = api("citizen")
    broken = citizen.client.post(
        "/api/v1/applications", headers={**citizen.headers, "Content-Type": "application/json"}, data="{not json"
    )
    assert broken.status_code == 400 and broken.get_json()["error"]
    assert citizen.post("/applications", ["a list"]).status_code == 400
    assert citizen.post("/applications", {"service": 7}).status_code == 422
    assert citizen.post("/applications", {"service": "no_such_service"}).status_code == 404
    assert citizen.post("/tasks/whatever/complete", {"data": "text"}).status_code == 400
    not_json = citizen.client.post("/api/v1/attachments", headers=citizen.headers, data={})
    assert not_json.status_code == 400 and not_json.get_json()["error"]


def test_oversize_upload_is_413_json_and_not_stored(api: Any, settings):
    citizen = api("citizen")
    too_big = io.BytesIO(b"x" * (settings.max_upload_bytes + 1))
    reply = citizen.client.post(
        "/api/v1/attachments",
        headers=citizen.headers,
        data={"file": (too_big, "big.pdf")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 413
    assert "MB" in reply.get_json()["error"]
    assert not settings.upload_dir.exists() or not any(settings.upload_dir.iterdir())  # partial file removed
    # Past the request size limit werkzeug refuses the body before reading it (built by hand: no temp files).
    huge = b"x" * (settings.max_upload_bytes + 2 * 1024 * 1024)
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\n\r\n' + huge + b"\r\n--b--\r\n"
    beyond_request_limit = citizen.client.post(
        "/api/v1/attachments", headers=citizen.headers, data=body, content_type="multipart/form-data; boundary=b"
    )
    assert beyond_request_limit.status_code == 413 and beyond_request_limit.get_json()["error"]


def test_unknown_paths_and_methods_answer_json(app: Flask):
    client = app.test_client()
    missing = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and missing.get_json() == {"error": "Not found."}
    wrong_method = client.delete("/api/v1/services")
    assert wrong_method.status_code == 405 and wrong_method.get_json()["error"]
