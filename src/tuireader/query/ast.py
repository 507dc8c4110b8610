"""The query language's syntax tree: frozen values the parser builds and the compiler reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

TextField = Literal["any", "title", "author"]
State = Literal["unread", "read", "starred", "recommended", "hidden"]
Having = Literal["enclosure", "fulltext"]


#: Search as you type reads the last word as a prefix only from this many letters on:
#: "t*" matches nearly every article and costs the index far more than it helps.
#: A ``*`` written by the user is a prefix at any length.
MIN_TYPED_PREFIX = 3


@dataclass(frozen=True, slots=True)
class Text:
    """Words to find in the full-text index; a phrase must also appear in this order."""

    text: str
    field: TextField = "any"
    phrase: bool = False


@dataclass(frozen=True, slots=True)
class FeedIs:
    """``feed:``: the feed's id, or part of its title or URL."""

    value: str


@dataclass(frozen=True, slots=True)
class FolderIs:
    """``folder:``: this folder or any folder inside it."""

    value: str


@dataclass(frozen=True, slots=True)
class TagIs:
    """``tag:``: the article or its feed carries this tag."""

    value: str


@dataclass(frozen=True, slots=True)
class Is:
    state: State


@dataclass(frozen=True, slots=True)
class Has:
    what: Having


@dataclass(frozen=True, slots=True)
class DateBound:
    """``after:D`` (on or after D) or ``before:D`` (strictly before D), days in UTC."""

    after: bool
    day: date


@dataclass(frozen=True, slots=True)
class Age:
    """``age:<7d`` (newer than) or ``age:>7d`` (older than)."""

    newer: bool
    seconds: int


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Everything:
    """The empty query: every (not hidden) article."""


Node = Text | FeedIs | FolderIs | TagIs | Is | Has | DateBound | Age | Not | And | Or | Everything


def walk(node: Node) -> list[Node]:
    """Every node of the tree, ``node`` first."""
    found: list[Node] = [node]
    if isinstance(node, Not):
        found.extend(walk(node.node))
    elif isinstance(node, And | Or):
        for child in node.nodes:
            found.extend(walk(child))
    return found


def has_free_text(node: Node) -> bool:
    """Whether the query searches text (else it is a pure filter)."""
    return any(isinstance(n, Text) for n in walk(node))


def mentions_hidden(node: Node) -> bool:
    """A query that names ``is:hidden`` (even negated) sees hidden articles."""
    return any(isinstance(n, Is) and n.state == "hidden" for n in walk(node))
