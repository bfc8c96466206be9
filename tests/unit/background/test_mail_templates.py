"""Every citizen e-mail exists in Ukrainian and English, has a subject, the reference number and the status link."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from engine.services.mail.outbox import TEMPLATES_DIR

CONTEXT = {
    "reference": "AB12-CD34",
    "status_url": "https://posluhy.example/status/AB12-CD34",
    "service_title": "Довідка",
    "applicant_name": "Оксана",
    "outcome_name": "Видано",
    "step_title": "Виправлення",
    "due_at": "02.03.2026 18:00",
    "base_url": "https://posluhy.example",
}


@pytest.mark.parametrize("template", ["received", "corrections", "decided", "deadline_missed"])
@pytest.mark.parametrize("locale", ["uk", "en"])
def test_citizen_mail_carries_reference_and_status_link(template: str, locale: str) -> None:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), undefined=StrictUndefined, autoescape=False)
    text = env.get_template(f"{template}.{locale}.txt").render(CONTEXT)
    subject, _, body = text.partition("\n")
    assert subject.startswith("Subject: ") and "AB12-CD34" in subject
    assert "https://posluhy.example/status/AB12-CD34" in body


def test_every_template_has_both_languages() -> None:
    names = {p.name.split(".")[0] for p in Path(TEMPLATES_DIR).glob("*.txt")}
    for name in names:
        assert (TEMPLATES_DIR / f"{name}.uk.txt").exists() and (TEMPLATES_DIR / f"{name}.en.txt").exists(), name
