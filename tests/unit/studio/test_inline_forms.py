"""Inline fields written by the studio read back as the same form, for every demo inline form."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.bpmn.xml import BPMN, CAMUNDA, NS
from engine.forms import Field, FieldType, Form, FormDefinitionError, LocalText, Option, Page, read_inline_form
from engine.services.studio import xmledit

PROCESSES = Path(__file__).resolve().parents[3] / "processes"
DEMO = ("family_composition_certificate", "residence_registration")


def _steps(xml: str) -> list[tuple[str, Form]]:
    tree = etree.fromstring(xml.encode("utf-8"))
    found = []
    for element in tree.iter(BPMN + "startEvent", BPMN + "userTask"):
        form = read_inline_form(element, element_id=element.get("id", ""))
        if form is not None:
            found.append((element.get("id", ""), form))
    return found


def _element(xml: str, element_id: str) -> etree._Element:
    tree = etree.fromstring(xml.encode("utf-8"))
    (element,) = [e for e in tree.iter(BPMN + "startEvent", BPMN + "userTask") if e.get("id") == element_id]
    return element


def _demo_forms() -> list[tuple[str, str, Form]]:
    cases = []
    for service in DEMO:
        xml = (PROCESSES / service / f"{service}.bpmn").read_text(encoding="utf-8")
        cases.extend((service, element_id, form) for element_id, form in _steps(xml))
    return cases


def test_demo_services_have_inline_forms_on_start_events_and_official_tasks() -> None:
    ids = {(service, element_id) for service, element_id, _form in _demo_forms()}
    for service in DEMO:
        assert len([i for s, i in ids if s == service]) >= 2


@pytest.mark.parametrize(
    ("service", "element_id", "form"), _demo_forms(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_writing_a_demo_inline_form_reads_back_equal(service: str, element_id: str, form: Form) -> None:
    xml = (PROCESSES / service / f"{service}.bpmn").read_text(encoding="utf-8")
    emptied = xmledit.set_inline_form(xml, element_id, None)
    assert read_inline_form(_element(emptied, element_id), element_id=element_id) is None
    written = xmledit.set_inline_form(emptied, element_id, form)
    assert read_inline_form(_element(written, element_id), element_id=element_id) == form
    assert xmledit.read_step_inline_form(written, element_id) == form


MINIMAL = xmledit.minimal_diagram("svc", "Послуга")


def _form(*fields: Field, titles: tuple[LocalText | None, ...] = (None,)) -> Form:
    pages = tuple(Page(t, tuple(f.name for f in fields if f.page == i)) for i, t in enumerate(titles))
    return Form(key=None, title=LocalText("Заяву подано"), fields=fields, pages=pages)


def test_every_property_round_trips_and_the_form_key_goes() -> None:
    with_key = xmledit.update_step(
        MINIMAL, "start", name="Заяву подано", form_key="some_form", candidate_groups="", assignee=""
    )
    form = _form(
        Field(
            "full_name",
            FieldType.TEXT,
            LocalText({"uk": "ПІБ", "en": "Full name"}),
            hint=LocalText({"uk": "Як у паспорті", "en": "As in passport"}),
            required=True,
            pattern=r"^\S.*$",
            min_length=2,
            max_length=80,
            default="Іван",
        ),
        Field("about", FieldType.TEXTAREA, LocalText("Про себе"), max_length=500),
        Field("count", FieldType.INTEGER, LocalText("Кількість"), minimum=1, maximum=10, default=3),
        Field("area", FieldType.DECIMAL, LocalText("Площа"), minimum=0.5, maximum=99.75, default=12.5),
        Field(
            "kind",
            FieldType.CHOICE,
            LocalText("Вид"),
            options=(Option("a", LocalText("А")), Option("b", LocalText("Б"))),
            widget="select",
            required=True,
            default="b",
            page=1,
        ),
        Field(
            "many",
            FieldType.MULTICHOICE,
            LocalText("Кілька"),
            options=(Option("x", LocalText("Ікс")), Option("y", LocalText("Ігрек"))),
            widget="checkboxes",
            min_length=1,
            default=["x", "y"],
            page=1,
        ),
        Field("agree", FieldType.BOOLEAN, LocalText("Згоден"), default=True, page=1),
        Field("born", FieldType.DATE, LocalText("Народження"), readonly=True, page=1),
        Field("shown", FieldType.DISPLAY, LocalText("Ваше ім'я"), source="full_name", widget="info", page=1),
        Field("mail", FieldType.EMAIL, LocalText("Пошта"), page=1),
        Field("phone", FieldType.PHONE, LocalText("Телефон"), page=1),
        Field("scan", FieldType.FILE, LocalText("Скан"), page=1),
        titles=(LocalText({"uk": "Заявник", "en": "Applicant"}), LocalText("Подробиці")),
    )
    written = xmledit.set_inline_form(with_key, "start", form)
    element = _element(written, "start")
    assert element.get(CAMUNDA + "formKey") is None
    assert read_inline_form(element, element_id="start") == form
    assert element.find("bpmn:extensionElements/camunda:formData", NS) is not None


def test_an_empty_form_removes_the_inline_fields() -> None:
    form = _form(Field("a", FieldType.TEXT, LocalText("А")))
    written = xmledit.set_inline_form(MINIMAL, "start", form)
    cleared = xmledit.set_inline_form(written, "start", None)
    assert _element(cleared, "start").find(BPMN + "extensionElements") is None


def test_forms_inline_fields_cannot_hold_are_refused_naming_the_field() -> None:
    english_option = _form(
        Field(
            "kind",
            FieldType.CHOICE,
            LocalText("Вид"),
            widget="radio",
            options=(Option("a", LocalText({"uk": "А", "en": "A"})),),
        )
    )
    with pytest.raises(FormDefinitionError) as caught:
        xmledit.set_inline_form(MINIMAL, "start", english_option)
    assert caught.value.field == "kind"
    hidden = _form(Field("secret", FieldType.TEXT, LocalText("С"), hidden=True, default="x"))
    with pytest.raises(FormDefinitionError) as caught:
        xmledit.set_inline_form(MINIMAL, "start", hidden)
    assert caught.value.field == "secret"


def test_an_unknown_step_is_an_edit_error() -> None:
    form = _form(Field("a", FieldType.TEXT, LocalText("А")))
    with pytest.raises(xmledit.XmlEditError):
        xmledit.set_inline_form(MINIMAL, "nope", form)
