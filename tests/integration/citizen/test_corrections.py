"""The corrections loop as the applicant sees it: "Waiting for you", a pre-filled form, and back to the official."""

from __future__ import annotations

import re

from engine.db import unit_of_work
from engine.services.admin import accounts
from engine.services.cases import steps
from engine.services.context import Actor
from engine.services.worklist import queues

SERVICE = "residence_registration"
COMMENT = "Додайте нотаріально засвідчену згоду власника."


def official_asks_for_corrections(platform, reference: str) -> None:
    """The official's side through the same engine services the staff pages use."""
    with unit_of_work(platform.write_sessions) as db:
        user = accounts.authenticate(db, "official", "demo")
        assert user is not None
        official = Actor.of(user)
        task = next(t for t in queues.queue(db, official) if t.reference == reference)
        queues.claim(db, official, task.id)
        steps.complete_task(db, platform, official, task.id, {"decision": "corrections", "review_comment": COMMENT})


def test_applicant_corrects_the_application_when_the_official_sends_it_back(citizen, platform, scenario_data):
    answers = scenario_data(SERVICE, "registered_after_corrections")
    reference = re.search(r"\d{5}-\d{5}", citizen.apply(SERVICE, answers)).group(0)  # type: ignore[union-attr]
    official_asks_for_corrections(platform, reference)

    assert "Waiting for you" in citizen.page("/my/applications")
    details = citizen.page(f"/my/applications/{reference}")
    todo = re.search(r'href="(/applications/[^"]+/pages/1)"', details)
    assert todo, "no call to action for the corrections task"

    form = citizen.page(todo.group(1))
    assert COMMENT in form  # the official's comment, shown read-only
    assert 'value="вул. Гоголя"' in form  # the earlier answers are filled in
    assert ">lease_agreement.pdf</a>" in form  # and the files sent before

    check = citizen.fill_all(todo.group(1), {**answers, "residence_basis": "owner_consent"})
    summary = citizen.page(check)
    assert "Send answers" in summary and "Submit application" not in summary
    sent = citizen.post(check)

    assert sent.headers["Location"].endswith(f"/my/applications/{reference}")
    after = citizen.page(sent.headers["Location"])
    assert "Your answers have been sent" in after
    assert "In progress" in after and "Waiting for you" not in after
