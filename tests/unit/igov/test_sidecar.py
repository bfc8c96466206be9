"""Catalog data for iGov diagrams, which carry none: `<diagram>.service.json` beside the file."""

from __future__ import annotations

import json
from pathlib import Path

from engine.bpmn.manifest import ServiceManifest
from engine.bpmn.sidecar import apply_sidecar, read_sidecar, sidecar_path


def test_the_sidecar_fills_the_catalog_data_of_the_manifest(tmp_path: Path) -> None:
    diagram = tmp_path / "zhitomir_mvk-2.bpmn"
    assert sidecar_path(diagram) == tmp_path / "zhitomir_mvk-2.service.json"
    sidecar_path(diagram).write_text(
        json.dumps({"organisation": "lubny-council", "category": "Довідки", "sla_days": 3, "title_en": "Certificate"}),
        encoding="utf-8",
    )
    values, raw, problems = read_sidecar(diagram, display_name="igov/zhitomir_mvk-2.bpmn")
    assert problems == []
    assert raw == sidecar_path(diagram).read_bytes()
    manifest = apply_sidecar(ServiceManifest(process_id="zhitomir_mvk_2", title="Житомир"), values)
    assert (manifest.organisation, manifest.category, manifest.sla_days, manifest.title_en) == (
        "lubny-council",
        "Довідки",
        3,
        "Certificate",
    )
    assert manifest.title == "Житомир"


def test_a_missing_sidecar_changes_nothing(tmp_path: Path) -> None:
    assert read_sidecar(tmp_path / "x.bpmn", display_name="x.bpmn") == ({}, b"", [])


def test_wrong_sidecar_values_are_reported_by_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "x.service.json").write_text(
        json.dumps({"organisation": 5, "sla_days": "ten", "availability": "maybe", "colour": "red"}), encoding="utf-8"
    )
    values, _raw, problems = read_sidecar(tmp_path / "x.bpmn", display_name="igov/x.bpmn")
    assert values == {}
    assert {(p.file, p.element_id) for p in problems} == {
        ("igov/x.service.json", key) for key in ("organisation", "sla_days", "availability", "colour")
    }
    (tmp_path / "x.service.json").write_text("{oops", encoding="utf-8")
    _values, _raw, problems = read_sidecar(tmp_path / "x.bpmn", display_name="x.bpmn")
    assert [p.element_id for p in problems] == [""]
