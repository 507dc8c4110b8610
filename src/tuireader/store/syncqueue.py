"""The pending-actions queue of a synced library, written inside the caller's transaction.

Every local read/unread/star/unstar change of an article the server knows adds one row
here in the same transaction as the change itself, so a crash or a failed sync loses no
change; a library without an account has no ``sync_items`` rows and queues nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

#: What a queue row asks the server to do to one item.
ACTIONS = frozenset({"read", "unread", "star", "unstar"})


def queue_for_sync(
    conn: sqlite3.Connection, article_ids: Sequence[int], action: str, at: str | None
) -> None:
    """Queue ``action`` for those of ``article_ids`` that came from the server."""
    if action not in ACTIONS:
        raise ValueError(f"unknown sync action {action!r}")
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start : start + 500]
        conn.execute(
            f"""INSERT INTO sync_queue (remote_id, action, at)
                SELECT remote_id, ?, ? FROM sync_items
                WHERE article_id IN ({",".join("?" * len(chunk))})""",
            (action, at, *chunk),
        )
