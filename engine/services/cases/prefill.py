"""Values a form starts with, and the values it writes that nobody types (iGov's conventions, any service).

* A ``default`` holding JUEL (``${bankIdlastName} ${bankIdfirstName}``) is computed from the case's data when the
  form is shown (and when it is submitted), with the same translation as gateway conditions
  (:func:`engine.bpmn.igov.juel.translate_value`) in the script sandbox; a default that fails to compute is left out.
* Hidden fields (iGov ``invisible`` / ``bVisible=false``) are never shown; on submit their default is written into
  the data (:func:`written_on_submit`), so a gateway testing ``sID_Payment != ' '`` sees iGov's value. Read-only
  fields whose variable is not set yet write their computed default too (``clFio`` = the applicant's full name).
* The applicant's own particulars are filled from the signed-in account (:data:`ACCOUNT_FIELDS`): iGov's reserved
  ids (``bankIdlastName``, ``bankIdfirstName``, ``bankIdmiddleName``, ``bankIdinn``, ``bankIdPhone``) and ours
  (``last_name``, ``first_name``, ``middle_name``, ``rnokpp``, ``phone``, ``email``). What an identity provider
  vouched for (``Actor.verified``) is *verified*: shown read-only, written by the server, and a different value
  sent for it is refused (:func:`with_verified_answers`). Otherwise names are split from the account's full name
  and the e-mail is the account's, both editable; passport and the like stay for the applicant to type.
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
from engine.forms import Field, FieldError, FieldType, Form, LocalText, Option
from engine.runtime.sandbox import RestrictedEnvironment
from engine.services.cache import caches_of
from engine.services.context import Actor

#: Form fields an applicant's account answers → the account's value (our names, as in `Actor.verified`).
ACCOUNT_FIELDS: Final = {
    "bankIdlastName": "family_name",
    "last_name": "family_name",
    "bankIdfirstName": "given_name",
    "first_name": "given_name",
    "bankIdmiddleName": "middle_name",
    "middle_name": "middle_name",
    "bankIdinn": "tax_number",
    "rnokpp": "tax_number",
    "bankIdPhone": "phone",
    "phone": "phone",
    "email": "email",
}
_NAME_PARTS: Final = {
    "bankIdlastName": "family_name",
    "bankIdfirstName": "given_name",
    "bankIdmiddleName": "middle_name",
}
VERIFIED: Final = "verified"
"""The error code of an answer that differs from what the identity provider vouched for."""
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


def verified_facts(actor: Actor) -> dict[str, str]:
    """What an identity provider vouched for about the actor, by our names (an e-mail only while it is the
    account's e-mail)."""
    facts = {k: v for k, v in actor.verified if k in _OUR_NAMES}
    if "email" in facts and facts["email"].casefold() != actor.email.casefold():
        del facts["email"]
    return facts


_OUR_NAMES: Final = frozenset(ACCOUNT_FIELDS.values())


def account_facts(actor: Actor) -> dict[str, str]:
    """Everything the account knows about the actor, by our names: the verified facts, else the name split from
    the full name (only when no provider vouched for a name: a verified name may have no patronymic) and e-mail."""
    if actor.user_id is None:
        return {}
    verified = verified_facts(actor)
    known: dict[str, str] = {}
    if not any(k in verified for k in _NAME_PARTS.values()):
        known = {_NAME_PARTS[k]: v for k, v in split_full_name(actor.full_name or "").items()}
    if actor.email:
        known["email"] = actor.email
    return {**known, **verified}


def account_values(db: Session, actor: Actor, form: Form) -> dict[str, Any]:
    """The applicant's particulars in ``form``'s input fields (:data:`ACCOUNT_FIELDS`), as the actor carries them."""
    known = account_facts(actor)
    return {
        f.name: known[ACCOUNT_FIELDS[f.name]]
        for f in form.fields
        if f.is_input and f.name in ACCOUNT_FIELDS and ACCOUNT_FIELDS[f.name] in known
    }


def verified_values(actor: Actor, form: Form, *, page: int | None = None) -> dict[str, str]:
    """The input fields of ``form`` (or of one page) whose answer an identity provider vouched for."""
    facts = verified_facts(actor)
    if not facts:
        return {}
    fields = form.fields if page is None else form.fields_on_page(page)
    return {
        f.name: facts[ACCOUNT_FIELDS[f.name]]
        for f in fields
        if f.is_input and f.name in ACCOUNT_FIELDS and ACCOUNT_FIELDS[f.name] in facts
    }


def with_verified_answers(
    actor: Actor, form: Form, raw: Mapping[str, Any], *, page: int | None = None
) -> tuple[dict[str, Any], dict[str, FieldError]]:
    """The answers with every verified field set to the verified value (the pages show it read-only and send
    nothing for it); a different value sent for one (an edited request, an API client) is an error."""
    answers, errors = dict(raw), {}
    for name, value in verified_values(actor, form, page=page).items():
        sent = raw.get(name)
        if sent is None or (isinstance(sent, str) and _same(sent, "")) or _same(str(sent), value):
            answers[name] = value
        else:
            errors[name] = FieldError(VERIFIED)
    return answers, errors


def _same(sent: str, verified: str) -> bool:
    return " ".join(sent.split()).casefold() == " ".join(verified.split()).casefold()


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
    "ACCOUNT_FIELDS",
    "OFFICE_FIELD",
    "VERIFIED",
    "account_facts",
    "account_values",
    "computed_defaults",
    "evaluate_default",
    "initial_values",
    "presented_form",
    "split_full_name",
    "verified_facts",
    "verified_values",
    "with_verified_answers",
    "written_on_submit",
]
