"""`posluhy simulate` and `posluhy test`: run services headless, in memory, without a database."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from engine.config import forms_dir_from_env
from engine.services.authoring.scenarios import (
    ScenarioFileError,
    diagram_service_id,
    load_diagram_scenarios,
    load_scenario,
)
from engine.services.authoring.simulation import MAX_STEPS, SimulationResult, run_scenario_in_memory, simulate

DEFAULT_PROCESSES = Path("processes")


def add_parsers(sub: Any) -> None:
    """Register both subcommands on the main parser's subparsers."""
    run = sub.add_parser("simulate", help="run a service in memory: --auto with generated data or --scenario FILE")
    run.add_argument("path", help="the service's BPMN file")
    mode = run.add_mutually_exclusive_group(required=True)
    mode.add_argument("--auto", action="store_true", help="generate valid data for every form; prefer default flows")
    mode.add_argument("--scenario", help="a scenario file (the data entered at each step)")
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.add_argument("--seed", type=int, default=0, help="seed of the generated data (default 0)")
    run.add_argument("--max-steps", type=int, default=MAX_STEPS, help=f"give up after N steps (default {MAX_STEPS})")
    run.add_argument("--forms", help="folder of form files (default: forms/)")
    run.set_defaults(func=cmd_simulate)
    test = sub.add_parser("test", help="run every scenarios/*.json beside the diagrams under PATH (default processes/)")
    test.add_argument("path", nargs="?", default=str(DEFAULT_PROCESSES))
    test.add_argument("--forms", help="folder of form files (default: forms/)")
    test.set_defaults(func=cmd_test)


def _forms_dir(args: argparse.Namespace) -> Path:
    return Path(args.forms) if args.forms else forms_dir_from_env()


def cmd_simulate(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.is_file():
        print(f"{path}: no such diagram", file=sys.stderr)
        return 2
    scenario = None
    if args.scenario:
        try:
            scenario = load_scenario(Path(args.scenario), diagram_service_id(path))
        except ScenarioFileError as exc:
            print(exc, file=sys.stderr)
            return 2
    result = simulate(
        path,
        forms_dir=_forms_dir(args),
        auto=args.auto,
        scenario=scenario,
        seed=args.seed,
        max_steps=args.max_steps,
    )
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_readable(result)
    return 0 if result.completed else 1


def _print_readable(result: SimulationResult) -> None:
    print(f"service {result.service}")
    for number, step in enumerate(result.steps, start=1):
        print(f"{number:>3}. {step['task']} [{step['lane']}] {_summary(step['data'])}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in result.errors:
        print(f"error: {error}", file=sys.stderr)
    if result.completed:
        print(f"reached end event {result.end_event}")
    else:
        print("did not reach an end event")


def _summary(data: dict[str, Any], width: int = 100) -> str:
    text = ", ".join(f"{key}={value!r}" for key, value in data.items()) or "(no data)"
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_test(args: argparse.Namespace) -> int:
    root = Path(args.path)
    diagrams = [root] if root.is_file() else sorted(root.rglob("*.bpmn"))
    forms_dir = _forms_dir(args)
    passed = failed = 0
    for diagram in diagrams:
        try:
            scenarios = load_diagram_scenarios(diagram)
        except ScenarioFileError as exc:
            print(f"FAIL {diagram.parent.name}: {exc}")
            failed += 1
            continue
        for scenario in scenarios:
            outcome = run_scenario_in_memory(diagram, scenario, forms_dir)
            if outcome.passed:
                print(f"PASS {outcome.label}")
                passed += 1
            else:
                print(f"FAIL {outcome.label}: {'; '.join(outcome.problems)}")
                failed += 1
    print(f"{passed} scenario(s) passed, {failed} failed", file=sys.stderr)
    if passed + failed == 0:
        print(f"no scenarios found under {root}", file=sys.stderr)
        return 1
    return 1 if failed else 0
