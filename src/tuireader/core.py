"""The one factory that builds tuireader's core, used alike by the CLI, the app and the tests.

:class:`Reader` is the API the user interfaces call: it owns the store and the settings
and runs refreshes. It never imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import re
import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from tuireader.config import Config, load_config, save_setting
from tuireader.models import (
    Article,
    ArticleSummary,
    Feed,
    FeedError,
    FullText,
    FullTextMode,
    ParsedFeed,
    RefreshOutcome,
    RefreshSummary,
)
from tuireader.parsejob import body_fingerprint
from tuireader.paths import Dirs, resolve_dirs
from tuireader.refreshlog import RefreshLog
from tuireader.store import (
    ArticleQuery,
    CleanupResult,
    FeedExistsError,
    RefreshRecord,
    SavedSearch,
    SavedSearchExistsError,
    Sort,
    Store,
    StoreError,
    TagCount,
)
from tuireader.store.base import utc_now

if TYPE_CHECKING:
    import httpx

    from tuireader.discover import FeedLink
    from tuireader.fetch import Fetcher
    from tuireader.foryou import ForYou, ForYouItem
    from tuireader.fulltext import Body, PrefetchSummary
    from tuireader.media.episodes import Episodes
    from tuireader.media.images import ImageRef, ImagesFetched
    from tuireader.notify import Notification
    from tuireader.query import Node
    from tuireader.refresh import OutcomeCallback
    from tuireader.store import StoredImage
    from tuireader.store.querying import QueryFeed

# discover, fulltext, opml and urlsfile are imported where they are used: a cron
# `tuireader refresh` should not pay for HTML parsing it never does. The HTTP client and
# the refresh machinery (fetch, refresh: httpx, ~0.1 s) are imported only when something
# is fetched: `tuireader refresh --due` with nothing due and the app's start skip them.


class SubscribeError(Exception):
    """Subscribing failed; the message is one line for users."""


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    feed: Feed
    new_articles: int
    #: Other feeds the page offered, when it offered several.
    alternatives: tuple[FeedLink, ...] = ()


#: Feeds an import stores per transaction.
IMPORT_BATCH = 2_000


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    #: newsboat ``query:`` feeds saved as query feeds: "NAME: QUERY".
    query_feeds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TagChange:
    """What a retag did: the tags added and those taken off."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass
class Reader:
    """tuireader's core: a store, settings, and the operations on them."""

    store: Store
    config: Config = field(default_factory=Config)
    dirs: Dirs | None = None
    transport: httpx.AsyncBaseTransport | None = None
    config_problems: tuple[str, ...] = ()
    #: The history row of what this session fetched to read articles (pages, images).
    _reading: RefreshLog | None = field(default=None, init=False, repr=False)
    _reading_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # --- fetching -------------------------------------------------------------------------

    async def open_fetcher(self) -> Fetcher:
        """:meth:`make_fetcher` in a thread: the first one imports the HTTP client and
        loads the CA bundle (0.1-0.3 s holding the GIL), which must not stall the app's
        event loop."""
        return await asyncio.to_thread(self.make_fetcher)

    def make_fetcher(self) -> Fetcher:
        from tuireader.fetch import Fetcher

        return Fetcher(
            max_connections=self.config.max_connections,
            per_host=self.config.per_host_connections,
            read_timeout=self.config.timeout_seconds,
            deadline=self.config.deadline_seconds,
            transport=self.transport,
        )

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        on_outcome: OutcomeCallback | None = None,
        on_start: Callable[[int], None] | None = None,
        cancel: threading.Event | None = None,
        due_only: bool = False,
    ) -> RefreshSummary:
        """Refresh these feeds (all by default; only those due with ``due_only``)."""
        self.check_online()
        if due_only:
            interval = timedelta(minutes=self.config.refresh_interval_minutes)
            due = await asyncio.to_thread(self.store.due_feed_ids, interval)
            feed_ids = [i for i in due if feed_ids is None or i in feed_ids]
        states = await asyncio.to_thread(
            self.store.fetch_states, list(feed_ids) if feed_ids is not None else None
        )
        if on_start is not None:
            on_start(len(states))
        if not states:
            return RefreshSummary(())
        # Imported in a thread: the first refresh's imports (the HTTP client, the parse
        # pool) must not stall the app's event loop.
        await asyncio.to_thread(importlib.import_module, "tuireader.refresh")
        from tuireader.refresh import PROCESS_POOL_THRESHOLD, Refresher, make_parse_pool

        pool = (
            make_parse_pool(timeout=self.config.parse_timeout_seconds)
            if len(states) >= PROCESS_POOL_THRESHOLD
            else None
        )
        log = RefreshLog(self.store, self.store.now())

        def outcome_seen(outcome: RefreshOutcome) -> None:
            log.add(outcome)  # the history row follows the refresh, so kill -9 loses none
            if on_outcome is not None:
                on_outcome(outcome)

        try:
            async with await self.open_fetcher() as fetcher:
                refresher = Refresher(self.store, fetcher, parse_pool=pool, cancel=cancel)
                summary = await refresher.run(states, outcome_seen)
        except BaseException:
            # Interrupted: keep what it counted, unfinished; the interruption is the news.
            with contextlib.suppress(StoreError):
                await asyncio.to_thread(log.finish, None)
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(log.finish, self.store.now())
        return summary

    async def subscribe(
        self, url: str, *, folder: str | None = None, title: str | None = None
    ) -> SubscribeResult:
        """Subscribe to a feed, or to the best feed a web page links to.

        With a sync account the server subscribes (it is where subscriptions live) and a
        sync brings the feed in.
        """
        from tuireader.discover import find_feed_links, looks_like_feed
        from tuireader.fetch import FetchStatus
        from tuireader.refresh import parse_isolated

        url = normalise_subscription_url(url)
        if self.demo:
            raise SubscribeError("the demo library is offline: add feeds to your own library")
        if await asyncio.to_thread(self.store.sync_account) is not None:
            from tuireader.sync.accounts import subscribe_and_sync
            from tuireader.sync.types import SyncError

            try:
                feed, new = await asyncio.to_thread(
                    subscribe_and_sync, self.store, url, title=title, folder=folder
                )
            except SyncError as error:
                raise SubscribeError(str(error)) from error
            return SubscribeResult(feed, new)
        async with await self.open_fetcher() as fetcher:
            result = await fetcher.fetch(url)
            if result.status is not FetchStatus.OK:
                raise SubscribeError(f"{url}: {result.reason}")
            alternatives: tuple[FeedLink, ...] = ()
            if not looks_like_feed(result.body, result.content_type):
                links = find_feed_links(result.body, result.final_url)
                if not links:
                    links = await self._probe_common_paths(fetcher, result.final_url)
                if not links:
                    raise SubscribeError(f"{url}: no feed found on this page")
                best, *others = links
                alternatives = tuple(others)
                result = await fetcher.fetch(best.url)
                if result.status is not FetchStatus.OK:
                    raise SubscribeError(f"{best.url}: {result.reason}")
            feed_url = result.permanent_url or result.final_url
            try:
                parsed = await parse_isolated(
                    result.body,
                    url=feed_url,
                    content_type=result.content_type,
                    timeout=self.config.parse_timeout_seconds,
                )
            except FeedError as error:
                raise SubscribeError(f"{feed_url}: {error}") from error
        feed = await asyncio.to_thread(self.store.add_feed, feed_url, title=title, folder=folder)
        stored = await asyncio.to_thread(
            self.store.store_feed,
            feed.id,
            parsed,
            body_hash=body_fingerprint(result.body),
            etag=result.etag,
            last_modified=result.last_modified,
            bytes_downloaded=result.bytes_downloaded,
        )
        feed = await asyncio.to_thread(self.store.get_feed, feed.id)
        return SubscribeResult(feed, stored.new, alternatives)

    async def _probe_common_paths(self, fetcher: Fetcher, page_url: str) -> list[FeedLink]:
        from tuireader.discover import COMMON_FEED_PATHS, FeedLink, looks_like_feed
        from tuireader.fetch import FetchStatus

        for path in COMMON_FEED_PATHS:
            candidate = urljoin(page_url, path)
            result = await fetcher.fetch(candidate, max_bytes=2 * 2**20)
            if result.status is FetchStatus.OK and looks_like_feed(
                result.body, result.content_type
            ):
                return [FeedLink(result.final_url, None, result.content_type or "")]
        return []

    # --- full text ------------------------------------------------------------------------

    def full_text_mode(self, feed_id: int) -> FullTextMode:
        """The feed's own setting; a feed left on ``auto`` follows config's ``full_text``."""
        mode = self.store.get_feed(feed_id).full_text
        return self.config.full_text if mode is FullTextMode.AUTO else mode

    def wants_full_text(self, article: Article) -> bool:
        """Whether opening ``article`` should fetch its page (no cached page yet)."""
        if self.demo:
            return False
        if self.store.get_full_text(article.id) is not None:
            return False
        from tuireader.fulltext import wants_full_text

        return wants_full_text(article, self.full_text_mode(article.feed_id))

    def body(self, article: Article, *, prefer_page: bool = True) -> Body:
        """The Markdown to show: the cached page's article, else the feed's text."""
        from tuireader.fulltext import best_body

        return best_body(article, self.store.get_full_text(article.id), prefer_page=prefer_page)

    async def fetch_full_text(self, article_id: int) -> FullText:
        """Fetch, extract and cache one article's page (run it off the UI's loop)."""
        self.check_online()
        article = await asyncio.to_thread(self.store.get_article, article_id)
        if article is None or not article.link:
            raise FeedError("this article has no link to fetch")
        async with await self.open_fetcher() as fetcher:
            from tuireader.fulltext import fetch_full_text

            full = await fetch_full_text(self.store, fetcher, article)
        self._reading_log().add_page(full)
        return full

    async def prefetch_full_texts(
        self,
        *,
        max_articles: int | None = None,
        max_bytes: int | None = None,
        feed_ids: Sequence[int] | None = None,
    ) -> PrefetchSummary:
        from tuireader.fulltext import prefetch_full_texts

        log = RefreshLog(self.store, self.store.now(), kind="full_text")
        try:
            async with await self.open_fetcher() as fetcher:
                pages = await prefetch_full_texts(
                    self.store,
                    fetcher,
                    max_articles=self.config.prefetch_max_articles
                    if max_articles is None
                    else max_articles,
                    max_bytes=self.config.prefetch_max_bytes if max_bytes is None else max_bytes,
                    default_mode=self.config.full_text,
                    feed_ids=feed_ids,
                    on_page=log.add_page,  # logged as it goes, like a refresh
                    images=self.config.images == "auto",
                )
        except BaseException:
            with contextlib.suppress(StoreError):
                await asyncio.to_thread(log.finish, None)
            raise
        await asyncio.to_thread(log.finish, self.store.now())
        return pages

    # --- subscriptions ---------------------------------------------------------------------

    def add_parsed_feed(
        self,
        url: str,
        parsed: ParsedFeed,
        *,
        folder: str | None = None,
        body_hash: str | None = None,
    ) -> Feed:
        """Subscribe to a feed whose document we already have (the demo library, tests)."""
        try:
            feed = self.store.add_feed(url, folder=folder)
        except FeedExistsError as exists:
            feed = exists.feed
        self.store.store_feed(
            feed.id, parsed, body_hash=body_hash, etag=None, last_modified=None, bytes_downloaded=0
        )
        return self.store.get_feed(feed.id)

    def load_demo(self) -> list[Feed]:
        """Subscribe to the bundled demo library, offline: the feeds ship in the package."""
        from tuireader.demo import DEMO_FEEDS, demo_feed_body
        from tuireader.parse import parse_feed

        documents = [(demo, parse_feed(demo_feed_body(demo), url=demo.url)) for demo in DEMO_FEEDS]
        shift = _demo_age(
            [e.published for _, p in documents for e in p.entries if e.published], self.store.now()
        )
        feeds = []
        for demo, parsed in documents:
            if shift:
                parsed = _shift_dates(parsed, shift)
            feed = self.add_parsed_feed(demo.url, parsed, folder=demo.folder)
            # The demo's pages are on example.org hosts that do not exist: never fetch them.
            feeds.append(self.store.update_feed(feed.id, full_text=FullTextMode.NEVER))
        return feeds

    def import_subscriptions(
        self, data: bytes, *, progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        """Subscribe to every feed in an OPML or newsboat ``urls`` file (fetched on refresh).

        The file is read as a stream and stored in batches of ``IMPORT_BATCH`` as it is read;
        ``progress`` gets the number of feeds added so far after each batch.
        """
        from tuireader.importfile import read_import
        from tuireader.subscriptions import Subscription

        added: list[str] = []
        batch: list[Subscription] = []

        def flush() -> None:
            if batch:
                rows = [(s.url, s.title, s.folder, s.site_url) for s in batch]
                added.extend(self.store.add_feeds(rows))
                # Every newsboat tag and OPML category of each feed, not only the folder.
                self.store.tag_feeds_by_url((s.url, s.tags) for s in batch if s.tags)
                batch.clear()
                if progress is not None:
                    progress(len(added))

        def on_new(subscription: Subscription) -> None:
            batch.append(subscription)
            if len(batch) >= IMPORT_BATCH:
                flush()

        # A feed has one folder; its other OPML folders become tags, so it is found there too.
        more_folders: list[tuple[str, tuple[str, ...]]] = []

        def on_folder(repeat: Subscription) -> None:
            more_folders.append((repeat.url, (repeat.folder or "", *repeat.tags)))

        # keep=False: every feed is stored through on_new; the report needs only URLs.
        parsed = read_import(
            data, on_new=on_new, known=self.store.feed_urls(), keep=False, on_folder=on_folder
        )
        flush()
        if more_folders:
            self.store.tag_feeds_by_url(more_folders)
        problems = list(parsed.problems)
        saved: list[str] = []
        if b"query:" in data:
            from tuireader.newsboatquery import query_feeds_in_urls
            from tuireader.subscriptions import decode_document

            text = decode_document(data)
            if not text.lstrip().startswith("<"):
                queries, query_problems = query_feeds_in_urls(text)
                # Query feeds are ours to report (converted, or why not), not the urls parser's.
                problems = [p for p in problems if "query feeds are not supported" not in p]
                problems += query_problems
                existing = {search.name for search in self.store.named_searches()}
                for name, query in queries:
                    if name not in existing:
                        try:
                            self.store.add_saved_search(name, query)
                        except SavedSearchExistsError as error:  # its query is saved already
                            problems.append(f"query feed {name!r} not saved: {error}")
                            continue
                        saved.append(f"{name}: {query}")
        return ImportReport(tuple(added), parsed.already, tuple(problems), tuple(saved))

    def export_opml(self) -> bytes:
        from tuireader.opml import Subscription, write_opml

        # Feed.title falls back to the URL for a feed never fetched: export that as untitled,
        # or an importer (this one included, before) takes the URL for the user's own title.
        subs = [
            Subscription(
                url=f.url,
                title=f.title if f.title != f.url else None,
                folder=f.folder,
                site_url=f.site_url,
                tags=tuple(self.store.feed_tags(f.id)),
            )
            for f in self.store.list_feeds()
        ]
        return write_opml(subs)

    # --- reading ---------------------------------------------------------------------------

    def feeds(self) -> list[Feed]:
        return self.store.list_feeds()

    def articles(
        self, query: ArticleQuery, *, limit: int = 100, offset: int = 0
    ) -> list[ArticleSummary]:
        return self.store.list_articles(query, limit=limit, offset=offset)

    def article(self, article_id: int) -> Article | None:
        return self.store.get_article(article_id)

    def search_query(
        self, query: str, *, limit: int | None = None, relevance: bool = True
    ) -> list[int]:
        """Ids matching a query of the query language (raises ``QueryError``).

        With ``relevance`` and free words, the best matches come first: the store's ranked
        search over those words (exact words before prefix matches, titles first), kept to
        what the whole query matches; then any other matches (a phrase, say), newest first.
        A pure filter, or ``relevance=False``, is newest first.
        """
        from tuireader.query import parse_query
        from tuireader.query.ast import And, Text

        node = parse_query(query)
        parts = node.nodes if isinstance(node, And) else (node,)
        words = [p.text for p in parts if isinstance(p, Text) and p.field == "any" and not p.phrase]
        if not relevance or not words:
            return self.store.query_ids(node, limit=limit)
        if len(words) == len(parts):  # only free words: the ranked search is the whole answer
            return self.store.search_ids(" ".join(words), limit=limit or 1_000_000)
        allowed = self.store.query_ids(node)
        wanted = set(allowed)
        ranked = [
            i for i in self.store.search_ids(" ".join(words), limit=len(allowed) + 1) if i in wanted
        ]
        seen = set(ranked)
        ordered = ranked + [i for i in allowed if i not in seen]
        return ordered if limit is None else ordered[:limit]

    def close(self) -> None:
        if self._reading is not None:
            with contextlib.suppress(StoreError):
                self._reading.finish(self.store.now())
        self.store.close()

    # --- long life ---------------------------------------------------------------------------

    def retention_on(self) -> bool:
        """Whether cleanup can remove anything: config.toml's limits or a feed's own."""
        config = self.config
        return bool(config.keep_days or config.keep_per_feed) or self.store.any_feed_retention()

    def cleanup(self, *, include_unread: bool = False, vacuum: bool = False) -> CleanupResult:
        """Apply the retention settings (keep_days, keep_per_feed; 0 keeps forever), after
        compacting the old signal events For you has folded into its persisted model."""
        from tuireader.foryou import ForYou  # only cleanup needs the recommender here

        ForYou(self.store).compact()
        return self.store.cleanup(
            self.config.keep_days,
            self.config.keep_per_feed,
            include_unread=include_unread,
            vacuum=vacuum,
        )

    def refresh_history(self, limit: int = 20) -> list[RefreshRecord]:
        """The latest refreshes and prefetches with what each downloaded, newest first."""
        return self.store.recent_refreshes(limit)

    # --- the command line's front door: what it asks of the library ------------------------

    @property
    def read_only(self) -> bool:
        """Opened read-only (a file or folder we may not write): nothing will be saved."""
        return self.store.read_only

    def find_feed(self, key: str | int) -> Feed:
        """A feed by id, exact URL or unambiguous title (``NoSuchFeedError`` otherwise)."""
        return self.store.find_feed(key)

    def update_feed(
        self,
        feed_id: int,
        *,
        title: str | None = None,
        folder: str | None = None,
        full_text: FullTextMode | None = None,
        muted: bool | None = None,
        refresh_interval: int | None = None,
    ) -> Feed:
        """Change what the user controls about a feed; ``""`` clears title or folder.

        A synced feed is renamed or moved on the server first (the rest stays local).
        """
        if title is not None or folder is not None:
            _on_server(self.store, "edit_feed", feed_id, title=title, folder=folder)
        return self.store.update_feed(
            feed_id,
            title=title,
            folder=folder,
            full_text=full_text,
            muted=muted,
            refresh_interval=refresh_interval,
        )

    def remove_feed(self, feed_id: int) -> Feed:
        """Unsubscribe and delete the feed's articles; returns the feed as it was.

        A synced feed is unsubscribed on the server first.
        """
        _on_server(self.store, "unsubscribe", feed_id)
        return self.store.remove_feed(feed_id)

    def set_read(self, ids: Sequence[int], read: bool = True, *, opened: bool = False) -> list[int]:
        """Mark these articles (un)read; returns the ids that changed (``opened``: the
        reader read it, as the app's delayed mark says, not a skip)."""
        return self.store.set_read(list(ids), read, opened=opened)

    def mark_view_read(self, query: ArticleQuery, read: bool = True) -> list[int]:
        """Mark every article of a view read (or unread); returns the ids that changed."""
        if read:
            return self.store.mark_query_read(query)
        return self.store.set_read(self.store.article_ids(query), False)

    def set_starred(self, article_id: int, starred: bool = True) -> bool:
        """Star an article (or unstar it); False when there is no such article."""
        return self.store.set_starred(article_id, starred)

    def set_recommended(self, article_id: int, recommended: bool = True) -> bool:
        """Recommend an article (or take it back); False when there is no such article."""
        return self.store.set_recommended(article_id, recommended)

    def for_you(self, limit: int) -> list[ForYouItem]:
        """The For you ranking, built afresh from the library's signals."""
        from tuireader.foryou import ForYou

        return ForYou(self.store).rank(limit=limit)

    def less_like(self, article_id: int) -> None:
        """Show fewer articles like this one in For you."""
        from tuireader.foryou import ForYou

        ForYou(self.store).less_like(article_id)

    def iter_articles(
        self, query: ArticleQuery, *, limit: int | None = None
    ) -> Generator[ArticleSummary, None, None]:
        """A view's articles streamed from one cursor (close the iterator when done)."""
        return self.store.iter_articles(query, limit=limit)

    def saved_searches(self) -> list[SavedSearch]:
        """Every saved search, with the name the sidebar shows."""
        return self.store.named_searches()

    def rename_saved_search(self, name: str, new_name: str) -> SavedSearch:
        return self.store.rename_saved_search(name, new_name)

    def delete_saved_search(self, name: str) -> SavedSearch:
        return self.store.delete_saved_search(name)

    # --- the query language in the app: searching a view, query feeds, tags ------------------

    def view_search_ids(
        self,
        query: str,
        *,
        within: ArticleQuery | None = None,
        relevance: bool = False,
        prefix_last: bool = True,
        limit: int | None = None,
    ) -> list[int]:
        """Ids matching ``query`` inside the view ``within`` (its filters and its order;
        None: the whole library), the first ``limit`` of them, raising ``QueryError``.
        With ``prefix_last`` the last word also matches as a prefix (search as you type);
        ``relevance`` then puts the best matches first, as :meth:`search_query` does."""
        from tuireader.query import parse_query

        node = parse_query(query)
        sort = within.sort if within is not None else Sort.NEWEST
        ids = self.store.query_ids(
            node, within=within, sort=sort, prefix_last=prefix_last, limit=limit
        )
        return self._by_relevance(node, ids) if relevance else ids

    def rank_search_ids(self, query: str, ids: list[int]) -> list[int]:
        """``ids`` (matches of ``query``) with the best matches of its words first."""
        from tuireader.query import parse_query

        return self._by_relevance(parse_query(query), ids)

    def _by_relevance(self, node: Node, allowed: list[int]) -> list[int]:
        """``allowed`` with the ranked search's best matches of the query's free words
        first, then the others in their order."""
        from tuireader.query.ast import And, Text

        parts = node.nodes if isinstance(node, And) else (node,)
        words = [p.text for p in parts if isinstance(p, Text) and p.field == "any" and not p.phrase]
        if not words or not allowed:
            return allowed
        wanted = set(allowed)
        ranked = [
            i for i in self.store.search_ids(" ".join(words), limit=len(allowed) + 1) if i in wanted
        ]
        seen = set(ranked)
        return ranked + [i for i in allowed if i not in seen]

    def query_feeds(self) -> list[QueryFeed]:
        """Saved searches with their unread counts (one COUNT each: call it off the UI)."""
        return self.store.query_feeds()

    def edit_saved_search(self, name: str, new_name: str, query: str) -> SavedSearch:
        """Rename a saved search and give it another query (checked: raises
        ``QueryError`` when it does not parse, changing nothing)."""
        from tuireader.query import parse_query

        parse_query(query)
        saved = self.store.rename_saved_search(name, new_name) if new_name != name else None
        return self.store.edit_saved_search(saved.name if saved else name, query)

    def tag_counts(self) -> list[TagCount]:
        """Every tag in use, with how many (unread) articles carry it or their feed does."""
        return self.store.tag_counts()

    def article_tags(self, article_id: int) -> list[str]:
        return self.store.article_tags(article_id)

    def feed_tags(self, feed_id: int) -> list[str]:
        return self.store.feed_tags(feed_id)

    def set_article_tags(self, article_id: int, names: Sequence[str]) -> TagChange:
        """Give an article exactly these tags of its own (its feed's stay as they are)."""
        return self._retag(
            self.store.article_tags(article_id),
            names,
            lambda name, remove: self.store.tag_article(article_id, name, remove=remove),
        )

    def set_feed_tags(self, feed_id: int, names: Sequence[str]) -> TagChange:
        """Give a feed exactly these tags."""
        return self._retag(
            self.store.feed_tags(feed_id),
            names,
            lambda name, remove: self.store.tag_feed(feed_id, name, remove=remove),
        )

    @staticmethod
    def _retag(
        current: list[str], names: Sequence[str], tag: Callable[[str, bool], bool]
    ) -> TagChange:
        from tuireader.store.tags import tag_name

        wanted = {tag_name(n).casefold(): tag_name(n) for n in names if n.strip()}
        have = {name.casefold(): name for name in current}
        added = [wanted[k] for k in wanted if k not in have and tag(wanted[k], False)]
        removed = [have[k] for k in have if k not in wanted and tag(have[k], True)]
        return TagChange(tuple(added), tuple(removed))

    # --- media: podcasts and other enclosures, images ----------------------------------------

    @cached_property
    def episodes(self) -> Episodes:
        """Enclosure downloads and playback; files under ``<cache dir>/downloads``."""
        from tuireader.media.episodes import Episodes

        cache = (self.dirs or resolve_dirs()).cache
        return Episodes(self.store, self.config, cache / "downloads", self.transport)

    def last_article_id(self) -> int:
        """The largest article id: what a refresh stores after it is new."""
        return self.store.last_article_id()

    def new_articles_note(self, after_id: int) -> Notification | None:
        """One notification for the articles stored after ``after_id`` that the ``notify``
        setting names (None: nothing to say, or notifications off)."""
        from tuireader.notify import new_articles, summarise

        return summarise(new_articles(self.store, after_id, self.config.notify))

    def new_episode_ids(self, after_id: int) -> list[int]:
        """New articles with enclosures in auto-download feeds (never on data saver)."""
        return self.store.new_episode_ids(after_id=after_id)

    def images_mode(self, feed_id: int) -> str:
        """ "off", "on-demand" or "auto" for this feed's articles (a data-saver feed: off)."""
        return "off" if self.store.data_saver(feed_id) else self.config.images

    def article_images(
        self, article_id: int, markdown: str
    ) -> list[tuple[ImageRef, StoredImage | None]]:
        """The images of the text being read, each with what is stored for it (or None)."""
        from tuireader.media.images import image_refs

        stored = self.store.stored_images(article_id)
        return [(ref, stored.get(ref.url)) for ref in image_refs(markdown)]

    async def fetch_images(
        self,
        article_id: int,
        refs: Sequence[ImageRef],
        *,
        byte_budget: int | None = None,
        retry: bool = False,
    ) -> ImagesFetched:
        """Fetch and store these images of an article (refused ones are stored with why;
        ``retry`` fetches those again)."""
        from tuireader.media.images import fetch_article_images

        async with await self.open_fetcher() as fetcher:
            got = await fetch_article_images(
                self.store, fetcher, article_id, refs, byte_budget=byte_budget, retry=retry
            )
        self._reading_log().add_images(got.fetched, got.refused, got.bytes_downloaded)
        return got

    def _reading_log(self) -> RefreshLog:
        with self._reading_lock:  # pages and images may be fetched on two threads at once
            if self._reading is None:
                self._reading = RefreshLog(self.store, self.store.now(), kind="reading")
            return self._reading

    # --- the app's front door (issue 15: the UI calls these, never ``store``) ----------------

    #: A demo library: offline and throwaway. Set by the app for ``--demo``.
    demo: bool = False

    def check_online(self) -> None:
        """The one place the demo's "never fetch" rule lives: FeedError when offline."""
        if self.demo:
            raise FeedError("the demo library is offline: nothing is fetched in the demo")

    def now(self) -> datetime:
        return self.store.now()

    def make_for_you(self) -> ForYou:
        from tuireader.foryou import ForYou

        return ForYou(self.store)

    def article_ids(self, query: ArticleQuery) -> list[int]:
        return self.store.article_ids(query)

    def count_articles(self, query: ArticleQuery) -> int:
        return self.store.count_articles(query)

    def summaries(self, ids: list[int] | tuple[int, ...]) -> list[ArticleSummary]:
        return self.store.summaries(ids)

    def search_ids(self, text: str, *, rank: bool = True, limit: int = 500) -> list[int]:
        return self.store.search_ids(text, rank=rank, limit=limit)

    def full_text(self, article_id: int) -> FullText | None:
        return self.store.get_full_text(article_id)

    def feed(self, feed_id: int) -> Feed:
        return self.store.get_feed(feed_id)

    def mark_query_read(self, query: ArticleQuery) -> list[int]:
        return self.store.mark_query_read(query)

    def open_article(self, article_id: int, *, mark_read: bool) -> None:
        self.store.open_article(article_id, mark_read=mark_read)

    def set_flag(self, article_id: int, flag: str, value: bool) -> None:
        """Star (``starred``) or recommend (``recommended``) an article, or take it back."""
        if flag == "starred":
            self.store.set_starred(article_id, value)
        else:
            self.store.set_recommended(article_id, value)

    def set_flag_many(self, ids: Sequence[int], flag: str, value: bool) -> list[int]:
        """``set_flag`` on several articles in one transaction (the app's selection);
        returns the ids that changed."""
        if flag not in ("starred", "recommended"):
            raise ValueError(f"unknown flag {flag!r}")
        return self.store.set_flag_many(list(ids), flag, value)

    def record_event(self, kind: str, *, article_id: int) -> None:
        self.store.record_event(kind, article_id=article_id)

    def save_search(self, text: str) -> None:
        self.store.save_search(text)

    def data_version(self) -> int:
        """Changes when another process commits to the library (SQLite ``data_version``)."""
        return self.store.data_version()

    def app_state_path(self) -> Path:
        """The app's own small state (view, sort), beside the library, not in config.toml."""
        return self.store.path.with_name(self.store.path.stem + "-app-state.json")

    def load_app_state(self) -> dict[str, Any]:
        import json

        try:
            state = json.loads(self.app_state_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def save_app_state(self, state: dict[str, Any]) -> None:
        """Write the app's state (never for a demo library: it is thrown away)."""
        import json

        if self.demo or self.store.read_only:
            return
        path = self.app_state_path()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        tmp.replace(path)

    def save_setting(self, name: str, value: Any) -> None:
        """Change one config.toml setting (never under a demo: it is not the user's library)."""
        if self.demo or self.dirs is None:
            return
        save_setting(self.dirs.config_file, name, value)


def _on_server(store: Store, change: str, feed_id: int, **values: str | None) -> None:
    """Make a subscription change on the sync server, if there is one (FeedError if not)."""
    if store.sync_account() is None:
        return
    from tuireader.sync import accounts
    from tuireader.sync.types import SyncError

    try:
        getattr(accounts, change)(store, feed_id, **values)
    except SyncError as error:
        raise FeedError(f"the server did not take the change: {error}") from error


def normalise_subscription_url(text: str) -> str:
    """What a user typed as a feed or site address, as an http(s) URL, or SubscribeError."""
    url = text.strip()
    if url.startswith("feed:"):
        url = url.removeprefix("feed:").removeprefix("//")
    if "://" not in url:
        # "htp:/x" or "mailto:x" name a scheme; "example.org:8080/x" names a port.
        scheme = _SCHEME.match(url)
        if scheme and not url[scheme.end() :][:1].isdigit():
            raise SubscribeError(not_a_web_address(text))
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in url)
        or ("." not in parts.hostname and parts.hostname != "localhost" and ":" not in parts.netloc)
    ):
        raise SubscribeError(not_a_web_address(text))
    return url


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def not_a_web_address(text: str) -> str:
    """The one wording, in the app's Add dialog and ``tuireader add`` alike."""
    return f"{text.strip()!r} is not a web address (try https://example.org/)"


