"""The account pages' forms (Flask-WTF) and the wording of password refusals.

Passwords are never put back into a re-shown form; everything else is kept as typed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from engine.services.admin.passwords import MAX_LENGTH, MIN_LENGTH, PasswordProblem
from engine.services.admin.registration import clean_email

PASSWORD_MESSAGES = {
    PasswordProblem.EMPTY: lazy_gettext("Enter a password"),
    PasswordProblem.TOO_SHORT: lazy_gettext("Your password must be at least %(num)d characters", num=MIN_LENGTH),
    PasswordProblem.TOO_LONG: lazy_gettext("Your password must be %(num)d characters or fewer", num=MAX_LENGTH),
    PasswordProblem.SAME_AS_USERNAME: lazy_gettext("Your password must not be your name, username or email address"),
    PasswordProblem.CONTAINS_PERSONAL: lazy_gettext(
        "Your password must not be your name or email address with a few characters added"
    ),
    PasswordProblem.TOO_COMMON: lazy_gettext(
        "This password is too common or too easy to guess. Try three or four unrelated words together"
    ),
}
PASSWORD_HINT = lazy_gettext(
    "At least %(num)d characters. Three or four unrelated words together make a strong password that is easy to "
    "remember.",
    num=MIN_LENGTH,
)


def password_message(problem: str) -> str:
    return str(PASSWORD_MESSAGES.get(PasswordProblem(problem), PASSWORD_MESSAGES[PasswordProblem.TOO_COMMON]))


def _email_address(_form: FlaskForm, field: Field) -> None:
    if field.data and clean_email(field.data) is None:
        raise ValidationError(str(lazy_gettext("Enter an email address in the correct format, like name@example.com")))


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            lazy_gettext("New password"),
            validators=[DataRequired(message=lazy_gettext("Enter a password"))],
        ),
        PasswordField(
            lazy_gettext("Confirm the password"),
            validators=[
                DataRequired(message=lazy_gettext("Enter the password again")),
                EqualTo("password", message=lazy_gettext("The passwords do not match: type the same one twice")),
            ],
        ),
    )


class RegisterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # CSRFProtect checks every POST already; the page carries its token

    full_name = StringField(
        lazy_gettext("Full name"),
        validators=[
            DataRequired(message=lazy_gettext("Enter your full name")),
            Length(max=300, message=lazy_gettext("Your name must be 300 characters or fewer")),
        ],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )
    email = StringField(
        lazy_gettext("Email address"),
        validators=[DataRequired(message=lazy_gettext("Enter your email address")), _email_address],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    password, confirm = _new_password_fields()


class EmailForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False

    email = StringField(
        lazy_gettext("Email address"),
        validators=[DataRequired(message=lazy_gettext("Enter your email address")), _email_address],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


class ResetRequestForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False

    login = StringField(
        lazy_gettext("Email address or username"),
        validators=[
            DataRequired(message=lazy_gettext("Enter your email address or username")),
            Length(max=300, message=lazy_gettext("That is too long for an email address or username")),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


class NewPasswordForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False

    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False

    current = PasswordField(lazy_gettext("Current password"))
    password, confirm = _new_password_fields()


def first_errors(form: FlaskForm) -> dict[str, str]:
    """The first error of each field, in the form's order: {field id: message}, for the summary and the fields."""
    return {field.id: str(field.errors[0]) for field in form if field.errors}
