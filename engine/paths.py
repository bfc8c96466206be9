"""Where the engine's own files live (templates, demo data), whatever module asks."""

from __future__ import annotations

from pathlib import Path
from typing import Final

ENGINE_DIR: Final = Path(__file__).resolve().parent
PROJECT_ROOT: Final = ENGINE_DIR.parent
DEMO_DIR: Final = ENGINE_DIR / "demo"
TEMPLATES_DIR: Final = ENGINE_DIR / "templates"
MIGRATIONS_DIR: Final = ENGINE_DIR / "migrations"
