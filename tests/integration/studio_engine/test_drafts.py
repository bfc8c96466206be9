"""Drafts, publish and retire: what the catalog offers and what running applications keep."""

from __future__ import annotations

import pytest
from lxml import etree

from engine.bpmn.problems import Severity
from engine.bpmn.xml import BPMN, CAMUNDA, NS
from engine.db import unit_of_work
from engine.services.cases.applications import get_application, start_application
from engine.services.cases.steps import complete_task
from engine.services.catalog.deploy import deploy_directory
from engine.services.catalog.listing import get_service, list_services
from engine.services.context import SYSTEM, Actor, Platform
from engine.services.errors import ConflictError, NotFoundError, VersionHasErrorsError, VersionNotDraftError
from engine.services.studio.drafts import (
    create_service,
    get_version,
    list_studio_services,
    publish,
    retire,
    save_draft,
    update_process_properties,
    update_step,
)

from .conftest import SERVICE, ActorOf, permit_xml


def catalog_version(platform: Platform, service_id: str) -> int | None:
    with unit_of_work(platform.read_sessions) as db:
        offered = {s.id: s.version for s in list_services(db)}
    return offered.get(service_id)


def new_service(platform: Platform, analyst: Actor) -> None:
    with unit_of_work(platform.write_sessions) as db:
        create_service(db, analyst, process_id=SERVICE, title="Дозвіл для студії")


