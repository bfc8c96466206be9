"""Shared fixtures for the iGov (Activiti 5) import tests: the development corpus of 25 real diagrams."""

from __future__ import annotations

from pathlib import Path

import lxml.etree
import pytest

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "igov"


@pytest.fixture(scope="session")
def corpus() -> dict[str, lxml.etree._ElementTree]:
    """Every corpus file parsed, by file name (25 files; the tests fail loudly if the corpus is missing)."""
    files = sorted(CORPUS.glob("*.bpmn"))
    assert len(files) == 25, f"expected the 25 iGov corpus files in {CORPUS}"
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    return {path.name: lxml.etree.parse(str(path), parser) for path in files}
