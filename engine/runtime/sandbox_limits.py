"""Size limits enforced at run time: guarded operators, format specs, str/bytes methods, range, math.

Every single C-level operation a script can trigger must stay small (see the ``MAX_*`` constants in
:mod:`engine.runtime.sandbox_policy`); loops written in the script are bounded by the time limit instead.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

from engine.runtime.sandbox_policy import (
    MAX_COMBINATORIC_ARG,
    MAX_EXPONENT,
    MAX_FORMAT_WIDTH,
    MAX_INT_BITS,
    MAX_SEQUENCE_LEN,
    ScriptLimitError,
)

_SEQUENCES: Final = (str, bytes, list, tuple)
_FORMAT_NUMBER_RE: Final = re.compile(r"\d+")
_PERCENT_DIRECTIVE_RE: Final = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")


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


def guarded_text_method(obj: str | bytes, name: str) -> Any:
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


def limited_combinatoric(function: Callable[..., int]) -> Callable[..., int]:
    def limited(*args: int) -> int:
        if any(isinstance(a, int) and a > MAX_COMBINATORIC_ARG for a in args):
            raise ScriptLimitError(f"Arguments above {MAX_COMBINATORIC_ARG} are not allowed here")
        return function(*args)

    return limited


def bounded_range(*args: int) -> range:
    result = range(*args)
    _check_size(len(result), "range()")
    return result
