"""Values a form starts with, and the values it writes that nobody types (iGov's conventions, any service).

* A ``default`` holding JUEL (``${bankIdlastName} ${bankIdfirstName}``) is computed from the case's data when the
  form is shown (and when it is submitted), with the same translation as gateway conditions
  (:func:`engine.bpmn.igov.juel.translate_value`) in the script sandbox; a default that fails to compute is left out.
* Hidden fields (iGov ``invisible`` / ``bVisible=false``) are never shown; on submit their default is written into
  the data (:func:`written_on_submit`), so a gateway testing ``sID_Payment != ' '`` sees iGov's value. Read-only
  fields whose variable is not set yet write their computed default too (``clFio`` = the applicant's full name).
* iGov's reserved ids are filled from the signed-in applicant's account: ``bankIdlastName`` / ``bankIdfirstName``
  / ``bankIdmiddleName`` from the full name, ``email``; the other ``bankId*`` fields (passport, tax number, ...)
  are not known to the platform and stay empty, as is ``phone`` (accounts hold no phone number).
* The office picker ``sID_Public_SubjectOrganJoin`` (an iGov ``select``, read as text) is offered as a list of
  the platform's organisations: the value is the organisation's slug (:func:`presented_form`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy.orm import Session

from engine.bpmn.igov.juel import JuelError, translate_value
from engine.bpmn.igov.juel_runtime import juel_globals
from engine.forms import Field, FieldType, Form, LocalText, Option
from engine.runtime.sandbox import RestrictedEnvironment
from engine.services.cache import caches_of
from engine.services.context import Actor

#: iGov's office picker: a ``select`` whose options were iGov's branch offices; here the platform's organisations.
OFFICE_FIELD: Final = "sID_Public_SubjectOrganJoin"
_PATRONYMIC_RE: Final = re.compile(r"(ович|евич|євич|йович|івна|ївна|овна|евна|ічна|инична)$", re.IGNORECASE)
_EVALUATION_TIME_LIMIT: Final = 0.5


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and ("${" in value or "#{" in value)


def evaluate_default(raw: Any, data: Mapping[str, Any]) -> Any:
    """The default as the form shows it: JUEL computed against ``data`` (None when it cannot be), else as it is."""
    if not _is_expression(raw):
        return raw
    try:
        code = translate_value(raw)
    except JuelError:
        return None
    environment = RestrictedEnvironment(juel_globals(data.get), time_limit=_EVALUATION_TIME_LIMIT)
    try:
        return environment.evaluate(code, {})
    except Exception:  # a default that fails to compute is simply not offered
        return None


def computed_defaults(form: Form, data: Mapping[str, Any]) -> dict[str, Any]:
    """Every field's default, computed; fields without one (or whose default computes to nothing) are left out."""
    values: dict[str, Any] = {}
    for field in form.fields:
        if field.default is None or field.type is FieldType.DISPLAY:
            continue
        value = evaluate_default(field.default, data)
        if value is not None:
            values[field.name] = value
    return values


def written_on_submit(form: Form, data: Mapping[str, Any]) -> dict[str, Any]:
    """What a submitted form writes besides the answers: hidden defaults, and read-only defaults not yet set."""
    defaults = computed_defaults(form, data)
    written: dict[str, Any] = {}
    for field in form.fields:
        if field.name not in defaults:
            continue
        if field.hidden or (field.readonly and data.get(field.name) is None):
            written[field.name] = defaults[field.name]
    return written


def split_full_name(full_name: str) -> dict[str, str]:
    """``bankIdlastName`` / ``bankIdfirstName`` / ``bankIdmiddleName`` from a full name.

    'Ім'я Прізвище' (two words, how accounts are usually written), 'Ім'я По-батькові Прізвище' (a patronymic,
    recognised by its ending, second) or else the official order 'Прізвище Ім'я По-батькові'.
    """
    words = full_name.split()
    if not words:
        return {}
    middle = ""
    if len(words) == 1:
        last, first = words[0], ""
    elif len(words) == 2:
        first, last = words
    elif _PATRONYMIC_RE.search(words[1]) and not _PATRONYMIC_RE.search(words[2]):
        first, middle, last = words[0], words[1], " ".join(words[2:])
    else:
        last, first, middle = words[0], words[1], " ".join(words[2:])
    parts = {"bankIdlastName": last, "bankIdfirstName": first, "bankIdmiddleName": middle}
    return {key: value for key, value in parts.items() if value}


def account_values(db: Session, actor: Actor, form: Form) -> dict[str, Any]:
    """Reserved fields of ``form`` that the signed-in person's account answers (as the actor carries it)."""
    if actor.user_id is None:
        return {}
    known: dict[str, Any] = split_full_name(actor.full_name or "")
    if actor.email:
        known["email"] = actor.email
    return {f.name: known[f.name] for f in form.fields if f.is_input and f.name in known}


def initial_values(db: Session, actor: Actor, form: Form, data: Mapping[str, Any]) -> dict[str, Any]:
    """What an applicant's form starts with before anything is saved: the account's answers, then defaults."""
    defaults = {k: v for k, v in computed_defaults(form, data).items() if form.field(k).is_input}
    return {**defaults, **account_values(db, actor, form)}


def office_options(db: Session) -> tuple[Option, ...]:
    organisations = sorted(caches_of(db).directory(db).organisations.values(), key=lambda o: o.name)
    return tuple(Option(value=o.slug, label=LocalText(o.name)) for o in organisations)


def presented_form(db: Session, form: Form | None) -> Form | None:
    """The form as pages show it: the office picker as a list of the platform's organisations."""
    if form is None or not form.has_field(OFFICE_FIELD):
        return form
    field = form.field(OFFICE_FIELD)
    if field.type is not FieldType.TEXT or not field.is_input:
        return form
    options = office_options(db)
    if not options:
        return form
    picker: Field = dataclasses.replace(field, type=FieldType.CHOICE, options=options, widget="select", default=None)
    fields = tuple(picker if f.name == OFFICE_FIELD else f for f in form.fields)
    return dataclasses.replace(form, fields=fields)


__all__ = [
    "OFFICE_FIELD",
    "account_values",
    "computed_defaults",
    "evaluate_default",
    "initial_values",
    "presented_form",
    "split_full_name",
    "written_on_submit",
]
