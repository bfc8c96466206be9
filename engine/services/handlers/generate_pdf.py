"""`generate_pdf`: render a document template (engine/templates/documents/) to PDF and attach it to the case."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from engine.models import Attachment
from engine.paths import TEMPLATES_DIR
from engine.services.cases.attachments import safe_filename
from engine.services.handlers import HandlerContext, HandlerError, service_handler
from engine.store import attachments

DOCUMENTS_DIR = TEMPLATES_DIR / "documents"
PDF = "application/pdf"
_ENV = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def document_template_problem(name: str, value: Any) -> str | None:
    if name != "template":
        return None
    if not isinstance(value, str) or not value.endswith(".html") or "/" in value or value.startswith("."):
        return f"template must be the file name of an .html document template, not {value!r}"
    if not (DOCUMENTS_DIR / value).is_file():
        return f"document template {value!r} does not exist (engine/templates/documents/{value})"
    return None


def render_document_html(template: str, context: dict[str, Any]) -> str:
    if (problem := document_template_problem("template", template)) is not None:
        raise HandlerError(problem)
    source = (DOCUMENTS_DIR / template).read_text(encoding="utf-8")
    try:
        return _ENV.from_string(source).render(context)
    except TemplateError as exc:
        raise HandlerError(f"document template {template!r}: {exc}") from exc


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint with every external fetch refused: templates embed their styles, data never loads URLs."""
    # Documented exception to top-level imports: WeasyPrint loads Pango (~40 MB, ~0.3 s) which only the worker's
    # PDF jobs need; importing it at start would cost every web worker.
    from weasyprint import HTML  # noqa: PLC0415
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    pdf: bytes = HTML(
        string=html, base_url=str(DOCUMENTS_DIR), url_fetcher=URLFetcher(allowed_protocols=("data",))
    ).write_pdf()
    return pdf


@service_handler(
    "generate_pdf", required=("template",), optional=("filename", "context"), check_literal=document_template_problem
)
def generate_pdf(ctx: HandlerContext, params: dict[str, Any]) -> str:
    """Returns the attachment id; a re-run of the same task overwrites the same file and row."""
    template = params["template"]
    extra = params.get("context") or {}
    if not isinstance(extra, dict):
        raise HandlerError("'context' must be a dict")
    application = ctx.application
    version = application.service_version
    context = {
        "data": ctx.data,
        "reference": application.reference,
        "service_title": version.title,
        "applicant_name": application.applicant.full_name or application.applicant.username,
        "issued_at": ctx.now,
        **extra,
    }
    pdf = html_to_pdf(render_document_html(str(template), context))
    filename = safe_filename(str(params.get("filename") or Path(str(template)).stem + ".pdf"))
    attachment_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"posluhy:{ctx.key}:pdf"))
    upload_dir = ctx.platform.settings.upload_dir
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / attachment_id).write_bytes(pdf)
    existing = attachments.get(ctx.db, attachment_id)
    if existing is None:
        attachments.add(
            ctx.db,
            Attachment(
                id=attachment_id,
                owner_id=application.applicant_id,
                application_id=application.id,
                filename=filename,
                content_type=PDF,
                size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
                created_at=ctx.now,
            ),
        )
    else:
        existing.size, existing.sha256 = len(pdf), hashlib.sha256(pdf).hexdigest()
    return attachment_id
