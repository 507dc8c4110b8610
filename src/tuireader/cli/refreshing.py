"""Commands that fetch or tidy: refresh, history, cleanup."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

from tuireader.cli.output import find_feed, iso, print_json
from tuireader.core import Reader
from tuireader.humanize import format_bytes, plural
from tuireader.models import (
    OutcomeKind,
    RefreshOutcome,
    RefreshSummary,
)


def cmd_refresh(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    feed_ids = None
    if args.feed:
        feed_ids = [find_feed(reader, args.feed).id]
    last_id = reader.store.last_article_id()
    prefetch_ids = feed_ids
    sync_ok = True
    if reader.store.sync_account() is not None and feed_ids is None:
        # [sync] The server fetches its feeds: sync, then fetch only the local-only ones.
        from tuireader.cli.syncing import sync_instead_of_fetching

        feed_ids, sync_ok = sync_instead_of_fetching(reader, out)
    if not reader.store.has_feeds():  # not feeds(): its counts cost ~50 ms per 100k articles
        out.write("no feeds yet: add one with `tuireader add URL` or `tuireader import FILE`\n")
        return 0 if sync_ok else 1
    if feed_ids == []:
        summary = RefreshSummary()
    else:
        summary = asyncio.run(refresh_with_progress(reader, feed_ids, args.due, out))
    updated = summary.count(OutcomeKind.UPDATED)
    unchanged = summary.count(OutcomeKind.NOT_MODIFIED)
    failed = [o for o in summary.outcomes if o.kind is OutcomeKind.FAILED]
    if summary.outcomes or feed_ids != []:
        out.write(
            f"{plural(len(summary.outcomes), 'feed')}: {updated} updated, "
            f"{unchanged} not modified, "
            f"{len(failed)} failed; {plural(summary.new_articles, 'new article')}; "
            f"{format_bytes(summary.bytes_downloaded)} downloaded\n"
        )
    if out.isatty():  # otherwise each failure was already printed as it happened
        for outcome in failed:
            out.write(f"  failed: {outcome.url}: {outcome.reason}\n")
    if args.full_text or reader.config.prefetch_full_text:
        pages = asyncio.run(reader.prefetch_full_texts(feed_ids=prefetch_ids))
        out.write(
            f"full text: {plural(pages.fetched, 'page')} saved for offline reading, "
            f"{pages.failed:,} failed"
            + (
                f", {pages.skipped_for_budget} left for later (budget)"
                if pages.skipped_for_budget
                else ""
            )
            + f"; {format_bytes(pages.bytes_downloaded)} downloaded\n"
        )
        for url, reason in pages.failures:
            out.write(f"  page failed: {url}: {reason}\n")
    from tuireader.cli.media import after_refresh

    after_refresh(reader, last_id, args, out)
    if reader.retention_on():
        cleaned = reader.cleanup()
        if cleaned.deleted:
            out.write(f"retention: removed {plural(cleaned.deleted, 'old article')}\n")
    return 1 if summary.all_failed or not sync_ok else 0


async def refresh_with_progress(
    reader: Reader, feed_ids: list[int] | None, due_only: bool, out: TextIO
) -> Any:
    if not out.isatty():

        def plain(outcome: RefreshOutcome) -> None:
            detail = (
                outcome.reason
                if outcome.kind is OutcomeKind.FAILED
                else (f"{outcome.new_articles} new" if outcome.kind is OutcomeKind.UPDATED else "")
            )
            out.write(f"{outcome.kind.value}: {outcome.url}{': ' + detail if detail else ''}\n")

        return await reader.refresh(feed_ids, on_outcome=plain, due_only=due_only)

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=out)
    with Progress(
        TextColumn("refreshing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[new]} new"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("refresh", total=None, new=0)
        new = 0

        def started(total: int) -> None:
            progress.update(task, total=total)

        def advance(outcome: RefreshOutcome) -> None:
            nonlocal new
            new += outcome.new_articles
            progress.update(task, advance=1, new=new)

        return await reader.refresh(
            feed_ids, on_outcome=advance, on_start=started, due_only=due_only
        )


def cmd_cleanup(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    # Played downloads have their own limit (keep_downloads_days), on even without retention.
    removed = reader.episodes.remove_played()
    if removed:
        out.write(f"removed {plural(len(removed), 'played download')}\n")
    if not reader.retention_on() and not args.vacuum:
        out.write(
            "retention is off (keep_days and keep_per_feed are 0 in config.toml, and no feed "
            "has its own); nothing to remove. Use --vacuum to compact the database.\n"
        )
        return 0
    result = reader.cleanup(include_unread=args.include_unread, vacuum=args.vacuum)
    out.write(
        f"removed {plural(result.deleted, 'article')} (starred and recommended are always kept)"
    )
    if result.vacuumed:
        out.write(
            f"; database {format_bytes(result.bytes_before)} -> {format_bytes(result.bytes_after)}"
        )
    out.write("\n")
    return 0


#: What `history` calls each kind of row, in its text and its JSON alike.
KIND_NAMES = {"feeds": "refresh", "full_text": "prefetch", "reading": "reading"}
#: What each kind of row counts.
TRIED_NAMES = {"feeds": "feed", "full_text": "page", "reading": "download"}


def cmd_history(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    records = reader.refresh_history(args.limit or sys.maxsize)
    if args.json:
        print_json(
            [
                {
                    "kind": KIND_NAMES[r.kind],
                    "started_at": iso(r.started_at),
                    "finished_at": iso(r.finished_at),
                    "feeds": r.feeds,
                    "updated": r.updated,
                    "not_modified": r.not_modified,
                    "failed": r.failed,
                    "new_articles": r.new_articles,
                    "bytes_downloaded": r.bytes_downloaded,
                }
                for r in records
            ],
            out,
        )
        return 0
    for r in records:
        tried = plural(r.feeds, TRIED_NAMES[r.kind])
        # A reading row is the app's session: it ends when the app does, not "did not finish".
        unfinished = "" if r.finished_at or r.kind == "reading" else "  (did not finish)"
        out.write(
            f"{r.started_at:%Y-%m-%d %H:%M}  {KIND_NAMES[r.kind]:<8} {tried:>10}, "
            f"{r.new_articles:>4} new, {r.failed:>3} failed, "
            f"{format_bytes(r.bytes_downloaded):>9}{unfinished}\n"
        )
    return 0
