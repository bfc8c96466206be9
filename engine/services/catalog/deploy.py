"""Deploy: every diagram whose content changed becomes a new version; a file with errors is skipped
and its previous version keeps serving."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from engine.bpmn.manifest import executable_processes
from engine.bpmn.problems import Problem, Severity
from engine.bpmn.sidecar import sidecar_path
from engine.bpmn.xml import XmlProblemError, parse_xml
from engine.db import session_now, unit_of_work
from engine.models import Service, ServiceVersion, VersionStatus
from engine.runtime.specs import spec_digest
from engine.services.authoring.checking import CheckedFile, FormFiles, check_file, content_digest
from engine.services.catalog.called_processes import FolderProcesses, deployed_processes
from engine.services.context import SYSTEM, Actor, Platform
from engine.store import audit, catalog, directory
from engine.text import render_markdown


@dataclass
class DeployReport:
    deployed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"deployed {name}" for name in self.deployed]
        out += [f"unchanged {name}" for name in self.unchanged]
        out += [f"rejected {name}" for name in self.rejected]
        out += [str(p) for p in self.problems]
        return out


def published_process_id(path: Path, forms: FormFiles, published: set[tuple[str, str]]) -> str | None:
    """The file's process id when its content digest (as the check computes it) was published before, else None.

    Reads the diagram, its sidecar and the form files it names, and parses the XML, but checks nothing.
    """
    try:
        data = path.read_bytes()
        processes = executable_processes(parse_xml(data))
        sidecar = sidecar_path(path)
        catalog_bytes = sidecar.read_bytes() if sidecar.is_file() else b""
    except (OSError, XmlProblemError):
        return None
    if len(processes) != 1:
        return None
    process_id = processes[0].get("id", "")
    digest = content_digest(data, catalog_bytes, processes[0], forms.file_bytes)
    return process_id if (process_id, digest) in published else None


def deploy_directory(db: Session, *, processes_dir: Path, forms_dir: Path, actor: Actor) -> DeployReport:
    """Deploy every changed file; one whose content was published before (current or not) is not even checked."""
    report = DeployReport()
    catalog.lock_deployments(db)
    forms = FormFiles(forms_dir)
    published = catalog.published_contents(db)
    seen: dict[str, Path] = {}
    deployed = deployed_processes(db)
    for path in sorted(processes_dir.rglob("*.bpmn")):
        name = str(path.relative_to(processes_dir.parent)) if path.is_relative_to(processes_dir.parent) else str(path)
        known = published_process_id(path, forms, published)
        if known is not None and known not in seen:
            seen[known] = path
            report.unchanged.append(name)
            continue
        called = FolderProcesses(path.parent, fallback=deployed)  # call activities: same folder, then deployed
        checked = check_file(path, forms, display_name=name, called=called)
        report.problems.extend(checked.problems)
        if not checked.ok or checked.manifest is None:
            report.rejected.append(name)
            continue
        process_id = checked.manifest.process_id
        if process_id in seen:
            report.problems.append(Problem(name, process_id, f"process id already defined in {seen[process_id]}"))
            report.rejected.append(name)
            continue
        seen[process_id] = path
        if deploy_checked(db, checked, source=name, actor=actor, report=report):
            report.deployed.append(f"{name} ({process_id})")
        else:
            report.unchanged.append(name)
    return report


def deploy_checked(db: Session, checked: CheckedFile, *, source: str, actor: Actor, report: DeployReport) -> bool:
    """Store a checked file as the service's newest version; False when that content is already current."""
    manifest, spec_json = checked.manifest, checked.spec_json
    assert manifest is not None and spec_json is not None
    service = catalog.find_service(db, manifest.process_id)
    if service is None:
        service = Service(process_id=manifest.process_id, source_path=source)
        catalog.add_service(db, service)
    current = service.current_version
    if current is not None and current.content_digest == checked.content_digest:
        return False
    if catalog.content_was_published(db, service.id, checked.content_digest):
        return False  # published before: a studio version or a retirement since then must not be undone
    if manifest.organisation and directory.find_organisation(db, manifest.organisation) is None:
        report.problems.append(
            Problem(source, manifest.process_id, f"organisation {manifest.organisation!r} is unknown", Severity.WARNING)
        )
    digest = spec_digest(spec_json)
    catalog.ensure_spec(db, digest, spec_json)
    version = ServiceVersion(
        service_id=service.id,
        number=catalog.next_version_number(db, service.id),
        content_digest=checked.content_digest,
        bpmn_xml=checked.bpmn_text,
        manifest_json=json.dumps(manifest.to_dict(), ensure_ascii=False),
        spec_digest=digest,
        title=manifest.title,
        title_en=manifest.title_en,
        description_html=render_markdown(manifest.description),
        description_en_html=render_markdown(manifest.description_en),
        category=manifest.category,
        organisation_slug=manifest.organisation,
        sla_days=manifest.sla_days,
        availability=manifest.availability,
        deployed_by=actor.username,
        status=VersionStatus.PUBLISHED.value,
        created_by=actor.username,
        published_by=actor.username,
        published_at=session_now(db),
    )
    catalog.add_version(db, version)
    service.current_version_id = version.id
    service.source_path = source
    db.flush()
    audit.record(
        db,
        action="service.deployed",
        actor_id=actor.user_id,
        actor=actor.username,
        element_id=manifest.process_id,
        details={"version": version.number, "source": source, "digest": checked.content_digest},
    )
    return True


def deploy_configured(platform: Platform) -> DeployReport:
    """Deploy from the configured folders in a transaction of its own (start-up and `posluhy deploy`)."""
    settings = platform.settings
    with unit_of_work(platform.write_sessions) as db:
        return deploy_directory(db, processes_dir=settings.processes_dir, forms_dir=settings.forms_dir, actor=SYSTEM)
