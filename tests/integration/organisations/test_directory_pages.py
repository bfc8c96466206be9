"""The directory page in the browser, CSRF on: only administrators, the export downloads, a dry run shows the plan
and changes nothing, an import applies, a refused file lists its problems and a too large file is refused."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from flask import Flask

from engine.config import Settings
from engine.db import unit_of_work
from engine.services.context import Platform
from engine.store import directory
from tests.integration.people.conftest import Browser
from webapp import create_app
from webapp.admin import directory_pages


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    assert app.config.get("WTF_CSRF_ENABLED", True)
    yield app


def upload(
    browser: Browser, text: str, *, fmt: str = "json", button: str = "check", name: str = "d.json"
) -> tuple[int, str]:
    reply = browser.post(
        "/admin/directory/import",
        {"file": (io.BytesIO(text.encode("utf-8")), name), "format": fmt, button: "y"},
        token_from="/admin/directory",
    )
    return reply.status_code, reply.get_data(as_text=True)


def test_only_administrators_reach_the_directory(app: Flask) -> None:
    official = Browser(app, "official")
    assert official.get("/admin/directory").status_code == 403
    assert official.get("/admin/directory/export?format=json").status_code == 403
    anonymous = Browser(app, None)
    assert anonymous.get("/admin/directory").status_code == 302
    admin = Browser(app, "admin")
    assert 'href="/admin/directory"' in admin.page("/admin/")


@pytest.mark.parametrize(("fmt", "media_type"), [("json", "application/json"), ("csv", "text/csv")])
def test_the_export_is_a_download(app: Flask, fmt: str, media_type: str) -> None:
    admin = Browser(app, "admin")
    page = admin.page("/admin/directory")
    assert f'href="/admin/directory/export?format={fmt}"' in page
    reply = admin.get(f"/admin/directory/export?format={fmt}")
    assert reply.status_code == 200 and reply.mimetype == media_type
    disposition = reply.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="directory-') and disposition.endswith(f'.{fmt}"')
    assert "lubny-council" in reply.get_data(as_text=True) and "citizen2" not in reply.get_data(as_text=True)
    assert admin.get("/admin/directory/export?format=xml").status_code == 400


def test_a_dry_run_shows_the_plan_and_the_import_applies(app: Flask, platform: Platform) -> None:
    admin = Browser(app, "admin")
    document = json.loads(admin.get("/admin/directory/export?format=json").get_data(as_text=True))
    status, html = upload(admin, json.dumps(document, ensure_ascii=False))
    assert status == 200 and "Dry run of d.json: nothing was changed" in html and "Nothing would change." in html

    document["organisations"].append({"slug": "lubny-youth", "name": "Молодіжний центр", "parent": "lubny-council"})
    text = json.dumps(document, ensure_ascii=False)
    status, html = upload(admin, text)
    assert status == 200 and "<code>lubny-youth</code>" in html
    with unit_of_work(platform.read_sessions) as db:
        assert directory.find_organisation(db, "lubny-youth") is None

    status, html = upload(admin, text, button="apply")
    assert status == 200 and "Imported from d.json" in html
    with unit_of_work(platform.read_sessions) as db:
        assert directory.find_organisation(db, "lubny-youth") is not None


def test_a_refused_file_lists_its_problems(app: Flask, platform: Platform) -> None:
    admin = Browser(app, "admin")
    csv = "type,slug,name,parent,edrpou\norganisation,lubny-youth,Центр,nowhere,\norganisation,x2,X,,12345670\n"
    status, html = upload(admin, csv, fmt="csv", button="apply", name="d.csv")
    assert status == 422 and 'href="#field-file"' in html and "The file has 2 problem(s): nothing was imported" in html
    assert "line 2" in html and "there is no organisation nowhere" in html
    assert "line 3" in html and "12345670 is not an ЄДРПОУ code" in html
    with unit_of_work(platform.read_sessions) as db:
        assert directory.find_organisation(db, "lubny-youth") is None

    status, html = upload(admin, "")
    assert status == 422 and "the file is not JSON" in html
    missing = admin.post("/admin/directory/import", {"format": "json", "check": "y"}, token_from="/admin/directory")
    assert missing.status_code == 422 and "Choose the file" in missing.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directory_pages, "UPLOAD_LIMIT", 100)
    admin = Browser(app, "admin")
    status, html = upload(admin, json.dumps({"organisations": [], "people": []}) + " " * 200)
    assert status == 422 and "The file must be smaller than 5 MB" in html
