import copy
import json
from pathlib import Path
from typing import Any

import pytest

from engine.forms import FieldType, Form, FormDefinitionError, LocalText, Option, load_form_file, parse_form_document

DOCUMENT: dict[str, Any] = {
    "title": {"uk": "Заява", "en": "Application"},
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["surname", "agree"],
        "properties": {
            "surname": {"type": "string", "minLength": 1, "maxLength": 100},
            "birth_date": {"type": "string", "format": "date"},
            "email": {"type": "string", "format": "email"},
            "phone": {"type": "string", "pattern": "^\\+380\\d{9}$"},
            "children": {"type": "integer", "minimum": 0, "maximum": 20, "default": 0},
            "income": {"type": "number", "minimum": 0},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "region": {"type": "string", "enum": ["kyiv", "lviv"], "title": "Область"},
            "documents": {
                "type": "array",
                "items": {"type": "string", "enum": ["x", "y"]},
                "uniqueItems": True,
                "maxItems": 2,
            },
            "agree": {"type": "boolean", "description": "Обовʼязково"},
            "scan": {"type": "string"},
            "comment": {"type": "string", "maxLength": 2000},
            "case_no": {"type": "string", "readOnly": True},
        },
    },
    "ui": {
        "fields": {
            "surname": {"label": {"uk": "Прізвище", "en": "Surname"}, "hint": "Як у паспорті"},
            "birth_date": {"label": "Дата народження"},
            "email": {"label": "Пошта"},
            "phone": {"label": "Телефон", "widget": "phone"},
            "children": {"label": "Діти"},
            "income": {"label": "Дохід"},
            "kind": {"label": "Вид", "widget": "select", "options": {"a": {"uk": "А", "en": "A"}, "b": "Б"}},
            "documents": {"label": "Документи", "widget": "checkboxes", "options": {"x": "Паспорт"}},
            "agree": {"label": "Згода"},
            "scan": {"label": "Скан паспорта", "widget": "file"},
            "comment": {"label": "Коментар", "widget": "textarea"},
            "case_no": {"label": "Номер справи"},
            "previous_surname": {"label": "Прізвище заявника", "widget": "display", "source": "surname"},
        },
        "pages": [
            {"title": "Про вас", "fields": ["previous_surname", "surname", "birth_date", "children", "income"]},
            {"title": {"uk": "Контакти", "en": "Contacts"}, "fields": ["email", "phone", "comment", "case_no"]},
            {"fields": ["kind", "region", "documents", "scan", "agree"]},
        ],
    },
}


def doc(**changes: Any) -> dict[str, Any]:
    """A deep copy of DOCUMENT with dotted-path changes; a value of ... deletes the key."""
    result = copy.deepcopy(DOCUMENT)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = result
        for part in parents:
            target = target[part]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return result


def test_realistic_document() -> None:
    form = parse_form_document(DOCUMENT, key="application")
    assert form.key == "application"
    assert form.title == LocalText({"uk": "Заява", "en": "Application"})
    types = {f.name: f.type for f in form.fields}
    assert types == {
        "surname": FieldType.TEXT,
        "birth_date": FieldType.DATE,
        "email": FieldType.EMAIL,
        "phone": FieldType.PHONE,
        "children": FieldType.INTEGER,
        "income": FieldType.DECIMAL,
        "kind": FieldType.CHOICE,
        "region": FieldType.CHOICE,
        "documents": FieldType.MULTICHOICE,
        "agree": FieldType.BOOLEAN,
        "scan": FieldType.FILE,
        "comment": FieldType.TEXTAREA,
        "case_no": FieldType.TEXT,
        "previous_surname": FieldType.DISPLAY,
    }
    # Without ui.order: schema order, then ui-only fields.
    assert [f.name for f in form.fields][-2:] == ["case_no", "previous_surname"]
    surname = form.field("surname")
    assert (surname.required, surname.min_length, surname.max_length) == (True, 1, 100)
    assert surname.label.get("en") == "Surname"
    assert surname.hint == LocalText("Як у паспорті")
    assert form.field("phone").pattern == r"^\+380\d{9}$"
    assert (form.field("children").minimum, form.field("children").maximum) == (0, 20)
    assert form.field("children").default == 0
    kind = form.field("kind")
    assert kind.widget == "select"
    assert kind.options == (Option("a", LocalText({"uk": "А", "en": "A"})), Option("b", LocalText("Б")))
    region = form.field("region")
    assert (region.widget, region.label) == ("radio", LocalText("Область"))
    assert region.options == (Option("kyiv", LocalText("kyiv")), Option("lviv", LocalText("lviv")))
    documents = form.field("documents")
    assert (documents.widget, documents.max_length) == ("checkboxes", 2)
    assert documents.options[0].label == LocalText("Паспорт")
    assert form.field("agree").hint == LocalText("Обовʼязково")
    assert form.field("case_no").readonly
    assert form.field("previous_surname").source == "surname"
    assert form.page_count == 3
    assert form.pages[1].title == LocalText({"uk": "Контакти", "en": "Contacts"})
    assert form.pages[2].title is None
    assert [f.name for f in form.fields_on_page(0)][:2] == ["previous_surname", "surname"]
    assert form.field("agree").page == 2
    assert Form.from_dict(json.loads(json.dumps(form.to_dict()))) == form


