"""The organisation form (Flask-WTF: CSRF checked, what was typed kept on every refusal)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from engine.services.admin.groups import SLUG_RE
from engine.services.admin.organisations import LIMITS, OrganisationInput
from webapp.admin.people_forms import EMAIL_RE, PHONE_RE, choices


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text(label: Any, name: str, *validators: Any) -> StringField:
    return StringField(label, validators=[*validators, Length(max=LIMITS[name])], filters=[_strip])


KIND_LABELS: dict[str, Any] = {
    "oblast": lazy_gettext("Oblast administration"),
    "district": lazy_gettext("District administration"),
    "hromada": lazy_gettext("City or village council (hromada)"),
    "cnap": lazy_gettext("ЦНАП office (administrative services centre)"),
    "other": lazy_gettext("Other organisation"),
}


class OrganisationForm(FlaskForm):  # type: ignore[misc]
    name = _text(lazy_gettext("Name in Ukrainian"), "name", InputRequired(lazy_gettext("Enter the name in Ukrainian")))
    name_en = _text(lazy_gettext("Name in English"), "name_en", Optional())
    slug = StringField(
        lazy_gettext("Short name (slug)"),
        validators=[
            InputRequired(lazy_gettext("Enter the organisation's short name")),
            Regexp(
                SLUG_RE.pattern,
                message=lazy_gettext("Use up to 64 small Latin letters, digits and hyphens, like lubny-council"),
            ),
        ],
        filters=[_strip],
    )
    kind = SelectField(lazy_gettext("Kind"), choices=choices(KIND_LABELS.items()), validate_choice=True)
    parent_id = SelectField(lazy_gettext("Above it in the tree"), choices=[], validate_choice=True)
    region = _text(lazy_gettext("Region"), "region", Optional())
    edrpou = StringField(
        lazy_gettext("ЄДРПОУ code"),
        validators=[Optional(), Regexp(r"^[0-9]{8}$", message=lazy_gettext("Enter the ЄДРПОУ code as 8 digits"))],
        filters=[_strip],
    )
    address = _text(lazy_gettext("Address in Ukrainian"), "address", Optional())
    address_en = _text(lazy_gettext("Address in English"), "address_en", Optional())
    phone = _text(
        lazy_gettext("Phone"),
        "phone",
        Optional(),
        Regexp(PHONE_RE, message=lazy_gettext("Enter a phone number, like +380 532 56 02 75")),
    )
    email = _text(
        lazy_gettext("E-mail address"),
        "email",
        Optional(),
        Regexp(EMAIL_RE, message=lazy_gettext("Enter an e-mail address in the right format, like name@example.org")),
    )
    working_hours = _text(lazy_gettext("Working hours in Ukrainian"), "working_hours", Optional())
    working_hours_en = _text(lazy_gettext("Working hours in English"), "working_hours_en", Optional())
    active = BooleanField(lazy_gettext("Active (offered in the catalog filter)"), default=True)
    version = HiddenField()

    def to_input(self) -> OrganisationInput:
        return OrganisationInput(
            slug=self.slug.data,
            name=self.name.data,
            kind=self.kind.data,
            parent_id=int(self.parent_id.data) if self.parent_id.data else None,
            name_en=self.name_en.data or "",
            region=self.region.data or "",
            edrpou=self.edrpou.data or "",
            address=self.address.data or "",
            address_en=self.address_en.data or "",
            phone=self.phone.data or "",
            email=self.email.data or "",
            working_hours=self.working_hours.data or "",
            working_hours_en=self.working_hours_en.data or "",
            active=bool(self.active.data),
        )