def _demo_age(dates: list[datetime], now: datetime) -> timedelta:
    """How far to move the demo's dates so its newest article is in the past week.

    An old demo moves forward in whole weeks, which keeps every "on Tuesday" in the
    articles true; nothing is ever dated in the future.
    """
    if not dates:
        return timedelta(0)
    age = now - max(dates)
    if age < timedelta(0):
        # Dated ahead of the clock: back by whole days, just enough (a week would empty
        # the demo's Today view for nothing).
        return -timedelta(days=-(age // timedelta(days=1)))
    return timedelta(weeks=age // timedelta(weeks=1))


def _shift_dates(parsed: ParsedFeed, shift: timedelta) -> ParsedFeed:
    def moved(value: datetime | None) -> datetime | None:
        return value + shift if value is not None else None

    entries = tuple(
        replace(entry, published=moved(entry.published), updated=moved(entry.updated))
        for entry in parsed.entries
    )
    return replace(parsed, entries=entries)


def make_reader(
    *,
    db_path: Path | str | None = None,
    dirs: Dirs | None = None,
    config: Config | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] = utc_now,
    read_only: bool = False,
) -> Reader:
    """Build the core. Every argument is an injection point; the defaults are the user's."""
    dirs = dirs or resolve_dirs()
    problems: tuple[str, ...] = ()
    if config is None:
        loaded = load_config(dirs.config_file)
        config, problems = loaded.config, loaded.problems
    from tuireader.rules import load_rules

    store = Store(db_path or dirs.database, read_only=read_only, clock=clock)
    store.rules, rule_problems = load_rules(config.rules)
    return Reader(store, config, dirs, transport, problems + rule_problems)
