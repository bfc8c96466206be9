"""Helpers for driving the engine services as the demo people do, one unit of work per request."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.models import Application
from engine.services.authoring.scenarios import load_scenarios, run_scenario
from engine.services.cases.applications import get_application
from engine.services.cases.views import ApplicationView
from engine.services.catalog.deploy import DeployReport, deploy_directory
from engine.services.catalog.listing import list_services
from engine.services.context import SYSTEM, Actor, Platform
from engine.store import applications

from ..conftest import ActorOf as ActorOf


def submit(platform: Platform, applicant: Actor, service_id: str, *, official: Actor | None = None) -> ApplicationView:
    """Start an application and complete its start form with the first scenario's answers."""
    scenario = load_scenarios(PROJECT_ROOT / "processes" / service_id)[0]
    first = dataclasses.replace(scenario, steps=scenario.steps[:1])
    with unit_of_work(platform.write_sessions) as db:
        result = run_scenario(db, platform, first, actors={"applicant": applicant, "official": official or applicant})
        assert result.status == "active", result
        return get_application(db, applicant, result.reference)


def application_row(db: Session, reference: str) -> Application:
    row = applications.find_by_reference(db, reference)
    assert row is not None
    return row


@pytest.fixture
def project_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of processes/ and forms/ for deploy tests."""
    processes = tmp_path / "project" / "processes"
    forms = tmp_path / "project" / "forms"
    shutil.copytree(PROJECT_ROOT / "processes", processes)
    shutil.copytree(PROJECT_ROOT / "forms", forms)
    return processes, forms


def deploy(platform: Platform, processes: Path, forms: Path) -> DeployReport:
    with unit_of_work(platform.write_sessions) as db:
        return deploy_directory(db, processes_dir=processes, forms_dir=forms, actor=SYSTEM)


def versions(platform: Platform) -> dict[str, int]:
    with unit_of_work(platform.read_sessions) as db:
        return {s.id: s.version for s in list_services(db)}
