"""The catalog, service pages and what an anonymous visitor may do."""

from __future__ import annotations

import re

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.authoring.scenarios import diagram_service_id
from engine.store import directory

SERVICES = sorted(diagram_service_id(p) for p in (PROJECT_ROOT / "processes").rglob("*.bpmn"))
LINK_RE = re.compile(r'href="/services/([A-Za-z0-9_]+)"')


def listed(html: str) -> list[str]:
    return sorted(set(LINK_RE.findall(html)))


def test_catalog_lists_every_demo_service_with_organisation_and_availability(anonymous):
    html = anonymous.page("/services")

    assert len(SERVICES) == 7  # five services drawn here and two iGov diagrams (processes/igov/)
    assert listed(html) == SERVICES
    assert "Лубенська міська рада" in html and "Полтавська обласна державна адміністрація" in html
    assert html.count('class="tag tag--green"') == 7  # every demo service is online


def test_search_in_ukrainian_ignores_the_kind_of_apostrophe(anonymous):
    typed_apostrophe = anonymous.page("/services?q=склад+сім’ї")  # U+2019, the diagram has U+0027
    modifier_apostrophe = anonymous.page("/services?q=сімʼї")  # U+02BC, the official Ukrainian apostrophe

    assert listed(typed_apostrophe) == ["family_composition_certificate"]
    assert listed(modifier_apostrophe) == ["family_composition_certificate"]
    assert listed(anonymous.page("/services?q=космодром")) == []


def test_filters_by_category_organisation_and_availability(anonymous):
    by_category = anonymous.page("/services?category=Соціальний+захист")
    by_organisation = anonymous.page("/services?organisation=lubny-council")
    not_yet = anonymous.page("/services?availability=soon")

    assert listed(by_category) == ["housing_subsidy"]
    # Kherson's iGov diagram belongs to Lubny here through its sidecar catalog file (processes/igov/*.service.json).
    assert listed(by_organisation) == [
        "Kherson_uorpg_kv",
        "family_composition_certificate",
        "outdoor_advertising_permit",
    ]
    assert listed(not_yet) == []
    assert 'value="lubny-council" selected' in by_organisation


def test_the_organisation_filter_follows_the_tree(anonymous, platform):
    html = anonymous.page("/services?lang=en")
    # Parents before children, indented one dash per level; English names on English pages.
    order = [html.index(f'value="{slug}"') for slug in ("poltava-oda", "lubny-district", "lubny-council")]
    assert order == sorted(order)
    assert "— — Lubny City Council</option>" in html and "— Lubny District State Administration" in html
    assert 'value="lubny-cnap-office"' not in html  # offers nothing and nothing below it does
    assert 'id="filter-region"' not in html  # one region only: nothing to choose

    whole_oblast = listed(anonymous.page("/services?organisation=poltava-oda"))
    assert whole_oblast == SERVICES  # every demo organisation stands below the oblast administration
    district = listed(anonymous.page("/services?organisation=myrhorod-district"))
    assert district == ["land_allotment_permit", "residence_registration", "zhitomir_mvk_2"]

    with unit_of_work(platform.write_sessions) as db:  # Myrhorod's council moves to another region
        council = directory.find_organisation(db, "myrhorod-council")
        assert council is not None
        council.region = "Київська область"
    regions = anonymous.page("/services")
    assert 'id="filter-region"' in regions and "Київська область</option>" in regions
    assert listed(anonymous.page("/services?region=Київська+область")) == district
    assert "land_allotment_permit" not in listed(anonymous.page("/services?region=Полтавська+область"))


def test_the_service_page_says_how_to_reach_its_organisation(anonymous):
    english = anonymous.page("/services/residence_registration?lang=en")
    assert "Contact Myrhorod City Council" in english and "171 Hoholia St, Myrhorod, 37600" in english
    assert "Mon–Thu 8:00–17:00" in english and 'href="tel:+380535552370"' in english
    ukrainian = anonymous.page("/services/residence_registration?lang=uk")
    assert "вул. Гоголя, 171, м. Миргород, 37600" in ukrainian and "Пн–Чт 8:00–17:00" in ukrainian


def test_home_page_offers_search_and_the_catalog(anonymous):
    html = anonymous.page("/")

    assert 'action="/services"' in html and 'name="q"' in html
    assert 'href="/services"' in html


def test_service_page_shows_description_sla_and_asks_anonymous_visitors_to_sign_in(anonymous):
    ukrainian = anonymous.page("/services/family_composition_certificate?lang=uk")
    html = anonymous.page("/services/family_composition_certificate?lang=en")

    assert "<strong>Хто може звернутися:</strong>" in ukrainian  # the sanitised Markdown description, as HTML
    assert "Certificate listing the persons registered" in html  # the English description when there is one
    assert "Up to 5 working days" in html
    assert "/login?next=/services/family_composition_certificate" in html
    assert "/services/family_composition_certificate/apply" not in html
    assert anonymous.get("/services/no_such_service").status_code == 404


def test_anonymous_apply_is_sent_to_sign_in_and_starts_nothing(anonymous, citizen):
    response = anonymous.post("/services/family_composition_certificate/apply")

    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    assert "family_composition_certificate" in response.headers["Location"]
    assert "/my/applications/" not in citizen.page("/my/applications")


def test_a_post_without_the_csrf_token_is_rejected(citizen):
    response = citizen.client.post("/services/family_composition_certificate/apply", data={})

    assert response.status_code == 400
    assert "/my/applications/" not in citizen.page("/my/applications")


def test_signed_in_pages_redirect_to_sign_in_with_next(anonymous):
    response = anonymous.get("/my/applications")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/my/applications")
