"""Opening the SQLite file: pragmas, migrations, write transactions and their errors."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from tuireader.entryfacts import db_time
from tuireader.store.schema import MIGRATIONS

#: How long a write waits for another process's write to finish before giving up.
BUSY_TIMEOUT_SECONDS = 5.0
WAL_AUTOCHECKPOINT_PAGES = 10_000


class StoreError(Exception):
    """A problem with the database file, worded for users (one line)."""


class StoreReadOnlyError(StoreError):
    """The store cannot be written: read-only file or directory, or opened read-only."""


class StoreFullError(StoreError):
    """The disk holding the store is full: nothing can be written until there is room."""


to_db_time = db_time


def from_db_time(value: str | None) -> datetime | None:
    """The store's own format back to an aware datetime; None for anything else.

    ``fromisoformat`` (which reads the ``Z`` as UTC since Python 3.11) is some 20 times
    cheaper than ``strptime``, which was a fifth of a 100,000-row listing's CPU time.
    """
    if not value or len(value) != 20 or value[10] != "T" or value[19] != "Z":
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _no_room(path: Path | str) -> bool:
    """Whether the file system holding ``path`` is (nearly) full."""
    try:
        return shutil.disk_usage(Path(path).parent).free < 64 * 1024
    except OSError:
        return False


def describe_sqlite_error(error: sqlite3.Error, path: Path | str) -> StoreError:
    """Turn sqlite's messages into a line a user can act on."""
    text = str(error).lower()
    if "readonly" in text or "read-only" in text:
        return StoreReadOnlyError(f"cannot write to {path}: it is read-only")
    if "disk is full" in text or "disk full" in text or ("i/o error" in text and _no_room(path)):
        # SQLite says "disk I/O error" when a full disk stops it creating its -wal file.
        return StoreFullError(f"cannot write to {path}: the disk is full (nothing stored was lost)")
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

    def __init__(
        self,
        path: Path | str,
        *,
        read_only: bool = False,
        busy_timeout: float = BUSY_TIMEOUT_SECONDS,
        migrations: Sequence[str] = MIGRATIONS,
    ) -> None:
        """``migrations`` is an injection point for tests (a migration that fails midway)."""
        self.path = Path(path)
        self.read_only = read_only
        self.busy_timeout = busy_timeout
        self.migrations = tuple(migrations)
        self.lock = threading.RLock()
        #: Nesting of write() calls: the outermost owns the transaction.
        self._write_depth = 0
        #: Why writes are refused, when open read-only (said by every refused write).
        self.read_only_why = "it is open read-only"
        self.conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_dir():  # SQLite would say only "disk I/O error"
            raise StoreError(f"{self.path} is a folder: --db takes a database file's path")
        conn: sqlite3.Connection | None = None
        try:
            conn = self._open()
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            # Refuse a newer file before anything is written to it (journal mode included).
            self._check_not_newer(conn)
            if not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                # Checkpoint every ~40 MB of WAL rather than every 4 MB: a cold refresh
                # writes tens of MB, and each checkpoint syncs the file on the serial store
                # path (bench/refresh_bench.py: ~4% of a cold refresh).
                conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
            self._migrate(conn)
        except BaseException as error:
            if conn is not None:
                conn.close()
            if isinstance(error, sqlite3.Error):
                if not self.read_only and self.path.exists() and not _writable(self.path):
                    raise StoreReadOnlyError(
                        f"cannot write to {self.path}: the file or its folder is read-only"
                    ) from error
                raise describe_sqlite_error(error, self.path) from error
            if isinstance(error, OSError):
                raise StoreError(f"cannot open {self.path}: {error.strerror or error}") from error
            raise
        return conn

    def _open(self) -> sqlite3.Connection:
        if not self.read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        if _wal_empty(self.path) and (not _writable(self.path.parent) or _no_room(self.path)):
            # Read-only media or a full disk: SQLite cannot create the -shm file WAL readers
            # need, and nobody can write here, so the file is read as immutable (no locking
            # at all). Only with no log waiting to be checkpointed, which this would miss.
            uri += "&immutable=1"
        if _no_room(self.path):
            self.read_only_why = "the disk is full (open for reading only until there is room)"
        return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)

    @property
    def schema_version(self) -> int:
        return len(self.migrations)

    def _check_not_newer(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > self.schema_version:
            raise StoreError(
                f"{self.path} was written by a newer tuireader (schema {version}, this one "
                f"knows {self.schema_version}); upgrade tuireader to open it"
            )

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Apply the missing migrations in ONE transaction: a failure leaves the old version."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == self.schema_version:
            return
        if self.read_only:
            raise StoreReadOnlyError(
                f"{self.path} needs an upgrade (schema {version} to {self.schema_version}) "
                "and is open read-only"
            )
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self._check_not_newer(conn)
            for number in range(version + 1, self.schema_version + 1):
                for statement in _statements(self.migrations[number - 1]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException as error:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error) and not _is_environmental(error):
                raise StoreError(
                    f"cannot upgrade {self.path} from schema {version} to "
                    f"{self.schema_version} ({error}); the file was left unchanged"
                ) from error
            raise

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any error.

        A ``write()`` inside another one (same thread: the lock is held throughout) joins
        the outer transaction, which commits or rolls back everything at its end.
        """
        if self.read_only:
            raise StoreReadOnlyError(f"cannot write to {self.path}: {self.read_only_why}")
        with self.lock:
            if self._write_depth:
                self._write_depth += 1
                try:
                    yield self.conn
                finally:
                    self._write_depth -= 1
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise describe_sqlite_error(error, self.path) from error
            self._write_depth = 1
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise describe_sqlite_error(error, self.path) from error
            except BaseException:
                self._rollback()
                raise
            finally:
                self._write_depth = 0

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            try:
                yield self.conn
            except sqlite3.Error as error:
                raise describe_sqlite_error(error, self.path) from error

    @contextmanager
    def maintenance(self) -> Iterator[sqlite3.Connection]:
        """The connection outside any transaction, for VACUUM and checkpoints."""
        if self.read_only:
            raise StoreReadOnlyError(f"cannot write to {self.path}: {self.read_only_why}")
        with self.lock:
            try:
                yield self.conn
            except sqlite3.Error as error:
                raise describe_sqlite_error(error, self.path) from error

    def size_bytes(self) -> int:
        """What the database takes on disk: the file and its write-ahead log."""
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += Path(f"{self.path}{suffix}").stat().st_size
        return total

    def _rollback(self) -> None:
        # sqlite may already have rolled back (a full disk does): nothing left to undo then.
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _writable(path: Path) -> bool:
    """access(2) says EROFS on a read-only mount even to root, unlike a permission check."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _wal_empty(path: Path) -> bool:
    """No write-ahead log, or an empty one (a failed open on a full disk leaves one)."""
    try:
        return Path(f"{path}-wal").stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _is_environmental(error: sqlite3.Error) -> bool:
    """Busy, full or read-only: the user can fix these, and describe_sqlite_error says how."""
    text = str(error).lower()
    return any(word in text for word in ("locked", "busy", "full", "readonly", "read-only"))


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
