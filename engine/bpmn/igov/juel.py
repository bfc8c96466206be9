"""Translate iGov's JUEL expressions (``${...}`` / ``#{...}``) into the platform's Python expression language.

The generated code is a single Python *expression* that passes the script sandbox
(``engine.runtime.sandbox.compile_check(code, mode="eval")``). It uses exactly two names, which the platform must
provide in the script engine's globals (build them with :func:`engine.bpmn.igov.juel_runtime.juel_globals`):

* ``var(name)`` returns the process variable ``name``, or None when it is not set (JUEL reads a missing variable
  as null, so ``${visitDay == null}`` is true for a variable that was never set);
* ``juel(op, *args)`` applies one JUEL operator with JUEL's coercion rules (``juel("==", a, b)``,
  ``juel("bool", x)``, ``juel("str", x)``, ``juel("call", obj, "contains", x)`` ...), so ``==`` with null,
  ``empty``, number/string coercion and null-safe property access keep their JUEL meaning.

Process variables are never read as Python names (iGov ids may contain Cyrillic letters, e.g. ``cnapСhoice``,
and may collide with Python keywords), and the JUEL text is never evaluated: it is tokenized and parsed by
:mod:`engine.bpmn.igov.juel_parser`.

Malformed conditions that iGov's files contain are repaired when the result is unambiguous:
``${a == ''} || ${b == 'x'}`` becomes the OR of both, ``${anValidDocument}=={'no'}`` a comparison (the literal
text between the expressions is re-read as JUEL with ``{...}`` as parentheses). Anything else raises
:class:`JuelError`.
"""

from __future__ import annotations

from typing import Final

from engine.bpmn.igov.juel_parser import (
    Binary,
    Call,
    Index,
    JuelError,
    Literal,
    Member,
    Name,
    Node,
    Segment,
    Ternary,
    Unary,
    parse_expression,
    parse_text,
)

__all__ = [
    "SUPPORTED_METHODS",
    "JuelError",
    "referenced_names",
    "translate_condition",
    "translate_expression",
    "translate_template",
    "translate_value",
]

#: Methods callable on values (Java String / collection methods seen in iGov expressions).
SUPPORTED_METHODS: Final = frozenset(
    {
        "equals",
        "equalsIgnoreCase",
        "contains",
        "startsWith",
        "endsWith",
        "length",
        "trim",
        "toLowerCase",
        "toUpperCase",
        "isEmpty",
        "indexOf",
        "lastIndexOf",
        "substring",
        "replace",
        "toString",
        "size",
        "concat",
        "charAt",
        "containsKey",
        "get",
    }
)
_BOOLEAN_OPS: Final = frozenset({"==", "!=", "<", ">", "<=", ">=", "&&", "||"})
#: The implicit ``execution`` object: ``execution.getVariable('x')`` reads a process variable.
_EXECUTION: Final = "execution"

#: Names translated JUEL calls (`var(...)`, `juel.…`): the script engine defines them, so no process variable may
#: use them.
RESERVED_NAMES: Final = ("var", "juel")


def translate_expression(node: Node) -> str:
    """Python source for one parsed JUEL expression."""
    match node:
        case Literal(value=value):
            return repr(value)
        case Name(name=name):
            return f"var({name!r})"
        case Unary(op=op, operand=operand):
            return _unary(op, operand)
        case Binary(op="&&", left=left, right=right):
            return f"({_boolean(left)} and {_boolean(right)})"
        case Binary(op="||", left=left, right=right):
            return f"({_boolean(left)} or {_boolean(right)})"
        case Binary(op=op, left=left, right=right):
            return f"juel({op!r}, {translate_expression(left)}, {translate_expression(right)})"
        case Ternary(condition=condition, if_true=if_true, if_false=if_false):
            return f"({translate_expression(if_true)} if {_boolean(condition)} else {translate_expression(if_false)})"
        case Member(target=target, name=name):
            return f'juel("prop", {translate_expression(target)}, {name!r})'
        case Index(target=target, key=key):
            return f'juel("index", {translate_expression(target)}, {translate_expression(key)})'
        case Call():
            return _call(node)
    raise JuelError(f"unsupported expression {node!r}")  # pragma: no cover - the parser builds no other node


def _unary(op: str, operand: Node) -> str:
    if op == "!":
        return f"(not {_boolean(operand)})"
    return f"juel({'empty' if op == 'empty' else 'neg'!r}, {translate_expression(operand)})"


def _boolean(node: Node) -> str:
    """The node as a Python bool: comparisons already are, anything else goes through JUEL's coercion."""
    code = translate_expression(node)
    if _is_boolean(node):
        return code
    return f'juel("bool", {code})'


