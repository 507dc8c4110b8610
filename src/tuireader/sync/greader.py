"""The Google Reader API (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux).

Item ids come as ``tag:google.com,2005:reader/item/<16 hex>`` in streams and as decimal
in ``stream/items/ids``; we keep the decimal form. New items are pulled with ``ot`` (crawl
time, in seconds) from the newest crawl time seen, overlapping by that second; state is
pulled as two id lists (unread, starred), which the engine applies to what it holds.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from tuireader.sync.http import SyncHttp
from tuireader.sync.secrets import write_secret_file
from tuireader.sync.types import (
    AuthError,
    HttpStatusError,
    ItemPage,
    PushResult,
    RemoteFeed,
    RemoteItem,
    SyncError,
    usable_items,
)

T = TypeVar("T")
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"
LABEL = "user/-/label/"
ITEM_PREFIX = "tag:google.com,2005:reader/item/"
PAGE_SIZE = 1000
IDS_PAGE_SIZE = 10_000
#: Ids per edit-tag request (a POST body of ~40 bytes each).
PUSH_BATCH = 250
#: A stream that keeps sending continuations past this many pages is cut off.
MAX_PAGES = 1000

_TAGS = {
    "read": (READ, "a"),
    "unread": (READ, "r"),
    "star": (STARRED, "a"),
    "unstar": (STARRED, "r"),
}


def item_id(value: object) -> str | None:
    """The decimal form of either spelling of an item id, or None if it is neither."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.startswith(ITEM_PREFIX):
        try:
            return str(int(text[len(ITEM_PREFIX) :], 16))
        except ValueError:
            return None
    if text.isdigit():
        return str(int(text))
    return None


