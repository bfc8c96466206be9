"""Shared fixtures for the iGov (Activiti 5) import tests: the development corpus of 25 real diagrams."""

from __future__ import annotations

import lxml.etree
import pytest

from ...conftest import IGOV_CORPUS, require


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if "corpus" in getattr(item, "fixturenames", ()):
        require("igov_corpus")


@pytest.fixture(scope="session")
def corpus() -> dict[str, lxml.etree._ElementTree]:
    """Every corpus file parsed, by file name (25 files; skips, or fails in strict mode, if the corpus is absent)."""
    require("igov_corpus")
    files = sorted(IGOV_CORPUS.glob("*.bpmn"))
    assert len(files) == 25, f"expected the 25 iGov corpus files in {IGOV_CORPUS}"
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    return {path.name: lxml.etree.parse(str(path), parser) for path in files}
