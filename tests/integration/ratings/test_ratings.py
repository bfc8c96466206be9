"""Rating a completed case: the decision mail's links (no sign-in), one rating per case that can be changed for
14 days, then a clear refusal; forged links and other people's cases are refused; every rating is audited."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.models import AuditEvent, CaseRating, OutboxMessage
from engine.services.context import Platform
from engine.store import applications

from ..statistics.cases import MONDAY, decided_case

LINK_RE = re.compile(r"^(\d): (http\S+/rate/(\S+)\?score=\d)$", re.M)


def decision_mail(platform: Platform, reference: str) -> str:
    with unit_of_work(platform.read_sessions) as db:
        application = applications.find_by_reference(db, reference)
        assert application is not None
        bodies = db.scalars(
            select(OutboxMessage.body_text).where(
                OutboxMessage.application_id == application.id, OutboxMessage.message_id.contains("decided.")
            )
        ).all()
    assert len(bodies) == 1, bodies
    return bodies[0]


def ratings_of(platform: Platform, reference: str) -> list[tuple[int, str]]:
    with unit_of_work(platform.read_sessions) as db:
        application = applications.find_by_reference(db, reference)
        assert application is not None
        rows = db.execute(
            select(CaseRating.score, CaseRating.comment).where(CaseRating.application_id == application.id)
        ).all()
        return [(score, comment) for score, comment in rows]


def audited(platform: Platform, reference: str) -> list[tuple[str, str]]:
    with unit_of_work(platform.read_sessions) as db:
        application = applications.find_by_reference(db, reference)
        assert application is not None
        rows = db.execute(
            select(AuditEvent.action, AuditEvent.details_json)
            .where(AuditEvent.application_id == application.id, AuditEvent.action.like("rating.%"))
            .order_by(AuditEvent.id)
        ).all()
        return [(action, details) for action, details in rows]


def english(platform: Platform) -> None:
    """The demo citizen reads English mail (the links are the same in both languages)."""
    from engine.store import directory

    with unit_of_work(platform.write_sessions) as db:
        user = directory.find_user(db, "citizen")
        assert user is not None
        user.locale = "en"


def test_the_decision_mail_offers_a_link_per_score_that_opens_the_choice_and_only_the_form_rates(
    platform, clock: FakeClock, anonymous
):
    english(platform)
    reference = decided_case(platform, clock, submitted_at=MONDAY, working_days=2)
    mail = decision_mail(platform, reference)
    links = LINK_RE.findall(mail)
    assert [score for score, _url, _token in links] == ["1", "2", "3", "4", "5"]
    assert "You can give or change your rating until 18.11.2026" in mail  # decided 04.11, 14 days on
    token = links[3][2]
    assert {t for _s, _u, t in links} == {token}  # one link for the case, the score only preselects

    page = anonymous.page(f"/rate/{token}?score=4")  # no sign-in needed; a mail scanner's GET rates nothing
    assert 'value="4" checked' in page and "Send rating" in page
    assert reference in page and "Довідку видано" in page
    assert ratings_of(platform, reference) == []

    sent = anonymous.post(f"/rate/{token}", {"score": "4", "comment": "  Quick and polite  "})
    assert sent.status_code == 302
    thanks = anonymous.page(sent.headers["Location"])
    assert "Thank you: your rating of 4 out of 5 is saved." in thanks
    assert "You rated this service 4 out of 5" in thanks and "Change rating" in thanks
    assert ratings_of(platform, reference) == [(4, "Quick and polite")]

    # The same link changes that one rating, never adds a second.
    assert anonymous.post(f"/rate/{token}", {"score": "2", "comment": ""}).status_code == 302
    assert ratings_of(platform, reference) == [(2, "")]
    actions = audited(platform, reference)
    assert [action for action, _d in actions] == ["rating.given", "rating.changed"]
    assert '"previous_score": 4' in actions[1][1] and '"via": "link"' in actions[1][1]
    assert "Quick" not in actions[0][1]  # the comment's text is not written to the audit trail


def test_a_rating_needs_a_score_and_a_short_comment(platform, clock: FakeClock, anonymous):
    reference = decided_case(platform, clock, submitted_at=MONDAY, working_days=1)
    token = LINK_RE.findall(decision_mail(platform, reference))[0][2]
    anonymous.get("/?lang=en")
    missing = anonymous.post(f"/rate/{token}", {"comment": "no score"})
    assert missing.status_code == 400
    page = missing.get_data(as_text=True)
    assert "There is a problem" in page and 'href="#score"' in page and "Choose a rating from 1 to 5" in page
    too_long = anonymous.post(f"/rate/{token}", {"score": "3", "comment": "x" * 2001})
    assert too_long.status_code == 400 and "Write 2000 characters or fewer" in too_long.get_data(as_text=True)
    assert anonymous.post(f"/rate/{token}", {"score": "9"}).status_code == 400
    assert ratings_of(platform, reference) == []


def test_after_14_days_the_link_and_the_case_page_refuse_with_a_clear_page(
    platform, clock: FakeClock, anonymous, citizen
):
    reference = decided_case(platform, clock, submitted_at=MONDAY, working_days=0)  # decided Monday 16:00 Kyiv
    token = LINK_RE.findall(decision_mail(platform, reference))[0][2]
    assert anonymous.post(f"/rate/{token}", {"score": "5"}).status_code == 302

    clock.set(MONDAY + timedelta(days=14, hours=6))  # still Monday 15:00 Kyiv, two weeks on: one hour left
    assert anonymous.post(f"/rate/{token}", {"score": "3"}).status_code == 302
    clock.advance(timedelta(hours=2))
    for response in (anonymous.get(f"/rate/{token}"), anonymous.post(f"/rate/{token}", {"score": "1"})):
        assert response.status_code == 410
        page = response.get_data(as_text=True)
        assert "The time to rate this service has ended" in page
        assert "Your rating stays as it was: 3 out of 5." in page
    assert citizen.get(f"/my/applications/{reference}/rating").status_code == 410
    assert "Change your rating" not in citizen.page(f"/my/applications/{reference}")
    assert "You rated this service 3 out of 5." in citizen.page(f"/my/applications/{reference}")
    assert ratings_of(platform, reference) == [(3, "")]


def test_forged_and_altered_links_are_refused(platform, clock: FakeClock, anonymous):
    from itsdangerous import URLSafeSerializer

    reference = decided_case(platform, clock, submitted_at=MONDAY, working_days=1)
    token = LINK_RE.findall(decision_mail(platform, reference))[0][2]
    with unit_of_work(platform.read_sessions) as db:
        application = applications.find_by_reference(db, reference)
        assert application is not None
        other_id = application.id + 1
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # a changed signature
        URLSafeSerializer("another-secret", salt="posluhy.rating").dumps({"a": other_id, "f": "x"}),
        URLSafeSerializer("test-secret", salt="posluhy.rating").dumps({"a": other_id, "f": "x"}),  # no fingerprint
        URLSafeSerializer("test-secret", salt="posluhy.reset-password").dumps({"a": other_id}),  # another purpose
        "x",
    ]
    anonymous.get("/?lang=en")
    for bad in forged:
        for response in (anonymous.get(f"/rate/{bad}"), anonymous.post(f"/rate/{bad}", {"score": "1"})):
            assert response.status_code == 400, bad
            assert "This rating link does not work" in response.get_data(as_text=True)
    assert ratings_of(platform, reference) == []


def test_the_case_page_offers_the_rating_to_its_applicant_only(platform, clock: FakeClock, citizen, citizen2):
    reference = decided_case(platform, clock, submitted_at=MONDAY, working_days=3)
    page = citizen.page(f"/my/applications/{reference}")
    assert "How were you served?" in page and f"/my/applications/{reference}/rating" in page

    form = citizen.page(f"/my/applications/{reference}/rating")
    assert "Send rating" in form and "checked" not in form
    sent = citizen.post(f"/my/applications/{reference}/rating", {"score": "5", "comment": "Thanks"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/my/applications/{reference}")
    after = citizen.page(f"/my/applications/{reference}")
    assert "You rated this service 5 out of 5." in after and "Change your rating" in after
    assert '"via": "page"' in audited(platform, reference)[0][1]

    # Someone else's case: not there, and nothing changes.
    assert citizen2.get(f"/my/applications/{reference}/rating").status_code == 404
    assert citizen2.post(f"/my/applications/{reference}/rating", {"score": "1"}).status_code == 404
    assert ratings_of(platform, reference) == [(5, "Thanks")]


def test_a_case_still_running_cannot_be_rated(platform, clock: FakeClock, citizen):
    from engine.db import unit_of_work as uow
    from engine.services.cases.applications import start_application

    from ..statistics.cases import person

    with uow(platform.write_sessions) as db:
        reference = start_application(db, platform, person(platform, "citizen"), "family_composition_certificate")
    assert citizen.get(f"/my/applications/{reference.reference}/rating").status_code == 404
    assert "How were you served?" not in citizen.page(f"/my/applications/{reference.reference}")
