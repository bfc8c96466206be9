"""Restricted execution of analysts' Python (gateway conditions, timer expressions, script tasks).

SpiffWorkflow's own ``TaskDataEnvironment`` runs scripts with full builtins and no time limit.  This module
provides a drop-in :class:`RestrictedEnvironment` with the same semantics, but:

* code is compiled by RestrictedPython under :class:`~engine.runtime.sandbox_policy.SandboxPolicy`
  (no ``_`` names, no eval/exec, no classes, no bare ``except:``/``finally``, size-guarded operators);
* it runs with guard hooks and restricted builtins (:mod:`engine.runtime.sandbox_guards`); imports are
  limited to :data:`~engine.runtime.sandbox_policy.ALLOWED_MODULES`;
* a wall-clock limit is enforced by tracing only the restricted frames (works in any thread);
* errors are ordinary exceptions (:class:`SandboxError` subclasses), which SpiffWorkflow's
  ``PythonScriptEngine`` wraps into ``WorkflowTaskException`` with the task.

This is defence in depth for *trusted* analysts' code, not a boundary against hostile code: run workers
with a memory limit too (single C-level operations are bounded, but not their sum) and see the report in
the module docstrings for what is not covered (regular-expression backtracking runs in C, untraced).
"""

from __future__ import annotations

import copy
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from types import FrameType, ModuleType
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn.igov.juel import RESERVED_NAMES
from engine.bpmn.igov.juel_runtime import juel_globals
from engine.runtime.sandbox_guards import GUARD_GLOBALS, build_restricted_globals
from engine.runtime.sandbox_policy import (
    ALLOWED_MODULES,
    DEFAULT_TIME_LIMIT,
    SCRIPT_FILENAME,
    TICK,
    SandboxError,
    ScriptAccessError,
    ScriptLimitError,
    ScriptRestrictionError,
    ScriptTimeoutError,
    compile_check,
    compile_source,
)

__all__ = [
    "ALLOWED_MODULES",
    "DEFAULT_TIME_LIMIT",
    "JUEL_FUNCTIONS",
    "RESERVED_NAMES",
    "RestrictedEnvironment",
    "RestrictedScriptEngine",
    "SandboxError",
    "ScriptAccessError",
    "ScriptLimitError",
    "ScriptRestrictionError",
    "ScriptTimeoutError",
    "compile_check",
    "create_script_engine",
]

_TraceFunction = Callable[[FrameType, str, Any], Any]
ContextFunction = Callable[[dict[str, Any]], Callable[..., Any]]
"""Builds a function bound to the data of one evaluation (e.g. ``var(name)`` reading the current task's data)."""


class _DeadlineExceeded(BaseException):
    """Raised inside restricted frames when time is up.

    A BaseException so that ``except Exception:`` in a script cannot swallow it (bare ``except:`` and
    ``finally`` are refused at compile time and ``BaseException`` is not a builtin for scripts).  That matters:
    CPython switches tracing off once a trace function raises, so a swallowed timeout would end the limit.
    """


