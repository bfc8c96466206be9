"""Deploy compares each file's content digest before checking it: unchanged files are never checked.

A profiler hook counts calls of the real check functions (nothing is replaced), so a skipped check is seen, not
inferred from timing.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from engine.db import unit_of_work
from engine.services.authoring import checking
from engine.services.catalog.listing import list_services
from engine.services.context import Platform

from .conftest import deploy, versions

CHECKS: tuple[Callable[..., Any], ...] = (checking.check_file, checking.check_bytes, checking.lint_process)


@contextmanager
def calls_of(*functions: Callable[..., Any]) -> Iterator[Counter[str]]:
    """Count calls of these functions while the block runs (sys.setprofile sees every Python call)."""
    codes = {f.__code__: f.__name__ for f in functions}
    counts: Counter[str] = Counter()

    def profile(frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_code in codes:
            counts[codes[frame.f_code]] += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield counts
    finally:
        sys.setprofile(previous)


def test_a_deploy_with_nothing_changed_checks_no_file(platform: Platform, project_copy: tuple[Path, Path]) -> None:
    before = versions(platform)
    with calls_of(*CHECKS) as calls:
        report = deploy(platform, *project_copy)

    assert calls == Counter()
    assert (report.deployed, report.rejected, report.problems) == ([], [], [])
    assert len(report.unchanged) == len(before) == 7
    assert versions(platform) == before


def test_a_changed_form_file_is_checked_and_makes_a_new_version(
    platform: Platform, project_copy: tuple[Path, Path]
) -> None:
    processes, forms = project_copy
    form_file = forms / "land_allotment_permit_application.json"
    document = json.loads(form_file.read_text(encoding="utf-8"))
    document["title"] = {"uk": "Заява (нова редакція)", "en": "Application (new wording)"}
    form_file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    with calls_of(*CHECKS) as calls:
        report = deploy(platform, processes, forms)

    assert calls["check_file"] == 1  # only the diagram naming the changed form
    assert report.deployed == ["processes/land_allotment_permit/land_allotment_permit.bpmn (land_allotment_permit)"]
    assert versions(platform)["land_allotment_permit"] == 2


def test_a_changed_sidecar_is_checked_and_makes_a_new_version(
    platform: Platform, project_copy: tuple[Path, Path]
) -> None:
    processes, forms = project_copy
    sidecar = processes / "igov" / "zhitomir_mvk-2.service.json"
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    data["sla_days"] = 4
    sidecar.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    with calls_of(*CHECKS) as calls:
        report = deploy(platform, processes, forms)

    assert calls["check_file"] == 1
    assert [line.split(" ")[-1] for line in report.deployed] == ["(zhitomir_mvk_2)"]
    assert versions(platform)["zhitomir_mvk_2"] == 2
    with unit_of_work(platform.read_sessions) as db:
        assert {s.id: s.sla_days for s in list_services(db)}["zhitomir_mvk_2"] == 4


def test_a_file_put_back_to_an_earlier_published_content_is_skipped_unchecked(
    platform: Platform, project_copy: tuple[Path, Path]
) -> None:
    processes, forms = project_copy
    diagram = processes / "housing_subsidy" / "housing_subsidy.bpmn"
    original = diagram.read_text(encoding="utf-8")
    diagram.write_text(original.replace('value="online"', 'value="soon"', 1), encoding="utf-8")
    assert deploy(platform, processes, forms).deployed != []
    assert versions(platform)["housing_subsidy"] == 2

    diagram.write_text(original, encoding="utf-8")
    with calls_of(*CHECKS) as calls:
        report = deploy(platform, processes, forms)

    assert calls == Counter()
    assert "processes/housing_subsidy/housing_subsidy.bpmn" in report.unchanged
    assert versions(platform)["housing_subsidy"] == 2  # a later version is never undone by an older file


def test_a_second_file_with_the_same_process_id_is_still_rejected(
    platform: Platform, project_copy: tuple[Path, Path]
) -> None:
    processes, forms = project_copy
    copy = processes / "zz_copy" / "housing_subsidy.bpmn"
    copy.parent.mkdir()
    copy.write_bytes((processes / "housing_subsidy" / "housing_subsidy.bpmn").read_bytes())

    report = deploy(platform, processes, forms)

    assert report.rejected == ["processes/zz_copy/housing_subsidy.bpmn"]
    assert any("process id already defined" in str(p) for p in report.problems)
    assert versions(platform)["housing_subsidy"] == 1
