import json

import pytest
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from engine.forms import FieldType, Form, FormDefinitionError, LocalText, Option, read_inline_form

HEADER = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn">'
)

REALISTIC = """
<bpmn:userTask id="Task_Apply" name="Заява на допомогу">
  <bpmn:extensionElements>
    <camunda:formData>
      <camunda:formField id="surname" label="Прізвище" type="string" defaultValue="">
        <camunda:properties>
          <camunda:property id="hint" value="Як у паспорті" />
          <camunda:property id="label_en" value="Surname" />
          <camunda:property id="hint_en" value="As in your passport" />
          <camunda:property id="page_title" value="Про вас" />
          <camunda:property id="modeler:colour" value="red" />
        </camunda:properties>
        <camunda:validation>
          <camunda:constraint name="required" />
          <camunda:constraint name="minlength" config="2" />
          <camunda:constraint name="maxlength" config="100" />
        </camunda:validation>
      </camunda:formField>
      <camunda:formField id="tax_id" label="РНОКПП" type="string">
        <camunda:validation><camunda:constraint name="pattern" config="^\\d{10}$" /></camunda:validation>
      </camunda:formField>
      <camunda:formField id="children" label="Кількість дітей" type="long" defaultValue="0">
        <camunda:validation>
          <camunda:constraint name="min" config="0" /><camunda:constraint name="max" config="10" />
        </camunda:validation>
      </camunda:formField>
      <camunda:formField id="birth_date" label="Дата народження" type="date" />
      <camunda:formField id="agree" label="Згода" type="boolean" defaultValue="false" />
      <camunda:formField id="email" label="Пошта" type="string">
        <camunda:properties>
          <camunda:property id="type" value="email" />
          <camunda:property id="page" value="2" />
          <camunda:property id="page_title" value="Контакти" />
          <camunda:property id="page_title_en" value="Contacts" />
        </camunda:properties>
      </camunda:formField>
      <camunda:formField id="phone" label="Телефон" type="phone" />
      <camunda:formField id="income" label="Дохід" type="decimal" />
      <camunda:formField id="comment" label="Коментар" type="textarea" />
      <camunda:formField id="kind" label="Вид допомоги" type="enum" defaultValue="b">
        <camunda:properties>
          <camunda:property id="widget" value="select" />
          <camunda:property id="page" value="3" />
        </camunda:properties>
        <camunda:value id="a" name="Разова" />
        <camunda:value id="b" name="Щомісячна" />
      </camunda:formField>
      <camunda:formField id="region" label="Область" type="enum">
        <camunda:value id="kyiv" name="Київська" />
        <camunda:value id="lviv" />
      </camunda:formField>
      <camunda:formField id="docs" label="Документи" type="enum">
        <camunda:properties><camunda:property id="widget" value="checkboxes" /></camunda:properties>
        <camunda:value id="passport" name="Паспорт" />
        <camunda:value id="certificate" name="Довідка" />
      </camunda:formField>
      <camunda:formField id="scan" label="Скан" type="string">
        <camunda:properties><camunda:property id="type" value="file" /></camunda:properties>
      </camunda:formField>
      <camunda:formField id="shown_surname" label="Прізвище заявника" type="string">
        <camunda:properties>
          <camunda:property id="type" value="display" />
          <camunda:property id="source" value="surname" />
        </camunda:properties>
      </camunda:formField>
      <camunda:formField id="case_no" label="Номер справи" type="string">
        <camunda:validation><camunda:constraint name="readonly" /></camunda:validation>
      </camunda:formField>
    </camunda:formData>
  </bpmn:extensionElements>
</bpmn:userTask>
"""


def element(snippet: str) -> etree._Element:
    return etree.fromstring((HEADER + snippet + "</bpmn:definitions>").encode())[0]


def form_with(fields_xml: str) -> Form | None:
    snippet = (
        '<bpmn:startEvent id="Start"><bpmn:extensionElements><camunda:formData>'
        + fields_xml
        + "</camunda:formData></bpmn:extensionElements></bpmn:startEvent>"
    )
    return read_inline_form(element(snippet), element_id="Start")


