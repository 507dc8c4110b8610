"""What the sidebar offers: smart views, folders, feeds and searches, each a query of the store.

Plain values with no Textual in them, so the screen can keep the selected view as state and
tests can build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from enum import StrEnum

from tuireader.store import ArticleQuery, Sort
from tuireader.ui.timefmt import start_of_day


class ViewKind(StrEnum):
    UNREAD = "unread"
    TODAY = "today"
    STARRED = "starred"
    RECOMMENDED = "recommended"
    FOR_YOU = "for-you"
    SEARCH = "search"
    FOLDER = "folder"
    FEED = "feed"


@dataclass(frozen=True, slots=True)
class View:
    """One entry of the sidebar: what it is called and which articles it shows."""

    kind: ViewKind
    label: str
    feed_id: int | None = None
    folder: str | None = None
    search: str | None = None

    @property
    def key(self) -> str:
        """A stable identity, used as the sidebar option id and to keep the selection."""
        if self.kind is ViewKind.FEED:
            return f"feed-{self.feed_id}"
        if self.kind is ViewKind.FOLDER:
            return f"folder-{self.folder}"
        if self.kind is ViewKind.SEARCH:
            return f"search-{self.search}"
        return self.kind.value

    @property
    def honours_unread_filter(self) -> bool:
        """Feed, folder and search views follow the unread/all toggle; smart views do not."""
        return self.kind in (ViewKind.FEED, ViewKind.FOLDER, ViewKind.SEARCH, ViewKind.TODAY)

    def query(
        self, *, sort: Sort, unread_only: bool, now: datetime, tz: tzinfo | None = None
    ) -> ArticleQuery:
        base = ArticleQuery(sort=sort, unread_only=unread_only and self.honours_unread_filter)
        if self.kind is ViewKind.UNREAD:
            return replace(base, unread_only=True)
        if self.kind is ViewKind.TODAY:
            return replace(base, since=start_of_day(now, tz))
        if self.kind is ViewKind.STARRED:
            return replace(base, starred_only=True)
        if self.kind is ViewKind.RECOMMENDED:
            return replace(base, recommended_only=True)
        if self.kind is ViewKind.FOR_YOU:
            return replace(base, ids=())
        if self.kind is ViewKind.SEARCH:
            return replace(base, ids=())  # the screen fills in the search results
        if self.kind is ViewKind.FOLDER:
            return replace(base, folder=self.folder)
        return replace(base, feed_id=self.feed_id)


SMART_VIEWS: tuple[View, ...] = (
    View(ViewKind.UNREAD, "All unread"),
    View(ViewKind.TODAY, "Today"),
    View(ViewKind.STARRED, "Starred"),
    View(ViewKind.RECOMMENDED, "Recommended by you"),
    View(ViewKind.FOR_YOU, "For you"),
)


def search_view(text: str) -> View:
    return View(ViewKind.SEARCH, f"Search: {text}", search=text)
