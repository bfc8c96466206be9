"""`posluhy check`: everything that can be known about a diagram and its forms without running it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from engine.bpmn.igov.activiti import is_activiti
from engine.bpmn.lint import lint_rules
from engine.bpmn.manifest import FormLoader, ServiceManifest, build_manifest, executable_processes, form_key_of
from engine.bpmn.problems import Problem, Severity, has_errors
from engine.bpmn.sidecar import apply_sidecar, is_sidecar, read_sidecar
from engine.bpmn.xml import BPMN, XmlProblemError, local_name, parse_xml, text_of
from engine.forms import Form, FormDefinitionError, load_form_file
from engine.runtime.igov.activiti import prepare_activiti
from engine.runtime.igov.tasks import is_activiti_service_task, script_language
from engine.runtime.sandbox import compile_check
from engine.runtime.specs import CalledProcesses, SpecCompileError, compile_spec
from engine.runtime.timer_checks import timer_problems
from engine.services.catalog.called_processes import FolderProcesses
from engine.services.handlers.checks import check_message_event, check_service_task
from engine.services.igov.checks import check_foreign_script, igov_problems

UNSUPPORTED = {
    "sendTask": "send tasks are not supported yet",
    "businessRuleTask": "business rule tasks (DMN) are not supported yet",
    "signalEventDefinition": "signal events are not supported yet",
}


@dataclass
class CheckedFile:
    """The outcome of checking one file: what deploy needs when there are no errors."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    manifest: ServiceManifest | None = None
    spec_json: str | None = None
    bpmn_text: str = ""
    content_digest: str = ""

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems) and self.manifest is not None and self.spec_json is not None


class FormFiles:
    """Loads form files once per run and remembers which ones each diagram used (for the digest)."""

    def __init__(self, forms_dir: Path) -> None:
        self.forms_dir = forms_dir
        self._cache: dict[str, tuple[Form, bytes]] = {}

    def load(self, key: str) -> Form:
        if key not in self._cache:
            path = self.forms_dir / f"{key}.json"
            if not path.is_file() or "/" in key or key.startswith("."):
                raise FileNotFoundError(path)
            self._cache[key] = (load_form_file(path, key=key), path.read_bytes())
        return self._cache[key][0]

    def raw(self, key: str) -> bytes:
        return self._cache[key][1] if key in self._cache else b""

    def file_bytes(self, key: str) -> bytes:
        """The form file's bytes without parsing it, as `raw` gives them after a successful load (else b"")."""
        if key in self._cache:
            return self._cache[key][1]
        path = self.forms_dir / f"{key}.json"
        if "/" in key or key.startswith(".") or not path.is_file():
            return b""
        return path.read_bytes()


