"""Full articles for teaser feeds: fetch the page, extract the article, keep it offline.

Extraction is CPU work, so it runs in a thread (never on an event loop); its result is
cached in the store with the page's URL, fetch time and ETag, and its text is indexed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from tuireader.htmlmd import html_to_markdown, is_teaser
from tuireader.models import Article, FullText, FullTextMode
from tuireader.store import Store

if TYPE_CHECKING:
    # The HTTP client (httpx, ~0.05 s to import) is only needed to fetch: the app's
    # reading pane imports this module at start for best_body.
    from tuireader.fetch import Fetcher

#: Pages larger than this are not worth the bytes on a metered connection.
PAGE_MAX_BYTES = 5 * 2**20


class BodySource(StrEnum):
    FEED = "feed"
    PAGE = "page"


@dataclass(frozen=True, slots=True)
class Body:
    """What the reading pane shows: Markdown and where it came from."""

    markdown: str
    source: BodySource
    full_text: FullText | None = None


def wants_full_text(article: Article, mode: FullTextMode) -> bool:
    """Whether opening this article should fetch its page (``auto`` asks the heuristic)."""
    if not article.link or mode is FullTextMode.NEVER:
        return False
    return mode is FullTextMode.ALWAYS or is_teaser(article.summary_html, article.content_html)


def feed_body(article: Article) -> Body:
    html = article.content_html or article.summary_html or ""
    markdown = html_to_markdown(html, base_url=article.link) if html else ""
    return Body(markdown, BodySource.FEED)


def best_body(article: Article, full_text: FullText | None, *, prefer_page: bool = True) -> Body:
    """The extracted page when we have one (and it is wanted), else the feed's text."""
    if prefer_page and full_text is not None and full_text.markdown:
        return Body(full_text.markdown, BodySource.PAGE, full_text)
    return feed_body(article)


async def fetch_full_text(store: Store, fetcher: Fetcher, article: Article) -> FullText:
    """Fetch and extract one article's page, store it, and return it.

    A failure is stored too (``markdown`` None, ``error`` set) so a prefetch does not try
    the same dead page on every refresh; the reader can still ask again explicitly.
    """
    from tuireader.fetch import PAGE_ACCEPT, FetchStatus

    assert article.link is not None
    previous = await asyncio.to_thread(store.get_full_text, article.id)
    result = await fetcher.fetch(
        article.link,
        accept=PAGE_ACCEPT,
        max_bytes=PAGE_MAX_BYTES,
        etag=previous.etag if previous and previous.markdown else None,
    )
    now = store.now()
    if result.status is FetchStatus.NOT_MODIFIED and previous is not None:
        return previous
    if result.status is not FetchStatus.OK:
        full = FullText(
            article.id,
            article.link,
            now,
            None,
            bytes_downloaded=result.bytes_downloaded,
            error=result.reason or "could not fetch the page",
        )
        await asyncio.to_thread(store.save_full_text, full)
        return full
    # Imported here: the extractors take ~0.1 s to import, which every CLI command would pay.
    from tuireader.extract import extract_article

    extracted = await asyncio.to_thread(extract_article, result.body, result.final_url)
    if extracted is None or not extracted.markdown.strip():
        full = FullText(
            article.id,
            result.final_url,
            now,
            None,
            etag=result.etag,
            bytes_downloaded=result.bytes_downloaded,
            error="no article found on the page",
        )
        await asyncio.to_thread(store.save_full_text, full)
        return full
    full = FullText(
        article_id=article.id,
        url=result.final_url,
        fetched_at=now,
        markdown=without_title_heading(extracted.markdown, extracted.title, article.title),
        title=extracted.title,
        standfirst=extracted.standfirst,
        author=extracted.author,
        published=extracted.published,
        etag=result.etag,
        bytes_downloaded=result.bytes_downloaded,
    )
    await asyncio.to_thread(store.save_full_text, full, search_text=extracted.text)
    return full


def without_title_heading(markdown: str, *titles: str | None) -> str:
    """Drop a leading heading that repeats the title: the reading pane's header shows it."""
    first, _, rest = markdown.lstrip().partition("\n")
    if first.startswith("#"):
        heading = " ".join(first.lstrip("#").split()).casefold()
        if any(t and " ".join(t.split()).casefold() == heading for t in titles):
            return rest.lstrip("\n")
    return markdown


@dataclass(frozen=True, slots=True)
class PrefetchSummary:
    fetched: int = 0
    failed: int = 0
    bytes_downloaded: int = 0
    skipped_for_budget: int = 0
    #: (page URL, reason) of each page that could not be fetched or held no article.
    failures: tuple[tuple[str, str], ...] = ()


async def prefetch_full_texts(
    store: Store,
    fetcher: Fetcher,
    *,
    max_articles: int,
    max_bytes: int,
    default_mode: FullTextMode = FullTextMode.AUTO,
    feed_ids: Sequence[int] | None = None,
    on_page: Callable[[FullText], None] | None = None,
    images: bool = False,
) -> PrefetchSummary:
    """Fetch pages of new unread teaser articles, within a count and a byte budget.

    ``default_mode`` is what feeds left on ``auto`` follow (config's ``full_text``);
    ``on_page`` hears of each page as it is stored (saved or not). With ``images`` (the
    ``images = "auto"`` setting) each page's images are fetched too, for offline reading,
    their bytes counted against the same budget (never for a data-saver feed).
    """
    candidates = await asyncio.to_thread(
        store.prefetch_candidates, limit=max(max_articles, 1) * 4, feed_ids=feed_ids
    )
    wanted = []
    for article_id, _link, feed_mode, summary, content in candidates:
        mode = FullTextMode(feed_mode)
        if mode is FullTextMode.AUTO:
            mode = default_mode
        if mode is FullTextMode.ALWAYS or (
            mode is FullTextMode.AUTO and is_teaser(summary, content)
        ):
            wanted.append(article_id)
    fetched = failed = spent = 0
    failures: list[tuple[str, str]] = []
    skipped = max(0, len(wanted) - max_articles)
    for position, article_id in enumerate(wanted[:max_articles]):
        if spent >= max_bytes:
            skipped += len(wanted[:max_articles]) - position
            break
        article = await asyncio.to_thread(store.get_article, article_id)
        if article is None or not article.link:
            continue
        full = await fetch_full_text(store, fetcher, article)
        if on_page is not None:
            on_page(full)
        spent += full.bytes_downloaded
        if full.markdown:
            fetched += 1
            if images and spent < max_bytes:
                spent += await _prefetch_images(
                    store, fetcher, article, full.markdown, max_bytes - spent
                )
        else:
            failed += 1
            failures.append((full.url, full.error or "failed"))
    return PrefetchSummary(fetched, failed, spent, skipped, tuple(failures))


async def _prefetch_images(
    store: Store, fetcher: Fetcher, article: Article, markdown: str, budget: int
) -> int:
    """Fetch a prefetched page's images within what is left of the budget; bytes spent."""
    from tuireader.media.images import fetch_article_images, image_refs

    refs = image_refs(markdown)
    if not refs or await asyncio.to_thread(store.data_saver, article.feed_id):
        return 0
    got = await fetch_article_images(store, fetcher, article.id, refs, byte_budget=budget)
    return got.bytes_downloaded
