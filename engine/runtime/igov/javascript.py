"""Run iGov's JavaScript script tasks in an embedded, sandboxed QuickJS interpreter (PyPI ``quickjs``).

Why QuickJS: it installs as a wheel, has no file, network, module or process access (only the ECMAScript
built-ins; ``import`` of its ``std``/``os`` modules fails), and enforces a CPU-time limit, a memory limit and a
stack limit itself. Each run gets a fresh context, so nothing leaks between cases.

The script sees iGov's Activiti API:

* ``execution.getVariable(name)`` (null when unset), ``execution.setVariable(name, value)``,
  ``execution.hasVariable(name)``, ``execution.getVariables()``, ``execution.getProcessInstanceId()``,
  ``execution.getProcessDefinitionId()`` (``"<key>:<version>:<id>"`` as Activiti returns it) and ``getId()``;
* every process variable as a global (Activiti binds them as script variables: ``sID_Custom_GovPublic``).

Each run happens in a child process of its own (forked), so a script that crashes QuickJS — it can still die
on some out-of-memory paths — or that QuickJS cannot interrupt (a backtracking regular expression) costs only
that child: the caller gets a :class:`JavaScriptError` and the child is killed at the time limit plus a grace.

Values cross the boundary as JSON (dates and other values become text). Spring beans that iGov scripts call
(``documentStepService``...) do not exist here: such a script fails with a :class:`JavaScriptError` naming it.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import time
from typing import Any, Final

import quickjs  # type: ignore[import-untyped, unused-ignore]

__all__ = ["DEFAULT_MEMORY_LIMIT", "JavaScriptError", "JavaScriptTimeoutError", "run_javascript"]

#: Memory one script may allocate (bytes): iGov scripts handle a few strings and dates.
DEFAULT_MEMORY_LIMIT: Final = 32 * 1024 * 1024
_STACK_LIMIT: Final = 512 * 1024
_MAX_SOURCE_CHARS: Final = 200_000
_LINE_RE: Final = re.compile(r"<input>:(\d+)")

_PRELUDE: Final = """
(function (variables, info) {
  var own = Object.prototype.hasOwnProperty;
  var changed = {};
  function read(name) {
    name = String(name);
    if (own.call(changed, name)) return changed[name];
    return own.call(variables, name) ? variables[name] : null;
  }
  var execution = {
    getVariable: read,
    getVariableLocal: read,
    setVariable: function (name, value) {
      changed[String(name)] = (value === undefined || typeof value === 'function') ? null : value;
    },
    hasVariable: function (name) { return own.call(changed, String(name)) || own.call(variables, String(name)); },
    getVariables: function () {
      var all = {}, key;
      for (key in variables) if (own.call(variables, key)) all[key] = variables[key];
      for (key in changed) if (own.call(changed, key)) all[key] = changed[key];
      return all;
    },
    getProcessInstanceId: function () { return info.processInstanceId; },
    getProcessDefinitionId: function () { return info.processDefinitionId; },
    getId: function () { return info.processInstanceId; }
  };
  Object.defineProperty(globalThis, 'execution', {value: execution, writable: false, configurable: false});
  Object.defineProperty(globalThis, 'posluhyChangedVariables', {
    value: function () { return JSON.stringify(changed); }, writable: false, configurable: false
  });
  for (var key in variables) {
    if (own.call(variables, key) && key !== 'execution' && !(key in globalThis)) globalThis[key] = variables[key];
  }
})(JSON.parse(%s), JSON.parse(%s));
"""


class JavaScriptError(Exception):
    """The script has a syntax error or failed at run time; ``line`` is its 1-based line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"{message} (line {line})")
        self.message = message
        self.line = line


class JavaScriptTimeoutError(JavaScriptError):
    """The script used more CPU time than its time limit."""


def _near_memory_limit(context: Any) -> bool:
    """Whether the context has used up its memory (QuickJS then may throw a bare null instead of an error)."""
    usage = context.memory()
    return bool(usage.get("malloc_size", 0) >= 0.9 * usage.get("malloc_limit", float("inf")))


def _error(exc: Exception, context: Any, *, time_limit: float) -> JavaScriptError:
    text = str(exc).strip()
    first_line = text.splitlines()[0] if text else type(exc).__name__
    match = _LINE_RE.search(text)
    line = int(match.group(1)) if match else None
    if "interrupted" in first_line:
        return JavaScriptTimeoutError(f"the script exceeded the time limit of {time_limit:g} s", line)
    if "out of memory" in first_line or "stack overflow" in first_line or _near_memory_limit(context):
        return JavaScriptError(f"the script exceeded its memory or stack limit ({first_line})", line)
    return JavaScriptError(first_line, line)


