"""The web application: server-rendered pages for citizens, officials and administrators, and the JSON API.

Pages and API call the same engine service functions; nothing here queries the database directly.
"""

from __future__ import annotations

from flask import Flask

from engine.config import Settings
from engine.services.context import Platform
from webapp.account_pages import account
from webapp.admin import admin
from webapp.api import api
from webapp.auth import auth
from webapp.citizen import citizen
from webapp.error_pages import setup_error_pages
from webapp.extensions import babel, csrf, login_manager
from webapp.i18n import select_locale, setup_i18n
from webapp.identity_pages import setup_identity_providers
from webapp.requests import setup_request_handling
from webapp.second_factor_pages import second_factor_pages
from webapp.staff import staff
from webapp.studio import studio
from webapp.templating import setup_templating
from webapp.throttles import setup_throttles


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="uk",
        BABEL_DEFAULT_TIMEZONE="Europe/Kyiv",
    )
    app.extensions["posluhy"] = platform or Platform.from_settings(settings)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    setup_i18n(app)
    setup_request_handling(app)
    setup_error_pages(app)
    setup_templating(app)
    setup_identity_providers(app, settings.oidc_providers, base_url=settings.base_url)
    _register_blueprints(app)
    setup_throttles(app, settings)  # after the blueprints: limits wrap their views by endpoint name
    return app


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(auth)
    app.register_blueprint(second_factor_pages)
    app.register_blueprint(account)
    app.register_blueprint(citizen)
    app.register_blueprint(staff, url_prefix="/staff")
    app.register_blueprint(studio, url_prefix="/studio")
    app.register_blueprint(admin, url_prefix="/admin")
    app.register_blueprint(api, url_prefix="/api/v1")
    csrf.exempt(api)
