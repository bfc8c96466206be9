"""Run-time side of translated JUEL: the ``var`` and ``juel`` functions the generated Python calls.

``juel(op, *args)`` follows the EL 2.2 coercion rules (JSR-245 §1.8-1.9) for the value types process data has
(None, bool, int, float, Decimal, str, list, dict):

* ``==``/``!=``: null equals only null; a number on either side compares numerically, a boolean as booleans, a
  string as strings (so ``5 == '5'`` and ``true == 'true'``), else Python equality;
* ``< > <= >=``: false when either side is null; numbers numerically, else strings;
* arithmetic: operands coerced to numbers (null and '' are 0); ``/`` always divides as floats;
* ``bool``: null and '' are false, a string is true only when it is 'true' (any case);
* ``str``: null is '', booleans are 'true'/'false';
* ``prop``/``index`` on null give null (EL rule); calling a method on null is an error, as in Java.

Errors are :class:`JuelEvaluationError`; the platform reports them as an incident on the task.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

__all__ = ["JuelEvaluationError", "juel", "juel_globals"]

#: Integers stay within Java's long range (JUEL arithmetic is on Long); beyond it is an error, not a huge number.
_LONG_MIN: Final = -(2**63)
_LONG_MAX: Final = 2**63 - 1


class JuelEvaluationError(ValueError):
    """A translated JUEL expression failed at run time (bad coercion, method on null, division by zero...)."""


def juel_globals(lookup: Callable[[str], Any]) -> dict[str, Any]:
    """The globals translated expressions need: ``var`` bound to ``lookup`` (returns None when unset) and ``juel``."""

    def var(name: str) -> Any:
        return lookup(name)

    return {"var": var, "juel": juel}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def to_number(value: Any) -> int | float | Decimal:
    if value is None:
        return 0
    if isinstance(value, bool):
        raise JuelEvaluationError(f"cannot use the boolean {to_string(value)} as a number")
    if _is_number(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            pass
    raise JuelEvaluationError(f"cannot use {value!r} as a number")


def to_bool(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    raise JuelEvaluationError(f"cannot use {value!r} as true/false")


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _equals(left: Any, right: Any) -> bool:
    if left is right:
        return True
    if left is None or right is None:
        return False
    if _is_number(left) or _is_number(right):
        return bool(to_number(left) == to_number(right))
    if isinstance(left, bool) or isinstance(right, bool):
        return to_bool(left) == to_bool(right)
    if isinstance(left, str) or isinstance(right, str):
        return to_string(left) == to_string(right)
    return bool(left == right)


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    a: Any
    b: Any
    if _is_number(left) or _is_number(right):
        a, b = to_number(left), to_number(right)
    elif isinstance(left, str) or isinstance(right, str):
        a, b = to_string(left), to_string(right)
    else:
        a, b = left, right
    try:
        match op:
            case "<":
                return bool(a < b)
            case ">":
                return bool(a > b)
            case "<=":
                return bool(a <= b)
            case _:
                return bool(a >= b)
    except TypeError:
        raise JuelEvaluationError(f"cannot compare {left!r} {op} {right!r}") from None


def _checked(value: int | float | Decimal) -> int | float | Decimal:
    if isinstance(value, int) and not _LONG_MIN <= value <= _LONG_MAX:
        raise JuelEvaluationError("number out of range")
    return value


def _arithmetic(op: str, left: Any, right: Any) -> int | float | Decimal:
    a: Any = to_number(left)
    b: Any = to_number(right)
    if isinstance(a, Decimal) != isinstance(b, Decimal):
        a, b = float(a), float(b)
    try:
        match op:
            case "+":
                return _checked(a + b)
            case "-":
                return _checked(a - b)
            case "*":
                return _checked(a * b)
            case "/":
                if b == 0:
                    return math.nan if a == 0 else math.copysign(math.inf, a) * math.copysign(1, b)
                return a / b if isinstance(a, Decimal) else float(a) / float(b)
            case _:
                if isinstance(a, int) and isinstance(b, int):
                    return int(math.copysign(abs(a) % abs(b), a))  # Java remainder: sign of the dividend
                return math.fmod(a, b)
    except (ZeroDivisionError, ArithmeticError) as exc:
        raise JuelEvaluationError(f"cannot compute {left!r} {op} {right!r}: {exc}") from None


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return False


def _property(target: Any, name: str) -> Any:
    if target is None:
        return None
    if isinstance(target, Mapping):
        return target.get(name)
    raise JuelEvaluationError(f"{type(target).__name__} value has no property '{name}'")


def _index(target: Any, key: Any) -> Any:
    if target is None or key is None:
        return None
    if isinstance(target, Mapping):
        return target.get(key)
    if isinstance(target, list | tuple):
        position = int(to_number(key))
        return target[position] if 0 <= position < len(target) else None
    raise JuelEvaluationError(f"cannot index a {type(target).__name__} value")


def _string_method(text: str, name: str, args: tuple[Any, ...]) -> Any:  # noqa: C901 - one branch per method
    match name, args:
        case ("equals", (other,)):
            return isinstance(other, str) and text == other
        case ("equalsIgnoreCase", (other,)):
            return isinstance(other, str) and text.lower() == other.lower()
        case ("contains", (other,)):
            return to_string(other) in text
        case ("startsWith", (other,)):
            return text.startswith(to_string(other))
        case ("endsWith", (other,)):
            return text.endswith(to_string(other))
        case ("length", ()):
            return len(text)
        case ("isEmpty", ()):
            return not text
        case ("trim", ()):
            return text.strip()
        case ("toLowerCase", ()):
            return text.lower()
        case ("toUpperCase", ()):
            return text.upper()
        case ("toString", ()):
            return text
        case ("indexOf", (other,)):
            return text.find(to_string(other))
        case ("lastIndexOf", (other,)):
            return text.rfind(to_string(other))
        case ("substring", (start,)):
            return text[int(to_number(start)) :]
        case ("substring", (start, end)):
            return text[int(to_number(start)) : int(to_number(end))]
        case ("replace", (old, new)):
            return text.replace(to_string(old), to_string(new))
        case ("concat", (other,)):
            return text + to_string(other)
        case ("charAt", (position,)):
            return text[int(to_number(position))]
    raise JuelEvaluationError(f"String.{name}() with {len(args)} argument(s) is not supported")


def _method(target: Any, name: str, *args: Any) -> Any:
    if target is None:
        raise JuelEvaluationError(f"cannot call {name}() on a null value")
    if isinstance(target, str):
        return _string_method(target, name, args)
    if name == "equals" and len(args) == 1:
        return target == args[0]
    if name == "toString" and not args:
        return to_string(target)
    if isinstance(target, list | tuple | dict):
        if name in ("size", "length") and not args:
            return len(target)
        if name == "isEmpty" and not args:
            return not target
        if name == "contains" and len(args) == 1:
            return args[0] in target
        if isinstance(target, dict) and name in ("containsKey", "get") and len(args) == 1:
            return (args[0] in target) if name == "containsKey" else target.get(args[0])
    raise JuelEvaluationError(f"{type(target).__name__} value has no method {name}()")


def _negate(value: Any) -> int | float | Decimal:
    return -to_number(value)


_LOOSE_DATE_TIME: Final = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?(.*)$")


def _timer_value(value: Any) -> Any:
    """Joda-time (Activiti) read ``2027-02-22T13:0:00``; zero-pad such dates so ISO 8601 parsing accepts them."""
    if not isinstance(value, str):
        return value
    match = _LOOSE_DATE_TIME.match(value.strip())
    if match is None:
        return value
    year, month, day, hour, minute, second, rest = match.groups()
    date = f"{year}-{int(month):02d}-{int(day):02d}"
    if hour is None:
        return date + rest
    return f"{date}T{int(hour):02d}:{int(minute):02d}:{int(second or 0):02d}{rest}"


_OPERATIONS: Final[dict[str, Callable[..., Any]]] = {
    "==": _equals,
    "!=": lambda left, right: not _equals(left, right),
    "<": lambda left, right: _compare("<", left, right),
    ">": lambda left, right: _compare(">", left, right),
    "<=": lambda left, right: _compare("<=", left, right),
    ">=": lambda left, right: _compare(">=", left, right),
    "+": lambda left, right: _arithmetic("+", left, right),
    "-": lambda left, right: _arithmetic("-", left, right),
    "*": lambda left, right: _arithmetic("*", left, right),
    "/": lambda left, right: _arithmetic("/", left, right),
    "%": lambda left, right: _arithmetic("%", left, right),
    "neg": _negate,
    "empty": _empty,
    "bool": to_bool,
    "str": to_string,
    "prop": _property,
    "index": _index,
    "call": _method,
    "timer": _timer_value,
}


def juel(op: str, *args: Any) -> Any:
    """Apply the JUEL operator ``op`` (see the module docstring) to ``args``."""
    operation = _OPERATIONS.get(op)
    if operation is None:
        raise JuelEvaluationError(f"unknown JUEL operation {op!r}")
    try:
        return operation(*args)
    except TypeError as exc:
        raise JuelEvaluationError(f"bad use of {op!r}: {exc}") from None
