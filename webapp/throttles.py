"""Throttles per client address (Flask-Limiter), counted in a storage every host shares (Redis in production).

They stand beside the per-account sign-in lock (engine/services/admin/sign_in.py, kept in the database): that one
stops guessing one account's password, these stop one network from trying many accounts, sending many e-mails or
probing reference numbers. THROTTLES is the table; each limit can be changed with POSLUHY_RATELIMIT_<NAME>.

If the storage cannot be reached, the throttles keep counting in each process's memory (logged as an error) and
go back to the storage once it answers: sign-in and the public pages stay up, and passwords stay guarded by the
per-account lock, which lives in the database.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from flask import Flask, Response, jsonify, make_response, render_template, request, session
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from limits import RateLimitItem, parse_many
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.response import Response as BaseResponse

from engine.config import RATELIMIT_VARIABLE, Settings
from engine.services.admin.throttles import record_throttled
from webapp.requests import platform

log = logging.getLogger(__name__)

Counts = Literal["every", "refused", "accepted"]


@dataclass(frozen=True)
class Throttle:
    """One limit per client address on some endpoints (each endpoint counted on its own).

    `counts` says which answers use up the allowance: every request, only refused ones (4xx: a wrong password,
    an unknown reference) so that people who get it right are never slowed down, or only accepted ones (a sent
    e-mail), so that correcting a typo costs nothing. `only_with`: only requests with that query parameter count.
    """

    name: str
    endpoints: tuple[str, ...]
    methods: tuple[str, ...]
    default: str
    counts: Counts
    only_with: str | None = None

    @property
    def variable(self) -> str:
        return RATELIMIT_VARIABLE + self.name.upper()


#: Every endpoint named here must exist: a misspelt one stops the app at start-up rather than go unlimited.
THROTTLES: tuple[Throttle, ...] = (
    Throttle("login", ("auth.login",), ("POST",), "20/minute;200/hour", "refused"),
    Throttle("token", ("api.issue_token",), ("POST",), "20/minute;200/hour", "refused"),
    Throttle("second_factor", ("second_factor.challenge",), ("POST",), "20/minute", "refused"),
    Throttle("register", ("account.register",), ("POST",), "5/hour", "accepted"),
    Throttle("resend_verification", ("account.resend_verification",), ("POST",), "5/hour", "accepted"),
    Throttle("reset_request", ("account.reset_request",), ("POST",), "5/hour", "accepted"),
    Throttle("reset_password", ("account.reset_password",), ("POST",), "20/hour", "refused"),
    Throttle("status", ("citizen.status_lookup", "citizen.public_status"), ("GET",), "60/minute", "every", "reference"),
)
OFF = "off"
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://", "valkey://", "valkeys://")
#: Seconds to wait for the storage before counting in memory instead: a hung Redis must not hang sign-in.
STORAGE_TIMEOUT = 1


def configured_limits(settings: Settings) -> dict[str, str]:
    """Each throttle's limit (its default, or POSLUHY_RATELIMIT_<NAME>; "off" turns it off), checked at start-up."""
    known = {throttle.name: throttle for throttle in THROTTLES}
    unknown = sorted(set(settings.ratelimits) - set(known))
    if unknown:
        names = ", ".join(RATELIMIT_VARIABLE + name.upper() for name in unknown)
        raise ValueError(f"{names}: no such throttle; known: {', '.join(t.variable for t in THROTTLES)}")
    found = {}
    for throttle in THROTTLES:
        value = settings.ratelimits.get(throttle.name, throttle.default)
        if value.lower() != OFF:
            try:
                parse_many(value)
            except ValueError as exc:
                raise ValueError(f"{throttle.variable}={value!r} is not a limit like 20/minute;200/hour") from exc
        found[throttle.name] = value
    return found


