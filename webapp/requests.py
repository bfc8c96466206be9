"""One transaction per request: a session opened on first use, committed only on a 2xx/3xx response."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.services.context import SYSTEM, Actor, Platform

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def platform() -> Platform:
    found: Platform = current_app.extensions["posluhy"]
    return found


def db() -> Session:
    """The request's session; write requests take the database's writer lock at BEGIN."""
    if "db" not in g:
        sessions = platform().read_sessions if request.method in SAFE_METHODS else platform().write_sessions
        g.db = sessions()
    session: Session = g.db
    return session


def actor() -> Actor:
    """The person making the request (API token or signed-in session), or an anonymous visitor."""
    found = g.get("api_actor")
    if found is not None:
        return found  # type: ignore[no-any-return]
    if current_user.is_authenticated:
        return current_user.actor  # type: ignore[no-any-return]
    return Actor(user_id=None, username="anonymous", role="anonymous", locale=g.get("locale", "uk"))


def _finish(response: Response) -> Response:
    session: Session | None = g.pop("db", None)
    if session is not None:
        try:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
    return response


def _discard(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db", None)
    if session is not None:
        session.rollback()
        session.close()


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"
    )
    return response


def setup_request_handling(app: Flask) -> None:
    app.after_request(_finish)
    app.after_request(_security_headers)
    app.teardown_request(_discard)


__all__ = ["SYSTEM", "actor", "db", "platform"]
