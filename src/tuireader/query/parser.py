"""Query text to a syntax tree. Every bad input is a :class:`QueryError`, nothing else.

Grammar (``OR`` binds looser than the implicit AND between terms)::

    query   := or? EOF
    or      := and ("OR" and)*
    and     := unary+                      (AND between terms is implicit; "AND" is allowed)
    unary   := "-" unary | "(" or ")" | term
    term    := word | "quoted phrase" | field ":" value
    field   := title | author | feed | folder | tag | is | has | after | before | age
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from tuireader.query.ast import (
    Age,
    And,
    DateBound,
    Everything,
    FeedIs,
    FolderIs,
    Has,
    Having,
    Is,
    Node,
    Not,
    Or,
    State,
    TagIs,
    Text,
    TextField,
)
from tuireader.sanitize import clean_line

MAX_QUERY_LENGTH = 1000
MAX_DEPTH = 32
FIELDS = ("title", "author", "feed", "folder", "tag", "is", "has", "after", "before", "age")
STATES: tuple[State, ...] = ("unread", "read", "starred", "recommended", "hidden")
HAVING: dict[str, Having] = {
    "enclosure": "enclosure",
    "enclosures": "enclosure",
    "fulltext": "fulltext",
    "full-text": "fulltext",
}
_AGE = re.compile(r"([<>]?)(\d{1,6})([hdw])")
_AGE_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIELD = re.compile(r"([A-Za-z]+):")


class QueryError(ValueError):
    """A query that cannot be understood; ``column`` (1-based) points at the problem."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} (column {column})")
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "word", "phrase", "field", "neg", "or", "(", ")"
    column: int
    value: str = ""
    field: str = ""
    quoted: bool = False


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The string of a ``"..."`` starting at ``start``; backslash escapes ``"`` and ``\\``."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise QueryError("this quote is never closed", start + 1)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        column = i + 1
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, column))
            i += 1
        elif char == "-":
            if i + 1 >= len(text) or text[i + 1].isspace() or text[i + 1] == ")":
                raise QueryError("'-' must be followed by the term it negates", column)
            tokens.append(_Token("neg", column))
            i += 1
        elif char == '"':
            value, i = _quoted(text, i)
            tokens.append(_Token("phrase", column, value, quoted=True))
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in '()"':
                i += 1
            word = text[start:i]
            field = _FIELD.match(word)
            if field is not None and word[field.end() :].startswith("//"):
                field = None  # a pasted address (https://...) is words, not a field
            if field is None:
                if word == "OR":
                    tokens.append(_Token("or", column))
                elif word != "AND":
                    tokens.append(_Token("word", column, word))
                continue
            name = field.group(1).lower()
            if name not in FIELDS:
                raise QueryError(
                    f"unknown field {clean_line(name)!r} (fields: {', '.join(FIELDS)})", column
                )
            value, quoted = word[field.end() :], False
            if not value and i < len(text) and text[i] == '"':
                value, i = _quoted(text, i)
                quoted = True
            if not value.strip():
                raise QueryError(f"{name}: needs a value", column)
            tokens.append(_Token("field", column, value, field=name, quoted=quoted))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], end: int) -> None:
        self.tokens = tokens
        self.pos = 0
        self.end = end

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def column(self) -> int:
        token = self.peek()
        return token.column if token is not None else self.end

    def parse_or(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise QueryError("the query is nested too deeply", self.column())
        nodes = [self.parse_and(depth)]
        while (token := self.peek()) is not None and token.kind == "or":
            self.pos += 1
            nodes.append(self.parse_and(depth))
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def parse_and(self, depth: int) -> Node:
        nodes: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            nodes.append(self.parse_unary(depth))
        if not nodes:
            token = self.peek()
            what = "OR" if token is not None and token.kind == "or" else "')'"
            if token is None:
                raise QueryError("the query ends where a term was expected", self.end)
            raise QueryError(f"expected a term before {what}", token.column)
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def parse_unary(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise QueryError("the query is nested too deeply", self.column())
        token = self.peek()
        assert token is not None
        self.pos += 1
        if token.kind == "neg":
            following = self.peek()
            if following is None or following.kind in ("or", ")"):
                raise QueryError("'-' must be followed by the term it negates", token.column)
            return Not(self.parse_unary(depth + 1))
        if token.kind == "(":
            node = self.parse_or(depth + 1)
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QueryError("this '(' is never closed", token.column)
            self.pos += 1
            return node
        return _term(token)


def _term(token: _Token) -> Node:
    if token.kind == "word":
        return Text(token.value)
    if token.kind == "phrase":
        return Text(token.value, phrase=True)
    value, name, column = token.value.strip(), token.field, token.column
    if name in ("title", "author"):
        return Text(value, cast(TextField, name), phrase=token.quoted)
    if name == "feed":
        return FeedIs(value)
    if name == "folder":
        return FolderIs(value.strip("/"))
    if name == "tag":
        return TagIs(value)
    lowered = value.lower()
    if name == "is":
        if lowered not in STATES:
            raise QueryError(f"is: takes one of {', '.join(STATES)}", column)
        return Is(lowered)
    if name == "has":
        if lowered not in HAVING:
            raise QueryError("has: takes enclosure or fulltext", column)
        return Has(HAVING[lowered])
    if name in ("after", "before"):
        try:
            if not _DAY.fullmatch(value):
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            raise QueryError(f"{name}: takes a date as YYYY-MM-DD", column) from None
        return DateBound(name == "after", day)
    match = _AGE.fullmatch(lowered)
    if match is None:
        raise QueryError("age: takes <N or >N with h, d or w (age:<7d)", column)
    seconds = int(match.group(2)) * _AGE_UNITS[match.group(3)]
    return Age(match.group(1) != ">", seconds)


def parse_query(text: str) -> Node:
    """Parse ``text``; the empty query is :class:`Everything`."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"a query is at most {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH)
    tokens = _tokens(text)
    if not tokens:
        return Everything()
    parser = _Parser(tokens, len(text) + 1)
    node = parser.parse_or(0)
    extra = parser.peek()
    if extra is not None:
        raise QueryError("this ')' has no '(' before it", extra.column)
    return node
