"""Citizens' pages: catalog, applying step by step, my applications, public status."""

from flask import Blueprint

citizen = Blueprint("citizen", __name__)

from webapp.citizen import routes  # noqa: E402,F401  (routes register on the blueprint)
