"""An HTML form page → the raw dict the engine validates, storing file uploads on the way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO, cast

from flask import request

from engine.forms import Field, FieldError, FieldType
from engine.services.cases.attachments import store_upload
from engine.services.errors import UploadTooLargeError
from webapp.requests import actor, db, platform
from webapp.templating import iso_date

MEBIBYTE = 1024 * 1024


def megabytes(limit: int) -> str:
    """A byte limit as people read it: '10', '2.5' or '0.19'."""
    value = limit / MEBIBYTE
    return f"{round(value, 1):g}" if value >= 1 else f"{round(value, 2):g}"


def raw_from_request(fields: Iterable[Field]) -> tuple[dict[str, Any], dict[str, FieldError]]:
    """Values of the page's input fields as typed; uploads become attachment ids (errors for refused files)."""
    raw: dict[str, Any] = {}
    upload_errors: dict[str, FieldError] = {}
    for field in fields:
        if not field.is_input:
            continue
        if field.type is FieldType.MULTICHOICE:
            raw[field.name] = request.form.getlist(field.name)
        elif field.type is FieldType.FILE:
            try:
                raw[field.name] = _file_value(field)
            except UploadTooLargeError as exc:
                upload_errors[field.name] = FieldError("upload_too_large", {"limit": megabytes(exc.limit)})
                raw[field.name] = request.form.get(f"{field.name}__current", "")
        else:
            raw[field.name] = request.form.get(field.name)
    return raw, upload_errors


def _file_value(field: Field) -> str:
    """A new upload replaces the current file; an empty file input keeps it."""
    upload = request.files.get(field.name)
    if upload is not None and upload.filename:
        settings = platform().settings
        stored = store_upload(
            db(),
            actor(),
            upload_dir=settings.upload_dir,
            limit=settings.max_upload_bytes,
            filename=upload.filename,
            content_type=upload.mimetype or "application/octet-stream",
            stream=cast(BinaryIO, upload.stream),
        )
        return stored.id
    return request.form.get(f"{field.name}__current", "")


def input_value(field: Field, value: Any) -> Any:
    """A saved (typed) value shown back in an input the way people type it."""
    if value is None:
        return None
    if field.type is FieldType.DATE:
        return iso_date(value)
    if field.type is FieldType.DECIMAL and isinstance(value, float) and value.is_integer():
        return str(int(value))
    if field.type in (FieldType.INTEGER, FieldType.DECIMAL) and not isinstance(value, bool):
        return str(value)
    return value


def page_values(fields: Iterable[Field], saved: Mapping[str, Any]) -> dict[str, Any]:
    return {f.name: input_value(f, saved.get(f.name)) for f in fields if f.is_input}
