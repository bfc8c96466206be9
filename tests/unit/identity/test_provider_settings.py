"""Identity providers from the environment: what an operator writes, and each mistake refused with its variable."""

from __future__ import annotations

import json

import pytest

from engine.config import Settings
from engine.oidc_settings import ConfigurationError, providers_from_env

DIIA = {
    "POSLUHY_OIDC_PROVIDERS": "diia, bankid",
    "POSLUHY_OIDC_DIIA_ISSUER": "https://id.example.gov.ua/realms/citizens",
    "POSLUHY_OIDC_DIIA_CLIENT_ID": "posluhy",
    "POSLUHY_OIDC_DIIA_CLIENT_SECRET": "s3cret",
    "POSLUHY_OIDC_DIIA_DISPLAY_NAME": "Дія",
    "POSLUHY_OIDC_DIIA_DISPLAY_NAME_EN": "Diia",
    "POSLUHY_OIDC_DIIA_CLAIMS": json.dumps(
        {"tax_number": "drfocode", "family_name": "lastname", "email_verified": None}
    ),
    "POSLUHY_OIDC_BANKID_DISCOVERY_URL": "https://bankid.example.com/.well-known/openid-configuration",
    "POSLUHY_OIDC_BANKID_CLIENT_ID": "posluhy-bank",
    "POSLUHY_OIDC_BANKID_DISPLAY_NAME": "BankID НБУ",
    "POSLUHY_OIDC_BANKID_SCOPES": "openid,profile,phone",
    "POSLUHY_OIDC_BANKID_VERIFIES": "names,tax_number,phone",
}


def test_several_providers_in_the_order_named_with_their_claim_mapping() -> None:
    diia, bankid = providers_from_env(DIIA)
    assert (diia.name, diia.title("uk"), diia.title("en"), bankid.title("en")) == ("diia", "Дія", "Diia", "BankID НБУ")
    assert diia.metadata_url == "https://id.example.gov.ua/realms/citizens/.well-known/openid-configuration"
    assert bankid.metadata_url == DIIA["POSLUHY_OIDC_BANKID_DISCOVERY_URL"] and bankid.issuer == ""
    assert (diia.claim("tax_number"), diia.claim("family_name"), diia.claim("given_name")) == (
        "drfocode",
        "lastname",
        "given_name",
    )
    assert diia.claim("email_verified") == ""  # null: this provider's e-mails are never taken as verified
    assert diia.scopes == ("openid", "profile", "email") and bankid.scopes == ("openid", "profile", "phone")
    assert diia.verifies == {"names", "tax_number"} and bankid.verifies == {"names", "tax_number", "phone"}
    assert (diia.client_secret, bankid.client_secret, diia.timeout) == ("s3cret", "", 10.0)


def test_no_providers_unless_named() -> None:
    assert providers_from_env({}) == ()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"POSLUHY_OIDC_PROVIDERS": "diia,Bank ID"}, "POSLUHY_OIDC_PROVIDERS"),
        ({"POSLUHY_OIDC_PROVIDERS": "diia,diia"}, "POSLUHY_OIDC_PROVIDERS"),
        ({"POSLUHY_OIDC_DIIA_ISSUER": ""}, "POSLUHY_OIDC_DIIA_ISSUER or POSLUHY_OIDC_DIIA_DISCOVERY_URL"),
        ({"POSLUHY_OIDC_DIIA_ISSUER": "http://id.example.gov.ua"}, "POSLUHY_OIDC_DIIA_ISSUER"),
        ({"POSLUHY_OIDC_DIIA_ISSUER": "id.example.gov.ua"}, "POSLUHY_OIDC_DIIA_ISSUER"),
        ({"POSLUHY_OIDC_DIIA_CLIENT_ID": " "}, "POSLUHY_OIDC_DIIA_CLIENT_ID"),
        ({"POSLUHY_OIDC_BANKID_DISPLAY_NAME": ""}, "POSLUHY_OIDC_BANKID_DISPLAY_NAME"),
        ({"POSLUHY_OIDC_BANKID_SCOPES": "profile email"}, "POSLUHY_OIDC_BANKID_SCOPES"),
        ({"POSLUHY_OIDC_DIIA_CLAIMS": "{tax_number: drfocode}"}, "POSLUHY_OIDC_DIIA_CLAIMS"),
        ({"POSLUHY_OIDC_DIIA_CLAIMS": '["drfocode"]'}, "POSLUHY_OIDC_DIIA_CLAIMS"),
        ({"POSLUHY_OIDC_DIIA_CLAIMS": '{"rnokpp": "drfocode"}'}, "POSLUHY_OIDC_DIIA_CLAIMS"),
        ({"POSLUHY_OIDC_DIIA_CLAIMS": '{"tax_number": 7}'}, "POSLUHY_OIDC_DIIA_CLAIMS"),
        ({"POSLUHY_OIDC_DIIA_VERIFIES": "names,address"}, "POSLUHY_OIDC_DIIA_VERIFIES"),
        ({"POSLUHY_OIDC_DIIA_REQUIRE_VERIFIED_EMAIL": "maybe"}, "POSLUHY_OIDC_DIIA_REQUIRE_VERIFIED_EMAIL"),
        ({"POSLUHY_OIDC_DIIA_TIMEOUT": "forever"}, "POSLUHY_OIDC_DIIA_TIMEOUT"),
    ],
)
def test_a_mistake_stops_the_platform_naming_the_variable(change: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        providers_from_env({**DIIA, **change})


def test_settings_read_the_providers_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in DIIA.items():
        monkeypatch.setenv(key, value)
    assert [p.name for p in Settings.from_env(secret_key="x").oidc_providers] == ["diia", "bankid"]
    monkeypatch.setenv("POSLUHY_OIDC_DIIA_CLIENT_ID", "")
    with pytest.raises(ConfigurationError, match="POSLUHY_OIDC_DIIA_CLIENT_ID must be set"):
        Settings.from_env(secret_key="x")


def test_plain_http_is_allowed_only_on_this_machine() -> None:
    local = {**DIIA, "POSLUHY_OIDC_DIIA_ISSUER": "http://127.0.0.1:9400", "POSLUHY_OIDC_PROVIDERS": "diia"}
    assert providers_from_env(local)[0].issuer == "http://127.0.0.1:9400"
