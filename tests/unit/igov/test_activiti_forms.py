"""iGov ``activiti:formProperty`` forms: every form of the corpus loads, and each iGov type maps as documented."""

from __future__ import annotations

from collections import Counter

import lxml.etree
import pytest

from engine.forms import Field, FieldType, Form, clean_form_data, read_activiti_form

ACTIVITI = "http://activiti.org/bpmn"


def _element(body: str, *, tag: str = "userTask", element_id: str = "task1", name: str = "Розгляд") -> object:
    xml = (
        f'<{tag} xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="{ACTIVITI}" '
        f'id="{element_id}" name="{name}"><extensionElements>{body}</extensionElements></{tag}>'
    )
    return lxml.etree.fromstring(xml.encode())


def _read(body: str) -> tuple[Form, list[str]]:
    form, warnings = read_activiti_form(_element(body), element_id="task1")
    assert form is not None
    return form, warnings


def _forms(corpus: dict[str, lxml.etree._ElementTree]) -> list[tuple[str, str, Form | None, list[str]]]:
    found = []
    for file_name, tree in corpus.items():
        for element in tree.iter("{*}startEvent", "{*}userTask"):
            form, warnings = read_activiti_form(element, element_id=element.get("id"))
            found.append((file_name, element.get("id"), form, warnings))
    return found


def test_every_corpus_form_loads(corpus: dict[str, lxml.etree._ElementTree]) -> None:
    forms = _forms(corpus)
    with_form = [item for item in forms if item[2] is not None]
    assert len(with_form) >= 70
    types: Counter[str] = Counter()
    for file_name, element_id, form, _warnings in with_form:
        assert form is not None
        assert Form.from_dict(form.to_dict()) == form, (file_name, element_id)  # stored as JSON and back
        for field in form.fields:
            types[field.type.value] += 1
    # Each iGov type reached its mapping (counts over the 25 files).
    assert types["choice"] >= 190 and types["file"] >= 80 and types["date"] >= 35 and types["email"] >= 30
    assert types["display"] >= 50 and types["integer"] >= 50 and types["textarea"] >= 150
    files_with_start_form = {name for name, element, form, _ in forms if form and element.startswith("start")}
    assert len(files_with_start_form) == 25


def test_corpus_warnings_report_markers_queues_and_duplicates(corpus: dict[str, lxml.etree._ElementTree]) -> None:
    warnings = [warning for *_, found in _forms(corpus) for warning in found]
    assert sum("markers" in warning for warning in warnings) == 103
    assert sum("queueData" in warning for warning in warnings) == 11
    assert sum("used twice" in warning for warning in warnings) == 4
    assert all(warning.split(":")[0] for warning in warnings)  # every warning names its element


def test_real_start_form_of_kherson(corpus: dict[str, lxml.etree._ElementTree]) -> None:
    start = next(corpus["Kherson_uorpg_kv_oblik.bpmn"].iter("{*}startEvent"))
    form, _ = read_activiti_form(start, element_id="startevent1")
    assert form is not None
    assert form.field("tel") == Field(
        name="tel",
        type=FieldType.INTEGER,
        label=form.field("tel").label,
        required=True,
        default=38,
    )
    need = form.field("dovidka_neobhidna")
    assert need.type is FieldType.CHOICE and need.required and need.widget == "radio"
    assert need.options[0].value == "robota" and need.options[0].label.get("uk") == "для подання за місцем роботи"
    consent = form.field("zgoda")
    assert consent.type is FieldType.DISPLAY and consent.source is None and consent.default.startswith("Даю згоду")
    body = form.field("sBody_1")
    assert body.hidden and not body.is_input and body.default == " "
    assert form.field("dovidka_file").type is FieldType.FILE


def test_real_user_task_shows_the_citizens_data_read_only(corpus: dict[str, lxml.etree._ElementTree]) -> None:
    task = next(t for t in corpus["Kherson_uorpg_kv_oblik.bpmn"].iter("{*}userTask") if t.get("id") == "usertask1")
    form, _ = read_activiti_form(task, element_id="usertask1")
    assert form is not None
    assert form.field("tel").readonly and not form.field("tel").required
    assert form.field("date_today").readonly
    decision = form.field("decision_1")
    assert decision.is_input and decision.required and decision.option_values == ("accept", "reject")
    assert form.field("adres_2").default == "м.Херсон, вул.Ушакова 37, каб.106"
    assert [field.name for field in form.input_fields] == ["decision_1", "date_doc", "adres_2", "comment_1"]
    assert form.field("sBody_1").default == "${sBody_1}"  # a JUEL default, evaluated when the task is shown


def test_real_conventions_from_2017_files(corpus: dict[str, lxml.etree._ElementTree]) -> None:
    tasks = {t.get("id"): t for t in corpus["_doc_justice_11.bpmn"].iter("{*}userTask")}
    form, warnings = read_activiti_form(tasks["usertask1"], element_id="usertask1")
    assert form is not None
    urgent = form.field("asUrgently")  # sID_CheckboxTrue: still a choice over the enum ids
    assert urgent.type is FieldType.CHOICE and urgent.default == "sEnumNotUrgentDoc"
    assert urgent.label.get("uk") == "терміновий документ"
    assert form.field("sBody_1").hidden  # bVisible=false in the name
    assert any("sTable2" in warning and "table" in warning for warning in warnings)
    form2, _ = read_activiti_form(tasks["usertask2"], element_id="usertask2")
    assert form2 is not None and form2.has_field("sLogin_AutorResolution")  # activiti:variable names the field

    start = next(corpus["dms_0176_Zagran_DMS.bpmn"].iter("{*}startEvent"))
    form3, warnings3 = read_activiti_form(start, element_id="startevent1")
    assert form3 is not None
    label = form3.field("sWarning0")
    assert label.type is FieldType.DISPLAY and label.widget == "info" and "<a href=" in label.default
    assert form3.field("visitDay").type is FieldType.TEXT
    assert any("visitDay" in warning and "queueData" in warning for warning in warnings3)

    cnap = next(corpus["dnepr_cnap_39.bpmn"].iter("{*}startEvent"))
    form4, _ = read_activiti_form(cnap, element_id="startevent1")
    assert form4 is not None
    assert form4.has_field("cnapСhoice")  # Cyrillic 'С' kept: the conditions use that name
    assert form4.field("postlev").hidden  # readable="false"


