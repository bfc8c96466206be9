"""WSGI entry point for gunicorn: `gunicorn --preload 'webapp.wsgi:app'`.

With --preload the app (and the start-up deploy of changed diagrams) is created once, in the master. Deploy skips
every file whose content was published before without checking it, so a restart with nothing new costs a read
and a hash per file. What the master built is then frozen out of the garbage collector, so the forked workers
share those pages instead of copying them when a collection touches them.
"""

import gc

from engine.config import Settings
from engine.services.catalog.deploy import deploy_configured
from engine.services.context import Platform
from webapp import create_app

settings = Settings.from_env()
platform = Platform.from_settings(settings)
if settings.deploy_on_start:
    report = deploy_configured(platform)
    for line in report.lines():
        if not line.startswith("unchanged "):
            print(line, flush=True)
    print(
        f"deploy: {len(report.deployed)} deployed, {len(report.unchanged)} unchanged, {len(report.rejected)} rejected",
        flush=True,
    )
platform.engine.dispose()
app = create_app(settings, platform=platform)
gc.collect()
gc.freeze()
