"""The citizen's own case page says when the office has paused the case, and stops saying so once resumed."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from .conftest import Citizen, act


def signed_in_citizen(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.get("/login?lang=en")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token
    client.post("/login", data={"csrf_token": token.group(1), "username": "citizen", "password": "demo"})
    return client


def test_a_suspended_case_reads_as_paused_to_its_citizen(app: Flask, browser: Any, citizen: Citizen) -> None:
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    own = signed_in_citizen(app)
    assert "In progress" in own.get("/my/applications").get_data(as_text=True)
    admin = browser("admin")
    assert act(admin, "admin", reference, "suspend", "Чекаємо відповіді з ДМС").status_code == 302
    page = own.get(f"/my/applications/{reference}").get_data(as_text=True)
    assert "Your application is paused" in page and "Paused" in own.get("/my/applications").get_data(as_text=True)
    assert act(admin, "admin", reference, "resume", "Відповідь отримано").status_code == 302
    assert "Your application is paused" not in own.get(f"/my/applications/{reference}").get_data(as_text=True)
