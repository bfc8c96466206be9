"""Deciding on the task page: answers and files shown, errors kept, races refused, the whole journey end to end."""

from __future__ import annotations

import io
import re
from typing import Any


def test_full_journey_with_corrections_through_the_officials_pages(browser: Any, citizen: Any, task_link: Any):
    reference, steps = citizen.apply("outdoor_advertising_permit", "issued_after_corrections")
    cnap = browser("lubny.cnap")
    task_url = task_link(cnap.page("/staff/queue"), reference)
    page = cnap.page(task_url)
    # The citizen's answers read-only, their files as download links, the history and the decision form.
    assert steps[0]["data"]["location_address"] in page and "Change" not in page
    assert steps[0]["data"]["ad_type"] not in page  # choices shown by their labels, also in display fields
    files = re.findall(r'href="/attachments/([0-9a-f-]{36})"', page)
    assert len(set(files)) == 3
    download = cnap.get(f"/attachments/{files[0]}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    assert "Application submitted" in page and "Save decision" in page

    # No decision chosen: error summary, "Error:" title, the comment typed is kept, nothing saved.
    comment = steps[1]["data"]["review_comment"]
    invalid = cnap.post(f"{task_url}/complete", {"review_comment": comment})
    html = invalid.get_data(as_text=True)
    assert invalid.status_code == 200 and "<title>Error: " in html
    assert 'href="#field-decision"' in html and comment in html
    assert citizen.application(reference)["tasks"] == []

    returned = cnap.post(f"{task_url}/complete", steps[1]["data"])
    assert returned.status_code == 302 and returned.headers["Location"].endswith("/staff/queue")
    assert f"Your decision on application {reference} has been saved." in cnap.page("/staff/queue")

    # The citizen corrects through the API; the case comes back to the CNAP queue as a new task.
    waiting = citizen.application(reference)
    (correct,) = waiting["tasks"]
    assert correct["name"] == "correct_application"
    citizen.complete(correct["id"], steps[2]["data"])
    second_url = task_link(cnap.page("/staff/queue"), reference)
    assert second_url != task_url
    second = cnap.page(second_url)
    assert steps[2]["data"]["correction_note"] in second  # the display field shows the applicant's note
    assert cnap.post(f"{second_url}/complete", steps[3]["data"]).status_code == 302

    architect = browser("lubny.architect")
    approval_url = task_link(architect.page("/staff/queue"), reference)
    assert steps[3]["data"]["review_comment"] in architect.page(approval_url)
    assert architect.post(f"{approval_url}/complete", steps[4]["data"]).status_code == 302
    assert approval_url not in architect.page("/staff/queue")

    final = citizen.application(reference)
    assert final["status"] == "completed" and final["outcome"] == "end_permit_issued"
    assert final["tasks"] == []
    done_page = architect.page(approval_url)
    assert "Save decision" not in done_page and "Done" in done_page


def test_second_official_cannot_complete_a_task_claimed_by_the_first(browser: Any, citizen: Any, task_link: Any):
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    first, second = browser("lubny.cnap"), browser("lubny.cnap2")
    task_url = task_link(first.page("/staff/queue"), reference)
    assert first.post(f"{task_url}/claim").status_code == 302
    seen = second.page(task_url)
    assert "Taken by lubny.cnap" in seen and "Save decision" not in seen
    race = second.post(f"{task_url}/complete", {"decision": "reject", "review_comment": "Відмова"})
    html = race.get_data(as_text=True)
    assert race.status_code == 409
    assert "Another official has already taken this task. Nothing was changed." in html
    assert "What you entered (not saved)" in html and "Відмова" in html
    after = citizen.application(reference)
    assert after["status"] == "active"
    assert [h["event"] for h in after["history"]].count("task.completed") == 1  # only the citizen's start form
    assert first.post(f"{task_url}/complete", {"decision": "accept"}).status_code == 302


def test_completing_a_task_already_done_shows_a_clear_message(browser: Any, citizen: Any, task_link: Any):
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    cnap = browser("lubny.cnap")
    task_url = task_link(cnap.page("/staff/queue"), reference)
    assert cnap.post(f"{task_url}/complete", {"decision": "reject", "review_comment": "Ні"}).status_code == 302
    again = cnap.post(f"{task_url}/complete", {"decision": "accept"})
    assert again.status_code == 409
    assert "This task has already been completed. Nothing was changed." in again.get_data(as_text=True)
    assert citizen.application(reference)["outcome"] == "end_rejected"


def test_official_uploads_the_result_document_and_it_survives_an_error(browser: Any, citizen: Any, task_link: Any):
    reference, _steps = citizen.apply("family_composition_certificate", "issued")
    cnap = browser("lubny.cnap")
    task_url = task_link(cnap.page("/staff/queue"), reference)
    assert 'enctype="multipart/form-data"' in cnap.page(task_url)
    upload = (io.BytesIO(b"%PDF-1.4 certificate"), "certificate.pdf")
    token = cnap.token(task_url)
    invalid = cnap.client.post(
        f"{task_url}/complete", data={"csrf_token": token, "certificate_file": upload, "certificate_number": "СС-1"}
    )
    html = invalid.get_data(as_text=True)
    assert invalid.status_code == 200 and 'href="#field-decision"' in html
    kept = re.search(r'name="certificate_file__current" value="([^"]+)"', html)
    assert kept and "certificate.pdf" in html
    done = cnap.post(
        f"{task_url}/complete",
        {"decision": "issue", "certificate_number": "СС-1", "certificate_file__current": kept.group(1)},
    )
    assert done.status_code == 302
    final = citizen.application(reference)
    assert final["outcome"] == "end_issued"
    assert f'href="/attachments/{kept.group(1)}"' in cnap.page(task_url)


def test_an_oversize_upload_is_a_field_error_on_the_page(browser: Any, citizen: Any, task_link: Any, settings: Any):
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    cnap = browser("lubny.cnap")
    task_url = task_link(cnap.page("/staff/queue"), reference)
    big = (io.BytesIO(b"x" * (settings.max_upload_bytes + 1)), "big.pdf")
    reply = cnap.client.post(
        f"{task_url}/complete", data={"csrf_token": cnap.token(task_url), "decision": "issue", "certificate_file": big}
    )
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and 'href="#field-certificate_file"' in html
    assert "The file must be smaller than" in html
    assert citizen.application(reference)["status"] == "active"