class GReaderClient:
    """``auth_cache``: a 0600 file keeping the login's Auth token between syncs, so a sync
    does not log in (a password hash on the server) unless the token was refused."""

    def __init__(
        self,
        base: str,
        user: str,
        password: str,
        http: SyncHttp,
        *,
        auth_cache: Path | None = None,
    ) -> None:
        self.base = base.rstrip("/")
        self.user = user
        self._password = password
        self.http = http
        self._auth_cache = auth_cache
        self._auth: str | None = None
        self._cached = False
        self._token: str | None = None

    # --- plumbing ----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        if self._auth is None:
            self.login()
        return {"Authorization": f"GoogleLogin auth={self._auth}"}

    def _retrying(self, call: Callable[[], T]) -> T:
        """Run ``call``; if a cached Auth token is refused, log in afresh and run it again."""
        try:
            return call()
        except AuthError:
            if not self._cached:
                raise
            self._cached = False
            self._token = None
            self._fresh_login()
            return call()

    def _get(self, path: str, what: str, params: list[tuple[str, str]] | None = None) -> Any:
        data = self._retrying(
            lambda: self.http.json(
                "GET",
                f"{self.base}/reader/api/0/{path}",
                what=what,
                params=_fields([("output", "json"), *(params or [])]),
                headers=self._headers(),
            )
        )
        if not isinstance(data, dict):
            raise SyncError(f"the server sent an unexpected answer for {what}")
        return data

    def _post(self, path: str, what: str, data: list[tuple[str, str]]) -> bytes:
        def post() -> bytes:
            headers = self._headers()
            if self._token is None:
                body = self.http.request(
                    "GET", f"{self.base}/reader/api/0/token", what="the edit token", headers=headers
                )
                self._token = body.decode("utf-8", "replace").strip()
            return self.http.request(
                "POST",
                f"{self.base}/reader/api/0/{path}",
                what=what,
                data=_fields([("T", self._token), *data]),
                headers=headers,
            )

        return self._retrying(post)

    # --- SyncClient ---------------------------------------------------------------------------

    def login(self) -> None:
        if self._auth_cache is not None:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                cached = self._auth_cache.read_text(encoding="utf-8").strip()
                if cached:
                    self._auth, self._cached = cached, True
                    return
        self._fresh_login()

    def _fresh_login(self) -> None:
        body = self.http.request(
            "POST",
            f"{self.base}/accounts/ClientLogin",
            what="the login",
            data={"Email": self.user, "Passwd": self._password},
        )
        for line in body.decode("utf-8", "replace").splitlines():
            if line.startswith("Auth="):
                self._auth = line[5:].strip()
                if self._auth_cache is not None:
                    write_secret_file(self._auth_cache, self._auth)
                return
        raise AuthError("the server refused the user name or password (no Auth in its answer)", 401)

    def push(self, action: str, remote_ids: list[str]) -> PushResult:
        """edit-tag in batches; a batch refused with 400 is retried one id at a time, and an
        id refused alone is one the server no longer has. (A 404 is a wrong URL: it fails.)"""
        done: set[str] = set()
        missing: set[str] = set()
        for start in range(0, len(remote_ids), PUSH_BATCH):
            chunk = remote_ids[start : start + PUSH_BATCH]
            try:
                self._edit_tag(action, chunk)
                done.update(chunk)
                continue
            except HttpStatusError as error:
                if error.status != 400:
                    raise
            for remote in chunk:
                try:
                    self._edit_tag(action, [remote])
                    done.add(remote)
                except HttpStatusError as error:
                    if error.status != 400:
                        raise
                    missing.add(remote)
        return PushResult(done=frozenset(done), missing=frozenset(missing))

    def _edit_tag(self, action: str, remote_ids: list[str]) -> None:
        tag, verb = _TAGS[action]
        self._post(
            "edit-tag",
            f"{action} for {len(remote_ids)} articles",
            [*(("i", i) for i in remote_ids), (verb, tag)],
        )

    def feeds(self) -> list[RemoteFeed]:
        data = self._get("subscription/list", "the subscription list")
        subs = data.get("subscriptions")
        if not isinstance(subs, list):
            raise SyncError("the server sent a subscription list without subscriptions")
        feeds: list[RemoteFeed] = []
        seen: set[str] = set()
        for sub in subs:
            if not isinstance(sub, dict) or not isinstance(sub.get("id"), str):
                raise SyncError("the server sent a subscription without an id")
            remote_id = sub["id"]
            if remote_id in seen:
                raise SyncError(f"the server sent the subscription {remote_id[:60]} twice")
            seen.add(remote_id)
            folder = None
            for category in sub.get("categories") or []:
                if isinstance(category, dict) and isinstance(category.get("label"), str):
                    folder = category["label"]
                    break
            url = sub.get("url") if isinstance(sub.get("url"), str) else None
            if not url:
                url = remote_id.removeprefix("feed/")
            feeds.append(
                RemoteFeed(
                    remote_id=remote_id,
                    url=url,
                    title=str(sub.get("title") or ""),
                    folder=folder,
                    site_url=sub.get("htmlUrl") if isinstance(sub.get("htmlUrl"), str) else None,
                )
            )
        return feeds

    def new_items(self, cursor: str | None) -> Iterator[ItemPage]:
        """Pages of the items crawled since ``cursor`` (seconds), oldest first.

        Each page's cursor is the newest crawl second in it: storing a page and its cursor
        together means an interrupted pull resumes where it stopped (``ot`` includes that
        second, so the overlap comes again and is recognised by id).
        """
        since = int(cursor) if cursor and cursor.isdigit() else 0
        params = [("n", str(PAGE_SIZE)), ("r", "o")]
        if since:
            # After the newest second seen: servers insert a fetch's items in one batch
            # stamped with one second, so ``ot=since`` would send that batch every time.
            # An item stamped later in that same second is caught by the engine's id check.
            params.append(("ot", str(since + 1)))
        seen: set[str] = set()
        newest = since
        continuation = ""
        for _ in range(MAX_PAGES):
            page = self._get(
                f"stream/contents/{quote(READING_LIST, safe='/')}",
                "new articles",
                params + ([("c", continuation)] if continuation else []),
            )
            raw_items = page.get("items")
            if not isinstance(raw_items, list):
                raise SyncError("the server sent a stream without items")
            usable, notes = usable_items(raw_items, item_id, seen)
            items = [_item(remote, raw) for remote, raw in usable]
            newest = max([newest, *(_crawl_seconds(raw) for _remote, raw in usable)])
            next_c = page.get("continuation")
            more = isinstance(next_c, str) and bool(next_c) and next_c != continuation
            yield ItemPage(tuple(items), str(newest) if newest else cursor, more, tuple(notes))
            if not more:
                return
            assert isinstance(next_c, str)
            continuation = next_c
        raise SyncError(
            f"the server kept sending more pages of new articles (stopped after {MAX_PAGES})"
        )

    def _ids(self, stream: str, exclude: str | None, what: str) -> set[str]:
        params = [("s", stream), ("n", str(IDS_PAGE_SIZE))]
        if exclude:
            params.append(("xt", exclude))
        found: set[str] = set()
        continuation = ""
        for _ in range(MAX_PAGES):
            page = self._get(
                "stream/items/ids", what, params + ([("c", continuation)] if continuation else [])
            )
            refs = page.get("itemRefs")
            if refs is None:
                refs = []
            if not isinstance(refs, list):
                raise SyncError(f"the server sent malformed ids for {what}")
            for ref in refs:
                remote = item_id(ref.get("id")) if isinstance(ref, dict) else None
                if remote is None:
                    raise SyncError(f"the server sent an item without an id in {what}")
                found.add(remote)
            next_c = page.get("continuation")
            if not isinstance(next_c, str) or not next_c or next_c == continuation:
                return found
            continuation = next_c
        raise SyncError(f"the server kept sending more pages of {what} (stopped after {MAX_PAGES})")

    def items_by_id(self, remote_ids: list[str]) -> list[RemoteItem]:
        items: list[RemoteItem] = []
        for start in range(0, len(remote_ids), PUSH_BATCH):
            chunk = remote_ids[start : start + PUSH_BATCH]
            body = self._post(
                "stream/items/contents", "missing articles", [("i", i) for i in chunk]
            )
            try:
                page = json.loads(body)
            except ValueError:
                raise SyncError("the server sent malformed JSON for missing articles") from None
            raw_items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(raw_items, list):
                raise SyncError("the server sent missing articles without items")
            for raw in raw_items:
                remote = item_id(raw.get("id")) if isinstance(raw, dict) else None
                if remote is not None:
                    items.append(_item(remote, raw))
        return items

    def unread_ids(self) -> set[str]:
        return self._ids(READING_LIST, READ, "the unread ids")

    def starred_ids(self) -> set[str]:
        return self._ids(STARRED, None, "the starred ids")

    def subscribe(self, url: str, title: str | None, folder: str | None) -> str:
        body = self._post("subscription/quickadd", "the subscription", [("quickadd", url)])
        try:
            answer = json.loads(body)
        except ValueError:
            raise SyncError("the server sent malformed JSON for the subscription") from None
        stream = answer.get("streamId") if isinstance(answer, dict) else None
        if not isinstance(stream, str) or not stream:
            error = answer.get("error") if isinstance(answer, dict) else None
            why = f": {str(error).splitlines()[0][:120]}" if error else ""
            raise SyncError(f"the server could not subscribe to {url}{why}")
        if title or folder:
            self.edit_feed(stream, title, folder, None)
        return stream

    def unsubscribe(self, remote_feed_id: str) -> None:
        self._post(
            "subscription/edit",
            "the unsubscription",
            [("ac", "unsubscribe"), ("s", remote_feed_id)],
        )

    def edit_feed(
        self, remote_feed_id: str, title: str | None, folder: str | None, old_folder: str | None
    ) -> None:
        data = [("ac", "edit"), ("s", remote_feed_id)]
        if title:
            data.append(("t", title))
        if folder:
            data.append(("a", LABEL + folder))
        elif folder == "" and old_folder:
            data.append(("r", LABEL + old_folder))
        self._post("subscription/edit", "the feed's change", data)

    def close(self) -> None:
        self.http.close()


