"""Compile-time side of the script sandbox: limits, errors, the AST policy and the code cache.

Analysts' gateway conditions, timer expressions and script tasks are compiled with
RestrictedPython (``compile_restricted_eval``/``_exec``) using :class:`SandboxPolicy`, which on top of
RestrictedPython's own checks rewrites the operators that can build huge values in a single C-level step (``**``, ``*``,
``<<``, ``+`` and ``%``) into calls of a runtime guard, and format specs of f-strings into a guarded
``format``.  Runtime guards live in :mod:`engine.runtime.sandbox_guards`.
"""

from __future__ import annotations

import ast
import functools
import re
from types import CodeType
from typing import Final, Literal, TypeVar, cast

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import RestrictingNodeTransformer

# --------------------------------------------------------------------------------------------------
# Limits.  Every single C-level operation a script can trigger is bounded by these; loops written in
# the script itself are bounded by the time limit instead.
# --------------------------------------------------------------------------------------------------

#: Integers may not grow past this many bits (~4300 decimal digits, CPython's int->str limit).
MAX_INT_BITS: Final = 14_300
#: ``x ** y`` with a non-integer base/exponent (float, Decimal, complex) refuses ``abs(y)`` above this.
MAX_EXPONENT: Final = 1_000
#: Longest str/bytes/list/tuple a single ``*``, ``+``, ``join``, ``replace``, padding... may produce.
MAX_SEQUENCE_LEN: Final = 1_000_000
#: ``range()`` may not have more items than this (``sum(range(n))`` runs in C, untraced).
MAX_RANGE_LEN: Final = 1_000_000
#: Widths/precisions in f-string format specs and ``%`` formatting may not exceed this.
MAX_FORMAT_WIDTH: Final = 10_000
#: ``math.factorial`` / ``comb`` / ``perm`` arguments may not exceed this (factorial(10**6) takes seconds).
MAX_COMBINATORIC_ARG: Final = 10_000
#: Default wall-clock limit for one evaluate/execute call, in seconds.
DEFAULT_TIME_LIMIT: Final = 1.0
#: Number of compiled sources kept in the LRU cache.
COMPILE_CACHE_SIZE: Final = 2048

#: File name given to restricted code objects; the time-limit tracer only traces frames with it.
SCRIPT_FILENAME: Final = "<posluhy-script>"

#: Names of the runtime hooks the policy and RestrictedPython insert into compiled code.
GUARDED_BINOP: Final = "_guarded_binop_"
GUARDED_FORMAT: Final = "_guarded_format_"
#: Deadline check compiled into every loop body, comprehension, function and lambda (returns True).
TICK: Final = "_tick_"

_BINOP_SYMBOLS: Final[dict[type[ast.operator], str]] = {
    ast.Pow: "**",
    ast.Mult: "*",
    ast.LShift: "<<",
    ast.Add: "+",
    ast.Mod: "%",
}

_NodeT = TypeVar("_NodeT", bound=ast.AST)
_LINE_RE: Final = re.compile(r"^Line (\d+)")

ALLOWED_MODULES: Final = frozenset({"datetime", "math", "re", "json", "decimal"})
"""The only modules a script may import."""


class SandboxError(Exception):
    """Base class of every error the sandbox raises on purpose."""


class ScriptRestrictionError(SandboxError):
    """The source does not compile or uses a construct the sandbox forbids (found at compile time)."""

    def __init__(self, message: str, errors: tuple[str, ...] = (), lineno: int | None = None) -> None:
        super().__init__(message)
        self.errors = errors
        self.lineno = lineno


class ScriptAccessError(SandboxError):
    """The script tried, at run time, to reach something it may not (private attribute, module...)."""


class ScriptLimitError(SandboxError):
    """A single operation would have produced a value above one of the size limits."""


class ScriptTimeoutError(SandboxError):
    """The script ran longer than the time limit."""


def _tick_call() -> ast.Call:
    return ast.Call(func=ast.Name(TICK, ast.Load()), args=[], keywords=[])


