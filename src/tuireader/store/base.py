"""What every part of the store shares: the database and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from tuireader.store.db import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


class StoreBase:
    db: Database
    clock: Callable[[], datetime]

    def now(self) -> datetime:
        return self.clock()
