"""One sync: push the queue, then pull feeds, new items and state.

A sync that fails part-way keeps the queue (rows are deleted only after the server
took them, so a push cut off by a crash is sent again: read/star are idempotent) and
keeps every page of items already stored with its cursor, so the next sync resumes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tuireader.humanize import plural
from tuireader.sync.http import SyncHttp, check_url
from tuireader.sync.secrets import read_password
from tuireader.sync.types import (
    SyncAccount,
    SyncClient,
    SyncError,
    SyncKind,
    SyncSummary,
)

if TYPE_CHECKING:
    from tuireader.store import Store

Progress = Callable[[str], None]
#: Which queue actions cancel each other: the last one of a pair wins.
_PAIRS = {"read": "read", "unread": "read", "star": "star", "unstar": "star"}
#: At most this many unknown unread/starred items are fetched by id in one sync.
MAX_CATCH_UP = 5000


def make_client(
    account: SyncAccount, password: str | None = None, *, auth_cache: Path | None = None
) -> SyncClient:
    """A client for the account's API (reads the password unless given)."""
    base = check_url(account.url, insecure_http=account.insecure_http)
    secret = read_password(account) if password is None else password
    http = SyncHttp(tls=base.startswith("https://"))
    if account.kind is SyncKind.FEVER:
        from tuireader.sync.fever import FeverClient

        return FeverClient(base, account.user, secret, http)
    from tuireader.sync.greader import GReaderClient

    return GReaderClient(base, account.user, secret, http, auth_cache=auth_cache)


def auth_cache_path(store: Store) -> Path:
    """Where a Google Reader API login's token is kept between syncs (0600, beside the db)."""
    return store.path.with_name(store.path.name + ".sync-auth")


class SyncEngine:
    def __init__(
        self,
        store: Store,
        client: SyncClient,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.progress = progress or (lambda _text: None)
        self.cancel = cancel
        self.notes: list[str] = []
        self.counts: dict[str, int] = {}
        #: Items the server said it does not have (a push refused with 400).
        self.missing: set[str] = set()

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise SyncError("sync cancelled; the queue is kept")

    def run(self) -> SyncSummary:
        account = self.store.sync_account()
        if account is None:
            raise SyncError("no sync account: add one with `tuireader sync add`")
        try:
            self.progress("logging in")
            self.client.login()
            pushed, wanted = self._push()
            self._check_cancel()
            self._pull(account.cursor, wanted)
        except SyncError as error:
            message = str(error)
            self.store.record_sync(error=message)
            return self._summary(error=message)
        self.store.record_sync(error=None)
        return self._summary(error=None)

    def _summary(self, *, error: str | None) -> SyncSummary:
        traffic = getattr(getattr(self.client, "http", None), "traffic", None)
        return SyncSummary(
            pushed=self.counts.get("pushed", 0),
            dropped=self.counts.get("dropped", 0),
            new_articles=self.counts.get("new", 0),
            state_changes=self.counts.get("state", 0),
            feeds_added=self.counts.get("feeds_added", 0),
            feeds_removed=self.counts.get("feeds_removed", 0),
            feeds_changed=self.counts.get("feeds_changed", 0),
            queued=self.store.queued_count(),
            requests=traffic.requests if traffic else 0,
            bytes_received=traffic.bytes_received if traffic else 0,
            request_seconds=traffic.seconds if traffic else 0.0,
            error=error,
            notes=tuple(self.notes),
        )

    def _push(self) -> tuple[int, dict[str, set[str]]]:
        """Send the net effect of the queue; returns the count and what should now hold."""
        queue = self.store.sync_queue()
        if not queue:
            return 0, {}
        self.progress(f"sending {plural(len(queue), 'change')}")
        latest: dict[tuple[str, str], str] = {}
        for row in queue:  # in order: the last action on an item's read (or star) wins
            latest[(row.remote_id, _PAIRS[row.action])] = row.action
        by_action: dict[str, list[str]] = {}
        for (remote_id, _pair), action in latest.items():
            by_action.setdefault(action, []).append(remote_id)
        missing: set[str] = set()
        pushed = 0
        for action, remote_ids in by_action.items():
            self._check_cancel()
            result = self.client.push(action, remote_ids)
            pushed += len(result.done)
            missing |= result.missing
        self.store.finish_push(queue[-1].id)
        self.counts["pushed"] = pushed
        self.missing = missing
        self._note_dropped(len(missing))
        # unread and star are visible in the id lists the pull fetches: checked there.
        wanted = {a: set(ids) - missing for a, ids in by_action.items() if a in ("unread", "star")}
        return pushed, wanted

    def _note_dropped(self, count: int) -> None:
        if count:
            self.counts["dropped"] = self.counts.get("dropped", 0) + count
            self.notes.append(
                f"dropped {plural(count, 'change')} for articles the server no longer has"
            )

    def _pull(self, cursor: str | None, wanted: dict[str, set[str]]) -> None:
        self.progress("fetching the subscription list")
        changes = self.store.apply_remote_feeds(self.client.feeds())
        self.counts["feeds_added"] = changes.added
        self.counts["feeds_removed"] = changes.removed
        self.counts["feeds_changed"] = changes.changed
        new = 0
        for page in self.client.new_items(cursor):
            self._check_cancel()
            new += self.store.store_remote_items(page.items, cursor=page.cursor, initial_state=True)
            self.notes.extend(page.notes)
            self.progress(f"{plural(new, 'new article')}")
        self.counts["new"] = new
        self._check_cancel()
        self.progress("fetching read and starred state")
        unread = self.client.unread_ids()
        starred = self.client.starred_ids()
        # An unread or star the server did not keep was for an item it no longer has: the
        # article stays here, local from now on, with the state the user gave it.
        lost = (wanted.get("unread", set()) - unread) | (wanted.get("star", set()) - starred)
        self.store.forget_remote_items(lost | self.missing)
        self._note_dropped(len(lost))
        # Unread or starred on the server but unknown here (stamped in the same second as
        # the last pull's newest, or older than the cursor): fetch those by id.
        known = self.store.known_remote_ids()
        absent = sorted((unread | starred) - known - lost - self.missing)[:MAX_CATCH_UP]
        if absent:
            self.progress(f"fetching {plural(len(absent), 'missing article')}")
            new += self.store.store_remote_items(
                self.client.items_by_id(absent), cursor=None, initial_state=True
            )
            self.counts["new"] = new
        self.counts["state"] = self.store.apply_remote_state(unread, starred)


def sync_now(
    store: Store, *, progress: Progress | None = None, cancel: threading.Event | None = None
) -> SyncSummary:
    """Run one sync of the store's account; failures come back in ``summary.error``."""
    account = store.sync_account()
    if account is None:
        raise SyncError("no sync account: add one with `tuireader sync add`")
    try:
        client = make_client(account, auth_cache=auth_cache_path(store))
    except SyncError as error:
        store.record_sync(error=str(error))
        return SyncSummary(queued=store.queued_count(), error=str(error))
    try:
        return SyncEngine(store, client, progress=progress, cancel=cancel).run()
    finally:
        client.close()
