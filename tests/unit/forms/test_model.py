import dataclasses
import json

import pytest

from engine.forms import Field, FieldType, Form, FormDefinitionError, LocalText, Option, Page


def roundtrip(form: Form) -> Form:
    return Form.from_dict(json.loads(json.dumps(form.to_dict())))


def rich_form() -> Form:
    fields = (
        Field(
            "surname",
            FieldType.TEXT,
            LocalText({"uk": "Прізвище", "en": "Surname"}),
            hint=LocalText("Як у паспорті"),
            required=True,
            min_length=2,
            max_length=100,
            pattern=r"[А-ЯІЇЄҐа-яіїєґ' -]+",
        ),
        Field("children", FieldType.INTEGER, LocalText("Діти"), minimum=0.0, maximum=20.0, default=0),
        Field(
            "kind",
            FieldType.CHOICE,
            LocalText("Вид"),
            widget="select",
            options=(Option("a", LocalText({"uk": "А", "en": "A"})), Option("b", LocalText("Б"))),
            page=1,
        ),
        Field(
            "docs",
            FieldType.MULTICHOICE,
            LocalText("Документи"),
            widget="checkboxes",
            options=(Option("x", LocalText("X")),),
            default=["x"],
            page=1,
        ),
        Field("shown", FieldType.DISPLAY, LocalText("Прізвище заявника"), source="surname", page=1),
        Field("locked", FieldType.TEXT, LocalText("Номер"), readonly=True, default="A-1", page=1),
    )
    pages = (Page(LocalText("Про вас"), ("surname", "children")), Page(None, ("kind", "docs", "shown", "locked")))
    return Form(key="application", title=LocalText({"uk": "Заява", "en": "Application"}), fields=fields, pages=pages)


class TestLocalText:
    @pytest.mark.parametrize(
        ("value", "locale", "expected"),
        [
            ("Прізвище", "uk", "Прізвище"),
            ("Прізвище", "en", "Прізвище"),
            ({"uk": "Прізвище", "en": "Surname"}, "en", "Surname"),
            ({"uk": "Прізвище", "en": "Surname"}, "de", "Прізвище"),
            ({"en": "Surname"}, "uk", "Surname"),
            ({}, "uk", ""),
        ],
    )
    def test_get_falls_back_to_ukrainian_then_anything(self, value: object, locale: str, expected: str) -> None:
        assert LocalText(value).get(locale) == expected  # type: ignore[arg-type]

    def test_is_frozen_hashable_and_order_insensitive(self) -> None:
        a = LocalText({"uk": "А", "en": "A"})
        b = LocalText({"en": "A", "uk": "А"})
        assert a == b
        assert hash(a) == hash(b)
        assert {a, b} == {a}
        with pytest.raises(dataclasses.FrozenInstanceError):
            a._items = ()

    @pytest.mark.parametrize("value", ["Текст", {"uk": "Текст", "en": "Text"}, {"en": "Text"}])
    def test_to_dict_roundtrip(self, value: object) -> None:
        text = LocalText(value)  # type: ignore[arg-type]
        assert LocalText.from_dict(json.loads(json.dumps(text.to_dict()))) == text

    def test_plain_ukrainian_serialises_as_string(self) -> None:
        assert LocalText({"uk": "Текст"}).to_dict() == "Текст"

    @pytest.mark.parametrize("value", [1, {"uk": 1}, {"": "x"}, None])
    def test_rejects_non_text(self, value: object) -> None:
        with pytest.raises(TypeError):
            LocalText(value)  # type: ignore[arg-type]


class TestForm:
    def test_roundtrip_is_exact(self) -> None:
        form = rich_form()
        assert roundtrip(form) == form
        assert roundtrip(form).to_dict() == form.to_dict()

    def test_helpers(self) -> None:
        form = rich_form()
        assert form.page_count == 2
        assert form.field("kind").widget == "select"
        with pytest.raises(KeyError):
            form.field("nope")
        assert [f.name for f in form.fields_on_page(1)] == ["kind", "docs", "shown", "locked"]
        assert [f.name for f in form.input_fields] == ["surname", "children", "kind", "docs"]
        with pytest.raises(IndexError):
            form.fields_on_page(2)

    def test_single_page_puts_everything_on_page_zero(self) -> None:
        form = Form.single_page("k", None, (Field("a", FieldType.TEXT, LocalText("A"), page=3),))
        assert form.pages == (Page(None, ("a",)),)
        assert form.field("a").page == 0

    def test_field_with_list_default_is_still_hashable(self) -> None:
        assert hash(rich_form().field("docs"))

    @pytest.mark.parametrize(
        ("fields", "pages", "message"),
        [
            ((), (), "at least one page"),
            ((Field("a", FieldType.TEXT, LocalText("A")),) * 2, (Page(None, ("a",)),), "duplicate"),
            ((Field("a", FieldType.TEXT, LocalText("A")),), (Page(None, ("a", "b")),), "unknown field"),
            ((Field("a", FieldType.TEXT, LocalText("A")),), (Page(None, ("a",)), Page(None, ("a",))), "pages 1 and 2"),
            ((Field("a", FieldType.TEXT, LocalText("A"), page=1),), (Page(None, ("a",)),), "page 2"),
        ],
    )
    def test_invariants(self, fields: tuple[Field, ...], pages: tuple[Page, ...], message: str) -> None:
        with pytest.raises(FormDefinitionError, match=message):
            Form(key=None, title=None, fields=fields, pages=pages)


class TestFormDefinitionError:
    def test_str_names_file_element_and_field(self) -> None:
        assert str(FormDefinitionError("unknown type 'foo'", field="x")) == "field 'x': unknown type 'foo'"
        err = FormDefinitionError("bad", element_id="Task_1", field="x")
        err.file = "processes/a.bpmn"
        assert str(err) == "processes/a.bpmn: element 'Task_1': field 'x': bad"
        assert str(FormDefinitionError("bad")) == "bad"

    def test_survives_pickling(self) -> None:
        import pickle

        err = pickle.loads(pickle.dumps(FormDefinitionError("bad", file="f", element_id="e", field="x")))
        assert (err.file, err.element_id, err.field, err.message) == ("f", "e", "x", "bad")
