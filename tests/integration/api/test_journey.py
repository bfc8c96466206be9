"""The whole outdoor advertising permit through the API only: apply, returned for corrections, corrected, approved."""

from __future__ import annotations

from typing import Any


def test_citizen_official_citizen_journey_with_corrections(api: Any, steps: list[dict[str, Any]], task_named: Any):
    citizen, cnap, architect = api("citizen"), api("lubny.cnap"), api("lubny.architect")
    submitted = citizen.submit(steps)
    reference = submitted["reference"]
    assert submitted["status"] == "active" and submitted["outcome"] is None
    assert submitted["service"] == "outdoor_advertising_permit"
    assert submitted["tasks"] == []  # nothing for the applicant to do while the CNAP reviews
    assert "history" not in submitted  # a write answers lightly; the timeline is read with GET, a page at a time
    timeline = citizen.get(f"/applications/{reference}").get_json()
    assert "application.submitted" in [h["event"] for h in timeline["history"]]
    assert timeline["history_page"] == {"page": 1, "pages": 1, "total": len(timeline["history"])}

    # The CNAP official finds it in the queue, claims it and returns it for corrections.
    queued = cnap.queue_task(reference, "review_application")
    assert queued["assignee"] is None and queued["service"] == "outdoor_advertising_permit"
    claimed = cnap.post(f"/tasks/{queued['id']}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "lubny.cnap"
    seen = cnap.get(f"/applications/{reference}").get_json()
    review = task_named(seen, "review_application")
    fields = {f["name"]: f for f in review["fields"]}
    assert fields["decision"]["type"] == "choice" and fields["decision"]["required"] is True
    assert [o["value"] for o in fields["decision"]["options"]] == ["accept", "corrections", "reject"]
    assert all(o["label"] for o in fields["decision"]["options"])
    assert fields["location_address_view"]["value"] == steps[0]["data"]["location_address"]
    returned = cnap.complete(review["id"], steps[1]["data"])
    assert returned.status_code == 200, returned.get_json()
    assert returned.get_json()["tasks"] == []

    # The citizen sees the official's comment on the corrections task and sends new data and files.
    mine = citizen.get(f"/applications/{reference}").get_json()
    correct = task_named(mine, "correct_application")
    comment = next(f for f in correct["fields"] if f["name"] == "official_comment_view")
    assert comment["value"] == steps[1]["data"]["review_comment"]
    corrected = citizen.complete(correct["id"], citizen.with_files(steps[2]["data"]))
    assert corrected.status_code == 200, corrected.get_json()

    # Review again (a new task in the queue), then the architecture department approves.
    second = cnap.queue_task(reference, "review_application")
    assert second["id"] != review["id"]
    assert cnap.complete(second["id"], steps[3]["data"]).status_code == 200
    approval = architect.queue_task(reference, "architecture_approval")
    done = architect.complete(approval["id"], steps[4]["data"])
    assert done.status_code == 200, done.get_json()

    final = citizen.get(f"/applications/{reference}").get_json()
    assert final["status"] == "completed"
    assert final["outcome"] == "end_permit_issued"
    assert final["tasks"] == []
    events = [h["event"] for h in final["history"]]
    assert events.count("task.completed") == 5 and events[-1] == "application.completed"
    assert cnap.get("/tasks?scope=queue").get_json() == []


def test_labels_follow_the_requested_language(api: Any):
    citizen = api("citizen")
    english = {
        s["id"]: s["title"] for s in citizen.get("/services?lang=en", headers={"Accept-Language": "uk"}).get_json()
    }
    ukrainian = {s["id"]: s["title"] for s in citizen.get("/services", headers={"Accept-Language": "uk"}).get_json()}
    assert set(english) >= {"outdoor_advertising_permit", "housing_subsidy"}
    assert english["outdoor_advertising_permit"] != ukrainian["outdoor_advertising_permit"]
    by_header = citizen.get("/services", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert {s["id"]: s["title"] for s in by_header.get_json()} == english
    started = citizen.post("/applications", {"service": "outdoor_advertising_permit"}).get_json()
    labels = {f["name"]: f["label"] for f in started["tasks"][0]["fields"]}
    assert labels["ad_type"] == "Type of advertising structure"


def test_services_list_matches_the_contract(app: Any):
    reply = app.test_client().get("/api/v1/services")
    assert reply.status_code == 200
    for service in reply.get_json():
        assert {"id", "title", "version", "organisation", "category", "availability"} <= set(service)
