"""In headless Chromium: a staff account whose role requires a second factor enrols at its first sign-in (the key
read from the page, the code computed with pyotp), sees its recovery codes, signs out and in with password and code."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from engine.config import STAFF_ROLES, Settings

from .conftest import open_page


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, second_factor_roles=STAFF_ROLES)


@pytest.fixture
def page(chromium: Path, live_server: str) -> Iterator[Any]:
    with open_page(chromium, live_server, javascript=False) as page:
        yield page


def sign_in_with_password(page: Any, target: str = "") -> None:
    page.goto("/login?lang=en" + (f"&next={target}" if target else ""))
    page.fill("input[name=username]", "lubny.cnap")
    page.fill("input[name=password]", "demo")
    page.click("main button[type=submit]")


def test_a_staff_account_enrols_then_signs_in_with_password_and_code(page: Any) -> None:
    sign_in_with_password(page, "/staff/queue")
    page.wait_for_url(re.compile(r"/account/second-factor/enrol$"))
    assert "must sign in with a second factor" in page.inner_text("main")
    assert page.locator("main svg.qr-code").count() == 1
    secret = page.inner_text("#secret").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)

    code_field = page.get_by_label("Code", exact=True)
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    assert code_field.get_attribute("inputmode") == "numeric"
    code_field.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("main button[type=submit]")
    assert page.title().startswith("Error: ")
    assert page.locator(".error-summary").count() == 1

    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", c) for c in codes)
    assert page.get_by_role("link", name="Download the codes as a text file").get_attribute("download")
    page.get_by_role("link", name="I have saved my recovery codes").click()
    page.wait_for_url(re.compile(r"/staff/queue$"))

    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.wait_for_url(lambda url: "/staff/" not in url)
    sign_in_with_password(page)
    page.wait_for_url(re.compile(r"/login/second-factor$"))
    assert page.get_by_role("link", name="Use a recovery code instead").count() == 1
    # The code of the next 30-second step: the one used to enrol is never accepted again, and ±1 step is allowed.
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/staff/queue?lang=en")
    assert page.get_by_role("heading", level=1).count() == 1
    assert "/login" not in page.url
