"""Run-time side of the script sandbox: the guard functions and the builtins restricted code sees.

:func:`build_restricted_globals` returns the names every restricted evaluation gets; the hooks
(``_getattr_`` ...) start with ``_`` so scripts can neither read nor rebind them by name
(RestrictedPython refuses such names at compile time).
"""

from __future__ import annotations

import builtins
import importlib
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType, ModuleType
from typing import Any, Final

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safe_builtins
from RestrictedPython.Limits import limited_builtins
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import INSPECT_ATTRIBUTES
from RestrictedPython.Utilities import utility_builtins

from engine.runtime.sandbox_policy import (
    GUARDED_BINOP,
    GUARDED_FORMAT,
    MAX_COMBINATORIC_ARG,
    MAX_EXPONENT,
    MAX_FORMAT_WIDTH,
    MAX_INT_BITS,
    MAX_SEQUENCE_LEN,
    TICK,
    ScriptAccessError,
    ScriptLimitError,
)

#: THE import allow-list: the only modules scripts may import (exact names, no submodules).
#: ``random`` must never be added: it re-exports ``os`` as ``random._os``.
ALLOWED_MODULES: Final = frozenset({"datetime", "math", "re", "json", "decimal"})

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
_SEQUENCES: Final = (str, bytes, list, tuple)
_FORMAT_NUMBER_RE: Final = re.compile(r"\d+")
_PERCENT_DIRECTIVE_RE: Final = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")


def _refuse_attribute(name: str) -> ScriptAccessError:
    return ScriptAccessError(f"Access to '{name}' is not allowed")


def _check_size(length: int, what: str) -> None:
    if length > MAX_SEQUENCE_LEN:
        raise ScriptLimitError(f"{what} would have {length} items; the limit is {MAX_SEQUENCE_LEN}")