def test_a_new_service_is_a_draft_that_passes_check_but_for_expected_warnings(
    platform: Platform, analyst: Actor
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        draft = create_service(db, analyst, process_id=SERVICE, title="Дозвіл для студії")
    assert (draft.number, draft.status, draft.has_errors, draft.created_by) == (1, "draft", False, "analyst")
    assert {(p.element_id, p.severity) for p in draft.problems} == {
        ("start", Severity.WARNING),  # the start event has no form yet
        (SERVICE, Severity.WARNING),  # nobody owns it yet (organisation)
    }
    assert draft.process_properties["title"] == "Дозвіл для студії"
    assert "bpmndi:BPMNDiagram" in draft.xml
    assert catalog_version(platform, SERVICE) is None  # drafts are not offered
    with unit_of_work(platform.write_sessions) as db, pytest.raises(ConflictError):
        create_service(db, analyst, process_id=SERVICE, title="Ще раз")


def test_a_draft_with_errors_is_kept_with_its_problems_and_cannot_be_published(
    platform: Platform, analyst: Actor
) -> None:
    new_service(platform, analyst)
    with unit_of_work(platform.write_sessions) as db:
        broken = save_draft(db, analyst, SERVICE, permit_xml(review=""))
        unreadable = save_draft(db, analyst, SERVICE, "<bpmn:definitions oops")
    assert (broken.number, broken.status, broken.has_errors) == (2, "draft", True)
    assert [p.element_id for p in broken.problems if p.severity is Severity.ERROR] == ["review"]
    assert "nobody to do it" in broken.problems[0].message
    assert unreadable.has_errors and unreadable.manifest is None
    assert unreadable.problems[0].message.startswith("not well-formed XML")

    with unit_of_work(platform.write_sessions) as db, pytest.raises(VersionHasErrorsError):
        publish(db, analyst, SERVICE, 2)
    with unit_of_work(platform.read_sessions) as db:
        assert get_version(db, analyst, SERVICE, 2).status == "draft"
    assert catalog_version(platform, SERVICE) is None


def test_publish_makes_a_version_current_while_running_applications_stay_on_theirs(
    platform: Platform, analyst: Actor, actor_of: ActorOf
) -> None:
    citizen, official = actor_of("citizen"), actor_of("lubny.cnap")
    new_service(platform, analyst)
    with unit_of_work(platform.write_sessions) as db:
        save_draft(db, analyst, SERVICE, permit_xml(review=""))  # 2, with errors
        fixed = save_draft(db, analyst, SERVICE, permit_xml())  # 3
        assert not fixed.has_errors, fixed.problems
        published = publish(db, analyst, SERVICE, 3)
    assert (published.status, published.published_by) == ("published", "analyst")
    assert published.published_at is not None
    assert catalog_version(platform, SERVICE) == 3

    with unit_of_work(platform.write_sessions) as db:
        early = start_application(db, platform, citizen, SERVICE)
        (start_task,) = early.tasks
        complete_task(db, platform, citizen, start_task.id, {"full_name": "Іван Петренко", "amount": 2})

    with unit_of_work(platform.write_sessions) as db:
        save_draft(db, analyst, SERVICE, permit_xml(approved_name="Погоджено (редакція 4)"))
        publish(db, analyst, SERVICE, 4)
    assert catalog_version(platform, SERVICE) == 4
    with unit_of_work(platform.read_sessions) as db:
        _, manifest = get_service(db, SERVICE)
        assert manifest.end_events["approved"] == "Погоджено (редакція 4)"

    with unit_of_work(platform.write_sessions) as db:
        (review,) = get_application(db, official, early.reference).open_steps
        done = complete_task(db, platform, official, review.id, {"decision": "approve"})
    assert (done.status, done.outcome, done.service.version) == ("completed", "approved", 3)
    assert done.outcome_name == "Погоджено"

    with unit_of_work(platform.read_sessions) as db:
        (service,) = [s for s in list_studio_services(db, analyst) if s.id == SERVICE]
    assert service.current_number == 4
    assert [(v.number, v.status) for v in service.versions] == [
        (4, "published"),
        (3, "published"),
        (2, "draft"),
        (1, "draft"),
    ]


def test_a_published_version_is_immutable(platform: Platform, analyst: Actor) -> None:
    new_service(platform, analyst)
    with unit_of_work(platform.write_sessions) as db:
        save_draft(db, analyst, SERVICE, permit_xml())
        publish(db, analyst, SERVICE, 2)
        edited = update_step(
            db,
            analyst,
            SERVICE,
            2,
            "review",
            name="Новий розгляд",
            form_key=None,
            candidate_groups="lubny-cnap",
            assignee="",
        )
    assert (edited.number, edited.status) == (3, "draft")
    with unit_of_work(platform.write_sessions) as db:
        with pytest.raises(VersionNotDraftError):
            publish(db, analyst, SERVICE, 2)
        assert get_version(db, analyst, SERVICE, 2).steps[1].name == "Розгляд"
    with unit_of_work(platform.write_sessions) as db, pytest.raises(VersionHasErrorsError):
        publish(db, analyst, SERVICE, 2)  # not a draft: the same refusal the web layer shows


def test_retire_falls_back_to_the_newest_remaining_published_version(platform: Platform, analyst: Actor) -> None:
    new_service(platform, analyst)
    with unit_of_work(platform.write_sessions) as db:
        save_draft(db, analyst, SERVICE, permit_xml())
        publish(db, analyst, SERVICE, 2)
        save_draft(db, analyst, SERVICE, permit_xml(category="Інше"))
        publish(db, analyst, SERVICE, 3)
    with unit_of_work(platform.write_sessions) as db:
        retired = retire(db, analyst, SERVICE, 3)
    assert retired.status == "retired"
    assert catalog_version(platform, SERVICE) == 2
    with unit_of_work(platform.write_sessions) as db:
        retire(db, analyst, SERVICE, 2)
    assert catalog_version(platform, SERVICE) is None
    with unit_of_work(platform.read_sessions) as db, pytest.raises(NotFoundError):
        get_service(db, SERVICE)
    with unit_of_work(platform.write_sessions) as db, pytest.raises(ConflictError):
        retire(db, analyst, SERVICE, 1)  # a draft


def test_a_draft_of_a_demo_service_leaves_the_catalog_alone(platform: Platform, analyst: Actor) -> None:
    with unit_of_work(platform.write_sessions) as db:
        current = get_version(db, analyst, "housing_subsidy", 1)
        draft = update_process_properties(db, analyst, "housing_subsidy", 1, {"title": "Чернетка"})
    assert (current.status, draft.number, draft.title) == ("published", 2, "Чернетка")
    with unit_of_work(platform.read_sessions) as db:
        summary, _ = get_service(db, "housing_subsidy")
    assert (summary.version, summary.title) == (1, "Призначення житлової субсидії")


def test_update_process_properties_edits_the_xml_and_the_manifest(platform: Platform, analyst: Actor) -> None:
    new_service(platform, analyst)
    props = {
        "title": "Нова назва",
        "title_en": "New title",
        "description": "**Опис** послуги",
        "category": "Земля",
        "organisation": "lubny-council",
        "sla_days": "15",
        "availability": "soon",
    }
    with unit_of_work(platform.write_sessions) as db:
        draft = update_process_properties(db, analyst, SERVICE, 1, props)
        cleared = update_process_properties(db, analyst, SERVICE, 2, {"sla_days": "", "title_en": ""})
    process = etree.fromstring(draft.xml.encode()).find(BPMN + "process")
    assert process is not None and process.get("name") == "Нова назва"
    assert process.findtext(BPMN + "documentation") == "**Опис** послуги"
    stored = {
        p.get("name"): p.get("value")
        for p in process.iterfind("./bpmn:extensionElements/camunda:properties/camunda:property", NS)
    }
    assert stored == {k: v for k, v in props.items() if k not in ("title", "description")}
    assert draft.manifest is not None
    assert (draft.manifest.title, draft.manifest.sla_days, draft.manifest.availability) == ("Нова назва", 15, "soon")
    assert draft.process_properties == {**props, "description_en": ""}
    assert draft.problems == [p for p in draft.problems if p.element_id == "start"]  # organisation is set now
    assert (cleared.number, cleared.process_properties["sla_days"], cleared.process_properties["title_en"]) == (
        3,
        "",
        "",
    )
    assert cleared.manifest is not None and cleared.manifest.sla_days is None


def test_update_step_edits_name_form_and_people(platform: Platform, analyst: Actor) -> None:
    new_service(platform, analyst)
    with unit_of_work(platform.write_sessions) as db:
        save_draft(db, analyst, SERVICE, permit_xml())
        draft = update_step(
            db,
            analyst,
            SERVICE,
            2,
            "review",
            name="Перевірка",
            form_key=None,
            candidate_groups=" lubny-cnap , lubny-heads ",
            assignee="lubny.cnap",
        )
        with pytest.raises(NotFoundError):
            update_step(db, analyst, SERVICE, 2, "gw", name="x", form_key=None, candidate_groups="", assignee="")
    task = etree.fromstring(draft.xml.encode()).find(f"{BPMN}process/{BPMN}userTask")
    assert task is not None
    assert (task.get("name"), task.get(CAMUNDA + "candidateGroups"), task.get(CAMUNDA + "assignee")) == (
        "Перевірка",
        "lubny-cnap,lubny-heads",
        "lubny.cnap",
    )
    review = draft.manifest.step("review") if draft.manifest else None
    assert review is not None
    assert (review.name, review.candidate_groups, review.assignee) == (
        "Перевірка",
        ("lubny-cnap", "lubny-heads"),
        "lubny.cnap",
    )
    with unit_of_work(platform.write_sessions) as db:
        emptied = update_step(
            db, analyst, SERVICE, 3, "review", name="Перевірка", form_key="", candidate_groups="", assignee=""
        )
    task = etree.fromstring(emptied.xml.encode()).find(f"{BPMN}process/{BPMN}userTask")
    assert (
        task is not None and CAMUNDA + "candidateGroups" not in task.attrib and CAMUNDA + "assignee" not in task.attrib
    )
    assert [p.element_id for p in emptied.problems if p.severity is Severity.ERROR] == ["review"]  # nobody now


def test_deploying_the_files_again_does_not_undo_a_studio_publication(platform: Platform, analyst: Actor) -> None:
    with unit_of_work(platform.write_sessions) as db:
        update_process_properties(db, analyst, "housing_subsidy", 1, {"sla_days": "7"})
        publish(db, analyst, "housing_subsidy", 2)
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(
            db, processes_dir=platform.settings.processes_dir, forms_dir=platform.settings.forms_dir, actor=SYSTEM
        )
    assert report.deployed == []
    assert catalog_version(platform, "housing_subsidy") == 2


@pytest.mark.postgres
def test_publish_and_retire_on_postgresql(platform: Platform, analyst: Actor) -> None:
    new_service(platform, analyst)
    with unit_of_work(platform.write_sessions) as db:
        save_draft(db, analyst, SERVICE, permit_xml())
        publish(db, analyst, SERVICE, 2)
    assert catalog_version(platform, SERVICE) == 2
    with unit_of_work(platform.write_sessions) as db:
        retire(db, analyst, SERVICE, 2)
    assert catalog_version(platform, SERVICE) is None
