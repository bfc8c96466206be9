"""An iGov service dropped into processes/igov/ unchanged, used end to end in the web application.

Kherson's "certificate of being on the housing register" (Kherson_uorpg_kv_oblik.bpmn from the corpus, byte for
byte): the citizen fills iGov's start form in Ukrainian (name fields from the account, a static notice, dates, an
enum as radios, a file, a hidden technical field), the office's official sees the read-only copies and decides, the
iGov mail tasks go out through the platform's mail, and the case completes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage, Message
from typing import Any

import pytest

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.cases.applications import get_application
from engine.services.context import Actor, Platform
from engine.store import directory
from engine.worker import run_once

from .conftest import Browser, Mailbox, path_of, shown_values

SERVICE = "Kherson_uorpg_kv"
DIAGRAM = PROJECT_ROOT / "processes" / "igov" / "Kherson_uorpg_kv_oblik.bpmn"
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "igov" / "Kherson_uorpg_kv_oblik.bpmn"
ANSWERS: dict[str, Any] = {
    "bankIdmiddleName": "Іванівна",
    "date_today": "06.05.2024",
    "adres_1": "м. Херсон, вул. Соборна, 1, кв. 5",
    "tel": "380501234567",
    "relative_1": "Петренко Іван Петрович, чоловік",
    "date_oblik": "01.03.2015",
    "dovidka_neobhidna": "robota",
    "dovidka_file": "@file:forma2.pdf",
}


def _field_html(html: str, name: str) -> str:
    """The form group of one field (from its id to the next form group)."""
    start = html.index(f'id="field-{name}')
    start = html.rindex('<div class="form-group', 0, start)
    end = html.find('<div class="form-group', start + 1)
    return html[start : end if end != -1 else len(html)]


def _text(message: Message) -> str:
    """Every text part of a received message, decoded."""
    parts = [p for p in message.walk() if p.get_content_maintype() == "text"]
    return "\n".join(str(p.get_content()) for p in parts if isinstance(p, EmailMessage))


def _actor(platform: Platform, username: str) -> Actor:
    with unit_of_work(platform.read_sessions) as db:
        user = directory.find_user(db, username)
        assert user is not None
        return Actor.of(user)


@pytest.mark.needs("igov_corpus")
def test_the_diagram_is_the_corpus_file_unchanged() -> None:
    assert DIAGRAM.read_bytes() == CORPUS.read_bytes()


def test_citizen_applies_official_decides_mail_goes_out_and_the_case_completes(
    platform: Platform, browser: Callable[[str], Browser], mailbox: Mailbox
) -> None:
    citizen = browser("citizen")
    service_page = citizen.page(f"/services/{SERVICE}")
    assert "Херсон - Видача довідки про перебування на квартирному обліку" in service_page
    started = citizen.post(f"/services/{SERVICE}/apply")
    assert started.status_code == 302
    form_url = path_of(started.headers["Location"])
    html = citizen.page(form_url)

    # Ukrainian interface and the diagram's own Ukrainian labels; the start event's name "Start" is no title.
    assert "Продовжити" in html and "Укажіть сьогоднішню дату" in html
    assert "<h1>Херсон - Видача довідки про перебування на квартирному обліку</h1>" in html
    # Names and e-mail come from the account ("Оксана Петренко"); the passport-like fields stay for the citizen.
    shown = shown_values(html)
    assert (shown["bankIdlastName"], shown["bankIdfirstName"], shown["email"]) == (
        "Петренко",
        "Оксана",
        "citizen@example.org",
    )
    assert shown["bankIdmiddleName"] == "" and shown["relative_2"] == ""  # iGov's ' ' default is not typed in
    # The hidden technical field is not on the page at all.
    assert "sBody_1" not in html
    # The label is static text, shown as a notice, not as an input.
    notice = _field_html(html, "zgoda")
    assert "static-text--info" in notice and "Даю згоду на обробку своїх персональних даних" in notice
    assert "<input" not in notice
    # An enum is a set of radios with iGov's option labels.
    radios = re.findall(r'type="radio"[^>]*name="dovidka_neobhidna" value="([^"]+)"', html)
    assert radios == ["robota", "programa", "other"]
    assert "для участі в програмі забезпечення житлом молодих сімей" in html
    # Dates are typed day first; a file is an upload; a long is a numeric input; a textArea a textarea.
    assert 'placeholder="ДД.ММ.РРРР"' in _field_html(html, "date_oblik")
    assert 'type="file"' in _field_html(html, "dovidka_file")
    assert 'inputmode="numeric"' in _field_html(html, "tel")
    assert "<textarea" in _field_html(html, "pilgi")

    response = citizen.fill(form_url, ANSWERS)
    assert response.status_code == 302, response.get_data(as_text=True)
    check_url = path_of(response.headers["Location"])
    check = citizen.page(check_url)
    assert "для подання за місцем роботи" in check and "06.05.2024" in check
    sent = citizen.post(check_url)
    assert sent.status_code == 302
    reference = path_of(sent.headers["Location"]).split("/")[2]

    run_once(platform, worker_id="igov-1")  # the upload bean and the two iGov mail tasks after the start form

    with unit_of_work(platform.read_sessions) as db:
        view = get_application(db, _actor(platform, "citizen"), reference)
    assert view.data["sBody_1"] == " "  # the hidden field's default was written when the form was sent
    assert view.data["bankIdlastName"] == "Петренко"
    (task,) = [t for t in view.open_steps if t.element_id == "usertask1"]

    official = browser("lubny.cnap")
    queue = official.page("/staff/queue")
    assert reference in queue
    task_url = f"/staff/tasks/{task.id}"
    page = official.page(task_url)
    # Read-only copies of the citizen's answers, in words, not editable.
    author = _field_html(page, "clFio")
    assert "Петренко Оксана Іванівна" in author and "<input" not in author
    assert "06.05.2024" in _field_html(page, "date_today")
    assert "для подання за місцем роботи" in _field_html(page, "dovidka_neobhidna")
    assert 'name="adres_1"' not in page
    # The official's own decision fields.
    assert re.findall(r'type="radio"[^>]*name="decision_1" value="([^"]+)"', page) == ["accept", "reject"]
    assert "м.Херсон, вул.Ушакова 37, каб.106" in _field_html(page, "adres_2")  # iGov's default, editable

    decided = official.post(
        f"/staff/tasks/{task.id}/complete",
        {**shown_values(page), "decision_1": "accept", "date_doc": "13.05.2024 10:00"},
    )
    assert decided.status_code == 302, decided.get_data(as_text=True)

    run_once(platform, worker_id="igov-2")  # the result mail

    with unit_of_work(platform.read_sessions) as db:
        final = get_application(db, _actor(platform, "citizen"), reference)
    assert final.status == "completed", (final.error_element, final.error_message)
    assert final.outcome == "endevent1"
    assert final.data["clFio"] == "Петренко Оксана Іванівна"
    to_citizen = mailbox.to("citizen@example.org")
    subjects = [str(m["Subject"]) for m in to_citizen]
    assert subjects.count("Звернення на тему: Видача довідки про перебування на квартирному обліку") == 2
    assert any("Шановний(-а), Оксана Іванівна" in _text(m) for m in to_citizen)  # ${bankIdfirstName} ...
    assert mailbox.to("darja.grek@gmail.com"), "the office's notification (a fixed address in the diagram)"
