"""What every part of the store shares: the database and the clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from tuireader.store.db import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


#: A feed's name as shown: the user's title, else the feed's own, else its URL.
FEED_TITLE_SQL = "coalesce(f.user_title, nullif(f.title, ''), f.url)"


class StoreBase:
    db: Database
    clock: Callable[[], datetime]

    def now(self) -> datetime:
        return self.clock()

    def after_insert(self, conn: sqlite3.Connection, feed_id: int, ids: list[int]) -> None:
        """Called in the storing transaction with the ids of newly stored articles (the
        rules apply here, for refresh and sync alike). Nothing by default."""
