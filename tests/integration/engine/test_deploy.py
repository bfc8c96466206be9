"""Deploy: a new version only when a diagram or its form file changes; running cases stay on their version."""

import json
from pathlib import Path

from engine.db import unit_of_work
from engine.services.cases.applications import get_application
from engine.services.cases.steps import complete_task
from engine.services.catalog.listing import get_service
from engine.services.context import Platform

from .conftest import ActorOf, deploy, submit, versions

FAMILY = "family_composition_certificate"


def test_unchanged_files_make_no_new_version(platform: Platform, project_copy: tuple[Path, Path]) -> None:
    before = versions(platform)
    report = deploy(platform, *project_copy)
    assert (report.deployed, report.rejected) == ([], [])
    assert len(report.unchanged) == len(before) >= 4
    assert versions(platform) == before == dict.fromkeys(before, 1)


def test_running_application_stays_on_its_version_while_the_catalog_offers_the_newest(
    platform: Platform, project_copy: tuple[Path, Path], actor_of: ActorOf
) -> None:
    processes, forms = project_copy
    citizen, official = actor_of("citizen"), actor_of("lubny.cnap")
    old = submit(platform, citizen, FAMILY)
    assert old.service.version == 1

    diagram = processes / FAMILY / f"{FAMILY}.bpmn"
    text = diagram.read_text(encoding="utf-8")
    assert 'name="Довідку видано"' in text
    diagram.write_text(text.replace('name="Довідку видано"', 'name="Довідку видано (редакція 2)"'), encoding="utf-8")
    report = deploy(platform, processes, forms)
    assert [line.split(" ")[0] for line in report.deployed] == [f"processes/{FAMILY}/{FAMILY}.bpmn"]
    assert report.rejected == []
    assert versions(platform)[FAMILY] == 2
    with unit_of_work(platform.read_sessions) as db:
        summary, manifest = get_service(db, FAMILY)
    assert summary.version == 2
    assert manifest.end_events["end_issued"] == "Довідку видано (редакція 2)"

    with unit_of_work(platform.write_sessions) as db:
        (task,) = get_application(db, official, old.reference).open_steps
        assert task.element_id == "prepare_certificate"
        done = complete_task(db, platform, official, task.id, {"decision": "issue", "certificate_number": "СС-1"})
    assert (done.status, done.outcome, done.service.version) == ("completed", "end_issued", 1), (
        done.error_element,
        done.error_message,
    )
    assert done.outcome_name == "Довідку видано"  # the name of the version it ran on

    new = submit(platform, citizen, FAMILY)
    assert new.service.version == 2
    assert deploy(platform, processes, forms).deployed == []  # the second deploy of the same content is a no-op


def test_a_changed_form_file_makes_a_new_version_of_the_service_using_it(
    platform: Platform, project_copy: tuple[Path, Path]
) -> None:
    processes, forms = project_copy
    form_file = forms / "housing_subsidy_application.json"
    document = json.loads(form_file.read_text(encoding="utf-8"))
    document["title"] = {"uk": "Заява на субсидію (нова)", "en": "Subsidy application (new)"}
    form_file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    report = deploy(platform, processes, forms)
    assert [line.split(" ")[-1] for line in report.deployed] == ["(housing_subsidy)"]
    after = versions(platform)
    assert after["housing_subsidy"] == 2
    assert {k: v for k, v in after.items() if k != "housing_subsidy"} == dict.fromkeys(
        set(after) - {"housing_subsidy"}, 1
    )


def test_a_file_with_errors_is_rejected_and_the_previous_version_keeps_serving(
    platform: Platform, project_copy: tuple[Path, Path], actor_of: ActorOf
) -> None:
    processes, forms = project_copy
    diagram = processes / "land_allotment_permit" / "land_allotment_permit.bpmn"
    text = diagram.read_text(encoding="utf-8")
    diagram.write_text(
        text.replace('candidateGroups="myrhorod-cnap"', 'camunda:formKey="missing_form"', 1).replace(
            "camunda:camunda:", "camunda:"
        ),
        encoding="utf-8",
    )
    report = deploy(platform, processes, forms)
    assert report.rejected == ["processes/land_allotment_permit/land_allotment_permit.bpmn"]
    assert any("missing_form" in str(p) for p in report.problems)

    diagram.write_text("<bpmn:definitions", encoding="utf-8")
    report = deploy(platform, processes, forms)
    assert report.rejected == ["processes/land_allotment_permit/land_allotment_permit.bpmn"]
    assert any(
        str(p).startswith("processes/land_allotment_permit/land_allotment_permit.bpmn:line 1:") for p in report.problems
    )

    assert versions(platform)["land_allotment_permit"] == 1
    application = submit(platform, actor_of("citizen"), "land_allotment_permit")
    assert (application.service.version, application.status) == (1, "active")
    assert [t.element_id for t in application.open_steps] == ["review_land_request"]
