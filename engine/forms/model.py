"""The internal form model shared by both form loaders, the validator and the web layer.

Every class is immutable and round-trips exactly through plain JSON types with ``to_dict()`` / ``from_dict()``,
because the form of each task is stored in the database as JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from engine.forms.errors import FormDefinitionError

DEFAULT_LOCALE: Final = "uk"


class LocalText:
    """Text in several locales; a plain ``str`` means Ukrainian."""

    __slots__ = ("_items",)
    _items: tuple[tuple[str, str], ...]

    def __init__(self, value: str | Mapping[str, str] | LocalText) -> None:
        if isinstance(value, LocalText):
            items = value._items
        elif isinstance(value, str):
            items = ((DEFAULT_LOCALE, value),)
        elif isinstance(value, Mapping):
            for locale, text in value.items():
                if not isinstance(locale, str) or not locale or not isinstance(text, str):
                    raise TypeError(f"localized text must map locale codes to strings, got {value!r}")
            items = tuple(sorted(value.items()))
        else:
            raise TypeError(f"localized text must be a string or a mapping, got {type(value).__name__}")
        object.__setattr__(self, "_items", items)

    def __setattr__(self, name: str, value: object) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def get(self, locale: str) -> str:
        """The text in ``locale``, else Ukrainian, else any locale, else ''."""
        values = dict(self._items)
        if locale in values:
            return values[locale]
        if DEFAULT_LOCALE in values:
            return values[DEFAULT_LOCALE]
        return self._items[0][1] if self._items else ""

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(locale for locale, _ in self._items)

    def to_dict(self) -> str | dict[str, str]:
        """A bare string when only Ukrainian is present, else a locale → text dict."""
        if len(self._items) == 1 and self._items[0][0] == DEFAULT_LOCALE:
            return self._items[0][1]
        return dict(self._items)

    @classmethod
    def from_dict(cls, value: str | Mapping[str, str]) -> LocalText:
        return cls(value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LocalText):
            return NotImplemented
        return self._items == other._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"LocalText({dict(self._items)!r})"

    def __str__(self) -> str:
        return self.get(DEFAULT_LOCALE)


def _text_or_none(value: str | Mapping[str, str] | None) -> LocalText | None:
    return None if value is None else LocalText(value)


def _dict_or_none(value: LocalText | None) -> str | dict[str, str] | None:
    return None if value is None else value.to_dict()


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    EMAIL = "email"
    PHONE = "phone"
    CHOICE = "choice"
    MULTICHOICE = "multichoice"
    BOOLEAN = "boolean"
    FILE = "file"
    DISPLAY = "display"


#: Field types whose value is a string that pattern / length constraints apply to.
STRING_TYPES: Final = frozenset({FieldType.TEXT, FieldType.TEXTAREA, FieldType.EMAIL, FieldType.PHONE})
NUMBER_TYPES: Final = frozenset({FieldType.INTEGER, FieldType.DECIMAL})
CHOICE_TYPES: Final = frozenset({FieldType.CHOICE, FieldType.MULTICHOICE})
#: Allowed widgets per type; the first is the default.
WIDGETS: Final[Mapping[FieldType, tuple[str, ...]]] = {
    FieldType.CHOICE: ("radio", "select"),
    FieldType.MULTICHOICE: ("checkboxes",),
}
#: Styles of a display field that shows static text (iGov ``labelType``); its widget is one of these or None.
DISPLAY_STYLES: Final = ("info", "success", "warning", "danger")


@dataclass(frozen=True)
class Option:
    value: str
    label: LocalText

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Option:
        return cls(value=data["value"], label=LocalText(data["label"]))


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    label: LocalText
    hint: LocalText | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    widget: str | None = None  # 'radio' | 'select' for choice, 'checkboxes' for multichoice, else None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    page: int = 0  # 0-based
    source: str | None = None  # display fields: the data variable whose earlier value is shown read-only
    default: Any = dataclasses.field(default=None, hash=False)  # plain JSON value
    readonly: bool = False
    hidden: bool = False  # never shown; the value is the default (iGov 'invisible' / bVisible=false fields)

    @property
    def is_input(self) -> bool:
        """Whether the value is taken from the user (display, read-only and hidden fields never are)."""
        return self.type is not FieldType.DISPLAY and not self.readonly and not self.hidden

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type.value,
            "label": self.label.to_dict(),
            "hint": _dict_or_none(self.hint),
            "required": self.required,
            "options": [option.to_dict() for option in self.options],
            "widget": self.widget,
            "pattern": self.pattern,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "min_length": self.min_length,
            "max_length": self.max_length,
            "page": self.page,
            "source": self.source,
            "default": self.default,
            "readonly": self.readonly,
            "hidden": self.hidden,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Field:
        return cls(
            name=data["name"],
            type=FieldType(data["type"]),
            label=LocalText(data["label"]),
            hint=_text_or_none(data.get("hint")),
            required=bool(data.get("required", False)),
            options=tuple(Option.from_dict(option) for option in data.get("options", ())),
            widget=data.get("widget"),
            pattern=data.get("pattern"),
            minimum=data.get("minimum"),
            maximum=data.get("maximum"),
            min_length=data.get("min_length"),
            max_length=data.get("max_length"),
            page=int(data.get("page", 0)),
            source=data.get("source"),
            default=data.get("default"),
            readonly=bool(data.get("readonly", False)),
            hidden=bool(data.get("hidden", False)),
        )


@dataclass(frozen=True)
class Page:
    title: LocalText | None
    fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"title": _dict_or_none(self.title), "fields": list(self.fields)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Page:
        return cls(title=_text_or_none(data.get("title")), fields=tuple(data["fields"]))


@dataclass(frozen=True)
class Form:
    """A form: its fields in display order and the pages they are split into (always at least one page)."""

    key: str | None
    title: LocalText | None
    fields: tuple[Field, ...]
    pages: tuple[Page, ...]

    def __post_init__(self) -> None:
        _check_form_invariants(self)

    def field(self, name: str) -> Field:
        """The field called ``name``; raises KeyError if there is none."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    def has_field(self, name: str) -> bool:
        return any(field.name == name for field in self.fields)

    def fields_on_page(self, index: int) -> tuple[Field, ...]:
        """The fields of page ``index`` (0-based) in the page's order; raises IndexError for a bad index."""
        if not 0 <= index < len(self.pages):
            raise IndexError(f"form has {len(self.pages)} page(s), no page {index}")
        by_name = {field.name: field for field in self.fields}
        return tuple(by_name[name] for name in self.pages[index].fields)

    @property
    def input_fields(self) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if field.is_input)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": _dict_or_none(self.title),
            "fields": [field.to_dict() for field in self.fields],
            "pages": [page.to_dict() for page in self.pages],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Form:
        return cls(
            key=data.get("key"),
            title=_text_or_none(data.get("title")),
            fields=tuple(Field.from_dict(field) for field in data["fields"]),
            pages=tuple(Page.from_dict(page) for page in data["pages"]),
        )

    @classmethod
    def single_page(cls, key: str | None, title: LocalText | None, fields: tuple[Field, ...]) -> Form:
        """A form with all fields on page 0 (what loaders build when the source defines no pages)."""
        fields = tuple(dataclasses.replace(field, page=0) if field.page else field for field in fields)
        return cls(key=key, title=title, fields=fields, pages=(Page(None, tuple(f.name for f in fields)),))


def _check_form_invariants(form: Form) -> None:
    if not form.pages:
        raise FormDefinitionError("a form needs at least one page")
    names = [field.name for field in form.fields]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FormDefinitionError("duplicate field", field=name)
        seen.add(name)
    placed: dict[str, int] = {}
    for index, page in enumerate(form.pages):
        for name in page.fields:
            if name not in seen:
                raise FormDefinitionError(f"page {index + 1} lists an unknown field", field=name)
            if name in placed:
                raise FormDefinitionError(f"field is on pages {placed[name] + 1} and {index + 1}", field=name)
            placed[name] = index
    for field in form.fields:
        if placed.get(field.name) != field.page:
            raise FormDefinitionError(
                f"field says it is on page {field.page + 1} but that page does not list it", field=field.name
            )