def check_file(
    path: Path, forms: FormFiles, *, display_name: str | None = None, called: CalledProcesses | None = None
) -> CheckedFile:
    """Check one file; call activities find their process with `called` (default: the file's folder)."""
    name = display_name or str(path)
    result = CheckedFile(path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        result.problems.append(Problem(name, "", f"cannot read file: {exc.strerror}"))
        return result
    catalog_data, catalog_bytes, catalog_problems = read_sidecar(path, display_name=name)
    result.problems.extend(catalog_problems)
    return check_bytes(
        data,
        forms,
        name=name,
        result=result,
        catalog=catalog_data,
        catalog_bytes=catalog_bytes,
        called=called or FolderProcesses(path.parent),
    )


def check_bytes(
    data: bytes,
    forms: FormFiles | FormLoader,
    *,
    name: str,
    result: CheckedFile | None = None,
    catalog: dict[str, Any] | None = None,
    catalog_bytes: bytes = b"",
    called: CalledProcesses | None = None,
) -> CheckedFile:
    """Check a diagram; `forms` is the form files of a folder or any loader (the studio reads the database).

    `catalog` is the diagram's sidecar catalog data (engine.bpmn.sidecar), `catalog_bytes` its file for the digest.
    """
    result = result or CheckedFile(path=Path(name))
    load_form = forms.load if isinstance(forms, FormFiles) else forms
    try:
        tree = parse_xml(data)
    except XmlProblemError as exc:
        where = f"line {exc.line}" if exc.line else ""
        result.problems.append(Problem(name, where, str(exc)))
        return result
    result.bpmn_text = data.decode("utf-8", errors="replace")
    manifest, problems = build_manifest(tree, file=name, load_form=load_form)
    result.problems.extend(problems)
    if manifest is None:
        return result
    manifest = apply_sidecar(manifest, catalog or {})
    result.manifest = manifest
    process = executable_processes(tree)[0]
    linted, prepared = process, list[Problem]()
    if is_activiti(tree):  # iGov: lint what the engine will run (translated JUEL, implicit gateways and ends)
        prepared_tree, prepared = prepare_activiti(tree, file=name)
        linted = executable_processes(prepared_tree)[0]
        result.problems.extend(prepared + igov_problems(process, manifest, name))
    failed = {p.element_id for p in prepared if p.severity is Severity.ERROR}
    lint = lint_process(linted, manifest, name)
    result.problems.extend(p for p in lint if p.severity is not Severity.ERROR or p.element_id not in failed)
    if not failed:
        try:
            result.spec_json = compile_spec(tree, filename=name, process_id=manifest.process_id, called=called)
        except SpecCompileError as exc:
            result.problems.append(Problem(name, exc.element_id, str(exc)))
    result.content_digest = content_digest(data, catalog_bytes, process, lambda key: _form_bytes(forms, key))
    result.problems.sort(key=lambda p: (p.severity != Severity.ERROR, p.element_id))
    return result


def content_digest(
    data: bytes, catalog_bytes: bytes, process: etree._Element, form_bytes: Callable[[str], bytes]
) -> str:
    """A version changes when the diagram, its sidecar or any form file it names changes.

    Deploy computes it before checking (with FormFiles.file_bytes) to skip unchanged files, so it stays cheap.
    """
    digest = hashlib.sha256(data + (b"\0sidecar\0" + catalog_bytes if catalog_bytes else b""))
    keys = sorted({k for e in process.iter(BPMN + "startEvent", BPMN + "userTask") if (k := form_key_of(e))})
    for key in keys:
        digest.update(b"\0" + key.encode() + b"\0" + form_bytes(key))
    return digest.hexdigest()


def _form_bytes(forms: FormFiles | FormLoader, key: str) -> bytes:
    if isinstance(forms, FormFiles):
        return forms.raw(key)
    try:
        return json.dumps(forms(key).to_dict(), ensure_ascii=False, sort_keys=True).encode()
    except (FileNotFoundError, FormDefinitionError):
        return b""


def lint_process(process: etree._Element, manifest: ServiceManifest, file: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(element_id: str, message: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Problem(file, element_id, message, severity))

    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        kind = local_name(element)
        element_id = element.get("id", "") or _owner_id(element)
        if kind in UNSUPPORTED:
            add(element_id, UNSUPPORTED[kind])
        elif kind == "conditionExpression":
            _check_expression(text_of(element), _owner_id(element), "condition", add)
        elif kind == "scriptTask":
            _check_script(element, element_id, add)
        elif kind == "serviceTask" and not _is_activiti_task(element):
            check_service_task(element, element_id, add)
        elif kind in ("messageEventDefinition", "receiveTask"):
            check_message_event(element, element_id, add)
    _check_flow_references(process, add)
    problems.extend(lint_rules(process, manifest, file))
    problems.extend(timer_problems(process, file))
    if not manifest.organisation:
        where = "in the sidecar <file>.service.json" if is_activiti(process) else "property 'organisation'"
        add(manifest.process_id, f"organisation is missing ({where}): the service has no owner", Severity.WARNING)
    return problems


def _is_activiti_task(element: etree._Element) -> bool:
    """iGov service tasks are checked by engine.services.igov.checks."""
    return is_activiti_service_task(element) or any(k.startswith("{http://activiti.org/bpmn}") for k in element.attrib)


def _check_flow_references(process: etree._Element, add: Callable[..., None]) -> None:
    """A flow that names a missing element (or an element naming a missing flow) stops cases silently."""
    ids = {e.get("id") for e in process.iter() if isinstance(e.tag, str) and e.get("id")}
    flows = {f.get("id") for f in process.iter(BPMN + "sequenceFlow")}
    for flow in process.iter(BPMN + "sequenceFlow"):
        for end in ("sourceRef", "targetRef"):
            if flow.get(end) not in ids:
                add(flow.get("id") or "", f"sequence flow {end} {flow.get(end)!r} names no element of this process")
    for ref in process.iter(BPMN + "incoming", BPMN + "outgoing"):
        if text_of(ref) not in flows:
            add(_owner_id(ref), f"{local_name(ref)} flow {text_of(ref)!r} does not exist")


def _owner_id(element: etree._Element) -> str:
    parent = element.getparent()
    while parent is not None and not parent.get("id"):
        parent = parent.getparent()
    return parent.get("id", "") if parent is not None else ""


def _check_expression(source: str, element_id: str, what: str, add: Callable[..., None]) -> None:
    if not source:
        add(element_id, f"empty {what} expression")
    elif "${" in source or "#{" in source:
        add(element_id, f'{what} {source!r} is JUEL; write it in Python, e.g. decision == "accept"')
    elif (message := compile_check(source, mode="eval")) is not None:
        add(element_id, f"{what} {source!r} does not compile: {message}")


def _check_script(element: etree._Element, element_id: str, add: Callable[..., None]) -> None:
    script_format = (element.get("scriptFormat") or "python").lower()
    if script_language(script_format) in ("javascript", "groovy"):
        check_foreign_script(element, element_id, add)  # QuickJS runs JavaScript; Groovy becomes an incident
        return
    if script_format not in ("python", "py", "python3"):
        add(element_id, f"script format {script_format!r} is not supported; write scripts in Python")
        return
    source = text_of(element.find(BPMN + "script"))
    if not source:
        add(element_id, "script task has no script")
    elif (message := compile_check(source, mode="exec")) is not None:
        add(element_id, f"script does not compile: {message}")


def check_paths(paths: list[Path], forms_dir: Path) -> list[CheckedFile]:
    """Check files and folders (every *.bpmn under a folder); form files given directly are checked too."""
    forms = FormFiles(forms_dir)
    results: list[CheckedFile] = []
    for path in paths:
        if path.is_dir():
            results.extend(check_file(p, forms) for p in sorted(path.rglob("*.bpmn")))
            form_files = [p for p in sorted(path.rglob("*.json")) if "scenarios" not in p.parts and not is_sidecar(p)]
            results.extend(_check_form_file(p) for p in form_files)
        elif path.suffix == ".json":
            results.append(_check_form_file(path))
        else:
            results.append(check_file(path, forms))
    return results


def _check_form_file(path: Path) -> CheckedFile:
    result = CheckedFile(path=path)
    try:
        load_form_file(path, key=path.stem)
    except FormDefinitionError as exc:
        result.problems.append(Problem(str(path), getattr(exc, "field", "") or "", str(exc)))
    except (OSError, ValueError) as exc:
        result.problems.append(Problem(str(path), "", f"cannot read form: {exc}"))
    return result
