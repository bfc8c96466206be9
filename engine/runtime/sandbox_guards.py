"""Run-time side of the script sandbox: the guard functions and the builtins restricted code sees.

:func:`build_restricted_globals` returns the names every restricted evaluation gets; the hooks
(``_getattr_`` ...) start with ``_`` so scripts can neither read nor rebind them by name
(RestrictedPython refuses such names at compile time).
"""

from __future__ import annotations

import builtins
import importlib
import math
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType, ModuleType
from typing import Any, Final

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safe_builtins
from RestrictedPython.Limits import limited_builtins
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import INSPECT_ATTRIBUTES
from RestrictedPython.Utilities import utility_builtins

from engine.runtime.sandbox_limits import (
    bounded_range,
    guarded_binop,
    guarded_format,
    guarded_inplacevar,
    guarded_pow,
    guarded_text_method,
    limited_combinatoric,
)
from engine.runtime.sandbox_policy import (
    ALLOWED_MODULES,
    GUARDED_BINOP,
    GUARDED_FORMAT,
    TICK,
    ScriptAccessError,
)

#: THE import allow-list: the only modules scripts may import (exact names, no submodules).
#: ``random`` must never be added: it re-exports ``os`` as ``random._os``.

#: Attributes refused on every object, in addition to any name starting with ``_``.
#: ``format``/``format_map`` walk attributes ("{0.__class__}".format(x)): refused on every object (use f-strings).
_FORBIDDEN_ATTRIBUTES: Final = frozenset(INSPECT_ATTRIBUTES | {"mro", "format", "format_map"})
#: Module attributes refused: decimal contexts are thread-global state and allow unbounded precision.
_FORBIDDEN_MODULE_ATTRIBUTES: Final = MappingProxyType(
    {
        "decimal": frozenset(
            {"getcontext", "setcontext", "localcontext", "Context", "DefaultContext", "BasicContext", "ExtendedContext"}
        ),
    }
)
_BUILTIN_EXCEPTIONS_REMOVED: Final = ("BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit")


def _refuse_attribute(name: str) -> ScriptAccessError:
    return ScriptAccessError(f"Access to '{name}' is not allowed")


_MODULE_OVERRIDES: Final[Mapping[tuple[str, str], Any]] = MappingProxyType(
    {("math", name): limited_combinatoric(getattr(math, name)) for name in ("factorial", "comb", "perm")}
)


def _check_module_value(name: str, value: Any) -> None:
    if isinstance(value, ModuleType) and value.__name__ not in ALLOWED_MODULES:
        raise ScriptAccessError(f"Access to module '{value.__name__}' (via '{name}') is not allowed")


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """``obj.name`` for restricted code; also exposed as the ``getattr`` builtin."""
    if not isinstance(name, str):
        raise TypeError("attribute name must be a string")
    if name.startswith("_") or name in _FORBIDDEN_ATTRIBUTES:
        raise _refuse_attribute(name)
    if isinstance(obj, ModuleType):
        if name in _FORBIDDEN_MODULE_ATTRIBUTES.get(obj.__name__, ()):
            raise _refuse_attribute(f"{obj.__name__}.{name}")
        override = _MODULE_OVERRIDES.get((obj.__name__, name))
        if override is not None:
            return override
    if isinstance(obj, str | bytes):
        wrapped = guarded_text_method(obj, name)
        if wrapped is not None:
            return wrapped
    value = getattr(obj, name, *default)
    _check_module_value(name, value)
    return value


def guarded_getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def guarded_write(obj: Any) -> Any:
    """Target of ``x[k] = v`` / ``x.a = v`` / ``del``: only dicts and lists may be modified."""
    if isinstance(obj, dict | list):
        return obj
    raise ScriptAccessError(f"Modifying {type(obj).__name__} objects is not allowed")


def guarded_apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


def guarded_import(
    name: str,
    globals: Mapping[str, Any] | None = None,
    locals: Mapping[str, Any] | None = None,
    fromlist: Iterable[str] | None = (),
    level: int = 0,
) -> ModuleType:
    """``__import__`` restricted to :data:`ALLOWED_MODULES`; ``from m import x`` is checked like ``m.x``."""
    if level != 0 or name not in ALLOWED_MODULES:
        raise ScriptAccessError(f"Import of '{name}' is not allowed")
    module = importlib.import_module(name)
    for attribute in fromlist or ():
        guarded_getattr(module, attribute)  # raises for private names, other modules, denied attributes
        if (name, attribute) in _MODULE_OVERRIDES:
            raise ScriptAccessError(f"Use '{name}.{attribute}' instead of importing it by name")
    return module


# ------------------------------------------------------------------------------------------ builtins


def _build_builtins() -> Mapping[str, Any]:
    names: dict[str, Any] = {}
    names.update(safe_builtins)
    names.update(limited_builtins)
    names.update({k: v for k, v in utility_builtins.items() if k not in ("random", "whrandom")})
    for removed in (*_BUILTIN_EXCEPTIONS_REMOVED, "__build_class__", "_getattr_"):
        names.pop(removed, None)
    for name in (
        "min",
        "max",
        "sum",
        "sorted",
        "len",
        "any",
        "all",
        "enumerate",
        "zip",
        "abs",
        "round",
        "dict",
        "list",
        "set",
        "frozenset",
        "tuple",
        "str",
        "int",
        "float",
        "bool",
        "isinstance",
        "reversed",
        "map",
        "filter",
    ):
        names[name] = getattr(builtins, name)
    names.update(range=bounded_range, pow=guarded_pow, getattr=guarded_getattr, __import__=guarded_import)
    return MappingProxyType(names)


RESTRICTED_BUILTINS: Final = _build_builtins()

#: Hooks inserted by RestrictedPython and by :class:`~engine.runtime.sandbox_policy.SandboxPolicy`.
GUARD_GLOBALS: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "_getattr_": guarded_getattr,
        "_getitem_": guarded_getitem,
        "_getiter_": iter,
        "_write_": guarded_write,
        "_apply_": guarded_apply,
        "_inplacevar_": guarded_inplacevar,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_print_": PrintCollector,
        GUARDED_BINOP: guarded_binop,
        GUARDED_FORMAT: guarded_format,
    }
)


def build_restricted_globals(tick: Callable[[], bool]) -> dict[str, Any]:
    """Fresh globals for one evaluation: the guard hooks, the deadline check and the restricted builtins."""
    return {**GUARD_GLOBALS, TICK: tick, "__builtins__": dict(RESTRICTED_BUILTINS)}
