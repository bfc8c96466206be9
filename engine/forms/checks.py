"""Consistency checks shared by both form loaders, so both formats accept exactly the same models."""

from __future__ import annotations

import re
from typing import Final

from engine.forms.errors import FormDefinitionError
from engine.forms.model import CHOICE_TYPES, DISPLAY_STYLES, NUMBER_TYPES, STRING_TYPES, WIDGETS, Field, FieldType

#: Field names become process data variables, which scripts and gateway conditions use as Python names.
NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_name(name: str, *, what: str = "field name") -> None:
    if not NAME_RE.fullmatch(name):
        raise FormDefinitionError(
            f"{what} '{name}' must be a Python-style identifier (letters, digits, '_')", field=name
        )


def check_pattern(pattern: str, *, field: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise FormDefinitionError(f"invalid regular expression {pattern!r}: {exc}", field=field) from None


def check_field(field: Field) -> None:
    """Reject constraints that do not apply to the field's type, so no analyst's rule is silently ignored."""
    check_name(field.name)
    try:
        _check_options(field)
        _check_display(field)
        _check_string_rules(field)
        _check_numbers(field)
    except FormDefinitionError as exc:
        exc.field = field.name
        raise


def _check_options(field: Field) -> None:
    if field.type in CHOICE_TYPES:
        if not field.options:
            raise FormDefinitionError(f"{field.type.value} field has no options")
        values = field.option_values
        duplicates = sorted({value for value in values if values.count(value) > 1})
        if duplicates:
            raise FormDefinitionError(f"duplicate option(s) {', '.join(duplicates)}")
        if field.widget not in WIDGETS[field.type]:
            raise FormDefinitionError(f"widget '{field.widget}' does not apply to {field.type.value} fields")
    else:
        if field.options:
            raise FormDefinitionError(f"options only apply to choice fields, not {field.type.value}")
        if field.widget is not None and not (field.type is FieldType.DISPLAY and field.widget in DISPLAY_STYLES):
            raise FormDefinitionError(f"widget '{field.widget}' only applies to choice fields, not {field.type.value}")


def _check_display(field: Field) -> None:
    if field.type is FieldType.DISPLAY:
        if not field.source:
            if not isinstance(field.default, str) or not field.default.strip():
                raise FormDefinitionError("display field needs a source (the data variable to show) or a static text")
        else:
            check_name(field.source, what="source")
        if field.required:
            raise FormDefinitionError("display field cannot be required")
    elif field.source is not None:
        raise FormDefinitionError("source only applies to display fields")


def _check_string_rules(field: Field) -> None:
    if field.pattern is not None:
        if field.type not in STRING_TYPES:
            raise FormDefinitionError(f"pattern does not apply to {field.type.value} fields")
        check_pattern(field.pattern, field=field.name)
    if field.min_length is None and field.max_length is None:
        return
    if field.type not in STRING_TYPES | {FieldType.MULTICHOICE}:
        raise FormDefinitionError(f"min/max length do not apply to {field.type.value} fields")
    for limit in (field.min_length, field.max_length):
        if limit is not None and limit < 0:
            raise FormDefinitionError(f"length limit {limit} is negative")
    if field.min_length is not None and field.max_length is not None and field.min_length > field.max_length:
        raise FormDefinitionError(f"min length {field.min_length} is greater than max length {field.max_length}")


def _check_numbers(field: Field) -> None:
    if field.minimum is None and field.maximum is None:
        return
    if field.type not in NUMBER_TYPES:
        raise FormDefinitionError(f"minimum/maximum do not apply to {field.type.value} fields")
    if field.minimum is not None and field.maximum is not None and field.minimum > field.maximum:
        raise FormDefinitionError(f"minimum {field.minimum:g} is greater than maximum {field.maximum:g}")
