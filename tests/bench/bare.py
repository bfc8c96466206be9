"""The bare-engine limit: the journey's engine steps on SpiffWorkflow 3.2 directly, one state row per case.

Per step: load the row, deserialize (the state without the spec + the spec JSON cached once), complete the task
with the same data, `do_engine_steps`, serialize, write the one row, commit. SQLite with the platform's pragmas
(engine/db.py: WAL, synchronous=NORMAL, BEGIN IMMEDIATE), or PostgreSQL through psycopg (`SELECT … FOR UPDATE`).
The spec is the platform's own compiled spec (the `process_spec` row of the deployed service), and the script
engine is SpiffWorkflow's plain `PythonScriptEngine` (no sandbox: that is part of what the platform adds).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Protocol

import psycopg
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.control import BpmnStartTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import text

from engine.runtime.service_tasks import SERIALIZER_CONFIG
from tests.bench.platforms import BenchError, BenchPlatform

BARE_STEPS = ("create", "submit", "decide")
TABLE = "CREATE TABLE IF NOT EXISTS case_state (id {key}, state TEXT NOT NULL)"


class StateStore(Protocol):
    def insert(self, state: str) -> int: ...
    def load(self, case_id: int) -> str: ...
    def save(self, case_id: int, state: str) -> None: ...
    def close(self) -> None: ...


class SqliteStore:
    """One row per case in its own SQLite file, with the pragmas of engine/db.py; one commit per step."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute(TABLE.format(key="INTEGER PRIMARY KEY"))

    def insert(self, state: str) -> int:
        self.conn.execute("BEGIN IMMEDIATE")
        row = self.conn.execute("INSERT INTO case_state (state) VALUES (?)", (state,)).lastrowid
        self.conn.execute("COMMIT")
        return int(row or 0)

    def load(self, case_id: int) -> str:
        self.conn.execute("BEGIN IMMEDIATE")
        return str(self.conn.execute("SELECT state FROM case_state WHERE id = ?", (case_id,)).fetchone()[0])

    def save(self, case_id: int, state: str) -> None:
        self.conn.execute("UPDATE case_state SET state = ? WHERE id = ?", (state, case_id))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class PostgresStore:
    """The same on PostgreSQL: the row is locked with FOR UPDATE, as the platform locks its application row."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        self.conn.execute(TABLE.format(key="BIGSERIAL PRIMARY KEY"))
        self.conn.commit()

    def insert(self, state: str) -> int:
        row = self.conn.execute("INSERT INTO case_state (state) VALUES (%s) RETURNING id", (state,)).fetchone()
        self.conn.commit()
        return int(row[0]) if row else 0

    def load(self, case_id: int) -> str:
        row = self.conn.execute("SELECT state FROM case_state WHERE id = %s FOR UPDATE", (case_id,)).fetchone()
        return str(row[0]) if row else ""

    def save(self, case_id: int, state: str) -> None:
        self.conn.execute("UPDATE case_state SET state = %s WHERE id = %s", (state, case_id))
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


def deployed_spec_json(bench: BenchPlatform, process_id: str) -> str:
    """The compiled spec the platform runs for the service's current version (the `process_spec` row)."""
    query = text(
        "SELECT p.spec_json FROM process_spec p JOIN service_version v ON v.spec_digest = p.digest "
        "JOIN service s ON s.current_version_id = v.id WHERE s.process_id = :process_id"
    )
    with bench.platform.engine.connect() as conn:
        found = conn.execute(query, {"process_id": process_id}).scalar_one_or_none()
    if found is None:
        raise BenchError(f"service {process_id} is not deployed")
    return str(found)


class BareEngine:
    def __init__(self, spec_json: str, store: StateStore) -> None:
        self.spec_json = spec_json  # compiled once; parsed per load, since from_dict mutates what it reads
        self.store = store
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))
        self.script_engine = PythonScriptEngine(environment=TaskDataEnvironment({}))

    def _dump(self, workflow: BpmnWorkflow) -> str:
        state = self.serializer.to_dict(workflow)
        state.pop("spec", None)
        state.pop("subprocess_specs", None)
        state[self.serializer.VERSION_KEY] = self.serializer.VERSION
        return json.dumps(state, ensure_ascii=False)

    def _load(self, state_json: str) -> BpmnWorkflow:
        state = json.loads(state_json)
        state.update(json.loads(self.spec_json))
        state.pop(self.serializer.VERSION_KEY, None)
        workflow = self.serializer.from_dict(state)
        workflow.script_engine = self.script_engine
        return workflow

    def create(self) -> int:
        document = json.loads(self.spec_json)
        spec = self.serializer.from_dict(document["spec"])
        subs = {name: self.serializer.from_dict(sub) for name, sub in document["subprocess_specs"].items()}
        workflow = BpmnWorkflow(spec, subs, script_engine=self.script_engine)
        return self.store.insert(self._dump(workflow))

    def complete(self, case_id: int, data: dict[str, Any], *, start: bool = False) -> bool:
        """One step; returns whether the case is completed."""
        workflow = self._load(self.store.load(case_id))
        if start:
            task = workflow.get_next_task(state=TaskState.READY, spec_class=BpmnStartTask)
        else:
            task = workflow.get_next_task(state=TaskState.READY, manual=True)
        if task is None:
            raise BenchError("bare engine: no ready task")
        task.set_data(**data)
        task.run()
        workflow.do_engine_steps()
        done = bool(workflow.is_completed())
        self.store.save(case_id, self._dump(workflow))
        return done

    def journey(self, answers: dict[str, Any], decided: dict[str, Any]) -> dict[str, float]:
        """create → submit → decide; seconds per step."""
        took: dict[str, float] = {}
        started = time.perf_counter()
        case_id = self.create()
        took["create"] = time.perf_counter() - started
        started = time.perf_counter()
        self.complete(case_id, answers, start=True)
        took["submit"] = time.perf_counter() - started
        started = time.perf_counter()
        done = self.complete(case_id, decided)
        took["decide"] = time.perf_counter() - started
        if not done:
            raise BenchError("bare engine: the case did not complete after the decision")
        return took
