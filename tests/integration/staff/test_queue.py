"""The work queue: who sees which tasks, filters, taking and giving back tasks, and who may not come in."""

from __future__ import annotations

from typing import Any


def test_queue_shows_a_submitted_application_only_to_its_organisation(browser: Any, citizen: Any, row_of: Any):
    reference, _steps = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    cnap = browser("lubny.cnap")
    html = cnap.page("/staff/queue")
    assert reference in html
    row = row_of(html, reference)
    assert "Розгляд заяви в ЦНАП" in row and "Unassigned" in row and "Take" in row
    assert "Outdoor advertising permit" in row  # the service title in the page's language
    assert reference not in browser("myrhorod.registry").page("/staff/queue")
    assert reference in browser("official").page("/staff/queue")  # the all-services demo official


def test_queue_filters_by_service_and_organisation(browser: Any, citizen: Any):
    advertising, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    certificate, _ = citizen.apply("family_composition_certificate", "issued")
    housing, _ = citizen.apply("housing_subsidy", "granted")
    official = browser("official")
    everything = official.page("/staff/queue")
    assert all(r in everything for r in (advertising, certificate, housing))
    assert 'value="lubny-council"' in everything and 'value="poltava-oda"' in everything
    assert 'value="myrhorod-council"' not in everything  # options come from the official's own queue
    lubny = official.page("/staff/queue?organisation=lubny-council")
    assert advertising in lubny and certificate in lubny and housing not in lubny
    one_service = official.page("/staff/queue?service=family_composition_certificate")
    assert certificate in one_service and advertising not in one_service
    nothing = official.page("/staff/queue?service=housing_subsidy&organisation=lubny-council")
    assert "No tasks match these filters." in nothing


def test_claim_and_release_from_the_pages(browser: Any, citizen: Any, task_link: Any, row_of: Any):
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    cnap = browser("lubny.cnap")
    task_url = task_link(cnap.page("/staff/queue"), reference)
    claimed = cnap.post(f"{task_url}/claim", {"next": "/staff/queue"})
    assert claimed.status_code == 302 and claimed.headers["Location"].endswith(task_url)
    page = cnap.page(task_url)
    assert f"You have taken the task for application {reference}." in page
    assert "Taken by lubny.cnap" in page and "Give back to the queue" in page
    assert reference in cnap.page("/staff/my")
    row = row_of(cnap.page("/staff/queue"), reference)
    assert "lubny.cnap" in row and "Unassigned" not in row

    released = cnap.post(f"{task_url}/release", {"next": "//evil.example/"})  # only same-site paths are followed
    assert released.status_code == 302 and released.headers["Location"].endswith("/staff/queue")
    queue = cnap.page("/staff/queue")
    assert f"The task for application {reference} is back in the queue." in queue
    assert "Unassigned" in row_of(queue, reference)
    assert reference not in cnap.page("/staff/my")


def test_a_post_without_the_csrf_token_is_refused(browser: Any, citizen: Any, task_link: Any, row_of: Any):
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    cnap = browser("lubny.cnap")
    task_url = task_link(cnap.page("/staff/queue"), reference)
    refused = cnap.client.post(f"{task_url}/claim")
    assert refused.status_code == 400
    assert "Unassigned" in row_of(cnap.page("/staff/queue"), reference)


def test_second_official_sees_the_task_taken_and_cannot_claim_it(browser: Any, citizen: Any, task_link: Any):
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    first, second = browser("lubny.cnap"), browser("lubny.cnap2")
    task_url = task_link(second.page("/staff/queue"), reference)  # second opens the queue before first claims
    assert first.post(f"{task_url}/claim").status_code == 302
    lost = second.post(f"{task_url}/claim", {"next": "/staff/queue"})
    assert lost.status_code == 302
    assert "Another official has already taken this task. Nothing was changed." in second.page("/staff/queue")
    assert reference not in second.page("/staff/my")
    assert reference in first.page("/staff/my")


def test_only_officials_and_admins_may_open_staff_pages(app: Any, browser: Any):
    assert browser("citizen").get("/staff/queue").status_code == 403
    assert browser("analyst").get("/staff/my").status_code == 403
    assert browser("admin").get("/staff/queue").status_code == 200
    anonymous = app.test_client().get("/staff/queue")
    assert anonymous.status_code == 302 and "/login?next=/staff/queue" in anonymous.headers["Location"]


def test_unknown_or_invisible_tasks_are_not_found(browser: Any, citizen: Any, task_link: Any):
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    task_url = task_link(browser("lubny.cnap").page("/staff/queue"), reference)
    outsider = browser("myrhorod.registry")
    assert outsider.get(task_url).status_code == 404
    assert outsider.post(f"{task_url}/claim").status_code == 404
    assert outsider.get("/staff/tasks/no-such-task").status_code == 404
