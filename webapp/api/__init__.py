"""JSON API under /api/v1, described at /api/v1/openapi.json; bearer tokens, no cookies, no CSRF."""

from flask import Blueprint

api = Blueprint("api", __name__)

from webapp.api import message_routes, routes, statistics_routes  # noqa: E402,F401  (routes register on the blueprint)
