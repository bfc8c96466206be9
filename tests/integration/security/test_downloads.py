"""Uploaded files come back as downloads with a harmless type, never as a page or script of this site."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _upload(app: Flask, headers: dict[str, str], name: str, content_type: str) -> str:
    reply = app.test_client().post(
        "/api/v1/attachments",
        headers=headers,
        data={"file": (io.BytesIO(HTML), name, content_type)},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 201, reply.get_json()
    return str(reply.get_json()["id"])


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("page.html", "text/html"), ("x.svg", "image/svg+xml"), ("x.js", "application/javascript"), ("x.xml", "text/xml")],
)
def test_an_uploaded_page_or_script_is_downloaded_as_plain_bytes(
    app: Flask,
    client_as: Callable[[str | None], FlaskClient],
    token_of: Callable[[str], dict[str, str]],
    name: str,
    content_type: str,
) -> None:
    attachment_id = _upload(app, token_of("citizen"), name, content_type)
    reply = client_as("citizen").get(f"/attachments/{attachment_id}")
    assert reply.status_code == 200
    assert reply.data == HTML
    assert reply.mimetype == "application/octet-stream"
    assert reply.headers["Content-Disposition"].startswith("attachment;")
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in reply.headers["Content-Security-Policy"]
    reply.close()


def test_a_pdf_keeps_its_type(
    app: Flask, client_as: Callable[[str | None], FlaskClient], token_of: Callable[[str], dict[str, str]]
) -> None:
    attachment_id = _upload(app, token_of("citizen"), "scan.pdf", "application/pdf")
    reply = client_as("citizen").get(f"/attachments/{attachment_id}")
    assert reply.mimetype == "application/pdf"
    assert reply.headers["Content-Disposition"].startswith("attachment;")
    reply.close()


def test_someone_elses_file_is_missing_not_forbidden(
    app: Flask, client_as: Callable[[str | None], FlaskClient], token_of: Callable[[str], dict[str, str]]
) -> None:
    attachment_id = _upload(app, token_of("citizen2"), "scan.pdf", "application/pdf")
    assert client_as("citizen").get(f"/attachments/{attachment_id}").status_code == 404
    assert client_as("lubny.cnap").get(f"/attachments/{attachment_id}").status_code == 404  # not in any application


def test_the_studio_diagram_is_never_shown_as_a_page(client_as: Callable[[str | None], FlaskClient]) -> None:
    reply = client_as("analyst").get("/studio/services/outdoor_advertising_permit/versions/1/diagram.bpmn")
    assert reply.status_code == 200
    assert reply.headers["Content-Disposition"].startswith("attachment")
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
