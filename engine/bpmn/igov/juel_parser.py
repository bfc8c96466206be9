"""Tokenizer and recursive-descent parser for JUEL (the Java Unified Expression Language of Activiti 5).

Covers the EL 2.2 expression grammar used in iGov diagrams: literals, identifiers, ``.``/``[]`` access, method
calls, the unary operators ``-``, ``!``/``not``, ``empty``, arithmetic (``+ - * / div % mod``), comparisons (also
spelled ``lt gt le ge eq ne``), ``&&``/``and``, ``||``/``or`` and ``?:``. Nothing is ever evaluated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

KEYWORD_OPERATORS: Final = {
    "and": "&&",
    "or": "||",
    "not": "!",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
    "empty": "empty",
    "instanceof": "instanceof",
}
_LITERAL_WORDS: Final = {"true": True, "false": False, "null": None}
_SYMBOLS: Final = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", "(", ")")
_SYMBOLS_TAIL: Final = ("[", "]", ",")


class JuelError(ValueError):
    """A JUEL text that cannot be parsed or translated; ``message`` says why, for the author of the diagram."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Token:
    kind: str  # 'str' | 'num' | 'name' | 'op' | 'end'
    value: str | int | float | bool | None
    position: int


# --- AST ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: str | int | float | bool | None


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str  # '-' | '!' | 'empty'
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # '==' '!=' '<' '>' '<=' '>=' '&&' '||' '+' '-' '*' '/' '%'
    left: Node
    right: Node


@dataclass(frozen=True)
class Ternary:
    condition: Node
    if_true: Node
    if_false: Node


@dataclass(frozen=True)
class Member:
    target: Node
    name: str


@dataclass(frozen=True)
class Index:
    target: Node
    key: Node


@dataclass(frozen=True)
class Call:
    target: Node | None  # None: a bare function call such as ``fn(x)``
    name: str
    args: tuple[Node, ...]


Node = Literal | Name | Unary | Binary | Ternary | Member | Index | Call


# --- tokenizer ----------------------------------------------------------------------------------------


def _is_name_start(char: str) -> bool:
    return char.isalpha() or char in "_$"