def client_address() -> str:
    """The address throttled: as the trusted proxies saw it (ProxyFix); an IPv6 client by its /64 network."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def setup_throttles(app: Flask, settings: Settings) -> None:
    """Trust the configured proxies' X-Forwarded-For, then limit the endpoints of THROTTLES the app has.

    Call it after the blueprints are registered: limits wrap the registered view functions by endpoint name.
    """
    limits = configured_limits(settings)
    if settings.trusted_proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=0, x_host=0, x_port=0, x_prefix=0
        )
    if not settings.ratelimit_enabled:
        return
    redis = settings.ratelimit_storage.startswith(REDIS_SCHEMES)
    limiter = Limiter(
        key_func=client_address,
        storage_uri=settings.ratelimit_storage,
        storage_options={"socket_connect_timeout": STORAGE_TIMEOUT, "socket_timeout": STORAGE_TIMEOUT} if redis else {},
        key_prefix=settings.ratelimit_key_prefix,
        strategy="fixed-window",
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        headers_enabled=False,
        on_breach=_refuse,
    )
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _refused)
    for throttle in THROTTLES:
        if limits[throttle.name].lower() == OFF:
            continue
        decorate = limiter.limit(
            limits[throttle.name],
            methods=list(throttle.methods),
            deduct_when=_deduct_when(throttle.counts),
            exempt_when=_exempt_without(throttle.only_with) if throttle.only_with else None,
        )
        for endpoint in throttle.endpoints:
            if endpoint not in app.view_functions:
                raise RuntimeError(f"throttle {throttle.name!r} names {endpoint!r}, which the app does not have")
            view: Callable[..., Any] = app.view_functions[endpoint]
            app.view_functions[endpoint] = decorate(view)
    _check_storage(app, settings, limiter)


def _deduct_when(counts: Counts) -> Callable[[Response], bool] | None:
    if counts == "refused":
        return lambda response: response.status_code >= 400
    if counts == "accepted":
        return lambda response: response.status_code < 400
    return None  # every request counts, before it runs


def _exempt_without(parameter: str) -> Callable[[], bool]:
    return lambda: parameter not in request.args


def _check_storage(app: Flask, settings: Settings, limiter: Limiter) -> None:
    """Say at start-up what would make the throttles weaker than they look."""
    if settings.ratelimit_storage.startswith("memory://"):
        if settings.environment == "production":
            app.logger.warning(
                "POSLUHY_RATELIMIT_STORAGE=memory:// in production: every worker process and every host counts "
                "on its own, so with N workers a client gets N times each limit. Point it at the Redis all hosts "
                "share (redis://host:6379/0)."
            )
        return
    if not limiter.storage.check():
        app.logger.error(
            "The throttles' storage %s does not answer: each process counts in its own memory until it does.",
            _without_password(settings.ratelimit_storage),
        )


def _without_password(uri: str) -> str:
    scheme, sep, rest = uri.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}{sep}***@{host}" if at and credentials else uri


def _refused(exc: RateLimitExceeded) -> BaseResponse | RateLimitExceeded:
    """The answer _refuse built, handed to Flask as it is (not re-read through WSGI as an exception would be)."""
    return exc.response if exc.response is not None else exc


def _refuse(breached: RequestLimit) -> Response:
    """The 429 answer: a page in the person's language, or a JSON error for the API; both with Retry-After."""
    try:
        seconds = max(1, math.ceil(breached.window.reset_time - time.time()))
    except Exception:  # the storage went away since the check: the window's length will do
        seconds = breached.limit.get_expiry()
    minutes = max(1, math.ceil(seconds / 60))
    message = ngettext(
        "Too many attempts from your network. Try again in %(num)d minute.",
        "Too many attempts from your network. Try again in %(num)d minutes.",
        minutes,
    )
    _audit_once_per_window(breached)
    if request.path.startswith("/api/"):
        response = jsonify({"error": message})
    else:
        back = request.full_path.rstrip("?") if request.method == "POST" else None
        response = make_response(render_template("errors/429.html", message=message, back=back))
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response


def _audit_once_per_window(breached: RequestLimit) -> None:
    """Audit `auth.throttled` for the first refusal of an address at an endpoint in each window of the limit.

    The "already audited" mark is itself a limit of one in the shared storage, so every host sees it.
    """
    item: RateLimitItem = breached.limit
    once = type(item)(1, item.multiples)
    try:
        first = breached.limiter.hit(once, "auth.throttled", breached.key)
    except Exception:  # the storage went away between the check and now: audit rather than lose the event
        log.exception("could not mark the throttled request as audited")
        first = True
    if not first:
        return
    signed_in = str(session.get("_user_id", ""))  # Flask-Login's; current_user would open the request's session
    try:
        record_throttled(
            platform(),
            endpoint=request.endpoint or request.path,
            limit=str(item),
            address=client_address(),
            user_id=int(signed_in) if signed_in.isdigit() else None,
        )
    except Exception:  # the refusal is answered even if the audit cannot be written
        log.exception("could not audit auth.throttled")
