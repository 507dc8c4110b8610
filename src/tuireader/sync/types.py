"""Values the sync clients, the engine and the store pass between them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class SyncKind(StrEnum):
    GREADER = "greader"
    FEVER = "fever"


class SyncError(Exception):
    """A sync could not finish; the message is one line, free of secrets."""


class HttpStatusError(SyncError):
    """The server answered with an error status (the message says which)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AuthError(HttpStatusError):
    """The server refused the user name or password."""


class UnsupportedError(SyncError):
    """The server's API cannot do this (Fever cannot subscribe)."""


@dataclass(frozen=True, slots=True)
class SyncAccount:
    kind: SyncKind
    url: str
    user: str
    password_command: str | None = None
    password_file: str | None = None
    insecure_http: bool = False
    cursor: str | None = None
    last_sync: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    remote_id: str
    url: str
    title: str
    folder: str | None = None
    site_url: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """One article as the server sent it; text fields are untrusted until stored."""

    remote_id: str
    feed_remote_id: str
    title: str
    link: str | None = None
    author: str | None = None
    published: datetime | None = None
    content_html: str | None = None
    read: bool = False
    starred: bool = False


@dataclass(frozen=True, slots=True)
class QueuedAction:
    id: int
    remote_id: str
    action: str


@dataclass(frozen=True, slots=True)
class ItemPage:
    """One page of new items, the cursor to resume after it, and what was skipped."""

    items: tuple[RemoteItem, ...]
    cursor: str | None
    more: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PushResult:
    """Which queued remote ids the server took, and which it does not have any more."""

    done: frozenset[str] = frozenset()
    missing: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SyncSummary:
    pushed: int = 0
    dropped: int = 0
    new_articles: int = 0
    state_changes: int = 0
    feeds_added: int = 0
    feeds_removed: int = 0
    feeds_changed: int = 0
    queued: int = 0
    requests: int = 0
    bytes_received: int = 0
    #: Wall time inside requests (the server answering and the bytes arriving).
    request_seconds: float = 0.0
    error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.error is None


class SyncClient(Protocol):
    """What the engine needs from one API. Every method raises :class:`SyncError`."""

    def login(self) -> None: ...

    def push(self, action: str, remote_ids: list[str]) -> PushResult: ...

    def feeds(self) -> list[RemoteFeed]: ...

    def new_items(self, cursor: str | None) -> Iterator[ItemPage]: ...

    def items_by_id(self, remote_ids: list[str]) -> list[RemoteItem]: ...

    def unread_ids(self) -> set[str]: ...

    def starred_ids(self) -> set[str]: ...

    def subscribe(self, url: str, title: str | None, folder: str | None) -> str: ...

    def unsubscribe(self, remote_feed_id: str) -> None: ...

    def edit_feed(
        self, remote_feed_id: str, title: str | None, folder: str | None, old_folder: str | None
    ) -> None: ...

    def close(self) -> None: ...


def usable_items(
    raw_items: list[Any], id_of: Callable[[object], str | None], seen: set[str]
) -> tuple[list[tuple[str, dict[str, Any]]], tuple[str, ...]]:
    """The items that have an id and were not sent before (``seen`` grows), with their ids,
    and one note each for the items skipped without an id or sent twice."""
    usable: list[tuple[str, dict[str, Any]]] = []
    without_id = duplicates = 0
    for raw in raw_items:
        remote = id_of(raw.get("id")) if isinstance(raw, dict) else None
        if remote is None:
            without_id += 1
        elif remote in seen:
            duplicates += 1
        else:
            seen.add(remote)
            usable.append((remote, raw))
    notes = []
    if without_id:
        notes.append(f"skipped {without_id} articles the server sent without an id")
    if duplicates:
        notes.append(f"skipped {duplicates} articles the server sent twice")
    return usable, tuple(notes)