def _is_boolean(node: Node) -> bool:
    match node:
        case Binary(op=op):
            return op in _BOOLEAN_OPS
        case Unary(op=op):
            return op in ("!", "empty")
        case Literal(value=value):
            return isinstance(value, bool)
    return False


def _call(node: Call) -> str:
    if node.target is None:
        raise JuelError(f"function '{node.name}()' is not supported (only methods of values are)")
    if isinstance(node.target, Name) and node.target.name == _EXECUTION:
        if node.name == "getVariable" and len(node.args) == 1:
            return f"var({_string_argument(node.args[0])})"
        raise JuelError(f"'execution.{node.name}()' is not supported")
    if node.name not in SUPPORTED_METHODS:
        target = _describe_target(node.target)
        raise JuelError(f"method '{target}.{node.name}()' is not supported (a bean or unknown method)")
    parts = [translate_expression(node.target), repr(node.name), *(translate_expression(arg) for arg in node.args)]
    return f'juel("call", {", ".join(parts)})'


def _string_argument(node: Node) -> str:
    if isinstance(node, Literal) and isinstance(node.value, str):
        return repr(node.value)
    return f'juel("str", {translate_expression(node)})'


def _describe_target(node: Node) -> str:
    match node:
        case Name(name=name):
            return name
        case Member(target=target, name=name):
            return f"{_describe_target(target)}.{name}"
    return "(value)"


def _expressions(segments: list[Segment]) -> list[Segment]:
    return [segment for segment in segments if segment.node is not None]


def _only_expression(segments: list[Segment]) -> Node | None:
    """The expression when the text is one expression (whitespace around allowed), else None."""
    expressions = _expressions(segments)
    literal = "".join(segment.text for segment in segments if segment.node is None)
    if len(expressions) == 1 and not literal.strip():
        return expressions[0].node
    return None


def _repair(segments: list[Segment], text: str) -> Node:
    """Read a malformed condition as one JUEL expression: ``${x}`` and ``{x}`` become ``(x)``."""
    pieces: list[str] = []
    for segment in segments:
        if segment.node is not None:
            pieces.append(f"({segment.text})")
        else:
            pieces.append(segment.text.replace("{", "(").replace("}", ")"))
    try:
        return parse_expression("".join(pieces))
    except JuelError as exc:
        raise JuelError(f"condition {text.strip()!r} is not one expression ({exc.message})") from None


def translate_condition(text: str) -> str:
    """Python boolean expression for a sequence-flow condition (raises :class:`JuelError`)."""
    segments = parse_text(text)
    node = _only_expression(segments)
    if node is None:
        if not _expressions(segments):
            word = text.strip().lower()
            if word in ("true", "false"):
                return "True" if word == "true" else "False"
            raise JuelError(f"condition {text.strip()!r} has no ${{...}} expression")
        node = _repair(segments, text)
    return _boolean(node)


def translate_template(text: str) -> str:
    """Python expression giving the text with every ``${...}`` replaced by its value as text (null → '')."""
    parts: list[str] = []
    for segment in parse_text(text):
        if segment.node is None:
            parts.append(repr(segment.text))
        else:
            parts.append(f'juel("str", {translate_expression(segment.node)})')
    return " + ".join(parts) if parts else "''"


def translate_value(text: str) -> str:
    """Like :func:`translate_template`, but a text that is one ``${...}`` keeps the value's own type (JUEL rule)."""
    segments = parse_text(text)
    node = _only_expression(segments)
    if node is not None and len(segments) == 1:
        return translate_expression(node)
    return translate_template(text)


def referenced_names(text: str) -> set[str]:
    """The process variables a JUEL text reads (``execution.getVariable('x')`` counts as ``x``)."""
    names: set[str] = set()
    for segment in parse_text(text):
        if segment.node is not None:
            _collect(segment.node, names)
    return names


def _collect(node: Node, names: set[str]) -> None:
    match node:
        case Name(name=name):
            names.add(name)
        case Unary(operand=operand):
            _collect(operand, names)
        case Binary(left=left, right=right):
            _collect(left, names)
            _collect(right, names)
        case Ternary(condition=condition, if_true=if_true, if_false=if_false):
            for child in (condition, if_true, if_false):
                _collect(child, names)
        case Member(target=target):
            _collect(target, names)
        case Index(target=target, key=key):
            _collect(target, names)
            _collect(key, names)
        case Call(target=target, name=name, args=args):
            is_execution = isinstance(target, Name) and target.name == _EXECUTION
            if is_execution and name == "getVariable" and args and isinstance(args[0], Literal):
                names.add(str(args[0].value))
            elif target is not None and not is_execution:
                _collect(target, names)
            for arg in args:
                _collect(arg, names)
