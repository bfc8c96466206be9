"""Officials' pages: the work queue of their groups, claiming, reviewing and deciding."""

from flask import Blueprint

staff = Blueprint("staff", __name__)

from webapp.staff import routes as routes  # noqa: E402  (routes register on the blueprint)