def _fields(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Pairs as httpx wants them: a repeated name (``i``) becomes a list."""
    fields: dict[str, str | list[str]] = {}
    for name, value in pairs:
        if name in fields:
            previous = fields[name]
            fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[name] = value
    return fields


def _crawl_seconds(raw: dict[str, Any]) -> int:
    for key, scale in (("timestampUsec", 1_000_000), ("crawlTimeMsec", 1000)):
        value = raw.get(key)
        if isinstance(value, str | int) and str(value).isdigit():
            return int(value) // scale
    return 0


def _item(remote: str, raw: dict[str, Any]) -> RemoteItem:
    origin: dict[str, Any] = raw["origin"] if isinstance(raw.get("origin"), dict) else {}
    categories = [c for c in raw.get("categories") or [] if isinstance(c, str)]
    link = None
    for key in ("canonical", "alternate"):
        links = raw.get(key)
        if isinstance(links, list) and links and isinstance(links[0], dict):
            href = links[0].get("href")
            if isinstance(href, str) and href:
                link = href
                break
    body = raw.get("content") or raw.get("summary")
    content = body.get("content") if isinstance(body, dict) else None
    published = raw.get("published")
    return RemoteItem(
        remote_id=remote,
        feed_remote_id=str(origin.get("streamId") or ""),
        title=str(raw.get("title") or ""),
        link=link,
        author=raw.get("author") if isinstance(raw.get("author"), str) else None,
        published=datetime.fromtimestamp(published, UTC)
        if isinstance(published, int) and 0 < published < 2**33
        else None,
        content_html=content if isinstance(content, str) else None,
        read=READ in categories,
        starred=STARRED in categories,
    )
