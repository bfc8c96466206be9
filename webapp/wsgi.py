"""WSGI entry point for gunicorn: `gunicorn --preload 'webapp.wsgi:app'`.

With --preload the app (and the start-up deploy of changed diagrams) is created once, in the master.
"""

from engine.config import Settings
from engine.db import unit_of_work
from engine.services.context import SYSTEM, Platform
from engine.services.deploy import deploy_directory
from webapp import create_app

settings = Settings.from_env()
platform = Platform.from_settings(settings)
if settings.deploy_on_start:
    with unit_of_work(platform.write_sessions) as session:
        for line in deploy_directory(
            session, processes_dir=settings.processes_dir, forms_dir=settings.forms_dir, actor=SYSTEM
        ).lines():
            print(line, flush=True)
platform.engine.dispose()
app = create_app(settings, platform=platform)