def _located(new: _NodeT, old: ast.AST) -> _NodeT:
    """Give a generated node (and its generated children) the source location of the node it replaces."""
    return ast.fix_missing_locations(ast.copy_location(new, old))


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus size guards on operators, guarded format specs and no classes."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:  # noqa: N802 - ast.NodeTransformer naming
        node = self.node_contents_visit(node)
        symbol = _BINOP_SYMBOLS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name(GUARDED_BINOP, ast.Load()),
            args=[ast.Constant(symbol), node.left, node.right],
            keywords=[],
        )
        return _located(call, node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:  # noqa: N802 - ast.NodeTransformer naming
        node = self.node_contents_visit(node)
        if node.format_spec is None:
            return node
        # f"{v!r:>{w}}" -> f"{_guarded_format_(v, 'r', f'>{w}')}" : the width is checked before formatting.
        conversion = chr(node.conversion) if node.conversion > 0 else ""
        call = ast.Call(
            func=ast.Name(GUARDED_FORMAT, ast.Load()),
            args=[node.value, ast.Constant(conversion), node.format_spec],
            keywords=[],
        )
        return _located(ast.FormattedValue(value=_located(call, node), conversion=-1, format_spec=None), node)

    # CPython 3.11 emits no 'line' trace event when a loop jumps back to the same line (``while True: pass``,
    # one-line comprehensions), so loops call the deadline check themselves.
    def visit_While(self, node: ast.While) -> ast.AST:  # noqa: N802 - ast.NodeTransformer naming
        node = self.node_contents_visit(node)
        node.body.insert(0, _located(ast.Expr(_tick_call()), node.body[0]))
        return node

    def visit_For(self, node: ast.For) -> ast.AST:  # noqa: N802 - ast.NodeTransformer naming
        new_node = cast(ast.For, super().visit_For(node))
        new_node.body.insert(0, _located(ast.Expr(_tick_call()), new_node.body[0]))
        return new_node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        new_node = cast(ast.comprehension, super().visit_comprehension(node))
        new_node.ifs.insert(0, _located(_tick_call(), new_node.iter))
        return new_node

    # Functions check the deadline on entry too: exponential recursion has no loop to tick in, and the
    # tracer is switched off by CPython after it raised once, should the script survive that exception.
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:  # noqa: N802 - ast.NodeTransformer naming
        new_node = cast(ast.FunctionDef, super().visit_FunctionDef(node))
        new_node.body.insert(0, _located(ast.Expr(_tick_call()), new_node.body[0]))
        return new_node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:  # noqa: N802 - ast.NodeTransformer naming
        new_node = cast(ast.Lambda, super().visit_Lambda(node))
        new_node.body = _located(ast.BoolOp(op=ast.And(), values=[_tick_call(), new_node.body]), new_node.body)
        return new_node

    def visit_ClassDef(self, node: ast.ClassDef) -> None:  # noqa: N802 - ast.NodeTransformer naming
        self.error(node, "Class definitions are not allowed.")

    def visit_Try(self, node: ast.Try) -> ast.AST:  # noqa: N802 - ast.NodeTransformer naming
        # A timeout is raised into the script once; tracing stops after that (CPython), so code that could
        # run on after it -- a bare ``except:`` or a ``finally:`` block -- must not exist.
        if node.finalbody:
            self.error(node, "'finally' blocks are not allowed.")
        for handler in node.handlers:
            if handler.type is None:
                self.error(handler, "Bare 'except:' is not allowed; name the exception, e.g. 'except ValueError:'.")
        return self.node_contents_visit(node)


def _first_line(errors: tuple[str, ...]) -> int | None:
    for error in errors:
        match = _LINE_RE.match(error)
        if match:
            return int(match.group(1))
    return None


@functools.lru_cache(maxsize=COMPILE_CACHE_SIZE)
def compile_source(source: str, mode: Literal["eval", "exec"]) -> CodeType:
    """Compile ``source`` under :class:`SandboxPolicy`; cached per (source, mode).

    Raises :class:`ScriptRestrictionError` listing RestrictedPython's messages.  Failures are not cached.
    """
    kind = "Expression" if mode == "eval" else "Script"
    if not isinstance(source, str):
        raise ScriptRestrictionError(f"{kind} source must be a string, not {type(source).__name__}")
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, filename=SCRIPT_FILENAME, policy=SandboxPolicy)
    except (SyntaxError, TypeError, ValueError) as exc:  # e.g. NUL bytes, or errors found by compile()
        raise ScriptRestrictionError(f"{kind} does not compile: {exc}", (str(exc),)) from exc
    errors = tuple(str(error) for error in result.errors)
    if errors:
        verdict = "does not compile" if any("SyntaxError" in e for e in errors) else "is not allowed"
        raise ScriptRestrictionError(f"{kind} {verdict}: " + "; ".join(errors), errors, _first_line(errors))
    code = result.code
    if not isinstance(code, CodeType):  # pragma: no cover - RestrictedPython always returns code or errors
        raise ScriptRestrictionError(f"{kind} does not compile")
    return code


def compile_check(source: str, *, mode: Literal["eval", "exec"]) -> str | None:
    """Return a human-readable message if ``source`` would be refused at compile time, else None.

    Nothing is executed.  Used by ``posluhy check`` to lint gateway conditions and scripts.
    """
    try:
        compile_source(source, mode)
    except ScriptRestrictionError as exc:
        return str(exc)
    return _forbidden_import(source)


def _forbidden_import(source: str) -> str | None:
    """Imports outside the allow-list fail at run time anyway; say so before the diagram is deployed."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [("." * node.level) + (node.module or "")]
        else:
            continue
        for name in names:
            if name not in ALLOWED_MODULES:
                allowed = ", ".join(sorted(ALLOWED_MODULES))
                return f"Line {node.lineno}: import of {name!r} is not allowed (allowed: {allowed})"
    return None
