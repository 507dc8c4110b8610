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
    TAG = "tag"
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
    #: A search's scope: the view it searches in (None: every article).
    within: View | None = None
    tag: str | None = None
    #: A search typed in the search line: its last word is also a prefix (a saved
    #: search's query means what it says, as its count in the sidebar does).
    typed: bool = False

    @property
    def key(self) -> str:
        """A stable identity, used as the sidebar option id and to keep the selection."""
        if self.kind is ViewKind.FEED:
            return f"feed-{self.feed_id}"
        if self.kind is ViewKind.FOLDER:
            return f"folder-{self.folder}"
        if self.kind is ViewKind.SEARCH:
            scope = f"@{self.within.key}" if self.within is not None else ""
            return f"search-{self.search}{scope}"
        if self.kind is ViewKind.TAG:
            return f"tag-{self.tag}"
        return self.kind.value

    @property
    def honours_unread_filter(self) -> bool:
        """Feed, folder, tag and search views follow the unread/all toggle; smart views do not."""
        return self.kind in (
            ViewKind.FEED,
            ViewKind.FOLDER,
            ViewKind.SEARCH,
            ViewKind.TODAY,
            ViewKind.TAG,
        )

    @property
    def text_query(self) -> str | None:
        """The query-language text that picks this view's articles (a search, a tag)."""
        if self.kind is ViewKind.SEARCH:
            return self.search or None
        if self.kind is ViewKind.TAG and self.tag:
            return tag_query(self.tag)
        return None

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
        if self.kind is ViewKind.SEARCH and self.within is not None:
            # The scope's own filters; the search's matches are picked inside them.
            return self.within.query(sort=sort, unread_only=unread_only, now=now, tz=tz)
        if self.kind in (ViewKind.SEARCH, ViewKind.TAG):
            return base  # the query language picks the articles (ui.data)
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


def search_view(text: str, within: View | None = None) -> View:
    """A search of ``text`` in the view ``within`` (None: in every article).

    Searching from a search searches its scope again; For you is a ranking of the whole
    library, so a search from it searches everything.
    """
    while within is not None and within.kind is ViewKind.SEARCH:
        within = within.within
    if within is not None and within.kind is ViewKind.FOR_YOU:
        within = None
    scope = within.label if within is not None else "all articles"
    label = f"Search: {text} · in {scope}"
    return View(ViewKind.SEARCH, label, search=text, within=within, typed=True)


def tag_view(name: str) -> View:
    return View(ViewKind.TAG, f"Tag: {name}", tag=name)


def tag_query(name: str) -> str:
    """``tag:"name"`` in the query language, whatever the name holds."""
    return "tag:" + _quoted(name)


def search_scope(view: View) -> View | None:
    """The view a search started from ``view`` looks in by default (None: everywhere)."""
    if view.kind is ViewKind.SEARCH:
        return view.within
    if view.kind is ViewKind.FOR_YOU:
        return None
    return view


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def saved_query(view: View) -> str:
    """A search view as one query to save: its text, and its scope where the query
    language says it (a feed's scope does not: ``feed:`` also matches titles)."""
    text = view.search or ""
    scope = view.within
    terms = {
        ViewKind.UNREAD: "is:unread",
        ViewKind.STARRED: "is:starred",
        ViewKind.RECOMMENDED: "is:recommended",
    }
    extra = ""
    if scope is not None and scope.kind in terms:
        extra = terms[scope.kind]
    elif scope is not None and scope.kind is ViewKind.FOLDER and scope.folder:
        extra = "folder:" + _quoted(scope.folder)
    elif scope is not None and scope.kind is ViewKind.TAG and scope.tag:
        extra = tag_query(scope.tag)
    return f"({text}) {extra}" if extra else text
