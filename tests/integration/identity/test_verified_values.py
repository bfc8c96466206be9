"""What an identity provider vouched for fills the applicant's forms — ours and iGov's ``bankId*`` — read-only, is
what the application receives, and cannot be replaced by another value, neither on the pages nor through the API."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.models import Application
from engine.services.context import Platform

from .conftest import Provider, Visitor, path_of
from .test_oidc_sign_in import OKSANA

NAME_RE = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
PDF = b"%PDF-1.4 a small test file\n%%EOF\n"
VERIFIED_TAG = "From your identity provider"
FAMILY = "family_composition_certificate"


def scenario(service_id: str, name: str) -> dict[str, Any]:
    path = PROJECT_ROOT / "processes" / service_id / "scenarios" / f"{name}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["steps"][0]["data"]
    return data


def browser_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith("@file:"):
        return (io.BytesIO(PDF), value.removeprefix("@file:"), "application/pdf")
    return str(value) if isinstance(value, int | float) else value


def start(visitor: Visitor, service_id: str) -> str:
    reply = visitor.post(f"/services/{service_id}/apply")
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return path_of(reply.headers["Location"])


def fill(visitor: Visitor, url: str, answers: dict[str, Any]) -> Any:
    """Send the page with the answers for the inputs it shows, as a browser would."""
    html = visitor.get(url).get_data(as_text=True)
    names = {n for n in NAME_RE.findall(html) if n != "csrf_token" and not n.endswith("__current")}
    data = {name: browser_value(answers[name]) for name in names if name in answers}
    return visitor.client.post(url, data={**data, "csrf_token": visitor.token}, content_type="multipart/form-data")


def fill_all(visitor: Visitor, first: str, answers: dict[str, Any]) -> str:
    url = first
    for _ in range(20):
        reply = fill(visitor, url, answers)
        assert reply.status_code == 302, reply.get_data(as_text=True)
        url = path_of(reply.headers["Location"])
        if url.endswith("/check"):
            return url
    raise AssertionError("the form never reached check your answers")


def verified_rows(html: str) -> dict[str, str]:
    """Field id → the value shown, for every field the page shows as coming from the identity provider."""
    found = re.findall(
        r'<div class="form-group verified-field[^"]*" id="field-([^"]+)">.*?'
        r'<div class="readonly-field__value">([^<]*)</div>',
        html,
        flags=re.S,
    )
    return {name: value.strip() for name, value in found}


def application_data(platform: Platform, reference: str) -> dict[str, Any]:
    with unit_of_work(platform.read_sessions) as db:
        row = db.scalar(select(Application).where(Application.reference == reference))
        assert row is not None
        data: dict[str, Any] = json.loads(row.data_json)
        return data


def test_our_form_shows_the_verified_values_read_only_and_the_application_gets_them(
    visitor: Visitor, idp: Provider, platform: Platform
) -> None:
    assert visitor.sign_in(idp.person(**OKSANA)).status_code == 302
    first = start(visitor, FAMILY)
    html = visitor.get(first).get_data(as_text=True)
    assert verified_rows(html) == {
        "last_name": "Петренко",
        "first_name": "Оксана",
        "middle_name": "Іванівна",
        "rnokpp": "3012345678",
        "phone": "+380501234567",
        "email": "oksana@example.com",
    }
    assert html.count(VERIFIED_TAG) == 6
    inputs = set(NAME_RE.findall(html))
    assert "birth_date" in inputs and not inputs & {"last_name", "first_name", "rnokpp", "phone", "email"}
    # The scenario's applicant is someone else: what the page does not offer is not taken from the answers.
    check = fill_all(visitor, first, scenario(FAMILY, "issued"))
    summary = visitor.get(check).get_data(as_text=True)
    assert "Петренко" in summary and "Шевченко Марія" not in summary.split("family_members")[0]
    assert summary.count(VERIFIED_TAG) == 6 and summary.count('href="/applications/') >= 1
    sent = visitor.post(check)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    reference = path_of(sent.headers["Location"]).split("/")[2]
    data = application_data(platform, reference)
    assert {k: data[k] for k in ("last_name", "first_name", "middle_name", "rnokpp", "phone", "email")} == {
        "last_name": "Петренко",
        "first_name": "Оксана",
        "middle_name": "Іванівна",
        "rnokpp": "3012345678",
        "phone": "+380501234567",
        "email": "oksana@example.com",
    }


def test_a_changed_verified_value_is_refused_with_the_reason(visitor: Visitor, idp: Provider) -> None:
    assert visitor.sign_in(idp.person(**OKSANA)).status_code == 302
    first = start(visitor, FAMILY)
    visitor.get(first)
    answers = {"birth_date": "14.03.1985", "last_name": "Шевченко", "rnokpp": "3012345678"}
    reply = visitor.client.post(first, data={**answers, "csrf_token": visitor.token})
    assert reply.status_code == 200  # the page again, with the problem on top (as for any refused answer)
    html = reply.get_data(as_text=True)
    assert html.count("comes from your identity provider and cannot be changed here") == 2  # summary and field
    assert '<a href="#field-last_name">' in html
    assert verified_rows(html)["last_name"] == "Петренко"  # shown as it is, not as it was sent
    assert "#field-rnokpp" not in html  # the same value sent back is fine


def test_an_igov_form_takes_the_bank_id_fields_from_the_provider(visitor: Visitor, idp: Provider) -> None:
    assert visitor.sign_in(idp.person(**OKSANA)).status_code == 302
    html = visitor.get(start(visitor, "zhitomir_mvk_2")).get_data(as_text=True)
    shown = verified_rows(html)
    assert {k: shown[k] for k in ("bankIdlastName", "bankIdfirstName", "bankIdmiddleName")} == {
        "bankIdlastName": "Петренко",
        "bankIdfirstName": "Оксана",
        "bankIdmiddleName": "Іванівна",
    }
    assert (shown["phone"], shown["email"]) == ("+380501234567", "oksana@example.com")
    assert "bankIdPassport" in NAME_RE.findall(html)  # nobody vouched for the passport: the applicant types it


def test_what_the_provider_did_not_vouch_for_stays_editable(visitor: Visitor, idp: Provider) -> None:
    """No patronymic, an e-mail the provider did not verify, no phone: names read-only, the rest to type."""
    taras = {"given_name": "Тарас", "family_name": "Коваль", "email": "taras@example.com", "email_verified": False}
    assert visitor.sign_in(idp.person(**taras)).status_code == 302
    html = visitor.get(start(visitor, FAMILY)).get_data(as_text=True)
    assert verified_rows(html) == {"last_name": "Коваль", "first_name": "Тарас"}
    assert {"middle_name", "email", "phone", "rnokpp"} <= set(NAME_RE.findall(html))
    assert 'name="email" value="taras@example.com"' in html  # prefilled from the account, editable


def test_the_api_refuses_another_value_for_a_verified_field(app: Flask, idp: Provider, platform: Platform) -> None:
    """A citizen with a password links the provider, then sends her application through the API."""
    visitor = Visitor(app.test_client(), idp).log_in("citizen")
    linking = visitor.post("/account/sign-in-methods/testid/link")
    assert linking.status_code == 302
    callback = idp.authorize(str(linking.headers["Location"]), idp.person(**OKSANA))
    assert visitor.get(path_of(callback)).status_code == 302
    api = app.test_client()
    token = api.post("/api/v1/auth/token", json={"username": "citizen", "password": "demo"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    started = api.post("/api/v1/applications", headers=headers, json={"service": FAMILY})
    assert started.status_code == 201, started.get_json()
    task = next(t for t in started.get_json()["tasks"] if t["status"] == "open")
    data = {k: v for k, v in scenario(FAMILY, "issued").items() if k != "passport_scan"}
    reply = api.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers, json={"data": data})
    assert reply.status_code == 422, reply.get_json()
    refused = {name for name, message in reply.get_json()["errors"].items() if "identity provider" in message}
    # The scenario's Maria Shevchenko shares only Oksana's patronymic: the same value is no change.
    assert refused == {"last_name", "first_name", "rnokpp", "phone", "email"}
    same = {**data, "last_name": "Петренко", "first_name": "Оксана", "middle_name": "Іванівна"}
    same |= {"rnokpp": "3012345678", "phone": "+380501234567", "email": "oksana@example.com"}
    again = api.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers, json={"data": same})
    assert set(again.get_json()["errors"]) == {"passport_scan"}  # only what is really missing