def _json_literal(value: Any) -> str:
    """A JS string literal holding ``value`` as JSON (so JSON.parse rebuilds it inside the context)."""
    return json.dumps(json.dumps(value, ensure_ascii=False, default=str), ensure_ascii=False)


def _run_here(
    source: str,
    variables: dict[str, Any],
    *,
    time_limit: float = 1.0,
    process_instance_id: str = "",
    process_definition_id: str = "",
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> dict[str, Any]:
    """The run itself, in the current process (the child of `run_javascript`)."""
    context = quickjs.Context()
    context.set_memory_limit(memory_limit)
    context.set_max_stack_size(_STACK_LIMIT)
    context.set_time_limit(time_limit)
    info = {"processInstanceId": process_instance_id, "processDefinitionId": process_definition_id}
    try:
        context.eval(_PRELUDE % (_json_literal(variables), _json_literal(info)))
    except quickjs.JSException as exc:  # only bad variable values can get here
        raise JavaScriptError(f"the process variables cannot be passed to the script: {exc}") from None
    try:
        context.eval(source)
        changed = context.eval("posluhyChangedVariables()")
    except quickjs.JSException as exc:
        raise _error(exc, context, time_limit=time_limit) from None
    result = json.loads(changed)
    if not isinstance(result, dict):  # pragma: no cover - the prelude always returns an object
        raise JavaScriptError("the script's variables could not be read back")
    return result


def run_javascript(
    source: str,
    variables: dict[str, Any],
    *,
    time_limit: float = 1.0,
    process_instance_id: str = "",
    process_definition_id: str = "",
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> dict[str, Any]:
    """Run ``source`` with ``variables`` readable; return the variables it set with ``execution.setVariable``.

    Raises :class:`JavaScriptError` (with the script's line) for syntax and run-time errors and
    :class:`JavaScriptTimeoutError` when the CPU-time limit is exceeded (memory and stack limits raise the former).
    The run happens in a forked child, killed when it outlives the time limit by `_GRACE_S`.
    """
    if time_limit <= 0:
        raise ValueError("time_limit must be positive")
    if len(source) > _MAX_SOURCE_CHARS:
        raise JavaScriptError(f"the script is longer than {_MAX_SOURCE_CHARS} characters")
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, write one JSON answer, leave without running the parent's exit handlers
        os.close(reader)
        code = 0
        try:
            found = _run_here(
                source,
                variables,
                time_limit=time_limit,
                process_instance_id=process_instance_id,
                process_definition_id=process_definition_id,
                memory_limit=memory_limit,
            )
            answer: dict[str, Any] = {"variables": found}
        except JavaScriptError as exc:
            answer = {"error": exc.message, "line": exc.line, "timeout": isinstance(exc, JavaScriptTimeoutError)}
        except BaseException as exc:  # anything else is reported as a script failure, never raised in the child
            answer = {"error": f"{type(exc).__name__}: {exc}", "line": None, "timeout": False}
        try:
            with os.fdopen(writer, "wb") as out:
                out.write(json.dumps(answer, ensure_ascii=False, default=str).encode())
        except BaseException:
            code = 1
        os._exit(code)
    os.close(writer)
    return _answer_of(pid, reader, time_limit)


_GRACE_S: Final = 2.0


def _answer_of(pid: int, reader: int, time_limit: float) -> dict[str, Any]:
    deadline = time.monotonic() + time_limit + _GRACE_S
    chunks: list[bytes] = []
    with os.fdopen(reader, "rb", buffering=0) as stream:
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([stream], [], [], max(left, 0))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise JavaScriptTimeoutError(f"the script exceeded the time limit of {time_limit:g} s")
            chunk = stream.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
    _pid, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not chunks:
        name = signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else "no answer"
        raise JavaScriptError(
            f"the script crashed the JavaScript engine ({name}): it went past the memory or stack limit the engine "
            "withstands"
        )
    answer = json.loads(b"".join(chunks))
    if "variables" in answer:
        found: dict[str, Any] = answer["variables"]
        return found
    error = JavaScriptTimeoutError if answer.get("timeout") else JavaScriptError
    raise error(str(answer["error"]), answer.get("line"))
