"""The summary the /account page includes (pages/account/_second_factor.html): on or off, and a link to manage."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, render_template_string
from flask_login import login_user

from engine.services.context import Actor
from webapp.auth import SessionUser

from .conftest import Visitor

PARTIAL = '{% include "pages/account/_second_factor.html" %}'


def render_for(app: Flask, person: Actor | None) -> str:
    with app.test_request_context("/account?lang=en"):
        app.preprocess_request()
        if person is not None:
            login_user(SessionUser(person))
        return render_template_string(PARTIAL)


def test_the_account_page_summary_says_whether_it_is_on(
    app: Flask, visitor: Visitor, actor_of: Callable[[str], Actor]
) -> None:
    off = render_for(app, actor_of("citizen"))
    assert "Off: signing in needs only your password." in off
    assert 'href="/account/second-factor"' in off

    visitor.sign_in("citizen")
    visitor.enrol()
    on = render_for(app, actor_of("citizen"))
    assert "On: signing in needs a code from your app" in on
    assert "10 recovery codes left." in on
    assert "Manage the second factor" in on
