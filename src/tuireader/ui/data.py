"""The core calls the screen makes, gathered as plain functions to run in thread workers.

Nothing here touches a widget; every function does disk I/O and must stay off the event loop.
They call the :class:`Reader`, the core's one front door.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from tuireader.core import Reader
from tuireader.models import ArticleSummary
from tuireader.store import ArticleQuery, Sort
from tuireader.ui.timefmt import start_of_day
from tuireader.ui.views import View, ViewKind
from tuireader.ui.widgets.article_list import RowNote
from tuireader.ui.widgets.sidebar import SidebarData, SidebarSearch, SidebarTag

if TYPE_CHECKING:
    from tuireader.foryou import ForYou

#: How many rows are read per step when looking for the next unread article.
UNREAD_SCAN_CHUNK = 500
#: A search lists this many matches at most, the first in the list's order (as many as
#: the app's search listed before the query language): listing all 90,000 matches of a
#: common word costs some 400 ms of SQLite on a 100,000-article library, the first 500
#: about a fifth of that (bench/ui_bench.py).
SEARCH_LIMIT = 500
#: How many articles the For you view ranks and shows.
FOR_YOU_LIMIT = 200


@dataclass(frozen=True, slots=True)
class ViewContents:
    """What the article list shows for a view: ids in order, plus anything known already."""

    query: ArticleQuery
    ids: list[int]
    rows: list[ArticleSummary] = field(default_factory=list)
    notes: dict[int, RowNote] = field(default_factory=dict)
    #: A search with more matches than it lists (see ``SEARCH_LIMIT``).
    more: bool = False


def load_sidebar(
    store: Reader, now: datetime, tz: tzinfo | None, *, counted: bool = True
) -> SidebarData:
    """Feeds and smart views with their counts; with ``counted``, query feeds and tags
    with theirs too (else the sidebar keeps the last ones until ``load_query_counts``)."""
    feeds = store.feeds()
    counts = {
        ViewKind.UNREAD.value: sum(feed.unread for feed in feeds),
        ViewKind.TODAY.value: store.count_articles(
            ArticleQuery(unread_only=True, since=start_of_day(now, tz))
        ),
        ViewKind.STARRED.value: store.count_articles(ArticleQuery(starred_only=True)),
        ViewKind.RECOMMENDED.value: store.count_articles(ArticleQuery(recommended_only=True)),
    }
    searches, tags = load_query_counts(store) if counted else ((), ())
    return SidebarData(tuple(feeds), counts, searches, tags, counted=counted)


QueryCounts = tuple[tuple[SidebarSearch, ...], tuple[SidebarTag, ...]]


def load_query_counts(store: Reader) -> QueryCounts:
    """Query feeds and tags with their unread counts: a COUNT per saved search (a common
    word's costs some 250 ms on a 100,000-article library), one grouped query for tags."""
    searches = tuple(
        SidebarSearch(feed.name, feed.query, feed.unread) for feed in store.query_feeds()
    )
    tags = tuple(SidebarTag(tag.name, tag.unread) for tag in store.tag_counts())
    return searches, tags


def store_sort(sort: str) -> Sort:
    """The store's order for the app's (relevance is ranked by the search, not the store)."""
    return Sort(sort) if sort in Sort.__members__.values() else Sort.NEWEST


def view_query(
    store: Reader, view: View, *, sort: str, unread_only: bool, now: datetime, tz: tzinfo | None
) -> ArticleQuery:
    return view.query(sort=store_sort(sort), unread_only=unread_only, now=now, tz=tz)


def query_view_ids(
    store: Reader, view: View, query: ArticleQuery, keep: list[int] | None, *, ranked: bool
) -> tuple[list[int], bool]:
    """A search's or a tag's ids: the query language inside the view's scope ``query``;
    and whether a search has more matches than :data:`SEARCH_LIMIT` (the first ones, in
    the list's order, are listed).

    Unranked unless asked (S "by relevance", which ranks the listed matches): the list
    orders the matches by its own sort, so scoring every match would be wasted work.
    Raises ``QueryError``.
    """
    text, prefix = view.text_query or "", view.typed
    limit = SEARCH_LIMIT + 1 if view.kind is ViewKind.SEARCH else None

    def ids_in(scope: ArticleQuery) -> tuple[list[int], bool]:
        found = store.view_search_ids(text, within=scope, prefix_last=prefix, limit=limit)
        more = limit is not None and len(found) > SEARCH_LIMIT
        found = found[:SEARCH_LIMIT] if more else found
        return (store.rank_search_ids(text, found) if ranked else found), more

    ids, more = ids_in(query)
    if not keep or not query.unread_only:
        return ids, more
    # Articles just read stay listed, in their place among the other matches.
    wanted = set(ids) | set(keep)
    every, _ = ids_in(replace(query, unread_only=False))
    return [i for i in every if i in wanted], more


def view_ids(store: Reader, query: ArticleQuery, keep: list[int] | None = None) -> list[int]:
    """The ids of a view; ``keep`` ids stay listed even when they no longer match.

    A refresh of an unread-only view keeps the articles the user has just read, so rows do
    not vanish under the cursor.
    """
    ids = store.article_ids(query)
    if not keep or not query.unread_only:
        return ids
    wanted = set(ids) | set(keep)
    return [i for i in store.article_ids(replace(query, unread_only=False)) if i in wanted]


def for_you_contents(for_you: ForYou, *, limit: int = FOR_YOU_LIMIT) -> ViewContents:
    """The ranked For you list, each row with why it is there and its other sources."""
    ranked = for_you.rank(limit=limit)
    # An article with no date (or no title) says too little to lead the list: it keeps
    # its rank among its kind, after the others (issue 15, point 4).
    items = [i for i in ranked if _complete(i.article)] + [
        i for i in ranked if not _complete(i.article)
    ]
    ids = [item.article.id for item in items]
    notes = {item.article.id: RowNote(item.why, len(item.duplicates)) for item in items}
    return ViewContents(ArticleQuery(ids=tuple(ids)), ids, [i.article for i in items], notes)


def _complete(article: ArticleSummary) -> bool:
    return article.published is not None and bool(article.title.strip())


def load_view(
    store: Reader,
    for_you: Callable[[], ForYou],
    view: View,
    *,
    sort: str,
    unread_only: bool,
    now: datetime,
    tz: tzinfo | None,
    keep: list[int] | None = None,
    head: int = 0,
) -> ViewContents:
    """The ids of a view, with the summaries of its first ``head`` rows (``for_you``
    gives the ranking, asked for only by the For you view).

    Reading the first screen's rows in the same worker as the ids lets the list paint
    them at once, instead of fetching them after its first (empty) paint.
    """
    if view.kind is ViewKind.FOR_YOU:
        return for_you_contents(for_you())
    query = view_query(store, view, sort=sort, unread_only=unread_only, now=now, tz=tz)
    if view.text_query is not None:
        ids, more = query_view_ids(store, view, query, keep, ranked=sort == "relevance")
    else:
        ids, more = view_ids(store, query, keep), False
    rows = store.summaries(ids[:head]) if head > 0 else []
    return ViewContents(query, ids, rows, more=more)


def find_unread(store: Reader, ids: list[int], start: int, step: int) -> int | None:
    """Index of the first unread article after (step 1) or before (-1) ``start``."""
    position = start + step
    while 0 <= position < len(ids):
        if step > 0:
            chunk = ids[position : position + UNREAD_SCAN_CHUNK]
        else:
            chunk = ids[max(0, position - UNREAD_SCAN_CHUNK + 1) : position + 1][::-1]
        unread = {row.id for row in store.summaries(chunk) if not row.read}
        for offset, article_id in enumerate(chunk):
            if article_id in unread:
                return position + offset * step
        position += len(chunk) * step
    return None
