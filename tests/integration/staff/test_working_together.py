"""Officials working together: the queue's filters (step, due date, who holds it, reference), handing a claimed
task to a colleague with a note (mailed to them, never shown to the citizen), and supervisors' counts per group."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest

from engine.config import Settings
from engine.db import unit_of_work
from engine.models import HumanTask
from engine.services.context import Platform
from engine.worker import run_once
from tests.local_servers import Mailbox


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return mailbox.serving(settings)


def test_the_queue_filters_by_reference_step_due_date_and_holder(
    platform: Platform, browser: Any, citizen: Any, task_link: Any
) -> None:
    first, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    second, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    cnap, colleague = browser("lubny.cnap"), browser("lubny.cnap2")
    colleague.post(f"{task_link(colleague.page('/staff/queue'), second)}/claim", {"next": "/staff/queue"})
    with unit_of_work(platform.write_sessions) as db:  # the first one is late
        task = db.query(HumanTask).filter(HumanTask.status == "open").order_by(HumanTask.created_at).first()
        assert task is not None
        task.due_at = task.created_at - timedelta(days=1)

    by_reference = cnap.page(f"/staff/queue?reference={first[-4:].lower()}")
    assert first in by_reference and second not in by_reference
    overdue = cnap.page("/staff/queue?due=overdue")
    assert first in overdue and second not in overdue
    colleagues = cnap.page("/staff/queue?holder=colleagues")
    assert second in colleagues and first not in colleagues and "lubny.cnap2" in colleagues
    unassigned = cnap.page("/staff/queue?holder=unassigned")
    assert first in unassigned and second not in unassigned
    step = cnap.page("/staff/queue?step=Розгляд+заяви+в+ЦНАП")
    assert first in step and second in step and 'value="Розгляд заяви в ЦНАП" selected' in step
    assert "No tasks match these filters." in cnap.page("/staff/queue?step=Немає+такого")
    assert first in cnap.page("/staff/queue?due=bogus")  # an unknown choice filters nothing


def test_a_claimed_task_is_handed_to_a_colleague_with_a_note(
    platform: Platform, browser: Any, citizen: Any, task_link: Any, mailbox: Mailbox
) -> None:
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    cnap = browser("lubny.cnap")
    task_url = task_link(cnap.page("/staff/queue"), reference)
    assert cnap.get(f"{task_url}/hand-over").status_code == 200
    refused = cnap.post(f"{task_url}/hand-over", {"colleague": "0"}, token_from=f"{task_url}/hand-over")
    assert refused.status_code == 422  # not holding it yet, and no colleague chosen
    cnap.post(f"{task_url}/claim", {"next": "/staff/queue"})
    form = cnap.page(f"{task_url}/hand-over")
    assert "Сергій Кравченко (lubny.cnap2)" in form and "lubny.cnap)" not in form  # not oneself
    assert "lubny.architect" not in form  # another group
    colleague_id = _radio_value(form, "lubny.cnap2")
    long_note = cnap.post(
        f"{task_url}/hand-over", {"colleague": colleague_id, "note": "x" * 1001}, token_from=f"{task_url}/hand-over"
    )
    assert long_note.status_code == 422 and "1000 characters or fewer" in long_note.get_data(as_text=True)
    handed = cnap.post(
        f"{task_url}/hand-over",
        {"colleague": colleague_id, "note": "Перевірте, будь ласка, схему розміщення"},
        token_from=f"{task_url}/hand-over",
    )
    assert handed.status_code == 302
    assert f"You handed the task for application {reference} to Сергій Кравченко." in cnap.page("/staff/queue")
    colleague = browser("lubny.cnap2")
    assert reference in colleague.page("/staff/my") and reference not in cnap.page("/staff/my")
    page = colleague.page(task_url)
    assert "Handed to lubny.cnap2" in page and "Перевірте, будь ласка, схему розміщення" in page
    again = cnap.post(f"{task_url}/hand-over", {"colleague": colleague_id}, token_from="/staff/my")
    assert again.status_code in (404, 422)  # no longer hers to hand on

    run_once(platform, worker_id="test")
    (mail,) = [m for m in mailbox.to("cnap2@lubny.example.org") if "вам передали завдання" in m["Subject"]]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert reference in mail["Subject"] and "Перевірте, будь ласка, схему розміщення" in body
    citizen_view = citizen.client.get(f"/api/v1/applications/{reference}/history", headers=citizen.headers)
    assert "схему розміщення" not in citizen_view.get_data(as_text=True)  # internal, never the citizen's


def _radio_value(html: str, username: str) -> str:
    label_at = html.index(f"({username})")
    return html[:label_at].rsplit('value="', 1)[1].split('"')[0]


def test_supervisors_see_open_and_overdue_counts_of_their_groups(
    platform: Platform, browser: Any, citizen: Any
) -> None:
    citizen.apply("land_allotment_permit", "granted")
    with unit_of_work(platform.write_sessions) as db:
        task = db.query(HumanTask).filter(HumanTask.status == "open").one()
        task.due_at = task.created_at - timedelta(days=2)
    head = browser("myrhorod.head").page("/staff/queue")
    assert "Open work of your organisations' groups" in html.unescape(head)
    row = next(r for r in head.split("<tr>") if "ЦНАП Миргородської міської ради" in r)
    assert "<td>1</td>" in row and 'tag--red">1<' in row
    assert "Open work of your organisations" not in browser("myrhorod.cnap").page("/staff/queue")


def test_an_official_saves_a_filter_uses_it_and_deletes_it(browser: Any, citizen: Any) -> None:
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    cnap, colleague = browser("lubny.cnap"), browser("lubny.cnap2")
    filtered = cnap.page("/staff/queue?holder=unassigned&service=outdoor_advertising_permit")
    assert "Save these filters as" in filtered and "Save these filters as" not in cnap.page("/staff/queue")
    nameless = cnap.post("/staff/queue/filters", {"holder": "unassigned", "name": "  "}, token_from="/staff/queue")
    assert nameless.status_code == 302
    assert "Enter a name for the filter" in cnap.page(nameless.headers["Location"])
    saved = cnap.post(
        "/staff/queue/filters",
        {"holder": "unassigned", "service": "outdoor_advertising_permit", "name": "Нові заяви на рекламу"},
        token_from="/staff/queue",
    )
    queue = cnap.page(saved.headers["Location"])
    assert "The filter “Нові заяви на рекламу” was saved." in queue
    link = "/staff/queue?service=outdoor_advertising_permit&amp;holder=unassigned"
    assert f'href="{link}">Нові заяви на рекламу</a>' in cnap.page("/staff/queue")
    assert reference in cnap.page(link.replace("&amp;", "&"))
    assert "Нові заяви на рекламу" not in colleague.page("/staff/queue")  # each official's own

    page = cnap.page("/staff/queue")
    filter_id = page.split("/staff/queue/filters/")[1].split("/")[0]
    assert colleague.post(f"/staff/queue/filters/{filter_id}/delete", token_from="/staff/queue").status_code == 404
    deleted = cnap.post(f"/staff/queue/filters/{filter_id}/delete", token_from="/staff/queue")
    assert "The filter was deleted." in cnap.page(deleted.headers["Location"])
    assert "Нові заяви на рекламу" not in cnap.page("/staff/queue")
