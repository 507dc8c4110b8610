"""A query's syntax tree to one SQL condition over ``articles a`` (and FTS5 for text).

Text goes through the FTS5 index. The index keeps no positions (``detail=column``), so
a phrase is found as all of its words in the index, then checked in order with ``LIKE``
on the indexed text (ASCII case-insensitive). Plain words of one AND or one OR, negated
or not, become a single FTS5 match. Every user value is a bound
parameter; FTS5 query strings are built from quoted tokens only, so no input is an SQL
or FTS5 syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from tuireader.query.ast import (
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
_SPACES = re.compile(r"\s+")
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
_PHRASE_COLUMNS = {"any": ("title", "author", "body"), "title": ("title",), "author": ("author",)}


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
        terms = [f'{column}"{token}"' for token in tokens]
        if node.phrase:
            return " ".join(terms)
        if node is self.prefix or node.text.endswith("*"):
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

    def phrase(self, node: Text) -> str:
        """Its words through the index, then the phrase itself, only for articles that get
        that far (a correlated check: a page of results checks a few hundred rows)."""
        terms = self.fts_terms(node)
        if terms is None:
            return "1"
        indexed = self.match(terms)
        columns = _PHRASE_COLUMNS[node.field]
        self.params.extend(
            [f"%{_like_escape(_SPACES.sub(' ', node.text.strip()))}%"] * len(columns)
        )
        check = " OR ".join(f"p.{column} LIKE ? ESCAPE '\\'" for column in columns)
        return (
            f"({indexed} AND EXISTS (SELECT 1 FROM articles_fts p"
            f" WHERE p.rowid = a.id AND ({check})))"
        )

    def texts(self, positive: list[Text], negative: list[Text]) -> list[str]:
        """Plain words of one AND, with and without ``-``: a single FTS5 match."""
        pos = [self.fts_terms(n) for n in positive]
        neg = [self.fts_terms(n) for n in negative]
        parts = ["0"] if None in neg else []  # "-???" (nothing to search): matches nothing
        pos_terms = [f"({t})" for t in pos if t is not None]
        neg_terms = [f"({t})" for t in neg if t is not None]
        if pos_terms:
            parts.append(
                self.match(" AND ".join(pos_terms) + "".join(f" NOT {t}" for t in neg_terms))
            )
        elif neg_terms:
            parts.append(f"NOT {self.match(' OR '.join(neg_terms))}")
        return parts

    def compile(self, node: Node) -> str:
        if isinstance(node, Text):
            if node.phrase:
                return self.phrase(node)
            parts = self.texts([node], [])
            return parts[0] if parts else "1"
        if isinstance(node, And):
            positive = [n for n in node.nodes if isinstance(n, Text) and not n.phrase]
            negative = [
                n.node
                for n in node.nodes
                if isinstance(n, Not) and isinstance(n.node, Text) and not n.node.phrase
            ]
            parts = self.texts(positive, negative)
            parts += [
                self.compile(n)
                for n in node.nodes
                if not _plain(n) and not (isinstance(n, Not) and _plain(n.node))
            ]
            return "(" + " AND ".join(parts or ["1"]) + ")"
        if isinstance(node, Or):
            terms = [self.fts_terms(n) for n in node.nodes if isinstance(n, Text) and not n.phrase]
            if None in terms:
                return "1"  # one alternative matches everything
            parts = [self.match(" OR ".join(f"({t})" for t in terms))] if terms else []
            parts += [self.compile(n) for n in node.nodes if not _plain(n)]
            return "(" + " OR ".join(parts) + ")"
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


def _plain(node: Node) -> bool:
    return isinstance(node, Text) and not node.phrase


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
