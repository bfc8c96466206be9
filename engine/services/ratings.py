"""Citizens rate a completed case 1–5, with an optional comment: from a link in the decision mail (no sign-in) or
from the case page. One rating per case, changeable for 14 days after the decision, then refused.

The link carries the application id and a fingerprint of the case's applicant and decision moment, signed with the
platform's secret (itsdangerous, as the account links of engine.services.admin.links, under a salt of its own): it
cannot be moved to another case, and it works for that one case's one rating only — using it again changes that
rating, never adds a second. Opening it (GET) never rates: mail scanners follow links, so only the form's POST saves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from engine.calendar import KYIV
from engine.models import Application, ApplicationStatus, CaseRating
from engine.references import normalise_reference
from engine.services.cache import caches_of
from engine.services.context import Actor, Platform
from engine.services.errors import NotFoundError
from engine.store import applications, audit, ratings

RATING_WINDOW: Final = timedelta(days=14)
SCORES: Final = (1, 2, 3, 4, 5)
MAX_COMMENT: Final = 2000


class RatingLinkInvalidError(Exception):
    """Not a rating link the platform made (mistyped, cut or forged), or its case no longer matches it."""


class RatingClosedError(Exception):
    """The 14 days after the decision are over: the rating can no longer be given or changed."""

    def __init__(self, view: RatingView) -> None:
        super().__init__(view.reference)
        self.view = view


@dataclass(frozen=True)
class RatingView:
    """What a rating page shows: the case (no personal data) and its rating, if any."""

    reference: str
    service_title: str
    service_title_en: str
    outcome_name: str
    decided_at: datetime
    changeable_until: datetime
    open: bool
    score: int | None = None
    comment: str = ""
    rated_at: datetime | None = None

    def title_in(self, locale: str) -> str:
        return self.service_title_en if locale == "en" and self.service_title_en else self.service_title


def make_rating_token(secret_key: str, application: Application) -> str:
    """The token of the case's rating link (stable: the same case always gets the same token)."""
    return _serializer(secret_key).dumps({"a": application.id, "f": _fingerprint(application)})


def rating_links(platform: Platform, application: Application) -> dict[str, Any]:
    """The decision mail's links: the rating page, and one per score that preselects it."""
    token = make_rating_token(platform.settings.secret_key, application)
    url = f"{platform.settings.base_url.rstrip('/')}/rate/{token}"
    until = (application.closed_at or platform.clock.now()) + RATING_WINDOW
    return {
        "rating_url": url,
        "rating_links": [(score, f"{url}?score={score}") for score in SCORES],
        "rating_until": until.astimezone(KYIV).strftime("%d.%m.%Y"),
    }


def read_rating_link(db: Session, platform: Platform, token: str) -> RatingView:
    """The case a rating link is for; raises RatingLinkInvalidError."""
    return _view(db, platform, _application_of_token(db, platform, token))


def rating_of_case(db: Session, platform: Platform, actor: Actor, reference: str) -> RatingView | None:
    """The rating of a completed case for its applicant; None when the case is not completed or the actor is not
    its applicant (officials see the case page without it)."""
    application = _applicants_completed_case(db, actor, reference)
    return None if application is None else _view(db, platform, application)


def rate_by_link(db: Session, platform: Platform, token: str, *, score: int, comment: str | None) -> RatingView:
    """Give or change the rating of the link's case; raises RatingLinkInvalidError or RatingClosedError."""
    application = _application_of_token(db, platform, token)
    return _rate(db, platform, applications.lock(db, application.id), score, comment, via="link")


def rate_case(
    db: Session, platform: Platform, actor: Actor, reference: str, *, score: int, comment: str | None
) -> RatingView:
    """Give or change the rating from the case page; NotFoundError unless it is the actor's completed case."""
    application = _applicants_completed_case(db, actor, reference)
    if application is None:
        raise NotFoundError(reference)
    return _rate(db, platform, applications.lock(db, application.id), score, comment, via="page")


def _rate(
    db: Session, platform: Platform, application: Application, score: int, comment: str | None, *, via: str
) -> RatingView:
    if score not in SCORES:
        raise ValueError(f"a score is one of {SCORES}")
    view = _view(db, platform, application)
    if not view.open:
        raise RatingClosedError(view)
    now = platform.clock.now()
    text = (comment or "").strip()[:MAX_COMMENT]
    found = ratings.for_application(db, application.id)
    details: dict[str, Any] = {"score": score, "comment": bool(text), "via": via}
    if found is None:
        ratings.add(
            db,
            CaseRating(application_id=application.id, score=score, comment=text, created_at=now, updated_at=now),
        )
        action = "rating.given"
    else:
        details["previous_score"] = found.score
        found.score, found.comment, found.updated_at = score, text, now
        action = "rating.changed"
    applicant = application.applicant
    audit.record(
        db,
        action=action,
        actor_id=applicant.id,
        actor=applicant.username,
        application_id=application.id,
        details=details,
    )
    db.flush()
    return _view(db, platform, application)


def _application_of_token(db: Session, platform: Platform, token: str) -> Application:
    try:
        payload: Any = _serializer(platform.settings.secret_key).loads(token)
    except BadSignature as exc:
        raise RatingLinkInvalidError from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), int):
        raise RatingLinkInvalidError
    application = applications.get(db, payload["a"])
    if (
        application is None
        or application.status != ApplicationStatus.COMPLETED.value
        or payload.get("f") != _fingerprint(application)
    ):
        raise RatingLinkInvalidError
    return application


def _applicants_completed_case(db: Session, actor: Actor, reference: str) -> Application | None:
    """Only the applicant rates, and only a completed case."""
    normalised = normalise_reference(reference)
    application = applications.find_by_reference(db, normalised) if normalised else None
    if application is None or actor.user_id is None or application.applicant_id != actor.user_id:
        return None
    if application.status != ApplicationStatus.COMPLETED.value or application.closed_at is None:
        return None
    return application


def _view(db: Session, platform: Platform, application: Application) -> RatingView:
    assert application.closed_at is not None  # completed cases only (checked by every caller)
    version = caches_of(db).version(db, application.service_version_id)
    until = application.closed_at + RATING_WINDOW
    found = ratings.for_application(db, application.id)
    return RatingView(
        reference=application.reference,
        service_title=version.row.title,
        service_title_en=version.row.title_en,
        outcome_name=application.outcome_name or application.outcome or "",
        decided_at=application.closed_at,
        changeable_until=until,
        open=platform.clock.now() < until,
        score=found.score if found else None,
        comment=found.comment if found else "",
        rated_at=found.updated_at if found else None,
    )


def _fingerprint(application: Application) -> str:
    closed = application.closed_at.isoformat() if application.closed_at else ""
    covered = f"rating|{application.id}|{application.applicant_id}|{closed}"
    return hashlib.sha256(covered.encode()).hexdigest()[:32]


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="posluhy.rating")