def test_realistic_form() -> None:
    form = read_inline_form(element(REALISTIC), element_id="Task_Apply")
    assert form is not None
    assert form.key is None
    assert form.title == LocalText("Заява на допомогу")
    assert [(f.name, f.type) for f in form.fields] == [
        ("surname", FieldType.TEXT),
        ("tax_id", FieldType.TEXT),
        ("children", FieldType.INTEGER),
        ("birth_date", FieldType.DATE),
        ("agree", FieldType.BOOLEAN),
        ("email", FieldType.EMAIL),
        ("phone", FieldType.PHONE),
        ("income", FieldType.DECIMAL),
        ("comment", FieldType.TEXTAREA),
        ("kind", FieldType.CHOICE),
        ("region", FieldType.CHOICE),
        ("docs", FieldType.MULTICHOICE),
        ("scan", FieldType.FILE),
        ("shown_surname", FieldType.DISPLAY),
        ("case_no", FieldType.TEXT),
    ]
    surname = form.field("surname")
    assert surname.label == LocalText({"uk": "Прізвище", "en": "Surname"})
    assert surname.hint == LocalText({"uk": "Як у паспорті", "en": "As in your passport"})
    assert (surname.required, surname.min_length, surname.max_length, surname.default) == (True, 2, 100, None)
    assert form.field("tax_id").pattern == r"^\d{10}$"
    children = form.field("children")
    assert (children.minimum, children.maximum, children.default) == (0.0, 10.0, 0)
    assert form.field("agree").default is False
    kind = form.field("kind")
    assert (kind.widget, kind.default) == ("select", "b")
    assert kind.options == (Option("a", LocalText("Разова")), Option("b", LocalText("Щомісячна")))
    assert form.field("region").widget == "radio"
    assert form.field("region").options[1] == Option("lviv", LocalText("lviv"))
    assert form.field("docs").widget == "checkboxes"
    assert form.field("shown_surname").source == "surname"
    assert form.field("case_no").readonly
    assert [f.name for f in form.input_fields if f.name in ("shown_surname", "case_no")] == []
    # Pages: 1-based in XML, 0-based in the model; fields without "page" stay on the previous field's page.
    assert form.page_count == 3
    assert [p.fields for p in form.pages] == [
        ("surname", "tax_id", "children", "birth_date", "agree"),
        ("email", "phone", "income", "comment"),
        ("kind", "region", "docs", "scan", "shown_surname", "case_no"),
    ]
    assert [p.title for p in form.pages] == [
        LocalText("Про вас"),
        LocalText({"uk": "Контакти", "en": "Contacts"}),
        None,
    ]
    assert form.field("phone").page == 1
    assert Form.from_dict(json.loads(json.dumps(form.to_dict()))) == form


def test_no_form_data_gives_none() -> None:
    assert read_inline_form(element('<bpmn:userTask id="T" />'), element_id="T") is None
    snippet = '<bpmn:userTask id="T"><bpmn:extensionElements /></bpmn:userTask>'
    assert read_inline_form(element(snippet), element_id="T") is None


def test_empty_form_data_gives_one_empty_page() -> None:
    form = form_with("")
    assert form is not None
    assert form.fields == ()
    assert form.page_count == 1


def test_our_type_names_are_accepted() -> None:
    form = form_with(
        '<camunda:formField id="n" label="N" type="integer" />'
        '<camunda:formField id="c" label="C" type="multichoice"><camunda:value id="x" name="X" /></camunda:formField>'
    )
    assert form is not None
    assert form.field("n").type is FieldType.INTEGER
    assert (form.field("c").type, form.field("c").widget) == (FieldType.MULTICHOICE, "checkboxes")


@pytest.mark.parametrize(
    ("fields_xml", "field", "message"),
    [
        ('<camunda:formField id="x" label="X" type="foo" />', "x", "unknown type 'foo'"),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:properties>'
            '<camunda:property id="type" value="bar" /></camunda:properties></camunda:formField>',
            "x",
            "unknown type 'bar'",
        ),
        ('<camunda:formField label="X" type="string" />', None, "without an id"),
        ('<camunda:formField id="x" label="X" /><camunda:formField id="x" label="Y" />', "x", "duplicate"),
        ('<camunda:formField id="x" label="X" type="enum" />', "x", "no options"),
        (
            '<camunda:formField id="x" label="X" type="long"><camunda:validation>'
            '<camunda:constraint name="min" config="zero" /></camunda:validation></camunda:formField>',
            "x",
            "min needs a number",
        ),
        (
            '<camunda:formField id="x" label="X" type="long"><camunda:validation>'
            '<camunda:constraint name="max" config="" /></camunda:validation></camunda:formField>',
            "x",
            "max needs a number",
        ),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:validation>'
            '<camunda:constraint name="pattern" config="[a-" /></camunda:validation></camunda:formField>',
            "x",
            "regular",
        ),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:validation>'
            '<camunda:constraint name="maxlength" config="ten" /></camunda:validation></camunda:formField>',
            "x",
            "whole",
        ),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:validation>'
            '<camunda:constraint name="validator" config="x" /></camunda:validation></camunda:formField>',
            "x",
            "unknown",
        ),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:validation>'
            '<camunda:constraint name="min" config="1" /></camunda:validation></camunda:formField>',
            "x",
            "do not apply",
        ),
        ('<camunda:formField id="x" type="string" />', "x", "missing label"),
        ('<camunda:formField id="my-field" label="X" />', "my-field", "identifier"),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:properties>'
            '<camunda:property id="type" value="display" /></camunda:properties></camunda:formField>',
            "x",
            "source",
        ),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:properties>'
            '<camunda:property id="widget" value="select" /></camunda:properties></camunda:formField>',
            "x",
            "widget",
        ),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:value id="a" /></camunda:formField>',
            "x",
            "options only apply",
        ),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:properties>'
            '<camunda:property id="page" value="0" /></camunda:properties></camunda:formField>',
            "x",
            "page",
        ),
        (
            '<camunda:formField id="x" label="X" type="string"><camunda:properties>'
            '<camunda:property id="page" value="3" /></camunda:properties></camunda:formField>',
            None,
            "page 1 has no",
        ),
        ('<camunda:formField id="x" label="X" type="long" defaultValue="many" />', "x", "default value"),
        (
            '<camunda:formField id="x" label="X" type="enum" defaultValue="c"><camunda:value id="a" />'
            "</camunda:formField>",
            "x",
            "default value",
        ),
    ],
)
def test_errors(fields_xml: str, field: str | None, message: str) -> None:
    with pytest.raises(FormDefinitionError, match=message) as info:
        form_with(fields_xml)
    assert info.value.element_id == "Start"
    assert info.value.field == field
    assert info.value.file is None
    assert str(info.value).startswith("element 'Start': ")
