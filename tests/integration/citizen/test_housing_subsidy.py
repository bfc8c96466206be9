"""A JSON-file form with a file upload: uploads kept across error pages, size limit, downloads and privacy."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

SERVICE = "housing_subsidy"
REFERENCE_RE = re.compile(r"\b\d{5}-\d{5}\b")
ATTACHMENT_RE = re.compile(r'href="(/attachments/[0-9a-f-]+)"[^>]*>declaration\.pdf<')


@pytest.fixture
def answers(scenario_data) -> dict[str, Any]:
    return scenario_data(SERVICE, "granted")


def payment_page(citizen, answers: dict[str, Any]) -> str:
    """Fill pages 1 and 2; returns the path of page 3 (IBAN, income declaration upload, consent)."""
    url = citizen.start(SERVICE)
    for _ in range(2):
        response = citizen.fill_page(url, answers)
        assert response.status_code == 302, response.get_data(as_text=True)
        url = response.headers["Location"]
    assert url.endswith("/pages/3")
    return url


def uploaded_files(settings) -> list[str]:
    folder = settings.upload_dir
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_application_with_an_upload_through_to_download(citizen, answers):
    confirmation = citizen.apply(SERVICE, answers)
    reference = REFERENCE_RE.search(confirmation).group(0)  # type: ignore[union-attr]
    assert reference in citizen.page(confirmation)

    details = citizen.page(f"/my/applications/{reference}")
    assert "Гончаренко" in details and "District heating supplier" in details  # answers with the options' labels
    link = ATTACHMENT_RE.search(details)
    assert link, "no link to the uploaded file"

    download = citizen.get(link.group(1))
    body = download.get_data()
    download.close()
    assert download.status_code == 200
    assert body.startswith(b"%PDF-1.4")
    assert download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "declaration.pdf" in download.headers["Content-Disposition"]


def test_an_upload_is_kept_when_another_answer_on_the_page_is_wrong(citizen, answers):
    page = payment_page(citizen, answers)

    response = citizen.post(
        page,
        {
            "iban": answers["iban"],
            "income_declaration_file": (io.BytesIO(b"%PDF-1.4 declaration"), "declaration.pdf", "application/pdf"),
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#field-consent"' in html
    assert ">declaration.pdf</a>" in html and 'name="income_declaration_file__current"' in html
    assert f'value="{answers["iban"]}"' in html

    current = re.search(r'name="income_declaration_file__current" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    sent = citizen.post(page, {"iban": answers["iban"], "consent": "yes", "income_declaration_file__current": current})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/check")
    assert ">declaration.pdf</a>" in citizen.page(sent.headers["Location"])


def test_an_oversize_upload_gets_a_field_error_and_nothing_is_stored(citizen, answers, settings):
    page = payment_page(citizen, answers)
    too_big = b"%PDF-1.4" + b"0" * settings.max_upload_bytes

    response = citizen.post(
        page,
        {
            "iban": answers["iban"],
            "consent": "yes",
            "income_declaration_file": (io.BytesIO(too_big), "huge.pdf", "application/pdf"),
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file must be smaller than 0.19 MB" in html
    assert 'href="#field-income_declaration_file"' in html
    assert "huge.pdf" not in html
    assert re.search(r'id="field-consent-yes"[^>]*checked', html)  # the other answers are kept
    assert uploaded_files(settings) == []
    assert "/check" not in response.headers.get("Location", "")


def test_another_citizen_cannot_see_the_application_or_its_file(citizen, citizen2, answers):
    reference = REFERENCE_RE.search(citizen.apply(SERVICE, answers)).group(0)  # type: ignore[union-attr]
    attachment = ATTACHMENT_RE.search(citizen.page(f"/my/applications/{reference}")).group(1)  # type: ignore[union-attr]

    assert citizen2.get(f"/my/applications/{reference}").status_code == 404
    assert citizen2.get(f"/applications/{reference}/submitted").status_code == 404
    assert citizen2.get(attachment).status_code == 404
    assert reference not in citizen2.page("/my/applications")
    draft_page = citizen.start(SERVICE)
    assert citizen2.get(draft_page).status_code == 404
    assert citizen2.get(draft_page.replace("/pages/1", "/check")).status_code == 404


def test_letters_in_a_number_field_are_explained_and_kept(citizen, answers):
    first = citizen.start(SERVICE)
    second = citizen.fill_page(first, answers).headers["Location"]

    response = citizen.post(
        second,
        {
            "residence_address": answers["residence_address"],
            "household_size": "двоє",
            "total_income": "63 000,50",
            "living_area": "52.4",
            "heating_type": "central",
            "utility_providers": ["heating", "gas"],
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#field-household_size"' in html
    assert 'href="#field-total_income"' not in html  # "63 000,50" is a number the way people write it
    assert 'value="двоє"' in html
    assert '<option value="central" selected>' in html
    assert html.count("checked") == 2  # both ticked boxes stay ticked
