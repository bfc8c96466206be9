"""Only analysts and admins use the studio: everyone else is refused by every studio service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine.db import unit_of_work
from engine.services.context import Actor, Platform
from engine.services.errors import ForbiddenError
from engine.services.studio import diff, drafts, forms, testrun

from .conftest import SERVICE, ActorOf, permit_xml

Call = Callable[[Session, Platform, Actor], Any]
CALLS: dict[str, Call] = {
    "list_studio_services": lambda db, p, a: drafts.list_studio_services(db, a),
    "get_version": lambda db, p, a: drafts.get_version(db, a, SERVICE, 1),
    "create_service": lambda db, p, a: drafts.create_service(db, a, process_id="other_service", title="Інша"),
    "save_draft": lambda db, p, a: drafts.save_draft(db, a, SERVICE, permit_xml()),
    "update_process_properties": lambda db, p, a: drafts.update_process_properties(db, a, SERVICE, 1, {"title": "x"}),
    "update_step": lambda db, p, a: drafts.update_step(
        db, a, SERVICE, 1, "start", name="x", form_key=None, candidate_groups="", assignee=""
    ),
    "publish": lambda db, p, a: drafts.publish(db, a, SERVICE, 1),
    "retire": lambda db, p, a: drafts.retire(db, a, SERVICE, 1),
    "list_form_documents": lambda db, p, a: forms.list_form_documents(db, a),
    "get_form_document": lambda db, p, a: forms.get_form_document(db, a, "housing_subsidy_application"),
    "save_form_document": lambda db, p, a: forms.save_form_document(db, a, "k", {"schema": {"type": "object"}}),
    "diff_versions": lambda db, p, a: diff.diff_versions(db, a, SERVICE, 1, 1),
    "start_test_run": lambda db, p, a: testrun.start_test_run(db, p, a, SERVICE, 1),
    "get_test_run": lambda db, p, a: testrun.get_test_run(db, a, 1),
    "complete_test_step": lambda db, p, a: testrun.complete_test_step(db, p, a, 1, {}),
}


@pytest.mark.parametrize("username", ["citizen", "official", "lubny.cnap"])
def test_non_analysts_are_refused_by_every_studio_service(
    platform: Platform, analyst: Actor, actor_of: ActorOf, username: str
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        drafts.create_service(db, analyst, process_id=SERVICE, title="Дозвіл")
        testrun.start_test_run(db, platform, analyst, SERVICE, 1)
    outsider = actor_of(username)
    for name, call in CALLS.items():
        with unit_of_work(platform.write_sessions) as db, pytest.raises(ForbiddenError):
            call(db, platform, outsider)
            pytest.fail(f"{name} let {username} in")


def test_analysts_and_admins_get_in(platform: Platform, actor_of: ActorOf) -> None:
    for username in ("analyst", "admin"):
        with unit_of_work(platform.read_sessions) as db:
            assert {s.id for s in drafts.list_studio_services(db, actor_of(username))} >= {"housing_subsidy"}
