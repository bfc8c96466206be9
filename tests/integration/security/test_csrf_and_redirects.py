"""CSRF tokens on every form POST, and the sign-in form's `next` never leading to another site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_every_page_post_without_the_csrf_token_is_refused(
    app: Flask, client_as: Callable[[str | None], FlaskClient], others: Any
) -> None:
    admin = client_as("admin")  # the most powerful session: nothing else would stop the request
    posts = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ()) and not r.rule.startswith("/api/")]
    assert len(posts) > 20
    numbers = {
        "number",
        "page",
        "run_id",
        "incident_id",
        "rule_id",
        "day_id",
        "user_id",
        "group_id",
        "organisation_id",
        "filter_id",
    }
    for rule in posts:
        args: dict[str, Any] = {name: 1 if name in numbers else "x" for name in rule.arguments}
        args |= {"reference": others.reference, "task_id": others.task_id}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **args)
        response = admin.post(url, data={})
        assert response.status_code == 400, (url, response.status_code)
    assert admin.get("/admin/").status_code == 200  # still signed in: the refused logout did nothing


@pytest.mark.parametrize(
    "target",
    ["/\\evil.example", "/\\/evil.example", "//evil.example", "https://evil.example/", "/\t/evil.example"],
)
def test_sign_in_never_sends_people_to_another_site(
    app: Flask, token_in_page: Callable[[FlaskClient], str], target: str
) -> None:
    client = app.test_client()
    reply = client.post(
        "/login", data={"username": "citizen", "password": "demo", "next": target, "csrf_token": token_in_page(client)}
    )
    assert reply.status_code == 302
    assert _same_site(reply.headers["Location"])
    again = client.get("/login", query_string={"next": target})  # signed in already: straight on
    assert again.status_code == 302
    assert _same_site(again.headers["Location"])


def _same_site(location: str) -> bool:
    """A path browsers resolve on this site (they read a backslash as a slash, so none may stay raw)."""
    return location.startswith("/") and not location.startswith("//") and "\\" not in location and "\t" not in location


def test_sign_in_comes_back_to_a_page_of_the_site(app: Flask, token_in_page: Callable[[FlaskClient], str]) -> None:
    client = app.test_client()
    reply = client.post(
        "/login",
        data={
            "username": "citizen",
            "password": "demo",
            "next": "/my/applications",
            "csrf_token": token_in_page(client),
        },
    )
    assert reply.headers["Location"] == "/my/applications"


@pytest.mark.parametrize(
    ("referer", "expected"),
    [
        ("https://evil.example/studio/", "/studio/"),
        ("http://localhost/studio/forms", "/studio/forms"),
    ],
)
def test_the_studio_sends_analysts_back_only_to_its_own_pages(
    client_as: Callable[[str | None], FlaskClient],
    referer: str,
    expected: str,
) -> None:
    client = client_as("analyst")
    page = client.get("/studio/forms").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    reply = client.post(
        "/studio/services/family_composition_certificate/drafts",
        data={"xml": "   ", "csrf_token": token},
        headers={"Referer": referer},
    )
    assert reply.status_code == 302
    assert reply.headers["Location"].removeprefix("http://localhost") == expected
