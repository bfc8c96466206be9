"""Typed settings read from the environment once, at start-up (never at import time)."""

from __future__ import annotations

import os
import secrets
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
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        var_dir = Path(_env("POSLUHY_VAR_DIR", str(PROJECT_ROOT / "var")))
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
        }
        values.update(overrides)
        if "secret_key" not in values:
            values["secret_key"] = _secret_key(Path(str(values["var_dir"])))
        return cls(**values)  # type: ignore[arg-type]