def test_without_pages_everything_is_on_one_page_in_order() -> None:
    order = ["agree", "surname", *[n for n in DOCUMENT["schema"]["properties"] if n not in ("agree", "surname")]]
    form = parse_form_document(doc(ui__pages=..., ui__order=[*order, "previous_surname"]), key="k")
    assert form.page_count == 1
    assert [f.name for f in form.fields][:2] == ["agree", "surname"]
    assert form.pages[0].fields == tuple(f.name for f in form.fields)


def test_minimal_document_uses_titles_as_labels() -> None:
    form = parse_form_document(
        {"schema": {"type": "object", "properties": {"n": {"type": "string", "title": "N"}}}}, key="k"
    )
    assert form.title is None
    assert form.field("n").label == LocalText("N")


def test_load_form_file(tmp_path: Path) -> None:
    path = tmp_path / "application.json"
    path.write_text(json.dumps(DOCUMENT, ensure_ascii=False), encoding="utf-8")
    assert load_form_file(path, key="application") == parse_form_document(DOCUMENT, key="application")


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "invalid JSON at line 1"), (json.dumps(doc(ui__order=["nope"])), "unknown field")],
)
def test_load_form_file_errors_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormDefinitionError, match=message) as info:
        load_form_file(path, key="broken")
    assert info.value.file == str(path)
    assert str(info.value).startswith(str(path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError, match="cannot read"):
        load_form_file(tmp_path / "missing.json", key="missing")


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (doc(schema__properties__surname={"type": "string", "minLength": -1}), None, "invalid JSON Schema"),
        (doc(schema__type="array"), None, "invalid JSON Schema|object"),
        (doc(schema__type="string"), None, "object"),
        (doc(schema__properties__x={"type": "strin"}), None, "invalid JSON Schema"),
        (doc(schema__properties__x={"type": "object"}), "x", "unsupported property type"),
        (doc(schema__properties__x={"type": "integer", "multipleOf": 2}), "x", "multipleOf"),
        (doc(schema__properties__x={"type": "string", "format": "uri", "title": "X"}), "x", "unsupported format"),
        (
            doc(schema__properties__x={"type": "array", "items": {"type": "integer"}, "title": "X"}),
            "x",
            "array properties",
        ),
        (doc(schema__required=["surname", "ghost"]), "ghost", "required"),
        (doc(**{"schema__$schema": "http://json-schema.org/draft-07/schema#"}), None, "2020-12"),
        (doc(ui__order=["surname", "nope"]), "nope", "ui.order names an unknown field"),
        (doc(ui__pages=..., ui__order=["surname"]), None, "missing: birth_date"),
        (doc(ui__order=["surname", "surname"]), "surname", "twice"),
        (doc(ui__fields__ghost={"label": "G"}), "ghost", "does not define"),
        (doc(ui__fields__previous_surname={"label": "P", "widget": "display"}), "previous_surname", "source"),
        (doc(ui__fields__surname={"label": "S", "widget": "display", "source": "x"}), "surname", "no schema property"),
        (doc(ui__fields__surname={"label": "S", "widget": "slider"}), "surname", "unknown widget"),
        (doc(ui__fields__surname={"label": "S", "widget": "select"}), "surname", "needs an enum"),
        (doc(ui__fields__kind={"label": "K", "widget": "checkboxes"}), "kind", "array"),
        (doc(ui__fields__kind={"label": "K", "options": {"c": "C"}}), "kind", "not in the enum"),
        (doc(ui__fields__surname={"label": "S", "options": {"c": "C"}}), "surname", "no enum"),
        (doc(ui__fields__surname={"label": "S", "colour": "red"}), "surname", "colour"),
        (doc(ui__fields__surname={"hint": "no label"}), "surname", "missing label"),
        (doc(ui__fields__surname={"label": ""}), "surname", "non-empty"),
        (
            doc(schema__properties__kind={"type": "string", "enum": ["a", "b"], "format": "date"}),
            "kind",
            "cannot be combined",
        ),
        (doc(schema__properties__phone={"type": "string", "pattern": "[a-"}), None, "invalid JSON Schema|regular"),
        (doc(ui__pages=[{"fields": ["surname"]}, {"fields": ["surname"]}]), "surname", "pages 1 and 2"),
        (doc(ui__pages=[{"fields": ["surname", "ghost"]}]), "ghost", "unknown field"),
        (doc(ui__pages=[{"fields": ["surname"]}]), None, "not on any page"),
        (doc(ui__pages=[{"fields": []}]), None, "no fields"),
        (doc(ui__pages=[]), None, "non-empty list"),
        (doc(extra=1), None, "unknown key"),
        (doc(**{"schema__properties__bad-name": {"type": "string", "title": "B"}}), "bad-name", "identifier"),
        (doc(schema__additionalProperties=True), None, "additionalProperties"),
        (doc(schema__properties__children={"type": "integer", "minimum": 5, "maximum": 1}), "children", "greater"),
    ],
)
def test_errors(document: dict[str, Any], field: str | None, message: str) -> None:
    with pytest.raises(FormDefinitionError, match=message) as info:
        parse_form_document(document, key="k")
    assert info.value.field == field


def test_not_an_object() -> None:
    with pytest.raises(FormDefinitionError, match="JSON object"):
        parse_form_document([], key="k")  # type: ignore[arg-type]
