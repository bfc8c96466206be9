"""WSGI entry point for gunicorn: `gunicorn --preload 'webapp.wsgi:app'`.

With --preload the app (and the start-up deploy of changed diagrams) is created once, in the master.
"""

from engine.config import Settings
from engine.services.catalog.deploy import deploy_configured
from engine.services.context import Platform
from webapp import create_app

settings = Settings.from_env()
platform = Platform.from_settings(settings)
if settings.deploy_on_start:
    for line in deploy_configured(platform).lines():
        print(line, flush=True)
platform.engine.dispose()
app = create_app(settings, platform=platform)