def _check_int_bits(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise ScriptLimitError(f"{what} would give an integer of about {bits} bits; the limit is {MAX_INT_BITS}")


# ---------------------------------------------------------------------------------------------- operators


def _guard_pow(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int):
        if exponent > 0 and abs(base) > 1:
            _check_int_bits(exponent * abs(base).bit_length(), "Power")
    elif isinstance(exponent, int | float) and abs(exponent) > MAX_EXPONENT:
        raise ScriptLimitError(f"Exponent {exponent} is above the limit of {MAX_EXPONENT}")


def _guard_mult(left: Any, right: Any) -> None:
    if isinstance(left, _SEQUENCES) and isinstance(right, int):
        _check_size(len(left) * right, "Repetition")
    elif isinstance(right, _SEQUENCES) and isinstance(left, int):
        _check_size(len(right) * left, "Repetition")
    elif isinstance(left, int) and isinstance(right, int):
        _check_int_bits(abs(left).bit_length() + abs(right).bit_length(), "Multiplication")


def _guard_lshift(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int) and left != 0 and right > 0:
        _check_int_bits(abs(left).bit_length() + right, "Left shift")


def _guard_add(left: Any, right: Any) -> None:
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        _check_size(len(left) + len(right), "Concatenation")


def _check_format_numbers(numbers: Iterable[str], what: str) -> None:
    for number in numbers:
        if number == "*":
            raise ScriptLimitError(f"'*' widths are not allowed in {what}")
        if number and int(number) > MAX_FORMAT_WIDTH:
            raise ScriptLimitError(f"Width/precision {number} in {what} is above the limit of {MAX_FORMAT_WIDTH}")


def _guard_mod(left: Any, right: Any) -> None:
    if isinstance(left, str):
        for match in _PERCENT_DIRECTIVE_RE.finditer(left):
            _check_format_numbers((match.group(1) or "", match.group(2) or ""), "%-formatting")


_BINOP_CHECKS: Final[Mapping[str, tuple[Callable[[Any, Any], None], Callable[[Any, Any], Any]]]] = MappingProxyType(
    {
        "**": (_guard_pow, operator.pow),
        "*": (_guard_mult, operator.mul),
        "<<": (_guard_lshift, operator.lshift),
        "+": (_guard_add, operator.add),
        "%": (_guard_mod, operator.mod),
    }
)


def guarded_binop(symbol: str, left: Any, right: Any) -> Any:
    """Compute ``left <symbol> right`` after refusing results above the size limits."""
    check, compute = _BINOP_CHECKS[symbol]
    check(left, right)
    return compute(left, right)


_INPLACE_OPERATORS: Final[Mapping[str, Callable[[Any, Any], Any]]] = MappingProxyType(
    {
        "+=": operator.iadd,
        "-=": operator.isub,
        "*=": operator.imul,
        "/=": operator.itruediv,
        "//=": operator.ifloordiv,
        "%=": operator.imod,
        "**=": operator.ipow,
        "<<=": operator.ilshift,
        ">>=": operator.irshift,
        "|=": operator.ior,
        "^=": operator.ixor,
        "&=": operator.iand,
        "@=": operator.imatmul,
    }
)


def guarded_inplacevar(op: str, target: Any, value: Any) -> Any:
    """``x op= y`` for names, with the same size checks as the binary operators."""
    symbol = op[:-1]
    if symbol in _BINOP_CHECKS:
        _BINOP_CHECKS[symbol][0](target, value)
    return _INPLACE_OPERATORS[op](target, value)


def guarded_format(value: Any, conversion: str, spec: str) -> str:
    """f-string field with a format spec: refuse widths/precisions above MAX_FORMAT_WIDTH."""
    _check_format_numbers(_FORMAT_NUMBER_RE.findall(spec), "a format spec")
    if conversion == "r":
        value = repr(value)
    elif conversion == "a":
        value = ascii(value)
    elif conversion == "s":
        value = str(value)
    return format(value, spec)


def guarded_pow(base: Any, exponent: Any, modulo: Any = None) -> Any:
    if modulo is None:
        _guard_pow(base, exponent)
        return pow(base, exponent)
    return pow(base, exponent, modulo)


# ------------------------------------------------------------------------------------ str/bytes methods


def _wrap_padding(method: Callable[..., Any]) -> Callable[..., Any]:
    def padded(width: int, *args: Any) -> Any:
        _check_size(width, "Padding")
        return method(width, *args)

    return padded


def _wrap_expandtabs(text: Any) -> Callable[..., Any]:
    def expandtabs(tabsize: int = 8) -> Any:
        _check_size(len(text) + text.count("\t" if isinstance(text, str) else b"\t") * tabsize, "expandtabs")
        return text.expandtabs(tabsize)

    return expandtabs


def _wrap_join(separator: str | bytes) -> Callable[..., Any]:
    def join(iterable: Iterable[Any]) -> Any:
        items = list(iterable)
        total = sum(len(item) for item in items if isinstance(item, str | bytes))
        _check_size(total + len(separator) * max(len(items) - 1, 0), "join")
        return separator.join(items)

    return join


def _wrap_replace(text: Any) -> Callable[..., Any]:
    def replace(old: Any, new: Any, count: int = -1) -> Any:
        hits = text.count(old) if old else len(text) + 1
        if count >= 0:
            hits = min(hits, count)
        _check_size(len(text) + hits * max(len(new) - len(old), 0), "replace")
        return text.replace(old, new, count)

    return replace


def _guarded_text_method(obj: str | bytes, name: str) -> Any:
    if name in ("ljust", "rjust", "center", "zfill"):
        return _wrap_padding(getattr(obj, name))
    if name == "expandtabs":
        return _wrap_expandtabs(obj)
    if name == "join":
        return _wrap_join(obj)
    if name == "replace":
        return _wrap_replace(obj)
    return None


# ------------------------------------------------------------------------------------------ modules


def _limited_combinatoric(function: Callable[..., int]) -> Callable[..., int]:
    def limited(*args: int) -> int:
        if any(isinstance(a, int) and a > MAX_COMBINATORIC_ARG for a in args):
            raise ScriptLimitError(f"Arguments above {MAX_COMBINATORIC_ARG} are not allowed here")
        return function(*args)

    return limited


_MODULE_OVERRIDES: Final[Mapping[tuple[str, str], Any]] = MappingProxyType(
    {("math", name): _limited_combinatoric(getattr(math, name)) for name in ("factorial", "comb", "perm")}
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
        wrapped = _guarded_text_method(obj, name)
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


def bounded_range(*args: int) -> range:
    result = range(*args)
    _check_size(len(result), "range()")
    return result


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
