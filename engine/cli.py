"""The `posluhy` command: check, simulate, test, migrate, deploy, load demo data and run the worker."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from engine.bpmn.problems import Severity
from engine.cli_audit import add_parsers as add_audit_parsers
from engine.cli_simulate import add_parsers as add_simulation_parsers
from engine.cli_statistics import add_parsers as add_statistics_parsers
from engine.config import Settings, forms_dir_from_env
from engine.db import unit_of_work
from engine.migrate import upgrade_database
from engine.models import Role
from engine.services.admin.accounts import create_user
from engine.services.admin.directory import DEMO_DIRECTORY, load_demo_users, load_organisations
from engine.services.admin.directory_formats import FORMATS
from engine.services.admin.directory_io import DirectoryFileError, export_directory, import_directory
from engine.services.admin.integrations import create_integration
from engine.services.authoring.checking import check_paths
from engine.services.background.escalations import load_demo_rules
from engine.services.catalog.deploy import deploy_configured
from engine.services.context import SYSTEM, Platform
from engine.services.errors import ConflictError
from engine.worker import run_forever, run_once, stop_on_signals


def cmd_check(args: argparse.Namespace) -> int:
    forms_dir = Path(args.forms) if args.forms else forms_dir_from_env()
    results = check_paths([Path(p) for p in args.paths], forms_dir)
    errors = warnings = 0
    for result in results:
        for problem in result.problems:
            print(problem)
            if problem.severity is Severity.ERROR:
                errors += 1
            else:
                warnings += 1
    checked = len(results)
    print(f"{checked} file(s) checked: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    if checked == 0:
        print("nothing to check: no .bpmn files found", file=sys.stderr)
        return 1
    return 1 if errors else 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    upgrade_database(Settings.from_env().database_url)
    print("database is up to date")
    return 0


def cmd_deploy(_args: argparse.Namespace) -> int:
    platform = Platform.from_settings(Settings.from_env())
    report = deploy_configured(platform)
    for line in report.lines():
        print(line)
    with unit_of_work(platform.write_sessions) as db:
        rules = load_demo_rules(db)  # demo data only: the rules need the deployed services
    if rules:
        print(f"demo escalation rules created for: {', '.join(rules)}")
    return 1 if report.rejected else 0


def _format_of(args: argparse.Namespace, path: str | None) -> str:
    """--format, else the file's extension (.csv), else JSON."""
    if args.format:
        return str(args.format)
    return "csv" if path and path.lower().endswith(".csv") else "json"


def cmd_load_directory(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else DEMO_DIRECTORY
    platform = Platform.from_settings(Settings.from_env())
    try:
        with unit_of_work(platform.write_sessions) as db:
            plan = import_directory(db, SYSTEM, path.read_bytes(), _format_of(args, str(path)), dry_run=args.dry_run)
    except DirectoryFileError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s): nothing was loaded", file=sys.stderr)
        return 1
    finally:
        platform.engine.dispose()  # close the pooled connection now, also when main() is called in-process
    print("dry run: nothing was changed" if args.dry_run else "directory loaded")
    for line in plan.lines():
        print(line)
    return 0


def cmd_export_directory(args: argparse.Namespace) -> int:
    platform = Platform.from_settings(Settings.from_env())
    try:
        with unit_of_work(platform.read_sessions) as db:
            text = export_directory(db, SYSTEM, _format_of(args, args.file))
    finally:
        platform.engine.dispose()
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_demo(_args: argparse.Namespace) -> int:
    platform = Platform.from_settings(Settings.from_env())
    with unit_of_work(platform.write_sessions) as db:
        load_organisations(db)
        created = load_demo_users(db)
    print(f"demo organisations loaded; demo users created: {', '.join(created) or 'none (already there)'}")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    password = os.environ.get("POSLUHY_NEW_PASSWORD") or getpass.getpass("Password: ")
    platform = Platform.from_settings(Settings.from_env())
    with unit_of_work(platform.write_sessions) as db:
        create_user(
            db,
            username=args.username,
            password=password,
            role=Role(args.role),
            full_name=args.name,
            email=args.email,
            group_slugs=tuple(g for g in args.groups.split(",") if g),
        )
    print(f"user {args.username} created")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env()
    platform = Platform.from_settings(settings)
    if args.once:
        print(f"{run_once(platform)} job(s) run")
        return 0
    stop = threading.Event()
    stop_on_signals(stop)
    run_forever(platform, interval=args.interval or settings.worker_interval, stop=stop)
    return 0


def cmd_create_integration(args: argparse.Namespace) -> int:
    platform = Platform.from_settings(Settings.from_env())
    try:
        with unit_of_work(platform.write_sessions) as db:
            created = create_integration(db, name=args.name, messages=args.messages.split(","))
    except (ValueError, ConflictError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        platform.engine.dispose()  # close the pooled connection now, also when main() is called in-process
    print(f"integration {created.name} may send: {', '.join(created.messages)}", file=sys.stderr)
    print("its token (shown only now; send it as Authorization: Bearer TOKEN):", file=sys.stderr)
    print(created.token)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posluhy", description="Posluhy public-services platform")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate diagrams and forms; prints FILE:ELEMENT_ID: message")
    check.add_argument("paths", nargs="+", help="BPMN files, form JSON files or folders")
    check.add_argument("--forms", help="folder of form files (default: forms/)")
    check.set_defaults(func=cmd_check)
    add_simulation_parsers(sub)
    sub.add_parser("migrate", help="create or upgrade the database schema").set_defaults(func=cmd_migrate)
    sub.add_parser("deploy", help="deploy changed diagrams from processes/").set_defaults(func=cmd_deploy)
    directory = sub.add_parser("load-directory", help="create or change organisations, groups and staff from a file")
    directory.add_argument("file", nargs="?", help="a JSON or CSV directory file (default: the demo directory)")
    directory.add_argument("--format", choices=FORMATS, help="json or csv (default: by the file's extension)")
    directory.add_argument("--dry-run", action="store_true", help="only list what would change")
    directory.set_defaults(func=cmd_load_directory)
    export = sub.add_parser("export-directory", help="write organisations, groups and staff as JSON or CSV")
    export.add_argument("file", nargs="?", help="where to write it (default: standard output)")
    export.add_argument("--format", choices=FORMATS, help="json or csv (default: by the file's extension)")
    export.set_defaults(func=cmd_export_directory)
    sub.add_parser("demo", help="load demo organisations and demo users (password: demo)").set_defaults(func=cmd_demo)
    add_statistics_parsers(sub)
    user = sub.add_parser("create-user", help="create an account (password from POSLUHY_NEW_PASSWORD or a prompt)")
    user.add_argument("username")
    user.add_argument("--role", choices=[r.value for r in Role], default="citizen")
    user.add_argument("--name", default="")
    user.add_argument("--email", default="")
    user.add_argument("--groups", default="", help="comma-separated group slugs")
    user.set_defaults(func=cmd_create_user)
    integration = sub.add_parser("create-integration", help="let another system send BPMN messages; prints its token")
    integration.add_argument("name")
    integration.add_argument("--messages", required=True, help="comma-separated message names it may send")
    integration.set_defaults(func=cmd_create_integration)
    worker = sub.add_parser("worker", help="run background work: timers, service tasks, e-mail (until stopped)")
    worker.add_argument("--once", action="store_true", help="run what is due now, then exit")
    worker.add_argument("--interval", type=float, default=None, help="seconds between polls (default 5)")
    worker.set_defaults(func=cmd_worker)
    add_audit_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
