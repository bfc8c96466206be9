"""The analysts' studio: services and their versions, the BPMN modeler, forms, test runs and migration."""

from flask import Blueprint

studio = Blueprint("studio", __name__)

from webapp.studio import routes as routes  # noqa: E402  (routes register on the blueprint)
