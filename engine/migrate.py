"""Run and check Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from engine.db import normalise_url
from engine.paths import MIGRATIONS_DIR


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade_database(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def check_database(database_url: str) -> None:
    """Fail when the models and the migrations disagree (`alembic check`)."""
    command.check(alembic_config(database_url))
