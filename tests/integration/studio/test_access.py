"""Only analysts and administrators reach the studio: every page and endpoint refuses everyone else."""

from __future__ import annotations

from typing import Any

import pytest

SERVICE = "family_composition_certificate"
V = f"/studio/services/{SERVICE}/versions/1"
GETS = [
    "/studio/",
    "/studio/services/new",
    V,
    f"{V}/diagram.bpmn",
    f"{V}/modeler",
    f"/studio/services/{SERVICE}/diff?a=1&b=1",
    f"/studio/services/{SERVICE}/migrate?from=1&to=1",
    "/studio/forms",
    "/studio/forms/new?key=x",
    "/studio/forms/some-form",
    "/studio/test-runs/1",
]
POSTS = [
    "/studio/services/new",
    f"/studio/services/{SERVICE}/drafts",
    f"{V}/steps/start_application",
    f"{V}/properties",
    f"{V}/publish",
    f"{V}/retire",
    f"{V}/test-runs",
    "/studio/test-runs/1",
    f"/studio/services/{SERVICE}/migrate",
    "/studio/forms/some-form",
    "/studio/forms/some-form/preview",
]


@pytest.mark.parametrize("username", ["citizen", "official"])
def test_citizens_and_officials_are_refused_everywhere(browser: Any, username: str) -> None:
    person = browser(username)
    for path in GETS:
        assert person.client.get(path).status_code == 403, path
    for path in POSTS:
        reply = person.post(path, {"xml": "<x/>", "name": "x", "title": "x"})
        assert reply.status_code == 403, path
        assert "You cannot do this" in reply.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(browser: Any) -> None:
    visitor = browser(None)
    for path in GETS:
        reply = visitor.client.get(path)
        assert reply.status_code == 302, path
        assert reply.headers["Location"].startswith("/login?next="), path
    for path in POSTS:
        reply = visitor.post(path, {"xml": "<x/>"}, token_from="/login")
        assert reply.status_code == 302, path
        assert reply.headers["Location"].startswith("/login"), path


def test_analyst_post_without_csrf_token_is_refused(browser: Any) -> None:
    analyst = browser("analyst")
    reply = analyst.client.post("/studio/services/new", data={"process_id": "no_token", "title": "No token"})
    assert reply.status_code == 400
    assert "no_token" not in analyst.page("/studio/")


def test_admin_reaches_the_studio_and_its_pages_allow_bpmn_js_inline_styles(browser: Any) -> None:
    reply = browser("admin").client.get(f"{V}/modeler")
    assert reply.status_code == 200
    assert "'unsafe-inline'" in reply.headers["Content-Security-Policy"]
    assert "bpmn-modeler.production.min.js" in reply.get_data(as_text=True)
    # Outside the studio the strict policy stays.
    other = browser("admin").client.get("/services")
    assert "'unsafe-inline'" not in other.headers["Content-Security-Policy"]
