"""Generated answers pass the very validation citizens' answers go through, for every field type and rule."""

from __future__ import annotations

import random

import pytest

from engine.config import PROJECT_ROOT
from engine.forms import Field, FieldType, Form, LocalText, Option, clean_form_data
from engine.services.authoring.autodata import (
    FILE_PLACEHOLDER,
    UnsatisfiableFieldError,
    generate_form_data,
    generate_value,
)
from engine.services.authoring.checking import FormFiles, check_file

LABEL = LocalText({"uk": "Поле", "en": "Field"})
OPTIONS = (Option("a", LABEL), Option("b", LABEL), Option("c", LABEL), Option("d", LABEL))


def field(name: str, kind: FieldType, **rules: object) -> Field:
    return Field(name=name, type=kind, label=LABEL, **rules)  # type: ignore[arg-type]


EVERY_KIND = Form.single_page(
    "every_kind",
    None,
    (
        field("text_plain", FieldType.TEXT, required=True),
        field("text_short", FieldType.TEXT, required=True, min_length=3, max_length=5),
        field("text_long", FieldType.TEXTAREA, min_length=200, max_length=210),
        field("text_pattern", FieldType.TEXT, required=True, pattern=r"^\d{10}:\d{2}:\d{3}:\d{4}$"),
        field("cyrillic", FieldType.TEXT, pattern=r"^[А-ЯІЇЄҐ]{2}$", min_length=2, max_length=2),
        field("iban", FieldType.TEXT, pattern=r"^UA\d{27}$"),
        field("either", FieldType.TEXT, pattern=r"^(\d{6}|\d{9})$"),
        field("email", FieldType.EMAIL, required=True),
        field("email_short", FieldType.EMAIL, max_length=20),
        field("email_pattern", FieldType.EMAIL, pattern=r"[a-z]{3}@gov\.ua"),
        field("phone", FieldType.PHONE, required=True),
        field("phone_pattern", FieldType.PHONE, pattern=r"^\+380\d{9}$"),
        field("integer", FieldType.INTEGER, required=True),
        field("integer_range", FieldType.INTEGER, minimum=1, maximum=4),
        field("integer_negative", FieldType.INTEGER, maximum=-1000),
        field("decimal", FieldType.DECIMAL, required=True, minimum=0.5, maximum=0.75),
        field("decimal_open", FieldType.DECIMAL, minimum=1000000),
        field("date", FieldType.DATE, required=True),
        field("choice_radio", FieldType.CHOICE, required=True, options=OPTIONS, widget="radio"),
        field("choice_select", FieldType.CHOICE, options=OPTIONS[:1], widget="select"),
        field("many", FieldType.MULTICHOICE, required=True, options=OPTIONS, widget="checkboxes"),
        field("many_bounded", FieldType.MULTICHOICE, options=OPTIONS, widget="checkboxes", min_length=2, max_length=3),
        field("yes_no", FieldType.BOOLEAN, required=True),
        field("upload", FieldType.FILE, required=True),
        field("shown", FieldType.DISPLAY, source="earlier"),
        field("fixed", FieldType.TEXT, readonly=True, default="x"),
    ),
)


@pytest.mark.parametrize("seed", range(150))
def test_every_field_type_and_rule_gets_valid_data(seed: int) -> None:
    data = generate_form_data(EVERY_KIND, rng=random.Random(seed))
    cleaned, errors = clean_form_data(EVERY_KIND, data, attachment_exists=lambda _id: True)
    assert errors == {}
    assert set(cleaned) == {f.name for f in EVERY_KIND.input_fields}
    assert "shown" not in data and "fixed" not in data
    assert data["upload"] == FILE_PLACEHOLDER
    assert 3 <= len(cleaned["text_short"]) <= 5
    assert 1 <= cleaned["integer_range"] <= 4
    assert 2 <= len(cleaned["many_bounded"]) <= 3


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    first = generate_form_data(EVERY_KIND, rng=random.Random(7))
    assert generate_form_data(EVERY_KIND, rng=random.Random(7)) == first
    assert generate_form_data(EVERY_KIND, rng=random.Random(8)) != first


def test_preferred_values_are_used_only_when_valid() -> None:
    form = Form.single_page(None, None, (field("choice", FieldType.CHOICE, options=OPTIONS, widget="radio"),))
    assert generate_form_data(form, rng=random.Random(1), prefer={"choice": "c"}) == {"choice": "c"}
    assert generate_form_data(form, rng=random.Random(1), prefer={"choice": "zzz"})["choice"] in "abcd"


def test_a_field_no_value_can_satisfy_is_reported_by_name() -> None:
    impossible = field("code", FieldType.TEXT, pattern=r"\d{2}", min_length=5)
    with pytest.raises(UnsatisfiableFieldError, match="'code'"):
        generate_value(impossible, rng=random.Random(0))


def _demo_forms() -> list[tuple[str, Form]]:
    forms = FormFiles(PROJECT_ROOT / "forms")
    found: list[tuple[str, Form]] = []
    for path in sorted((PROJECT_ROOT / "processes").rglob("*.bpmn")):
        manifest = check_file(path, forms).manifest
        assert manifest is not None, path
        found += [(f"{path.stem}/{s.element_id}", s.form) for s in manifest.steps.values() if s.form is not None]
    return found


@pytest.mark.parametrize(("step", "form"), _demo_forms(), ids=lambda value: value if isinstance(value, str) else "")
def test_every_demo_form_accepts_generated_data(step: str, form: Form) -> None:
    for seed in range(25):
        data = generate_form_data(form, rng=random.Random(seed))
        _cleaned, errors = clean_form_data(form, data, attachment_exists=lambda _id: True)
        assert errors == {}, (step, seed, data)
