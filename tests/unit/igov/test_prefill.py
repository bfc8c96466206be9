"""What iGov forms start with and write without anyone typing: computed defaults, hidden and read-only values,
the applicant's name from the account."""

from __future__ import annotations

import pytest

from engine.forms import Field, FieldType, Form, LocalText
from engine.services.cases.prefill import computed_defaults, evaluate_default, split_full_name, written_on_submit


def _form(*fields: Field) -> Form:
    return Form.single_page(None, None, fields)


def _field(name: str, default: object = None, **options: object) -> Field:
    return Field(name=name, type=FieldType.TEXT, label=LocalText(name), default=default, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "data", "expected"),
    [
        (
            "${bankIdlastName} ${bankIdfirstName}",
            {"bankIdlastName": "Петренко", "bankIdfirstName": "Оксана"},
            "Петренко Оксана",
        ),
        ("${bankIdPassport}", {}, None),  # one expression keeps the value's own type: a missing variable is null
        ("${digit2 + digit1}", {"digit1": 2, "digit2": "3"}, 5),
        ("м.Херсон, вул.Ушакова 37", {}, "м.Херсон, вул.Ушакова 37"),
        ("${broken", {}, None),
        ("${a.b.c()}", {}, None),  # a method on null fails at run time: no default rather than an error page
    ],
)
def test_a_default_is_computed_from_the_case_data(raw: str, data: dict[str, object], expected: object) -> None:
    assert evaluate_default(raw, data) == expected


def test_hidden_fields_write_their_default_and_read_only_ones_only_when_unset() -> None:
    form = _form(
        _field("sBody_1", " ", hidden=True),
        _field("sID_Payment", "${sID_Payment}", hidden=True),
        _field("nothing", None, hidden=True),
        _field("clFio", "${bankIdlastName} ${bankIdfirstName}", readonly=True),
        _field("tel", "38", readonly=True),
        _field("decide", "accept"),
    )
    data = {"bankIdlastName": "Петренко", "bankIdfirstName": "Оксана", "tel": "380501234567"}
    assert written_on_submit(form, data) == {"sBody_1": " ", "clFio": "Петренко Оксана"}
    assert computed_defaults(form, data)["decide"] == "accept"


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Оксана Петренко", {"bankIdlastName": "Петренко", "bankIdfirstName": "Оксана"}),
        (
            "Петренко Оксана Іванівна",
            {"bankIdlastName": "Петренко", "bankIdfirstName": "Оксана", "bankIdmiddleName": "Іванівна"},
        ),
        (
            "Андрій Олегович Коваленко",
            {"bankIdlastName": "Коваленко", "bankIdfirstName": "Андрій", "bankIdmiddleName": "Олегович"},
        ),
        ("  ", {}),
    ],
)
def test_the_account_name_is_split_into_igov_name_fields(full_name: str, expected: dict[str, str]) -> None:
    assert split_full_name(full_name) == expected
