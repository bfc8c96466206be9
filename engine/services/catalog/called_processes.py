"""Where a call activity's `calledElement` is found: the diagrams in the same folder, then the deployed services.

`posluhy check` and `posluhy simulate` look among the `.bpmn` files next to the checked file; deploy also looks
among the services already deployed (their current version). The called process is compiled into the caller's
spec, so a running case never needs to look it up again.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from sqlalchemy.orm import Session

from engine.bpmn.xml import BPMN, XmlProblemError, parse_xml
from engine.runtime.specs import CalledProcesses
from engine.store import catalog

__all__ = ["FolderProcesses", "deployed_processes"]


def _defines(tree: etree._ElementTree, process_id: str) -> bool:
    return any(p.get("id") == process_id for p in tree.getroot().iter(BPMN + "process"))


class FolderProcesses:
    """Finds a process among the diagrams of one folder (files read only when a call activity asks)."""

    def __init__(self, folder: Path, *, fallback: CalledProcesses | None = None) -> None:
        self.folder = folder
        self.fallback = fallback
        self._found: dict[str, tuple[etree._ElementTree, str] | None] = {}

    def __call__(self, process_id: str) -> tuple[etree._ElementTree, str] | None:
        if process_id not in self._found:
            self._found[process_id] = self._search(process_id)
        found = self._found[process_id]
        if found is None and self.fallback is not None:
            return self.fallback(process_id)
        return found

    def _search(self, process_id: str) -> tuple[etree._ElementTree, str] | None:
        needle = f'"{process_id}"'.encode()
        for path in sorted(self.folder.glob("*.bpmn")):
            try:
                data = path.read_bytes()
                if needle not in data:
                    continue
                tree = parse_xml(data)
            except (OSError, XmlProblemError):
                continue
            if _defines(tree, process_id):
                return tree, str(path)
        return None


def deployed_processes(db: Session) -> CalledProcesses:
    """Finds a process among the deployed services (the current version's diagram)."""

    def find(process_id: str) -> tuple[etree._ElementTree, str] | None:
        service = catalog.find_service(db, process_id)
        if service is None or service.current_version is None:
            return None
        version = service.current_version
        try:
            return parse_xml(version.bpmn_xml.encode("utf-8")), service.source_path or process_id
        except XmlProblemError:
            return None

    return find
