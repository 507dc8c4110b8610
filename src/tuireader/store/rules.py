"""Applying rules: to new articles inside the transaction that stores them, and on demand.

Every change a rule makes is written to ``rule_effects`` with the value it replaced, so
:meth:`RulesMixin.undo_rules` can put it back. ``delete`` is the exception: the article
goes (with a tombstone, so the feed does not bring it back) and cannot be restored.
Rules change state silently: no recommender signal is logged for them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tuireader.query import compile_query
from tuireader.rules import Rule
from tuireader.store.base import StoreBase
from tuireader.store.db import to_db_time
from tuireader.store.syncqueue import queue_for_sync

#: Per action: the condition of an article the action would change.
_CHANGES = {
    "read": "a.read = 0",
    "hide": "a.hidden = 0",
    "star": "a.starred = 0",
    "tag": "a.id NOT IN (SELECT article_id FROM article_tags WHERE tag = ?)",
    "delete": "a.starred = 0",
}


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    rule: Rule
    article_ids: tuple[int, ...]


def _scope(rule: Rule) -> tuple[str, list[object]]:
    if not rule.scoped:
        return "", []
    parts: list[str] = []
    params: list[object] = []
    for feed in rule.feeds:
        parts.append(
            "a.feed_id IN (SELECT id FROM feeds WHERE CAST(id AS TEXT) = ? OR url = ?"
            " OR lower(coalesce(user_title, title)) = lower(?))"
        )
        params.extend((feed, feed, feed))
    for folder in rule.folders:
        parts.append(
            "a.feed_id IN (SELECT id FROM feeds WHERE folder = ? COLLATE NOCASE"
            " OR folder LIKE ? || '/%')"
        )
        params.extend((folder, folder))
    return " AND (" + " OR ".join(parts) + ")", params


def matching_ids(
    conn: sqlite3.Connection,
    rule: Rule,
    now: datetime,
    *,
    among: Sequence[int] | None = None,
    changing_only: bool = True,
) -> list[int]:
    """The articles ``rule`` matches (of ``among``, when given), those it would change only."""
    rowids = (min(among), max(among)) if among else None
    compiled = compile_query(rule.node, now, rowids=rowids)
    where = compiled.where
    params: list[object] = list(compiled.params)
    scope, scope_params = _scope(rule)
    where += scope
    params.extend(scope_params)
    if changing_only:
        where += f" AND {_CHANGES[rule.action]}"
        if rule.action == "tag":
            params.append(rule.tag)
    if among is not None:
        where += f" AND a.id IN ({','.join('?' * len(among))})"
        params.extend(among)
    return [row[0] for row in conn.execute(f"SELECT a.id FROM articles a WHERE {where}", params)]


def apply_rule(
    conn: sqlite3.Connection, rule: Rule, now: datetime, among: Sequence[int] | None = None
) -> list[int]:
    """Apply ``rule`` in the caller's transaction; returns the ids it changed."""
    ids = matching_ids(conn, rule, now, among=among)
    at = to_db_time(now)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        if rule.action == "delete":
            conn.execute(
                f"""INSERT OR REPLACE INTO deleted_articles (feed_id, dedup_key, deleted_at,
                    seen_at) SELECT feed_id, dedup_key, ?, ? FROM articles WHERE id IN ({marks})""",
                (at, at, *chunk),
            )
            conn.execute(f"DELETE FROM articles_fts WHERE rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)
            continue
        # What the action replaces: read state for hide (it also marks read), else nothing.
        previous = "read" if rule.action == "hide" else "0"
        conn.execute(
            f"""INSERT INTO rule_effects (rule, article_id, action, previous, at)
                SELECT ?, id, ?, {previous}, ? FROM articles WHERE id IN ({marks})""",
            (rule.name, rule.effect, at, *chunk),
        )
        if rule.action == "read":
            conn.execute(
                f"UPDATE articles SET read = 1, read_at = ? WHERE id IN ({marks})", (at, *chunk)
            )
            queue_for_sync(conn, chunk, "read", at)  # [sync] synced articles: tell the server
        elif rule.action == "hide":
            conn.execute(
                f"""UPDATE articles SET hidden = 1, read = 1, read_at = coalesce(read_at, ?)
                    WHERE id IN ({marks})""",
                (at, *chunk),
            )
            queue_for_sync(conn, chunk, "read", at)  # [sync]
        elif rule.action == "star":
            conn.execute(
                f"UPDATE articles SET starred = 1, starred_at = ? WHERE id IN ({marks})",
                (at, *chunk),
            )
            queue_for_sync(conn, chunk, "star", at)  # [sync]
        else:
            conn.executemany(
                "INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)",
                [(article_id, rule.tag) for article_id in chunk],
            )
    return ids


class RulesMixin(StoreBase):
    #: The rules applied to articles as they are stored; the core sets them from config.
    rules: tuple[Rule, ...] = ()

    def after_insert(self, conn: sqlite3.Connection, feed_id: int, ids: list[int]) -> None:
        """Apply the rules to newly stored articles, in the transaction that stores them."""
        if not ids:
            return
        now = self.now()
        for rule in self.rules:
            apply_rule(conn, rule, now, ids)

    def apply_rules(self, rules: Sequence[Rule]) -> list[RuleOutcome]:
        """Apply ``rules`` to the whole library, in order, in one transaction."""
        now = self.now()
        with self.db.write() as conn:
            return [RuleOutcome(rule, tuple(apply_rule(conn, rule, now))) for rule in rules]

    def test_rules(self, rules: Sequence[Rule]) -> list[RuleOutcome]:
        """What each rule matches now, changing nothing."""
        now = self.now()
        with self.db.read() as conn:
            return [
                RuleOutcome(rule, tuple(matching_ids(conn, rule, now, changing_only=False)))
                for rule in rules
            ]

    def undo_rules(self, name: str | None = None) -> int:
        """Put back what rules (or the rule called ``name``) changed; returns how many
        changes were undone. The flag a rule set is cleared even if the user set it
        again since; its record is then gone (undo is one step, not a history)."""
        where, params = ("WHERE rule = ?", [name]) if name is not None else ("", [])
        with self.db.write() as conn:
            rows = conn.execute(
                f"SELECT id, article_id, action, previous FROM rule_effects {where}"
                " ORDER BY id DESC",
                params,
            ).fetchall()
            at = to_db_time(self.now())
            for _, article_id, action, previous in rows:
                if action == "read":
                    conn.execute(
                        "UPDATE articles SET read = 0, read_at = NULL WHERE id = ?", (article_id,)
                    )
                    queue_for_sync(conn, [article_id], "unread", at)  # [sync]
                elif action == "hide":
                    conn.execute(
                        """UPDATE articles SET hidden = 0, read = ?,
                           read_at = CASE WHEN ? THEN read_at END WHERE id = ?""",
                        (previous, previous, article_id),
                    )
                    if not previous:
                        queue_for_sync(conn, [article_id], "unread", at)  # [sync]
                elif action == "star":
                    conn.execute(
                        "UPDATE articles SET starred = 0, starred_at = NULL WHERE id = ?",
                        (article_id,),
                    )
                    queue_for_sync(conn, [article_id], "unstar", at)  # [sync]
                elif action.startswith("tag:"):
                    conn.execute(
                        "DELETE FROM article_tags WHERE article_id = ? AND tag = ?",
                        (article_id, action[4:]),
                    )
            conn.execute(f"DELETE FROM rule_effects {where}", params)
        return len(rows)

    def rule_effect_counts(self) -> dict[str, int]:
        """How many recorded (undoable) changes each rule has made."""
        with self.db.read() as conn:
            rows = conn.execute("SELECT rule, count(*) FROM rule_effects GROUP BY rule")
            return {row[0]: row[1] for row in rows}