class _Deadline:
    """Raise :class:`_DeadlineExceeded` in restricted code once ``limit`` seconds have passed.

    Two triggers: a per-thread ``sys.settrace`` tracer that only traces frames of restricted code ('call'
    and 'line' events: catches recursion and long straight-line code), and ``_tick_()`` calls that the
    policy compiles into every loop body and comprehension (CPython 3.11 emits no 'line' event for a loop
    that jumps back to the same line, e.g. ``while True: pass``).
    """

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.expires = time.monotonic() + limit

    def tick(self) -> bool:
        """The ``_tick_()`` check compiled into loops and comprehensions; also called by the tracer."""
        if time.monotonic() > self.expires:
            raise _DeadlineExceeded
        return True

    def trace_local(self, frame: FrameType, event: str, arg: Any) -> _TraceFunction:
        self.tick()
        return self.trace_local

    def trace_global(self, frame: FrameType, event: str, arg: Any) -> _TraceFunction | None:
        if frame.f_code.co_filename != SCRIPT_FILENAME:
            return None  # platform code and library code run untraced: low overhead, no false timeouts
        self.tick()
        return self.trace_local

    def run(self, function: Callable[[], Any]) -> Any:
        previous = sys.gettrace()
        sys.settrace(self.trace_global)  # per thread: safe in threaded servers, unlike signal.alarm
        try:
            return function()
        except _DeadlineExceeded:
            raise ScriptTimeoutError(f"Script exceeded the time limit of {self.limit} s") from None
        finally:
            sys.settrace(previous)  # give coverage/debuggers their tracer back


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]  # untyped base
    """``TaskDataEnvironment`` semantics on restricted, time-limited code."""

    def __init__(
        self,
        environment_globals: Mapping[str, Any] | None = None,
        *,
        time_limit: float = DEFAULT_TIME_LIMIT,
        context_functions: Mapping[str, ContextFunction] | None = None,
    ) -> None:
        if time_limit <= 0:
            raise ValueError("time_limit must be positive")
        super().__init__(dict(environment_globals or {}))
        self.time_limit = time_limit
        self.globals: dict[str, Any]
        self.context_functions = dict(context_functions or {})

    def _bound(self, context: dict[str, Any]) -> dict[str, Any]:
        """The context functions bound to this evaluation's data (they win over task data of the same name)."""
        return {name: build(context) for name, build in self.context_functions.items()}

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        code = compile_source(expression, "eval")
        my_globals = copy.copy(self.globals)
        my_globals.update(external_context or {})
        my_globals.update(context)
        my_globals.update(self._bound(context))
        deadline = _Deadline(self.time_limit)
        my_globals.update(build_restricted_globals(deadline.tick))  # last: task data cannot replace a guard
        # Restricted code compiled by SandboxPolicy, run with guard hooks and restricted builtins.
        return deadline.run(lambda: eval(code, my_globals))  # noqa: S307

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        code = compile_source(script, "exec")
        external = external_context or {}
        self.check_for_overwrite(context, external)
        context.update(self.globals)
        context.update(external)
        context.update(self._bound(context))
        deadline = _Deadline(self.time_limit)
        context.update(build_restricted_globals(deadline.tick))
        try:
            # Restricted code compiled by SandboxPolicy, run with guard hooks and restricted builtins.
            deadline.run(lambda: exec(code, context))  # noqa: S102
        finally:
            self._remove_globals_and_functions_from_context(context, external)
        return True

    def _remove_globals_and_functions_from_context(
        self, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> None:
        """Drop builtins, guards, callables, modules and injected globals, as TaskDataEnvironment does."""
        for key in list(context):
            value = context[key]
            if (
                key == "__builtins__"
                or key in GUARD_GLOBALS
                or key == TICK
                or key in self.globals
                or key in self.context_functions
                or (external_context and key in external_context)
                or callable(value)
                or isinstance(value, ModuleType)
            ):
                context.pop(key)

    def check_for_overwrite(self, context: Mapping[str, Any], external_context: Mapping[str, Any]) -> None:
        """Same check and message as TaskDataEnvironment."""
        overwrites = set(self.globals).union(self.context_functions).intersection(context)
        overwrites.update(set(external_context).intersection(context))
        if overwrites:
            raise ValueError(
                "You have task data that overwrites a predefined function(s). Please change the following "
                f"variable or field name(s) to something else: {overwrites}"
            )


class RestrictedScriptEngine(PythonScriptEngine):  # type: ignore[misc]  # untyped base
    """``PythonScriptEngine`` with fixed ``call_service`` and error lines found in restricted code."""

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        # Upstream references an undefined ``script`` here, turning every service error into a NameError.
        try:
            return self.environment.call_service(task.data, **kwargs)
        except SpiffWorkflowException:
            raise
        except Exception as exc:
            raise WorkflowTaskException(
                f"Service call failed: {type(exc).__name__}: {exc}", task=task, exception=exc
            ) from exc

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        if err.args and not isinstance(err.args[0], str):  # upstream does "detail" + err.args[0]
            err.args = (str(err.args[0]), *err.args[1:])
        return super().create_task_exec_exception(task, script, err)  # type: ignore[no-any-return]

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        line_number = 0
        if isinstance(err, ScriptRestrictionError | SyntaxError):
            line_number = err.lineno or 0
        else:
            for frame_summary in traceback.extract_tb(err.__traceback__):
                if frame_summary.filename == SCRIPT_FILENAME and frame_summary.lineno:
                    line_number = frame_summary.lineno
        lines = script.splitlines()
        error_line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        return line_number, error_line


def create_script_engine(
    *, time_limit: float = DEFAULT_TIME_LIMIT, extra_globals: dict[str, Any] | None = None
) -> PythonScriptEngine:
    """A SpiffWorkflow script engine running every expression and script in a :class:`RestrictedEnvironment`.

    ``extra_globals`` are platform functions made available to scripts (and removed from task data after).
    Translated iGov JUEL (:mod:`engine.bpmn.igov.juel`) needs ``var`` and ``juel``: ``var(name)`` reads the data of the
    task being evaluated (None when unset), so both names are reserved and cannot be process variables.
    """
    environment = RestrictedEnvironment(extra_globals, time_limit=time_limit, context_functions=JUEL_FUNCTIONS)
    return RestrictedScriptEngine(environment=environment)


def _juel_functions(name: str) -> ContextFunction:
    def build(context: dict[str, Any]) -> Callable[..., Any]:
        return juel_globals(context.get)[name]  # type: ignore[no-any-return]

    return build


#: ``var`` and ``juel`` for translated JUEL, bound to the current task data on every evaluation.
JUEL_FUNCTIONS: dict[str, ContextFunction] = {name: _juel_functions(name) for name in RESERVED_NAMES}
