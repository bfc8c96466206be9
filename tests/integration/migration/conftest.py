"""Versions 2 and 3 of the outdoor advertising permit, and applications left at different steps of version 1.

Version 2 renames the CNAP review (same ids) and adds an optional field to it; version 3 replaces the
CNAP review by a script that accepts every application, so the review task no longer exists.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.authoring.scenarios import Scenario, ScenarioStep, load_scenario, run_scenario
from engine.services.cases.applications import get_application
from engine.services.cases.attachments import store_upload
from engine.services.cases.steps import complete_task
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Actor, Platform
from engine.store import directory

SERVICE = "outdoor_advertising_permit"
V2_TITLE = "Розгляд заяви в ЦНАП (версія 2)"
NEW_FIELD = """<camunda:formField id="internal_note" label="Службова примітка" type="string">
            <camunda:properties><camunda:property id="label_en" value="Internal note" /></camunda:properties>
          </camunda:formField>
          <camunda:formField id="decision" label="Рішення" type="enum">"""
AUTO_REVIEW = """<bpmn:scriptTask id="auto_review" name="Автоматичне прийняття" scriptFormat="python">
      <bpmn:incoming>flow_merge_review</bpmn:incoming>
      <bpmn:outgoing>flow_review_gw</bpmn:outgoing>
      <bpmn:script>decision = "accept"
review_comment = "Прийнято автоматично"</bpmn:script>
    </bpmn:scriptTask>"""


def version_2(xml: str) -> str:
    assert 'name="Розгляд заяви в ЦНАП"' in xml
    xml = xml.replace('name="Розгляд заяви в ЦНАП"', f'name="{V2_TITLE}"', 1)
    marker = '<camunda:formField id="decision" label="Рішення" type="enum">'
    assert xml.count(marker) == 1
    return xml.replace(marker, NEW_FIELD)


def version_3(xml: str) -> str:
    start = xml.index('<bpmn:userTask id="review_application"')
    end = xml.index("</bpmn:userTask>", start) + len("</bpmn:userTask>")
    xml = xml[:start] + AUTO_REVIEW + xml[end:]
    for attribute in ("sourceRef", "targetRef", "bpmnElement"):
        xml = xml.replace(f'{attribute}="review_application"', f'{attribute}="auto_review"')
    return xml


@dataclasses.dataclass
class Versions:
    """Deploys edited copies of processes/ as new published versions of the service."""

    platform: Platform
    root: Path

    @property
    def diagram(self) -> Path:
        return self.root / SERVICE / f"{SERVICE}.bpmn"

    def deploy(self, edit: Any) -> None:
        original = (PROJECT_ROOT / "processes" / SERVICE / f"{SERVICE}.bpmn").read_text(encoding="utf-8")
        self.diagram.write_text(edit(original), encoding="utf-8")
        with unit_of_work(self.platform.write_sessions) as db:
            report = deploy_directory(
                db, processes_dir=self.root, forms_dir=self.platform.settings.forms_dir, actor=SYSTEM
            )
        assert any(SERVICE in line for line in report.deployed), report.lines()


@pytest.fixture
def versions(platform: Platform, tmp_path: Path) -> Versions:
    root = tmp_path / "processes"
    shutil.copytree(PROJECT_ROOT / "processes", root)
    return Versions(platform, root)


def actor_named(db: Session, username: str) -> Actor:
    user = directory.find_user(db, username)
    assert user is not None, username
    return Actor.of(user)


@pytest.fixture
def actors(platform: Platform) -> dict[str, Actor]:
    with unit_of_work(platform.read_sessions) as db:
        return {
            "applicant": actor_named(db, "citizen"),
            "official": actor_named(db, "official"),
            "analyst": actor_named(db, "analyst"),
        }


def scenario() -> Scenario:
    path = PROJECT_ROOT / "processes" / SERVICE / "scenarios" / "issued_after_corrections.json"
    return load_scenario(path, SERVICE)


def start_at(platform: Platform, actors: dict[str, Actor], steps_done: int) -> str:
    """A new application of the current version with the first `steps_done` steps of the scenario done."""
    partial = dataclasses.replace(scenario(), steps=scenario().steps[:steps_done])
    with unit_of_work(platform.write_sessions) as db:
        return run_scenario(db, platform, partial, actors=actors).reference


def do_steps(platform: Platform, actors: dict[str, Actor], reference: str, steps: tuple[ScenarioStep, ...]) -> None:
    """Complete the given steps as their actors, through the same use case the pages call."""
    for step in steps:
        with unit_of_work(platform.write_sessions) as db:
            application = get_application(db, actors["applicant"], reference)
            task = next((t for t in application.open_steps if t.element_id == step.task), None)
            assert task is not None, (reference, step.task, [t.element_id for t in application.open_steps])
            data = {k: _upload(db, platform, actors[step.actor], v) for k, v in step.data.items()}
            complete_task(db, platform, actors[step.actor], task.id, data)


def _upload(db: Session, platform: Platform, actor: Actor, value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith("@file:"):
        return value
    stored = store_upload(
        db,
        actor,
        upload_dir=platform.settings.upload_dir,
        limit=platform.settings.max_upload_bytes,
        filename=value.removeprefix("@file:"),
        content_type="application/pdf",
        stream=io.BytesIO(b"%PDF-1.4 test\n"),
    )
    return stored.id
