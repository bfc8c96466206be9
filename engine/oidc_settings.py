"""External identity providers (OpenID Connect), configured by environment and checked once, at start-up.

``POSLUHY_OIDC_PROVIDERS=diia,bankid`` names them; each name ``N`` reads ``POSLUHY_OIDC_<N>_…`` (see the README's
"Signing in with an identity provider"). Anything wrong stops the platform with a message naming the variable:
a provider nobody can use is better found by whoever starts the platform than by the first citizen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

PREFIX: Final = "POSLUHY_OIDC_"
_NAME_RE: Final = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})

#: Our fields → the claim each is read from unless the provider's ``_CLAIMS`` says otherwise (standard OIDC names).
DEFAULT_CLAIMS: Final[Mapping[str, str]] = {
    "full_name": "name",
    "given_name": "given_name",
    "family_name": "family_name",
    "middle_name": "middle_name",
    "email": "email",
    "email_verified": "email_verified",
    "phone": "phone_number",
    "phone_verified": "phone_number_verified",
    "tax_number": "",
}
"""An empty claim name: not read from this provider. No standard claim carries the tax number (RNOKPP)."""

VOUCHABLE: Final = ("names", "tax_number", "email", "phone")
"""What ``_VERIFIES`` may list. E-mail and phone count as verified anyway when the provider's ``email_verified`` /
``phone_verified`` claim is true; listing them trusts them without that claim (an explicit false still wins)."""


class ConfigurationError(ValueError):
    """The environment configures something that cannot work; the message names the variable to fix."""


@dataclass(frozen=True)
class OidcProvider:
    """One identity provider, as configured; the platform is its OpenID Connect client (a relying party)."""

    name: str
    display_name: str
    display_name_en: str
    client_id: str
    client_secret: str
    issuer: str
    """The issuer every ID token must name; when only a discovery URL is configured, the document's issuer."""
    discovery_url: str
    scopes: tuple[str, ...]
    claims: tuple[tuple[str, str], ...]
    """(our field, claim name) for every field of DEFAULT_CLAIMS; an empty claim name is not read."""
    verifies: frozenset[str] = frozenset({"names", "tax_number"})
    """Which of VOUCHABLE this provider vouches for: such values are shown read-only on forms."""
    require_verified_email: bool = False
    timeout: float = 10.0

    @property
    def metadata_url(self) -> str:
        return self.discovery_url or self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def claim(self, field: str) -> str:
        """The claim our `field` is read from ("" when this provider does not give it)."""
        return dict(self.claims).get(field, "")

    def title(self, locale: str) -> str:
        return self.display_name_en if locale == "en" and self.display_name_en else self.display_name


def providers_from_env(environ: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    """Every provider POSLUHY_OIDC_PROVIDERS names, in that order (the order of the sign-in page's buttons)."""
    listed = [n.strip() for n in environ.get(PREFIX + "PROVIDERS", "").split(",") if n.strip()]
    seen: set[str] = set()
    providers = []
    for name in listed:
        if not _NAME_RE.match(name):
            raise ConfigurationError(
                f"{PREFIX}PROVIDERS: {name!r} is not a provider name (lowercase letters, digits and _, at most 32, "
                "starting with a letter)"
            )
        if name in seen:
            raise ConfigurationError(f"{PREFIX}PROVIDERS names {name!r} twice")
        seen.add(name)
        providers.append(_provider(name, environ))
    return tuple(providers)


def _provider(name: str, environ: Mapping[str, str]) -> OidcProvider:
    prefix = f"{PREFIX}{name.upper()}_"

    def value(key: str, default: str = "") -> str:
        return environ.get(prefix + key, default).strip()

    issuer, discovery_url = value("ISSUER"), value("DISCOVERY_URL")
    if not issuer and not discovery_url:
        raise ConfigurationError(f"{prefix}ISSUER or {prefix}DISCOVERY_URL must be set for provider {name!r}")
    for key, url in (("ISSUER", issuer), ("DISCOVERY_URL", discovery_url)):
        if url:
            _check_url(prefix + key, url)
    client_id = value("CLIENT_ID")
    if not client_id:
        raise ConfigurationError(f"{prefix}CLIENT_ID must be set for provider {name!r}")
    display_name = value("DISPLAY_NAME")
    if not display_name:
        raise ConfigurationError(f"{prefix}DISPLAY_NAME must be set: the sign-in page shows it to citizens")
    scopes = tuple(value("SCOPES", "openid profile email").replace(",", " ").split())
    if "openid" not in scopes:
        raise ConfigurationError(f"{prefix}SCOPES must include openid (it is {' '.join(scopes)!r})")
    return OidcProvider(
        name=name,
        display_name=display_name,
        display_name_en=value("DISPLAY_NAME_EN", display_name),
        client_id=client_id,
        client_secret=value("CLIENT_SECRET"),
        issuer=issuer,
        discovery_url=discovery_url,
        scopes=scopes,
        claims=_claims(prefix + "CLAIMS", value("CLAIMS")),
        verifies=_verifies(prefix + "VERIFIES", value("VERIFIES", "names,tax_number")),
        require_verified_email=_flag(prefix + "REQUIRE_VERIFIED_EMAIL", value("REQUIRE_VERIFIED_EMAIL", "0")),
        timeout=_seconds(prefix + "TIMEOUT", value("TIMEOUT", "10")),
    )


def _check_url(variable: str, url: str) -> None:
    """An identity provider is reached over https; plain http only on this machine (development, tests)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{variable}: {url!r} is not an http(s) address")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ConfigurationError(f"{variable}: {url!r} must use https (plain http only for 127.0.0.1 or localhost)")


def _claims(variable: str, text: str) -> tuple[tuple[str, str], ...]:
    mapping = dict(DEFAULT_CLAIMS)
    if text:
        try:
            given = json.loads(text)
        except ValueError as exc:
            raise ConfigurationError(f"{variable} is not valid JSON: {exc}") from exc
        if not isinstance(given, dict):
            raise ConfigurationError(f"{variable} must be a JSON object: our field → the provider's claim")
        for field, claim in given.items():
            if field not in DEFAULT_CLAIMS:
                raise ConfigurationError(f"{variable}: unknown field {field!r}; known: {', '.join(DEFAULT_CLAIMS)}")
            if claim is not None and not isinstance(claim, str):
                raise ConfigurationError(f"{variable}: the claim for {field!r} must be a claim name or null")
            mapping[field] = (claim or "").strip()
    return tuple(mapping.items())


def _verifies(variable: str, text: str) -> frozenset[str]:
    listed = frozenset(v.strip() for v in text.split(",") if v.strip())
    unknown = sorted(listed - set(VOUCHABLE))
    if unknown:
        raise ConfigurationError(f"{variable}: unknown {', '.join(unknown)}; it may list {', '.join(VOUCHABLE)}")
    return listed


def _flag(variable: str, text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ConfigurationError(f"{variable} must be 1 or 0 (it is {text!r})")


def _seconds(variable: str, text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 120:
        raise ConfigurationError(f"{variable} must be a number of seconds between 0 and 120 (it is {text!r})")
    return seconds
