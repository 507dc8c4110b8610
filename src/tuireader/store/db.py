"""Opening the SQLite file: pragmas, migrations, write transactions and their errors."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from tuireader.store.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """A problem with the database file, worded for users (one line)."""


class StoreReadOnlyError(StoreError):
    """The store cannot be written: read-only file or directory, or opened read-only."""


def to_db_time(value: datetime | None) -> str | None:
    """UTC, second precision, fixed width: sorts as text."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def describe_sqlite_error(error: sqlite3.Error, path: Path | str) -> StoreError:
    """Turn sqlite's messages into a line a user can act on."""
    text = str(error).lower()
    if "readonly" in text or "read-only" in text:
        return StoreReadOnlyError(f"cannot write to {path}: it is read-only")
    if "disk is full" in text or "disk full" in text:
        return StoreError(f"cannot write to {path}: the disk is full (nothing stored was lost)")
    if "locked" in text or "busy" in text:
        return StoreError(f"{path} is busy: another tuireader is writing to it; try again")
    if "malformed" in text or "not a database" in text:
        return StoreError(f"{path} is damaged or not a tuireader database ({error})")
    if "unable to open" in text:
        return StoreError(f"cannot open {path}: check that its folder exists and is writable")
    return StoreError(f"database error in {path}: {error}")


class Database:
    """One connection shared by the threads of a process, serialised by a lock.

    sqlite3 connections may be used across threads when calls do not overlap; the lock
    makes that so. Writes go through :meth:`write`, which starts ``BEGIN IMMEDIATE``: under
    WAL a deferred transaction that reads and later writes fails at once with
    "database is locked" instead of waiting for the busy timeout.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.lock = threading.RLock()
        self.conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            if self.read_only:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate(conn)
        except sqlite3.Error as error:
            raise describe_sqlite_error(error, self.path) from error
        except OSError as error:
            raise StoreError(f"cannot open {self.path}: {error.strerror or error}") from error
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer tuireader (schema {version}, this one "
                f"knows {SCHEMA_VERSION}); upgrade tuireader to open it"
            )
        if version == SCHEMA_VERSION:
            return
        if self.read_only:
            raise StoreReadOnlyError(
                f"{self.path} needs an upgrade (schema {version} to {SCHEMA_VERSION}) "
                "and is open read-only"
            )
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS[number - 1]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        if self.read_only:
            raise StoreReadOnlyError(f"{self.path} is open read-only")
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise describe_sqlite_error(error, self.path) from error
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise describe_sqlite_error(error, self.path) from error
            except BaseException:
                self._rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            try:
                yield self.conn
            except sqlite3.Error as error:
                raise describe_sqlite_error(error, self.path) from error

    def _rollback(self) -> None:
        # sqlite may already have rolled back (a full disk does): nothing left to undo then.
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (``executescript`` would commit our transaction)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()
