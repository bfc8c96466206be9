"""Notes and messages on a case: an internal note only staff read; a message the citizen reads on their case page
and by e-mail; plain text (markup shown as typed), audited; refused for other organisations and the citizen."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from sqlalchemy import select

from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.services.context import Platform
from engine.worker import run_once

from ..conftest import Mailbox
from .conftest import Browser, Citizen


def comment(who: Browser, prefix: str, reference: str, body: str, audience: str, file: str | None = None) -> Any:
    page = who.page(f"/{prefix}/cases/{reference}")
    token = re.search(r'name="comment-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    data: dict[str, Any] = {"comment-csrf_token": token.group(1), "comment-body": body, "comment-audience": audience}
    if file is not None:
        data["comment-file"] = (io.BytesIO(b"%PDF-1.4 " + file.encode()), file)
    return who.client.post(f"/{prefix}/cases/{reference}/comments", data=data, content_type="multipart/form-data")


def fetch(client: Any, path: str) -> tuple[int, bytes]:
    """A download's status and bytes, the response closed (the file it streams too)."""
    with client.get(path) as reply:
        return reply.status_code, reply.get_data()


def attachment_link(html: str, filename: str) -> str:
    found = re.search(r'href="(/attachments/[^"]+)" download>' + re.escape(filename) + "<", html)
    assert found, filename
    return found.group(1)


def test_a_note_stays_with_staff_and_a_message_reaches_the_citizen(
    browser: Any, citizen: Citizen, mailbox: Mailbox, platform: Platform, app: Any
) -> None:
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    cnap = browser("lubny.cnap")
    note = comment(cnap, "staff", reference, "Перевірити дозвіл <b>власника</b> будівлі", "staff", "check.pdf")
    assert note.status_code == 302 and note.headers["Location"].endswith("#comments")
    sent = comment(cnap, "staff", reference, "Додайте, будь ласка, фото місця.\nДякуємо!", "citizen", "sample.pdf")
    assert sent.status_code == 302

    page = browser("admin").page(f"/admin/cases/{reference}")
    assert "Перевірити дозвіл &lt;b&gt;власника&lt;/b&gt; будівлі" in page and "<b>власника</b>" not in page
    assert "Internal note" in page and "To the citizen" in page

    own = app.test_client()
    own.get("/login?lang=en")
    login = own.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    own.post("/login", data={"csrf_token": token.group(1), "username": "citizen", "password": "demo"})
    mine = own.get(f"/my/applications/{reference}").get_data(as_text=True)
    assert "Messages from the office" in mine and "Додайте, будь ласка, фото місця." in mine
    assert "Перевірити дозвіл" not in mine  # the internal note never reaches the citizen
    assert fetch(own, attachment_link(mine, "sample.pdf")) == (200, b"%PDF-1.4 sample.pdf")
    internal = attachment_link(page, "check.pdf")
    assert "check.pdf" not in mine and fetch(own, internal)[0] == 404  # not even by its address
    assert fetch(cnap.client, internal)[0] == 200 and fetch(browser("myrhorod.cnap").client, internal)[0] == 404

    with unit_of_work(platform.read_sessions) as db:
        audited = db.scalars(select(AuditEvent).where(AuditEvent.action.like("comment.%")).order_by(AuditEvent.id))
        trail = [(e.action, e.actor, json.loads(e.details_json)["length"]) for e in audited]
    assert trail == [("comment.internal_note", "lubny.cnap", 41), ("comment.message_to_citizen", "lubny.cnap", 41)]

    run_once(platform, worker_id="test")
    (mail,) = [m for m in mailbox.to("citizen@example.org") if "нове повідомлення" in m["Subject"]]
    assert "Додайте, будь ласка, фото місця." in mail.get_body(preferencelist=("plain",)).get_content()


def test_comments_are_refused_without_text_and_for_those_who_may_not_see_the_case(
    browser: Any, citizen: Citizen
) -> None:
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    cnap = browser("lubny.cnap")
    empty = comment(cnap, "staff", reference, "   ", "staff")
    assert empty.status_code == 422 and "Enter the comment" in empty.get_data(as_text=True)
    too_long = comment(cnap, "staff", reference, "я" * 5001, "citizen")
    assert too_long.status_code == 422 and "5000 characters or fewer" in too_long.get_data(as_text=True)
    other = browser("myrhorod.cnap")
    assert other.get(f"/staff/cases/{reference}").status_code == 404
    token = other.token("/staff/my")
    refused = other.client.post(
        f"/staff/cases/{reference}/comments",
        data={"comment-csrf_token": token, "csrf_token": token, "comment-body": "x", "comment-audience": "staff"},
    )
    assert refused.status_code == 404
    assert "Notes and messages" in cnap.page(f"/staff/cases/{reference}")
    assert "No notes or messages yet." in cnap.page(f"/staff/cases/{reference}")
