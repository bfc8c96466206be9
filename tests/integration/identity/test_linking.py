"""A signed-in person links (and removes) identity providers from their sign-in methods page; accounts are merged
only this way, never by e-mail."""

from __future__ import annotations

from flask import Flask

from engine.services.context import Platform

from .conftest import Provider, Visitor, path_of
from .test_oidc_sign_in import OKSANA, account_of, accounts, audited


def link(visitor: Visitor, idp: Provider, sub: str, provider: str = "testid") -> str:
    """Press "Link" and sign in at the provider: the page the platform then shows."""
    visitor.get("/account/sign-in-methods")
    started = visitor.post(f"/account/sign-in-methods/{provider}/link")
    assert started.status_code == 302, started.get_data(as_text=True)
    back = visitor.get(path_of(idp.authorize(str(started.headers["Location"]), sub)))
    assert back.status_code == 302 and back.headers["Location"] == "/account/sign-in-methods"
    return str(visitor.get("/account/sign-in-methods").get_data(as_text=True))


def test_a_citizen_with_a_password_links_a_provider_and_then_signs_in_with_it(
    app: Flask, idp: Provider, platform: Platform
) -> None:
    visitor = Visitor(app.test_client(), idp).log_in("citizen")
    before = accounts(platform)
    page = visitor.get("/account/sign-in-methods").get_data(as_text=True)
    assert "Тест-ID" in page or "Test-ID" in page
    assert "Not linked" in page
    sub = idp.person(**OKSANA)
    page = link(visitor, idp, sub)
    assert "You can now sign in with Test-ID." in page and "Linked on" in page
    account = account_of(platform, "testid", sub)
    assert account is not None and account["username"] == "citizen"
    assert account["full_name"] == "Оксана Іванівна Петренко"  # the provider vouches for her name
    assert accounts(platform) == before
    assert [e["actor"] for e in audited(platform, "auth.identity_linked")] == ["citizen"]
    # Later, in another browser, through the provider alone.
    elsewhere = Visitor(app.test_client(), idp)
    assert elsewhere.sign_in(sub).status_code == 302
    assert elsewhere.signed_in_as() == "Оксана Іванівна Петренко"
    assert accounts(platform) == before
    assert [(e["actor"], e["method"]) for e in audited(platform, "auth.signed_in")] == [
        ("citizen", "password"),
        ("citizen", "oidc"),
    ]


def test_an_identity_that_opens_another_account_is_not_moved(app: Flask, idp: Provider, platform: Platform) -> None:
    sub = idp.person(**OKSANA)
    first = Visitor(app.test_client(), idp)
    assert first.sign_in(sub).status_code == 302
    owner = account_of(platform, "testid", sub)
    citizen2 = Visitor(app.test_client(), idp).log_in("citizen2")
    page = link(citizen2, idp, sub)
    assert "This Test-ID account already signs in to another account here." in page
    after = account_of(platform, "testid", sub)
    assert owner is not None and after is not None and after["id"] == owner["id"]
    assert [e["reason"] for e in audited(platform, "auth.sign_in_failed")] == ["linked_elsewhere"]


def test_the_only_way_in_cannot_be_removed_but_another_can(app: Flask, idp: Provider, platform: Platform) -> None:
    sub = idp.person(**OKSANA)
    visitor = Visitor(app.test_client(), idp)
    assert visitor.sign_in(sub).status_code == 302
    visitor.get("/account/sign-in-methods")
    refused = visitor.post("/account/sign-in-methods/testid/unlink")
    assert refused.status_code == 302
    page = visitor.get("/account/sign-in-methods").get_data(as_text=True)
    assert "Test-ID is the only way to sign in to this account, so it cannot be removed." in page
    assert account_of(platform, "testid", sub) is not None
    # A second provider linked, the first one may go; what it vouched for stays until the other says otherwise.
    link(visitor, idp, sub, "strict")
    visitor.get("/account/sign-in-methods")
    removed = visitor.post("/account/sign-in-methods/testid/unlink")
    assert removed.status_code == 302
    page = visitor.get("/account/sign-in-methods").get_data(as_text=True)
    assert "Test-ID no longer signs in to your account." in page
    assert account_of(platform, "testid", sub) is None
    remaining = account_of(platform, "strict", sub)
    assert remaining is not None and remaining["verified"]["family_name"] == "Петренко"
    assert [e["provider"] for e in audited(platform, "auth.identity_unlinked")] == ["testid"]


def test_a_password_account_unlinking_its_provider_loses_the_verified_values(
    app: Flask, idp: Provider, platform: Platform
) -> None:
    visitor = Visitor(app.test_client(), idp).log_in("citizen")
    sub = idp.person(**OKSANA)
    link(visitor, idp, sub)
    visitor.get("/account/sign-in-methods")
    assert visitor.post("/account/sign-in-methods/testid/unlink").status_code == 302
    assert account_of(platform, "testid", sub) is None
    html = visitor.get("/").get_data(as_text=True)
    assert "Sign out (Оксана Іванівна Петренко)" in html  # the name stays; nobody vouches for it any more
    first = visitor.post("/services/family_composition_certificate/apply")
    form = visitor.get(path_of(first.headers["Location"])).get_data(as_text=True)
    assert "From your identity provider" not in form
    assert 'name="last_name" value="Петренко"' in form  # prefilled from the account's name, editable
