"""A query's syntax tree to one SQL condition over ``articles a`` (and FTS5 for text).

Text goes through the FTS5 index. The index keeps no positions (``detail=column``), so
a phrase is found as all of its words in the index, then checked in order with
``instr`` on the indexed text (ASCII case-insensitive). Every user value is a bound
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
    "enclosure": "a.enclosures != '[]'",
    "fulltext": "EXISTS (SELECT 1 FROM full_texts t WHERE t.article_id = a.id"
    " AND t.markdown IS NOT NULL)",
}
_PHRASE_SOURCE = {
    "any": "lower(title || ' ' || author || ' ' || body)",
    "title": "lower(title)",
    "author": "lower(author)",
}


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """``where`` is a condition on ``articles a``; ``params`` its bound values, in order."""

    where: str
    params: tuple[object, ...] = ()


@dataclass
class _Compiler:
    now: datetime
    prefix: Text | None = None
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

    def fts(self, match: str, phrases: list[Text]) -> str:
        self.params.append(match)
        sql = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        for phrase in phrases:
            sql += f" AND instr({_PHRASE_SOURCE[phrase.field]}, ?) > 0"
            self.params.append(_SPACES.sub(" ", phrase.text.strip()).lower())
        return f"a.id IN ({sql})"

    def text(self, nodes: list[Text]) -> str:
        """Several positive texts in one AND: one FTS5 match for all of them."""
        terms = [t for t in (self.fts_terms(n) for n in nodes) if t is not None]
        if not terms:
            return "1"
        return self.fts(" ".join(terms), [n for n in nodes if n.phrase])

    def compile(self, node: Node) -> str:
        if isinstance(node, Text):
            return self.text([node])
        if isinstance(node, And):
            texts = [n for n in node.nodes if isinstance(n, Text)]
            parts = [self.text(texts)] if texts else []
            parts += [self.compile(n) for n in node.nodes if not isinstance(n, Text)]
            return "(" + " AND ".join(parts) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.compile(n) for n in node.nodes) + ")"
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


def compile_query(node: Node, now: datetime, *, prefix_last: bool = False) -> CompiledQuery:
    """The SQL condition for ``node``. Hidden articles are left out unless it names
    ``is:hidden``. With ``prefix_last`` the last plain word also matches as a prefix (for
    search as you type)."""
    texts = [n for n in walk(node) if isinstance(n, Text) and not n.phrase]
    compiler = _Compiler(now, prefix=texts[-1] if prefix_last and texts else None)
    where = compiler.compile(node)
    if not mentions_hidden(node):
        where = f"a.hidden = 0 AND {where}"
    return CompiledQuery(where, tuple(compiler.params))