def test_date_pattern_and_default_dates() -> None:
    form, warnings = _read(
        '<activiti:formProperty id="d1" name="Дата" type="date" datePattern="dd-MM-yyyy" default="05-03-2015"/>'
        '<activiti:formProperty id="d2" name="З" type="date" default="01/01/2014"/>'
        '<activiti:formProperty id="d3" name="По" type="date" default="завтра"/>'
    )
    assert form.field("d1").default == "2015-03-05"
    assert form.field("d2").default == "2014-01-01"
    assert form.field("d3").default is None and any("завтра" in warning for warning in warnings)


def test_every_type_and_attribute() -> None:
    form, warnings = _read(
        '<activiti:formProperty id="sName" name="Імʼя; Як у паспорті; writable=true"/>'
        '<activiti:formProperty id="email" name="Пошта" type="string" required="true"/>'
        '<activiti:formProperty id="phone" name="Телефон" type="string"/>'
        '<activiti:formProperty id="nSum" name="Сума" type="double" default="12,5"/>'
        '<activiti:formProperty id="bAgree" name="Згода" type="boolean" default="true"/>'
        '<activiti:formProperty id="sComment" name="Коментар" type="textArea"/>'
        '<activiti:formProperty id="sOffice" name="Офіс" type="select" default="0"/>'
        '<activiti:formProperty id="tRows" name="Таблиця" type="table" default="{&quot;aRow&quot;: []}"/>'
        '<activiti:formProperty id="markers1" type="markers" default="{}"/>'
        '<activiti:formProperty id="sHtml" name="Документ" type="fileHTML"/>'
        '<activiti:formProperty id="sID_Payment" name="id" type="invisible" default=" "/>'
        '<activiti:formProperty id="sCalc" name="x" type="string" expression="${sTotal}"/>'
        '<activiti:formProperty id="sOdd" name="x; ; nFoo=1,bare" type="mystery"/>'
        '<activiti:formProperty id="10.1tab1" name="10.1a. Код згідно з КВЕД" type="string"/>'
        '<activiti:formProperty id="sName" name="Двічі"/>'
    )
    name = form.field("sName")
    assert name.type is FieldType.TEXT and name.hint is not None and name.hint.get("uk") == "Як у паспорті"
    assert name.label.get("uk") == "Імʼя"
    assert form.field("email").type is FieldType.EMAIL and form.field("email").required
    assert form.field("phone").type is FieldType.PHONE
    assert form.field("nSum").default == 12.5 and form.field("nSum").type is FieldType.DECIMAL
    assert form.field("bAgree").type is FieldType.BOOLEAN and form.field("bAgree").default is True
    assert form.field("sComment").type is FieldType.TEXTAREA
    assert form.field("sOffice").type is FieldType.TEXT and form.field("sOffice").default is None
    assert form.field("tRows").type is FieldType.TEXTAREA and form.field("tRows").default is None
    assert not form.has_field("markers1")
    assert form.field("sHtml").type is FieldType.TEXTAREA
    assert form.field("sID_Payment").hidden and form.field("sID_Payment").default == " "
    assert form.has_field("sTotal") and not form.has_field("sCalc")
    assert form.field("sOdd").type is FieldType.TEXT
    assert form.has_field("f_10_1tab1")
    assert [field.name for field in form.fields].count("sName") == 1
    for expected in ("markers", "select", "table", "fileHTML", "mystery", "nFoo=1", "'bare'", "f_10_1tab1", "twice"):
        assert any(expected in warning for warning in warnings), expected


def test_hidden_and_read_only_fields_are_not_taken_from_the_user() -> None:
    form, _ = _read(
        '<activiti:formProperty id="sID_Payment" name="id" type="invisible" default=" "/>'
        '<activiti:formProperty id="sFio" name="ПІБ" writable="false" required="true"'
        ' default="${bankIdlastName} ${bankIdfirstName}"/>'
        '<activiti:formProperty id="decide" name="Рішення" type="enum" required="true">'
        '<activiti:value id="accept" name="Погодити"/><activiti:value id="reject" name="Відмовити"/>'
        '<activiti:value id="accept" name="Двічі"/></activiti:formProperty>'
    )
    cleaned, errors = clean_form_data(form, {"sID_Payment": "paid!", "sFio": "Хакер", "decide": "accept"})
    assert errors == {}
    assert cleaned == {"decide": "accept"}
    assert form.field("sFio").readonly and not form.field("sFio").required
    assert form.field("decide").option_values == ("accept", "reject")
    _, errors = clean_form_data(form, {})
    assert set(errors) == {"decide"}


@pytest.mark.parametrize("body", ["", '<activiti:formProperty id="m" type="markers"/>'])
def test_no_form(body: str) -> None:
    form, _ = read_activiti_form(_element(body), element_id="task1")
    assert form is None


def test_label_without_text_shows_its_variable() -> None:
    form, _ = _read('<activiti:formProperty id="sDate" name="Дата; ;labelType=warning" type="label" default=" "/>')
    field = form.field("sDate")
    assert field.type is FieldType.DISPLAY and field.source == "sDate" and field.widget == "warning"
