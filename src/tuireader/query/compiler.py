"""A query's syntax tree to one SQL condition over ``articles a`` (and FTS5 for text).

Text goes through the FTS5 index, which keeps word positions (``detail=full``, migration
8): a phrase is an FTS5 phrase, its words next to each other in that order with anything
but letters and digits between them (as the highlighter finds it). The words and phrases
of one AND or one OR, negated or not, become a single FTS5 match. Every user value is a
bound parameter; FTS5 query strings are built from quoted tokens only, so no input is an
SQL or FTS5 syntax error.

Order matters to SQLite, which tests an AND's terms in the order written: the cheap
tests of the covering index (flags, dates, feeds, tags) come first, so the full-text
match (a set of up to every article's id, probed per row) is only probed for the rows
that pass them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

from tuireader.query.ast import (
    MIN_TYPED_PREFIX,
    Age,
    And,
    DateBound,
    Everything,
    FeedIs,
    FolderIs,
    Has,
    Is,
    Node,
    Not,
    Or,
    TagIs,
    Text,
    mentions_hidden,
    walk,
)

# As the unicode61 tokenizer splits: letters and digits.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STATE_SQL = {
    "unread": "a.read = 0",
    "read": "a.read = 1",
    "starred": "a.starred = 1",
    "recommended": "a.recommended = 1",
    "hidden": "a.hidden = 1",
}
_HAS_SQL = {
    "enclosure": "a.id IN (SELECT id FROM articles INDEXED BY articles_with_enclosures"
    " WHERE enclosures != '[]')",
    "fulltext": "a.id IN (SELECT article_id FROM full_texts WHERE markdown IS NOT NULL)",
}

_T = TypeVar("_T")
#: A condition and its parameters, in order.
Part = tuple[str, list[object]]


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """``where`` is a condition on ``articles a``; ``params`` its bound values, in order."""

    where: str
    params: tuple[object, ...] = ()


@dataclass
class _Compiler:
    now: datetime
    prefix: Text | None = None
    rowids: tuple[int, int] | None = None
    params: list[object] = field(default_factory=list)

    def fts_terms(self, node: Text) -> str | None:
        tokens = _TOKEN.findall(node.text)
        if not tokens:
            return None
        column = "" if node.field == "any" else f"{node.field} : "
        if node.phrase:
            return f'{column}"{" ".join(tokens)}"'
        terms = [f'{column}"{token}"' for token in tokens]
        typed_prefix = node is self.prefix and len(tokens[-1]) >= MIN_TYPED_PREFIX
        if typed_prefix or node.text.endswith("*"):
            terms[-1] += "*"
        return " ".join(terms)

    def match(self, match: str) -> str:
        """Articles whose index entry matches. ``+a.id`` keeps SQLite scanning the covering
        index and probing the matches, instead of fetching every matching row (a big
        record, its flags at the end) by id."""
        self.params.append(match)
        sql = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        if self.rowids is not None:
            # FTS5 seeks to a rowid range instead of collecting every match in the index.
            sql += " AND rowid BETWEEN ? AND ?"
            self.params.extend(self.rowids)
        return f"+a.id IN ({sql})"

    def texts(self, positive: list[Text], negative: list[Text]) -> list[Part]:
        """The words and phrases of one AND, with and without ``-``: a single FTS5 match."""
        pos = [self.fts_terms(n) for n in positive]
        neg = [self.fts_terms(n) for n in negative]
        parts: list[Part] = [("0", [])] if None in neg else []  # "-???": matches nothing
        pos_terms = [f"({t})" for t in pos if t is not None]
        neg_terms = [f"({t})" for t in neg if t is not None]
        if pos_terms:
            match = " AND ".join(pos_terms) + "".join(f" NOT {t}" for t in neg_terms)
            parts.append(self.part(self.match, match))
        elif neg_terms:
            sql, params = self.part(self.match, " OR ".join(neg_terms))
            parts.append((f"NOT {sql}", params))
        return parts

    def part(self, build: Callable[[_T], str], arg: _T) -> Part:
        """One condition with its own parameters, so that conditions can be reordered."""
        start = len(self.params)
        sql = build(arg)
        params = self.params[start:]
        del self.params[start:]
        return sql, params

    def joined(self, parts: list[Part], operator: str) -> str:
        """Cheap conditions first (SQLite tests them in this order), full text last."""
        ordered = sorted(parts, key=lambda part: "articles_fts" in part[0])
        for _, params in ordered:
            self.params.extend(params)
        return "(" + f" {operator} ".join(sql for sql, _ in ordered or [("1", [])]) + ")"

    def compile(self, node: Node) -> str:
        if isinstance(node, Text):
            return self.joined(self.texts([node], []), "AND")
        if isinstance(node, And):
            words = [n for n in node.nodes if isinstance(n, Text)]
            unwords = [
                n.node for n in node.nodes if isinstance(n, Not) and isinstance(n.node, Text)
            ]
            parts = self.texts(words, unwords) + [
                self.part(self.compile, n)
                for n in node.nodes
                if not isinstance(n, Text) and not (isinstance(n, Not) and isinstance(n.node, Text))
            ]
            return self.joined(parts, "AND")
        if isinstance(node, Or):
            terms = [self.fts_terms(n) for n in node.nodes if isinstance(n, Text)]
            if None in terms:
                return "1"  # one alternative matches everything
            parts = [self.part(self.compile, n) for n in node.nodes if not isinstance(n, Text)]
            if terms:
                parts.append(self.part(self.match, " OR ".join(f"({t})" for t in terms)))
            return self.joined(parts, "OR")
        if isinstance(node, Not):
            return f"NOT {self.compile(node.node)}"
        if isinstance(node, Is):
            return _STATE_SQL[node.state]
        if isinstance(node, Has):
            return _HAS_SQL[node.what]
        if isinstance(node, DateBound):
            start = datetime.combine(node.day, time(), tzinfo=UTC)
            self.params.append(_db_time(start))
            return "a.sort_date >= ?" if node.after else "a.sort_date < ?"
        if isinstance(node, Age):
            self.params.append(_db_time(self.now - timedelta(seconds=node.seconds)))
            return "a.sort_date >= ?" if node.newer else "a.sort_date < ?"
        if isinstance(node, FeedIs):
            # Here, not at the top: the store imports this package.
            from tuireader.store.base import FEED_TITLE_SQL

            pattern = f"%{_like_escape(node.value)}%"
            self.params.extend((node.value, pattern, pattern))
            return (
                "a.feed_id IN (SELECT f.id FROM feeds f WHERE CAST(f.id AS TEXT) = ?"
                f" OR {FEED_TITLE_SQL} LIKE ? ESCAPE '\\' OR f.url LIKE ? ESCAPE '\\')"
            )
        if isinstance(node, FolderIs):
            self.params.extend((node.value, f"{_like_escape(node.value)}/%"))
            return (
                "a.feed_id IN (SELECT id FROM feeds WHERE folder = ? COLLATE NOCASE"
                " OR folder LIKE ? ESCAPE '\\')"
            )
        if isinstance(node, TagIs):
            self.params.extend((node.value, node.value))
            return (
                "(a.id IN (SELECT article_id FROM article_tags WHERE tag = ?)"
                " OR a.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag = ?))"
            )
        assert isinstance(node, Everything)
        return "1"


def _db_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def compile_query(
    node: Node,
    now: datetime,
    *,
    prefix_last: bool = False,
    rowids: tuple[int, int] | None = None,
) -> CompiledQuery:
    """The SQL condition for ``node``. Hidden articles are left out unless it names
    ``is:hidden``. With ``prefix_last`` the last plain word also matches as a prefix (for
    search as you type). ``rowids`` (first, last) promises that only articles with ids in
    that range matter (rules on newly stored articles): text search then reads only them."""
    texts = [n for n in walk(node) if isinstance(n, Text) and not n.phrase]
    compiler = _Compiler(now, prefix=texts[-1] if prefix_last and texts else None, rowids=rowids)
    where = compiler.compile(node)
    if not mentions_hidden(node):
        where = f"a.hidden = 0 AND {where}"
    return CompiledQuery(where, tuple(compiler.params))
