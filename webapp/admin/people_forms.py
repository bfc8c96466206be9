"""The people and groups forms (Flask-WTF: CSRF checked, what was typed kept on every refusal)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from engine.services.admin.groups import SLUG_RE
from engine.services.admin.people import LOCALES, ROLES

USERNAME_RE = r"^[a-z0-9][a-z0-9._-]{1,149}$"
PHONE_RE = r"^\+?[0-9 ()-]{5,40}$"
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """WTForms' option objects from (value, label) pairs."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


def role_label(role: str) -> str:
    labels = {
        "citizen": lazy_gettext("Citizen"),
        "official": lazy_gettext("Official"),
        "analyst": lazy_gettext("Analyst"),
        "admin": lazy_gettext("Administrator"),
    }
    return str(labels.get(role, role))


def locale_label(locale: str) -> str:
    return {"uk": "Українська", "en": "English"}.get(locale, locale)


class _Particulars(FlaskForm):  # type: ignore[misc]
    full_name = StringField(
        lazy_gettext("Full name"),
        validators=[InputRequired(lazy_gettext("Enter the person's full name")), Length(max=300)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    email = StringField(
        lazy_gettext("E-mail address"),
        validators=[
            Optional(),
            Regexp(
                EMAIL_RE, message=lazy_gettext("Enter an e-mail address in the correct format, like name@example.com")
            ),
            Length(max=300),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    phone = StringField(
        lazy_gettext("Phone number"),
        validators=[
            Optional(),
            Regexp(PHONE_RE, message=lazy_gettext("Enter a phone number, like +380 50 123 45 67")),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    role = SelectField(
        lazy_gettext("Role"),
        choices=choices((r, r) for r in ROLES),
        validators=[InputRequired(lazy_gettext("Choose a role"))],
        validate_choice=True,
    )
    locale = SelectField(
        lazy_gettext("Language of e-mails and pages"),
        choices=choices((loc, loc) for loc in LOCALES),
        default="uk",
    )
    groups = SelectMultipleField(lazy_gettext("Groups"), coerce=int, validate_choice=True)

    def set_group_choices(self, grouped: list[tuple[str, list[tuple[int, str]]]]) -> None:
        self.groups.choices = choices((gid, name) for _org, items in grouped for gid, name in items)
        self.role.choices = choices((r, role_label(r)) for r in ROLES)
        self.locale.choices = choices((loc, locale_label(loc)) for loc in LOCALES)

    def group_ids(self) -> tuple[int, ...]:
        return tuple(int(v) for v in (self.groups.data or []))


class NewPersonForm(_Particulars):
    username = StringField(
        lazy_gettext("Username"),
        validators=[
            InputRequired(lazy_gettext("Enter a username")),
            Regexp(
                USERNAME_RE,
                message=lazy_gettext(
                    "A username has 2 to 150 small Latin letters, digits, dots, hyphens or underscores, "
                    "and starts with a letter or digit"
                ),
            ),
        ],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
    )
    send_invitation = BooleanField(lazy_gettext("E-mail the invitation to choose a password now"), default=True)

    def validate(self, extra_validators: Any = None) -> bool:
        ok: bool = super().validate(extra_validators)
        if self.send_invitation.data and not self.email.data and not self.email.errors:
            self.email.errors = [*self.email.errors, lazy_gettext("Enter the e-mail address to send the invitation to")]
            ok = False
        return ok


class EditPersonForm(_Particulars):
    version = HiddenField()


class ReasonForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(
        lazy_gettext("Reason"),
        validators=[InputRequired(lazy_gettext("Enter the reason")), Length(max=500)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


class EmptyForm(FlaskForm):  # type: ignore[misc]
    """A button: only the CSRF token."""


class GroupForm(FlaskForm):  # type: ignore[misc]
    slug = StringField(
        lazy_gettext("Short name (slug)"),
        validators=[
            InputRequired(lazy_gettext("Enter the group's short name")),
            Regexp(
                SLUG_RE.pattern,
                message=lazy_gettext("Use up to 64 small Latin letters, digits and hyphens, like lubny-cnap"),
            ),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    name = StringField(
        lazy_gettext("Name"),
        validators=[InputRequired(lazy_gettext("Enter the group's name")), Length(max=300)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    organisation_id = SelectField(
        lazy_gettext("Organisation"),
        coerce=int,
        validators=[InputRequired(lazy_gettext("Choose the organisation"))],
        validate_choice=True,
    )
    is_supervisor = BooleanField(lazy_gettext("Supervisors of the organisation (they hear of escalations)"))
    sees_child_organisations = BooleanField(lazy_gettext("Members also see the cases of child organisations"))
    version = HiddenField()


class MembersForm(FlaskForm):  # type: ignore[misc]
    add = StringField(
        lazy_gettext("Add people by username"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[Length(max=2000)],
    )
    remove = SelectMultipleField(lazy_gettext("Remove"), coerce=int, validate_choice=True)
    version = HiddenField()

    def usernames(self) -> list[str]:
        text = str(self.add.data or "")
        return [name for name in text.replace(",", " ").split() if name]
