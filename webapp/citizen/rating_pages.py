"""Rating a completed case: from the decision mail's link (no sign-in) or from the case page.

Opening a page never rates (mail scanners follow links); only the form's POST, with its CSRF token, saves.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length

from engine.services import ratings
from engine.services.errors import NotFoundError
from webapp.account.forms import first_errors
from webapp.citizen import citizen
from webapp.citizen.common import notice, signed_in
from webapp.requests import actor, db, platform

SCORE_LABELS = {
    1: lazy_gettext("1 — Very poor"),
    2: lazy_gettext("2 — Poor"),
    3: lazy_gettext("3 — Neither good nor poor"),
    4: lazy_gettext("4 — Good"),
    5: lazy_gettext("5 — Very good"),
}


class RatingForm(FlaskForm):  # type: ignore[misc]
    score = RadioField(
        lazy_gettext("How well were you served?"),
        choices=[],
        coerce=int,
        validators=[InputRequired(message=lazy_gettext("Choose a rating from 1 to 5"))],
    )
    comment = TextAreaField(
        lazy_gettext("Anything you want to tell us"),
        validators=[
            Length(
                max=ratings.MAX_COMMENT,
                message=lazy_gettext("Write %(num)d characters or fewer", num=ratings.MAX_COMMENT),
            )
        ],
    )


def _form(view: ratings.RatingView) -> RatingForm:
    form = RatingForm()
    form.score.choices = [SelectChoice(score, str(label)) for score, label in SCORE_LABELS.items()]
    if request.method == "GET":
        preselected = request.args.get("score", "")
        form.score.data = int(preselected) if preselected in {"1", "2", "3", "4", "5"} else view.score
        form.comment.data = view.comment
    return form


def _page(view: ratings.RatingView, form: RatingForm, action: str, back: str | None) -> tuple[str, int]:
    errors = first_errors(form)
    html = render_template("pages/citizen/rating.html", rating=view, form=form, errors=errors, action=action, back=back)
    return html, 400 if errors else 200


def _closed(view: ratings.RatingView) -> tuple[str, int]:
    return render_template("pages/citizen/rating_problem.html", problem="closed", rating=view), 410


def _invalid() -> tuple[str, int]:
    return render_template("pages/citizen/rating_problem.html", problem="invalid", rating=None), 400


def _thanks(view: ratings.RatingView) -> None:
    notice(_("Thank you: your rating of %(score)d out of 5 is saved.", score=view.score or 0), "success")


@citizen.route("/rate/<token>", methods=["GET", "POST"])
def rate_by_link(token: str) -> Response | tuple[str, int]:
    try:
        view = ratings.read_rating_link(db(), platform(), token)
    except ratings.RatingLinkInvalidError:
        return _invalid()
    if not view.open:
        return _closed(view)
    form = _form(view)
    action = url_for("citizen.rate_by_link", token=token)
    if form.validate_on_submit():
        try:
            saved = ratings.rate_by_link(db(), platform(), token, score=form.score.data, comment=form.comment.data)
        except ratings.RatingClosedError as closed:
            return _closed(closed.view)
        _thanks(saved)
        return redirect(action)
    return _page(view, form, action, None)


@citizen.route("/my/applications/<reference>/rating", methods=["GET", "POST"])
@signed_in
def rate_case(reference: str) -> Response | tuple[str, int]:
    view = ratings.rating_of_case(db(), platform(), actor(), reference)
    if view is None:
        raise NotFoundError(reference)
    if not view.open:
        return _closed(view)
    form = _form(view)
    back = url_for("citizen.application", reference=view.reference)
    if form.validate_on_submit():
        try:
            saved = ratings.rate_case(
                db(), platform(), actor(), reference, score=form.score.data, comment=form.comment.data
            )
        except ratings.RatingClosedError as closed:
            return _closed(closed.view)
        _thanks(saved)
        return redirect(back)
    return _page(view, form, url_for("citizen.rate_case", reference=view.reference), back)
