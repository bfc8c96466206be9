"""A three-page inline (Camunda formData) form, end to end: pages, errors, check answers, confirmation, status."""

from __future__ import annotations

import re
from typing import Any

import pytest

SERVICE = "family_composition_certificate"
REFERENCE_RE = re.compile(r"\b\d{5}-\d{5}\b")


def reference_in(path: str) -> str:
    found = REFERENCE_RE.search(path)
    assert found, path
    return found.group(0)


@pytest.fixture
def answers(scenario_data) -> dict[str, Any]:
    return scenario_data(SERVICE, "issued")


def test_whole_application_through_check_answers_to_confirmation_and_status(citizen, answers):
    first = citizen.start(SERVICE)
    page_one = citizen.page(first)
    assert first.endswith("/pages/1")
    assert 'name="last_name"' in page_one and 'name="purpose"' not in page_one
    assert "novalidate" in page_one

    check = citizen.fill_all(first, answers)
    summary = citizen.page(check)
    assert "Шевченко" in summary
    assert "14.03.1985" in summary  # the saved ISO date shown the Ukrainian way
    assert "Оформлення субсидії або пільг" in summary  # the option's label, not its value "subsidy"
    assert ">passport.pdf</a>" in summary  # the upload, linked by its file name
    assert summary.count("?return=check") == 15  # a Change link for every answer
    assert "Submit application" in summary

    submitted = citizen.post(check)
    assert submitted.status_code == 302
    confirmation = submitted.headers["Location"]
    assert confirmation.endswith("/submitted")
    reference = reference_in(confirmation)
    panel = citizen.page(confirmation)
    assert reference in panel
    assert "5 working days" in panel
    assert citizen.page(confirmation) == panel  # still there when revisited

    mine = citizen.page("/my/applications")
    assert reference in mine and "In progress" in mine

    details = citizen.page(f"/my/applications/{reference}")
    assert "Application submitted" in details
    assert "Підготовка довідки" in details  # the open official step, in plain words
    assert "Шевченко" in details and "passport.pdf" in details


def test_change_link_returns_to_check_answers(citizen, answers):
    check = citizen.fill_all(citizen.start(SERVICE), answers)
    change = re.search(r'href="([^"]*/pages/2\?return=check)#field-persons_registered"', citizen.page(check))
    assert change, "no Change link to page 2"

    page = citizen.page(change.group(1))
    assert 'value="3"' in page  # the saved answer is shown for editing
    response = citizen.post(
        change.group(1),
        {
            **{k: answers[k] for k in ("registration_address", "housing_type", "family_members")},
            "persons_registered": "4",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(check)
    row = re.search(r'id="field-persons_registered".*?</div>', citizen.page(check), re.S)
    assert row and ">4<" in row.group(0).replace("\n", "").replace(" ", "")


def test_missing_and_wrongly_typed_answers_keep_what_was_typed(citizen, answers):
    first = citizen.start(SERVICE)
    second = citizen.fill_page(first, answers).headers["Location"]

    response = citizen.post(
        second,
        {
            "registration_address": "",
            "housing_type": "house",
            "persons_registered": "три",
            "family_members": "Шевченко Марія, заявниця",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert 'href="#field-registration_address"' in html and 'href="#field-persons_registered"' in html
    assert "must be a whole number" in html
    assert 'id="field-persons_registered-error"' in html
    assert 'value="три"' in html  # what was typed is kept
    assert "Шевченко Марія, заявниця</textarea>" in html
    assert '<option value="house" selected>' in html
    assert "/pages/3" not in response.headers.get("Location", "")


def test_sending_check_answers_twice_makes_one_submission_and_explains(citizen, answers):
    check = citizen.fill_all(citizen.start(SERVICE), answers)
    first = citizen.post(check)
    reference = reference_in(first.headers["Location"])

    again = citizen.post(check)

    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/my/applications/{reference}")
    details = citizen.page(again.headers["Location"])
    assert "already been sent" in details
    assert details.count("Application submitted") == 1
    assert citizen.page("/my/applications").count(f">{reference}<") == 1


def test_public_status_page_shows_no_personal_data(citizen, anonymous, answers):
    reference = reference_in(citizen.apply(SERVICE, answers))

    lookup = anonymous.get(f"/status?reference={reference.replace('-', ' ')}")
    assert lookup.status_code == 302
    html = anonymous.page(lookup.headers["Location"])

    assert reference in html
    assert "Certificate of household composition" in html and "Підготовка довідки" in html
    for personal in ("Шевченко", "3105207423", "+380661234567", "Володимирська", "Оксана", "passport.pdf"):
        assert personal not in html


def test_status_lookup_explains_a_malformed_reference(anonymous):
    response = anonymous.get("/status?reference=12345")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a reference number like 12345-67890" in html
    assert 'href="#field-reference"' in html and 'value="12345"' in html
    assert anonymous.get("/status/12345-67890").status_code == 404


def test_sending_with_unanswered_pages_shows_the_problems_on_check_answers(citizen, answers):
    first = citizen.start(SERVICE)
    check = first.replace("/pages/1", "/check")
    citizen.fill_page(first, answers)

    response = citizen.post(check)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert 'href="#field-registration_address"' in html and 'id="field-registration_address"' in html
    assert 'href="#field-passport_scan"' in html
    assert "Draft" in citizen.page("/my/applications")
