"""The Fever API (FreshRSS, Tiny Tiny RSS's plugin, Miniflux): read, star and pull only.

Fever authenticates every request with ``api_key = md5("user:password")`` in the POST
body, answers a wrong key with HTTP 200 and ``"auth": 0``, pages items 50 at a time by
``since_id``, and cannot subscribe, unsubscribe, rename or move feeds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from tuireader.sync.http import SyncHttp
from tuireader.sync.types import (
    AuthError,
    ItemPage,
    PushResult,
    RemoteFeed,
    RemoteItem,
    SyncError,
    UnsupportedError,
    usable_items,
)

#: A stream that keeps going past this many pages (50 items each) is cut off.
MAX_PAGES = 5_000
_MARKS = {"read": "read", "unread": "unread", "star": "saved", "unstar": "unsaved"}
CANNOT = "the Fever API cannot {what}: do it on the server's web page, then sync"


def _id(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value.strip()))
    return None


class FeverClient:
    def __init__(self, base: str, user: str, password: str, http: SyncHttp) -> None:
        # Miniflux serves Fever at /fever/ (and redirects /fever, which we do not follow).
        self.base = base if base.endswith(".php") else base.rstrip("/") + "/"
        self._key = hashlib.md5(f"{user}:{password}".encode()).hexdigest()
        self.http = http
        self._state: tuple[set[str], set[str]] | None = None

    def _call(self, query: str, what: str) -> dict[str, Any]:
        data = self.http.json(
            "POST", f"{self.base}?api&{query}", what=what, data={"api_key": self._key}
        )
        if not isinstance(data, dict):
            raise SyncError(f"the server sent an unexpected answer for {what}")
        if data.get("auth") != 1:
            raise AuthError("the server refused the user name or password (Fever auth 0)", 401)
        return data

    def login(self) -> None:
        self._call("", "the login")

    def push(self, action: str, remote_ids: list[str]) -> PushResult:
        for remote in remote_ids:
            self._call(f"mark=item&as={_MARKS[action]}&id={remote}", f"{action} for an article")
        return PushResult(done=frozenset(remote_ids))

    def feeds(self) -> list[RemoteFeed]:
        data = self._call("feeds&groups", "the feed list")
        raw_feeds, raw_groups = data.get("feeds"), data.get("groups")
        if not isinstance(raw_feeds, list) or not isinstance(raw_groups, list):
            raise SyncError("the server sent a feed list without feeds or groups")
        groups = {
            _id(g.get("id")): str(g.get("title") or "") for g in raw_groups if isinstance(g, dict)
        }
        folder_of: dict[str, str] = {}
        for link in data.get("feeds_groups") or []:
            if not isinstance(link, dict):
                continue
            name = groups.get(_id(link.get("group_id")))
            for feed_id in str(link.get("feed_ids") or "").split(","):
                if name and feed_id.strip().isdigit():
                    folder_of.setdefault(str(int(feed_id)), name)
        feeds: list[RemoteFeed] = []
        seen: set[str] = set()
        for raw in raw_feeds:
            remote = _id(raw.get("id")) if isinstance(raw, dict) else None
            if remote is None:
                raise SyncError("the server sent a feed without an id")
            if remote in seen:
                raise SyncError(f"the server sent the feed {remote} twice")
            seen.add(remote)
            feeds.append(
                RemoteFeed(
                    remote_id=remote,
                    url=str(raw.get("url") or ""),
                    title=str(raw.get("title") or ""),
                    folder=folder_of.get(remote),
                    site_url=raw.get("site_url") if isinstance(raw.get("site_url"), str) else None,
                )
            )
        return feeds

    def new_items(self, cursor: str | None) -> Iterator[ItemPage]:
        """Pages of items with ids above ``cursor``, 50 at a time, oldest first."""
        since = int(cursor) if cursor and cursor.isdigit() else 0
        for _ in range(MAX_PAGES):
            data = self._call(f"items&since_id={since}", "new articles")
            raw_items = data.get("items")
            if not isinstance(raw_items, list):
                raise SyncError("the server sent an item list without items")
            usable, notes = usable_items(raw_items, _id, set())
            items = [_item(remote, raw) for remote, raw in usable]
            newest = max([since, *(int(remote) for remote, _raw in usable)])
            if raw_items and newest <= since:
                raise SyncError("the server keeps sending the same articles (since_id ignored)")
            more = bool(raw_items)
            yield ItemPage(tuple(items), str(newest) if newest else cursor, more, tuple(notes))
            if not more:
                return
            since = newest
        raise SyncError(
            f"the server kept sending more pages of new articles (stopped after {MAX_PAGES})"
        )

    def items_by_id(self, remote_ids: list[str]) -> list[RemoteItem]:
        items: list[RemoteItem] = []
        for start in range(0, len(remote_ids), 50):
            chunk = ",".join(remote_ids[start : start + 50])
            data = self._call(f"items&with_ids={chunk}", "missing articles")
            raw_items = data.get("items")
            if not isinstance(raw_items, list):
                raise SyncError("the server sent an item list without items")
            for raw in raw_items:
                remote = _id(raw.get("id")) if isinstance(raw, dict) else None
                if remote is not None:
                    items.append(_item(remote, raw))
        return items

    def _ids(self) -> tuple[set[str], set[str]]:
        if self._state is None:
            data = self._call("unread_item_ids&saved_item_ids", "the unread and saved ids")
            sets: list[set[str]] = []
            for key in ("unread_item_ids", "saved_item_ids"):
                raw = data.get(key)
                if not isinstance(raw, str):
                    raise SyncError(f"the server sent no {key}")
                parts = [p.strip() for p in raw.split(",") if p.strip()]
                if not all(p.isdigit() for p in parts):
                    raise SyncError(f"the server sent malformed {key}")
                sets.append({str(int(p)) for p in parts})
            self._state = (sets[0], sets[1])
        return self._state

    def unread_ids(self) -> set[str]:
        return self._ids()[0]

    def starred_ids(self) -> set[str]:
        return self._ids()[1]

    def subscribe(self, url: str, title: str | None, folder: str | None) -> str:
        raise UnsupportedError(CANNOT.format(what="subscribe to feeds"))

    def unsubscribe(self, remote_feed_id: str) -> None:
        raise UnsupportedError(CANNOT.format(what="unsubscribe from feeds"))

    def edit_feed(
        self, remote_feed_id: str, title: str | None, folder: str | None, old_folder: str | None
    ) -> None:
        raise UnsupportedError(CANNOT.format(what="rename feeds or move them between folders"))

    def close(self) -> None:
        self.http.close()


def _item(remote: str, raw: dict[str, Any]) -> RemoteItem:
    created = raw.get("created_on_time")
    return RemoteItem(
        remote_id=remote,
        feed_remote_id=_id(raw.get("feed_id")) or "",
        title=str(raw.get("title") or ""),
        link=raw.get("url") if isinstance(raw.get("url"), str) else None,
        author=raw.get("author") if isinstance(raw.get("author"), str) and raw["author"] else None,
        published=datetime.fromtimestamp(created, UTC)
        if isinstance(created, int) and 0 < created < 2**33
        else None,
        content_html=raw.get("html") if isinstance(raw.get("html"), str) else None,
        read=bool(raw.get("is_read")),
        starred=bool(raw.get("is_saved")),
    )