def _read_string(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    chars: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            chars.append(text[index + 1])  # EL escapes: \' \" \\ (anything else keeps the character)
            index += 2
            continue
        if char == quote:
            return "".join(chars), index + 1
        chars.append(char)
        index += 1
    raise JuelError(f"unterminated string literal starting at character {start + 1}")


def _read_number(text: str, start: int) -> tuple[int | float, int]:
    index = start
    while index < len(text) and text[index].isdigit():
        index += 1
    is_float = False
    if index < len(text) and text[index] == "." and index + 1 < len(text) and text[index + 1].isdigit():
        is_float = True
        index += 1
        while index < len(text) and text[index].isdigit():
            index += 1
    if index < len(text) and text[index] in "eE":
        exponent = index + 1
        if exponent < len(text) and text[exponent] in "+-":
            exponent += 1
        if exponent < len(text) and text[exponent].isdigit():
            is_float = True
            index = exponent
            while index < len(text) and text[index].isdigit():
                index += 1
    literal = text[start:index]
    return (float(literal) if is_float else int(literal)), index


def tokenize(text: str, start: int = 0, *, stop_at_brace: bool = False) -> tuple[list[Token], int]:
    """Tokens from ``start``; with ``stop_at_brace`` stops at the ``}`` closing a ``${`` (returns its index)."""
    tokens: list[Token] = []
    index = start
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char == "}" and stop_at_brace:
            tokens.append(Token("end", None, index))
            return tokens, index
        elif char in "'\"":
            value, index_after = _read_string(text, index)
            tokens.append(Token("str", value, index))
            index = index_after
        elif char.isdigit() or (char == "." and index + 1 < len(text) and text[index + 1].isdigit()):
            number, index_after = _read_number(text, index)
            tokens.append(Token("num", number, index))
            index = index_after
        elif _is_name_start(char):
            end = index + 1
            while end < len(text) and (text[end].isalnum() or text[end] in "_$"):
                end += 1
            word = text[index:end]
            if word in _LITERAL_WORDS:
                tokens.append(Token("lit", _LITERAL_WORDS[word], index))
            elif word in KEYWORD_OPERATORS:
                tokens.append(Token("op", KEYWORD_OPERATORS[word], index))
            else:
                tokens.append(Token("name", word, index))
            index = end
        else:
            symbol = next((s for s in (*_SYMBOLS, *_SYMBOLS_TAIL) if text.startswith(s, index)), None)
            if symbol is None:
                raise JuelError(f"unexpected character {char!r} at character {index + 1}")
            tokens.append(Token("op", symbol, index))
            index += len(symbol)
    if stop_at_brace:
        raise JuelError("expression is not closed with '}'")
    tokens.append(Token("end", None, index))
    return tokens, index


# --- parser -------------------------------------------------------------------------------------------

_EQUALITY: Final = ("==", "!=")
_RELATIONAL: Final = ("<", ">", "<=", ">=")
_ADDITIVE: Final = ("+", "-")
_MULTIPLICATIVE: Final = ("*", "/", "%")


class Parser:
    """Recursive descent over a token list ending with an 'end' token."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise JuelError("empty expression")
        node = self.ternary()
        token = self.peek()
        if token.kind != "end":
            raise JuelError(f"unexpected {_describe(token)} at character {token.position + 1}")
        return node

    def peek(self) -> Token:
        return self.tokens[self.index]

    def next(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, *ops: str) -> str | None:
        token = self.peek()
        if token.kind == "op" and token.value in ops:
            self.index += 1
            return str(token.value)
        return None

    def expect(self, op: str) -> None:
        if self.accept(op) is None:
            token = self.peek()
            raise JuelError(f"expected '{op}' but found {_describe(token)} at character {token.position + 1}")

    def ternary(self) -> Node:
        condition = self.binary(0)
        if self.accept("?") is None:
            return condition
        if_true = self.ternary()
        self.expect(":")
        return Ternary(condition, if_true, self.ternary())

    _LEVELS: Final = (("||",), ("&&",), _EQUALITY, _RELATIONAL, _ADDITIVE, _MULTIPLICATIVE)

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while (op := self.accept(*self._LEVELS[level])) is not None:
            node = Binary(op, node, self.binary(level + 1))
        if self.peek().kind == "op" and self.peek().value == "instanceof":
            raise JuelError("'instanceof' is not supported")
        return node

    def unary(self) -> Node:
        op = self.accept("-", "!", "empty")
        if op is not None:
            return Unary(op, self.unary())
        return self.postfix(self.primary())

    def primary(self) -> Node:
        token = self.next()
        if token.kind in ("str", "num", "lit"):
            return Literal(token.value)
        if token.kind == "name":
            name = str(token.value)
            if self.accept("(") is not None:
                return Call(None, name, self.arguments())
            return Name(name)
        if token.kind == "op" and token.value == "(":
            node = self.ternary()
            self.expect(")")
            return node
        raise JuelError(f"unexpected {_describe(token)} at character {token.position + 1}")

    def postfix(self, node: Node) -> Node:
        while True:
            if self.accept(".") is not None:
                token = self.next()
                if token.kind not in ("name", "op", "lit") or not isinstance(token.value, str):
                    raise JuelError(f"expected a property name after '.' at character {token.position + 1}")
                if self.accept("(") is not None:
                    node = Call(node, token.value, self.arguments())
                else:
                    node = Member(node, token.value)
            elif self.accept("[") is not None:
                key = self.ternary()
                self.expect("]")
                node = Index(node, key)
            else:
                return node

    def arguments(self) -> tuple[Node, ...]:
        args: list[Node] = []
        if self.accept(")") is not None:
            return ()
        while True:
            args.append(self.ternary())
            if self.accept(")") is not None:
                return tuple(args)
            self.expect(",")


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "end of expression"
    if token.kind == "str":
        return f"string {token.value!r}"
    return f"'{token.value}'"


def parse_expression(text: str) -> Node:
    """Parse a bare JUEL expression (the inside of ``${...}``)."""
    tokens, _ = tokenize(text)
    return Parser(tokens).parse()


@dataclass(frozen=True)
class Segment:
    """A piece of a JUEL text: literal text (``node`` None) or an expression with its source."""

    text: str
    node: Node | None = None


def parse_text(text: str) -> list[Segment]:
    """Split a composite JUEL text into literal text and ``${...}`` / ``#{...}`` expressions (``\\${`` escapes)."""
    segments: list[Segment] = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and text.startswith(("${", "#{"), index + 1):
            literal.append(text[index + 1 : index + 3])
            index += 3
        elif char in "$#" and text.startswith("{", index + 1):
            tokens, end = tokenize(text, index + 2, stop_at_brace=True)
            source = text[index + 2 : end]
            try:
                node = Parser(tokens).parse()
            except JuelError as exc:
                raise JuelError(f"in {text[index : end + 1]!r}: {exc.message}") from None
            if literal:
                segments.append(Segment("".join(literal)))
                literal = []
            segments.append(Segment(source, node))
            index = end + 1
        else:
            literal.append(char)
            index += 1
    if literal:
        segments.append(Segment("".join(literal)))
    return segments
