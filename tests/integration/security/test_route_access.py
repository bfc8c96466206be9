"""Every URL rule of the app, classified: anonymous visitors and citizens are refused wherever they do not belong.

A new route fails `test_every_route_is_classified` until it is added to ACCESS, so someone decides who may use it.
Ids in addresses are citizen2's real application, task and attachment: a citizen probing them gets 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

OK = "ok"  # allowed: any answer below 400 that is not the sign-in page (or a 400/422 about the request itself)
LOGIN = "login"  # redirected to the sign-in page
#: Endpoint and method → (what an anonymous visitor gets, what a signed-in citizen gets).
PUBLIC = (OK, OK)
SIGNED_IN = (LOGIN, OK)
NOT_HIS = (LOGIN, 404)  # a citizen's page, here about citizen2's things
STAFF = (LOGIN, 403)
API_PUBLIC = (OK, OK)
API_USER = (401, OK)
API_NOT_HIS = (401, 404)
API_STAFF = (401, 403)

ACCESS: dict[tuple[str, str], tuple[Any, Any]] = {
    ("static", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.logout", "POST"): PUBLIC,
    # Identity providers: none is named "x" (and none is configured here; tests/integration/identity has them).
    ("auth.oidc_login", "GET"): (404, 404),
    ("auth.oidc_callback", "GET"): (404, 404),
    ("auth.sign_in_methods", "GET"): SIGNED_IN,
    ("auth.link_provider", "POST"): (LOGIN, 404),
    ("auth.unlink_provider", "POST"): (LOGIN, 404),
    # Second factor: without a held sign-in the challenge sends visitors to sign in (citizens straight on); citizens
    # may opt in; the POSTs of a citizen without a second factor go back to the manage page.
    ("second_factor.challenge", "GET"): SIGNED_IN,
    ("second_factor.challenge", "POST"): SIGNED_IN,
    ("second_factor.enrol", "GET"): SIGNED_IN,
    ("second_factor.enrol", "POST"): SIGNED_IN,
    ("second_factor.manage", "GET"): SIGNED_IN,
    ("second_factor.recovery_codes", "POST"): SIGNED_IN,
    ("second_factor.disable", "POST"): SIGNED_IN,
    # Local accounts: sign-up, links from mails (token "x" is no link: 400) and the person's own account.
    ("account.register", "GET"): PUBLIC,
    ("account.register", "POST"): PUBLIC,
    ("account.check_email", "GET"): PUBLIC,
    ("account.verify_email", "GET"): PUBLIC,
    ("account.verify_email", "POST"): PUBLIC,
    ("account.resend_verification", "GET"): PUBLIC,
    ("account.resend_verification", "POST"): PUBLIC,
    ("account.reset_request", "GET"): PUBLIC,
    ("account.reset_request", "POST"): PUBLIC,
    ("account.reset_password", "GET"): PUBLIC,
    ("account.reset_password", "POST"): PUBLIC,
    ("account.accept_invitation", "GET"): PUBLIC,
    ("account.accept_invitation", "POST"): PUBLIC,
    ("account.overview", "GET"): SIGNED_IN,
    ("account.change_password", "GET"): SIGNED_IN,
    ("account.change_password", "POST"): SIGNED_IN,
    ("account.sign_out_everywhere", "POST"): (LOGIN, LOGIN),  # a citizen may: it ends at the sign-in page
    ("citizen.index", "GET"): PUBLIC,
    ("citizen.catalog", "GET"): PUBLIC,
    ("citizen.service", "GET"): PUBLIC,
    ("citizen.status_lookup", "GET"): PUBLIC,
    ("citizen.public_status", "GET"): (404, 404),  # public, but citizen2's draft is not submitted yet
    ("citizen.apply", "POST"): SIGNED_IN,
    ("citizen.my_applications", "GET"): SIGNED_IN,
    ("citizen.application", "GET"): NOT_HIS,
    ("citizen.confirmation", "GET"): NOT_HIS,
    ("citizen.task_page", "GET"): NOT_HIS,
    ("citizen.task_page", "POST"): NOT_HIS,
    ("citizen.check_answers", "GET"): NOT_HIS,
    ("citizen.send_answers", "POST"): NOT_HIS,
    ("citizen.attachment", "GET"): NOT_HIS,
    # Ratings: a rating link "x" is no link (400); the case page's rating is the applicant's own.
    ("citizen.rate_by_link", "GET"): PUBLIC,
    ("citizen.rate_by_link", "POST"): PUBLIC,
    ("citizen.rate_case", "GET"): NOT_HIS,
    ("citizen.rate_case", "POST"): NOT_HIS,
    ("citizen.statistics", "GET"): PUBLIC,
    ("citizen.statistics_csv", "GET"): PUBLIC,
    ("api.statistics", "GET"): API_PUBLIC,
    ("api.issue_token", "POST"): API_PUBLIC,
    ("api.openapi", "GET"): API_PUBLIC,
    ("api.services", "GET"): API_PUBLIC,
    ("api.my_applications", "GET"): API_USER,
    ("api.start_application", "POST"): API_USER,
    ("api.upload_attachment", "POST"): API_USER,
    ("api.application", "GET"): API_NOT_HIS,
    ("api.application_history", "GET"): API_NOT_HIS,
    ("api.task", "GET"): API_NOT_HIS,
    ("api.complete", "POST"): API_NOT_HIS,
    ("api.claim", "POST"): API_NOT_HIS,
    ("api.release", "POST"): API_NOT_HIS,
    ("api.list_tasks", "GET"): API_STAFF,
    ("api.deliver_message", "POST"): (401, 401),  # only an integration's token, never a person's
    # People and groups: administrators only (the admin blueprint refuses officials too: tests/integration/people).
    ("admin.people", "GET"): STAFF,
    ("admin.person_new", "GET"): STAFF,
    ("admin.person_new", "POST"): STAFF,
    ("admin.person", "GET"): STAFF,
    ("admin.person", "POST"): STAFF,
    ("admin.person_deactivate", "POST"): STAFF,
    ("admin.person_reactivate", "POST"): STAFF,
    ("admin.person_invite", "POST"): STAFF,
    ("admin.groups", "GET"): STAFF,
    ("admin.group_new", "GET"): STAFF,
    ("admin.group_new", "POST"): STAFF,
    ("admin.group", "GET"): STAFF,
    ("admin.group", "POST"): STAFF,
    ("admin.group_members", "POST"): STAFF,
    ("admin.organisations", "GET"): STAFF,
    ("admin.organisation_new", "GET"): STAFF,
    ("admin.organisation_new", "POST"): STAFF,
    ("admin.organisation", "GET"): STAFF,
    ("admin.organisation", "POST"): STAFF,
}
STAFF_PREFIXES = ("staff.", "studio.", "admin.")


def _classify(endpoint: str, method: str) -> tuple[Any, Any] | None:
    if (endpoint, method) in ACCESS:
        return ACCESS[(endpoint, method)]
    return STAFF if endpoint.startswith(STAFF_PREFIXES) else None


def _rules(app: Flask) -> list[tuple[Rule, str]]:
    return sorted(
        (
            (rule, method)
            for rule in app.url_map.iter_rules()
            for method in rule.methods or ()
            if method not in {"HEAD", "OPTIONS"}
        ),
        key=lambda pair: (pair[0].rule, pair[1]),
    )


def _url(app: Flask, rule: Rule, others: Any) -> str:
    values = {
        "reference": others.reference,
        "task_id": others.task_id,
        "attachment_id": others.attachment_id,
        "page": 1,
        "service_id": "outdoor_advertising_permit",
        "number": 1,
        "filename": "css/app.css",
        "name": "payment",
    }
    args = {
        name: values.get(name, 1 if rule._converters.get(name).__class__.__name__ == "IntegerConverter" else "x")
        for name in rule.arguments
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def _call(client: FlaskClient, method: str, url: str, headers: dict[str, str]) -> TestResponse:
    if url.startswith("/api/"):
        return client.open(url, method=method, headers=headers, json={"data": {}} if method == "POST" else None)
    return client.open(url, method=method, headers=headers, data={} if method == "POST" else None)


def _check(expected: Any, response: TestResponse, label: str) -> None:
    code = response.status_code
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        assert code == 302 and location.split("?")[0].endswith("/login"), (label, code, location)
    elif expected == OK:
        refused = code in (401, 403, 404) or (code == 302 and "/login" in location)
        assert not refused, (label, code, location)
    else:
        assert code == expected, (label, code, location, response.get_data(as_text=True)[:200])


def test_every_route_is_classified(app: Flask) -> None:
    unclassified = [f"{m} {r.rule} ({r.endpoint})" for r, m in _rules(app) if _classify(r.endpoint, m) is None]
    assert unclassified == []


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_anonymous_and_citizens_are_refused_where_they_do_not_belong(
    app: Flask,
    others: Any,
    client_as: Callable[[str | None], FlaskClient],
    token_of: Callable[[str], dict[str, str]],
    who: str,
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # this test is about who may; test_csrf checks the tokens
    client = client_as(None if who == "anonymous" else who)
    api_headers = {} if who == "anonymous" else token_of(who)
    for rule, method in _rules(app):
        expected = _classify(rule.endpoint, method)
        assert expected is not None
        url = _url(app, rule, others)
        headers = api_headers if url.startswith("/api/") else {}
        signing_out = rule.endpoint == "auth.logout"  # on its own browser, so the others stay signed in
        everywhere = rule.endpoint == "account.sign_out_everywhere"  # as another citizen: this one's token stays
        browser = (
            client_as(None) if signing_out else client_as("citizen2") if everywhere and who != "anonymous" else client
        )
        response = _call(browser, method, url, headers)
        response.close()
        _check(expected[0 if who == "anonymous" else 1], response, f"{who} {method} {url}")
