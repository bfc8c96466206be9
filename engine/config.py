"""Typed settings read from the environment once, at start-up (never at import time)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.oidc_settings import OidcProvider, providers_from_env
from engine.paths import PROJECT_ROOT


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _secret_key(var_dir: Path) -> str:
    """Use POSLUHY_SECRET_KEY, or a random key kept in var/ so sessions survive restarts."""
    configured = os.environ.get("POSLUHY_SECRET_KEY")
    if configured:
        return configured
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


ENVIRONMENTS = ("development", "production")
STAFF_ROLES = ("official", "analyst", "admin")
ROLES = ("citizen", *STAFF_ROLES)


def _roles(text: str) -> tuple[str, ...]:
    """A comma-separated list of roles, each checked (POSLUHY_SECOND_FACTOR_ROLES)."""
    roles = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise ValueError(f"POSLUHY_SECOND_FACTOR_ROLES names unknown roles: {', '.join(unknown)}")
    return roles


RATELIMIT_VARIABLE = "POSLUHY_RATELIMIT_"
#: POSLUHY_RATELIMIT_* variables that are settings of the throttles rather than one throttle's limit.
RATELIMIT_SETTINGS = frozenset({"STORAGE", "ENABLED", "KEY_PREFIX"})


def _ratelimits(environ: Mapping[str, str]) -> dict[str, str]:
    """POSLUHY_RATELIMIT_<NAME>=<limits> by lower-case name; the web app checks the names and the limits."""
    found = {}
    for variable, value in environ.items():
        name = variable.removeprefix(RATELIMIT_VARIABLE)
        if variable.startswith(RATELIMIT_VARIABLE) and name not in RATELIMIT_SETTINGS and value.strip():
            found[name.lower()] = value.strip()
    return found


def forms_dir_from_env() -> Path:
    return Path(_env("POSLUHY_FORMS_DIR", str(PROJECT_ROOT / "forms")))


@dataclass(frozen=True)
class Settings:
    """Every setting of the platform; see the README's configuration table."""

    database_url: str
    secret_key: str
    var_dir: Path
    processes_dir: Path
    forms_dir: Path
    upload_dir: Path
    max_upload_bytes: int = 10 * 1024 * 1024
    script_time_limit: float = 1.0
    base_url: str = "http://127.0.0.1:8000"
    default_locale: str = "uk"
    token_lifetime_hours: int = 12
    deploy_on_start: bool = True
    smtp_host: str = ""
    """Empty: e-mails are written as .eml files under var/mail/ instead of being sent (development)."""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "none"
    """"none", "starttls" or "ssl"."""
    smtp_from: str = "Posluhy <noreply@posluhy.local>"
    smtp_timeout: float = 10.0
    worker_interval: float = 5.0
    oidc_providers: tuple[OidcProvider, ...] = ()
    """External identity providers citizens may sign in with (engine/oidc_settings.py: POSLUHY_OIDC_*)."""
    environment: str = "development"
    """"development" or "production" (POSLUHY_ENV); production turns on the safer defaults below."""
    second_factor_roles: tuple[str, ...] = ()
    """Roles whose accounts must sign in with a second factor (TOTP); all staff roles in production."""
    ratelimit_storage: str = "memory://"
    """Where the per-address throttles count (Flask-Limiter storage URI); every host must share it in production."""
    trusted_proxies: int = 0
    """How many reverse proxies in front of the app set X-Forwarded-For (the client address the throttles see)."""
    ratelimit_enabled: bool = True
    """Whether the per-address throttles run at all (the per-account sign-in lock always does)."""
    ratelimit_key_prefix: str = "posluhy"
    """Put before every throttle key in the storage, so several installations can share one Redis."""
    ratelimits: dict[str, str] = field(default_factory=dict)
    """Per-address limits by throttle name (POSLUHY_RATELIMIT_<NAME>, e.g. LOGIN=20/minute;200/hour); see
    webapp/throttles.py for the names and their defaults."""
    audit_anchor_file: str = ""
    """The worker appends the audit chain's head (an anchor) to this file every `audit_anchor_hours` (empty: not)."""
    audit_anchor_mail: str = ""
    """The worker mails the audit chain's head to this address every `audit_anchor_hours` (empty: not)."""
    audit_anchor_hours: float = 24.0
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        var_dir = Path(_env("POSLUHY_VAR_DIR", str(PROJECT_ROOT / "var")))
        environment = _env("POSLUHY_ENV", "development")
        if environment not in ENVIRONMENTS:
            raise ValueError(f"POSLUHY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
        values: dict[str, object] = {
            "database_url": _env("DATABASE_URL", f"sqlite:///{var_dir / 'posluhy.db'}"),
            "var_dir": var_dir,
            "processes_dir": Path(_env("POSLUHY_PROCESSES_DIR", str(PROJECT_ROOT / "processes"))),
            "forms_dir": forms_dir_from_env(),
            "upload_dir": Path(_env("POSLUHY_UPLOAD_DIR", str(var_dir / "uploads"))),
            "max_upload_bytes": int(_env("POSLUHY_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))),
            "script_time_limit": float(_env("POSLUHY_SCRIPT_TIME_LIMIT", "1.0")),
            "base_url": _env("POSLUHY_BASE_URL", "http://127.0.0.1:8000"),
            "token_lifetime_hours": int(_env("POSLUHY_TOKEN_LIFETIME_HOURS", "12")),
            "deploy_on_start": _env("POSLUHY_DEPLOY_ON_START", "1") not in ("0", "false", "no"),
            "smtp_host": _env("POSLUHY_SMTP_HOST", ""),
            "smtp_port": int(_env("POSLUHY_SMTP_PORT", "25")),
            "smtp_user": _env("POSLUHY_SMTP_USER", ""),
            "smtp_password": _env("POSLUHY_SMTP_PASSWORD", ""),
            "smtp_tls": _env("POSLUHY_SMTP_TLS", "none"),
            "smtp_from": _env("POSLUHY_SMTP_FROM", "Posluhy <noreply@posluhy.local>"),
            "smtp_timeout": float(_env("POSLUHY_SMTP_TIMEOUT", "10")),
            "worker_interval": float(_env("POSLUHY_WORKER_INTERVAL", "5")),
            "oidc_providers": providers_from_env(os.environ),
            "environment": environment,
            "second_factor_roles": _roles(
                _env("POSLUHY_SECOND_FACTOR_ROLES", ",".join(STAFF_ROLES) if environment == "production" else "")
            ),
            "ratelimit_storage": _env(
                "POSLUHY_RATELIMIT_STORAGE", "redis://127.0.0.1:6379/0" if environment == "production" else "memory://"
            ),
            "trusted_proxies": int(_env("POSLUHY_TRUSTED_PROXIES", "0")),
            "ratelimit_enabled": _env("POSLUHY_RATELIMIT_ENABLED", "1") not in ("0", "false", "no"),
            "ratelimit_key_prefix": _env("POSLUHY_RATELIMIT_KEY_PREFIX", "posluhy"),
            "ratelimits": _ratelimits(os.environ),
            "audit_anchor_file": _env("POSLUHY_AUDIT_ANCHOR_FILE", ""),
            "audit_anchor_mail": _env("POSLUHY_AUDIT_ANCHOR_MAIL", ""),
            "audit_anchor_hours": float(_env("POSLUHY_AUDIT_ANCHOR_HOURS", "24")),
        }
        values.update(overrides)
        if "secret_key" not in values:
            values["secret_key"] = _secret_key(Path(str(values["var_dir"])))
        return cls(**values)  # type: ignore[arg-type]
