"""The ``tuireader`` command: headless commands over the core, and the app.

Textual is imported only when the app is launched, so scripts and cron jobs start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from tuireader import __version__
from tuireader.core import Reader, SubscribeError, make_reader
from tuireader.foryou import ForYou
from tuireader.models import (
    ArticleSummary,
    Feed,
    FeedError,
    FullTextMode,
    OutcomeKind,
    RefreshOutcome,
)
from tuireader.paths import resolve_dirs
from tuireader.sanitize import clean_line
from tuireader.store import ArticleQuery, NoSuchFeedError, StoreError


class CliError(Exception):
    """Ends the command with this one-line message and exit code 1."""


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "folder": feed.folder,
        "site_url": feed.site_url,
        "unread": feed.unread,
        "total": feed.total,
        "last_error": feed.last_error,
        "consecutive_failures": feed.consecutive_failures,
        "last_fetched": _iso(feed.last_fetched),
        "gone": feed.gone,
    }


def article_json(article: ArticleSummary) -> dict[str, Any]:
    return {
        "id": article.id,
        "feed_id": article.feed_id,
        "feed_title": article.feed_title,
        "title": article.title,
        "link": article.link,
        "author": article.author,
        "published": _iso(article.published),
        "read": article.read,
        "starred": article.starred,
        "recommended": article.recommended,
    }


def _print_json(value: object, out: TextIO) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{count} B"


# --- commands ------------------------------------------------------------------------------


def cmd_add(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    try:
        result = asyncio.run(reader.subscribe(args.url, folder=args.folder, title=args.title))
    except SubscribeError as error:
        raise CliError(str(error)) from error
    feed = result.feed
    out.write(
        f"subscribed to {feed.title} <{feed.url}> (id {feed.id}, {result.new_articles} articles)\n"
    )
    if result.alternatives:
        out.write("the page also offers:\n")
        for link in result.alternatives:
            out.write(f"  {link.url}  {clean_line(link.title) or ''}\n")
    return 0


def cmd_import(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error.strerror or error}") from error
    report = reader.import_subscriptions(data)
    for problem in report.problems:
        out.write(f"skipped: {problem}\n")
    out.write(
        f"imported {len(report.added)} feeds"
        + (f", {len(report.already)} already subscribed" if report.already else "")
        + (f", {len(report.problems)} problems" if report.problems else "")
        + "; run `tuireader refresh` to fetch them\n"
    )
    return 0 if report.added or report.already or not report.problems else 1


def cmd_export(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    if args.recommended:
        from tuireader.readinglist import reading_list_json, reading_list_markdown

        articles = reader.articles(ArticleQuery(recommended_only=True), limit=100_000)
        fmt = args.format or ("md" if args.file and args.file.endswith(".md") else "json")
        text = reading_list_markdown(articles) if fmt == "md" else reading_list_json(articles)
        data = text.encode("utf-8")
    else:
        data = reader.export_opml()
    if args.file in (None, "-"):
        out.write(data.decode("utf-8"))
    else:
        try:
            Path(args.file).write_bytes(data)
        except OSError as error:
            raise CliError(f"cannot write {args.file}: {error.strerror or error}") from error
        what = "recommended articles" if args.recommended else "feeds"
        out.write(f"wrote {what} to {args.file}\n")
    return 0


def cmd_refresh(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    feed_ids = None
    if args.feed:
        feed_ids = [_find_feed(reader, args.feed).id]
    if not reader.feeds():
        out.write("no feeds yet: add one with `tuireader add URL` or `tuireader import FILE`\n")
        return 0
    summary = asyncio.run(_refresh_with_progress(reader, feed_ids, args.due, out))
    updated = summary.count(OutcomeKind.UPDATED)
    unchanged = summary.count(OutcomeKind.NOT_MODIFIED)
    failed = [o for o in summary.outcomes if o.kind is OutcomeKind.FAILED]
    out.write(
        f"{len(summary.outcomes)} feeds: {updated} updated, {unchanged} not modified, "
        f"{len(failed)} failed; {summary.new_articles} new articles; "
        f"{_size(summary.bytes_downloaded)} downloaded\n"
    )
    for outcome in failed:
        out.write(f"  failed: {outcome.url}: {outcome.reason}\n")
    if args.full_text or reader.config.prefetch_full_text:
        pages = asyncio.run(reader.prefetch_full_texts())
        out.write(
            f"full text: {pages.fetched} pages saved for offline reading, {pages.failed} failed"
            + (
                f", {pages.skipped_for_budget} left for later (budget)"
                if pages.skipped_for_budget
                else ""
            )
            + f"; {_size(pages.bytes_downloaded)} downloaded\n"
        )
    if reader.config.keep_days or reader.config.keep_per_feed:
        cleaned = reader.cleanup()
        if cleaned.deleted:
            out.write(f"retention: removed {cleaned.deleted} old articles\n")
    return 1 if summary.all_failed else 0


async def _refresh_with_progress(
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


def _find_feed(reader: Reader, key: str) -> Feed:
    try:
        return reader.store.find_feed(key)
    except NoSuchFeedError as error:
        raise CliError(str(error)) from error


def _article_query(reader: Reader, args: argparse.Namespace) -> ArticleQuery:
    feed_id = _find_feed(reader, args.feed).id if getattr(args, "feed", None) else None
    return ArticleQuery(feed_id=feed_id, unread_only=getattr(args, "unread", False))


def cmd_list(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    if args.what == "feeds":
        feeds = reader.feeds()
        if args.unread:
            feeds = [f for f in feeds if f.unread]
        if args.json:
            _print_json([feed_json(f) for f in feeds], out)
            return 0
        for feed in feeds:
            mark = "!" if feed.last_error else " "
            folder = f"[{feed.folder}] " if feed.folder else ""
            out.write(
                f"{feed.id:>5} {mark} {feed.unread:>5}/{feed.total:<5} {folder}{feed.title}\n"
            )
            if feed.last_error:
                out.write(f"{'':>8}last error: {feed.last_error}\n")
        return 0
    if args.what == "for-you":
        items = ForYou(reader.store).rank(limit=args.limit)
        if args.json:
            _print_json(
                [
                    {**article_json(i.article), "score": round(i.score, 4), "why": i.why}
                    | {"duplicates": list(i.duplicates)}
                    for i in items
                ],
                out,
            )
        else:
            for item in items:
                _write_articles([item.article], False, out)
                out.write(f"{'':>12}{item.why}\n")
        return 0
    query = _article_query(reader, args)
    if args.what == "recommended":
        query = ArticleQuery(recommended_only=True)
    articles = reader.articles(query, limit=args.limit)
    _write_articles(articles, args.json, out)
    return 0


def _write_articles(articles: Sequence[ArticleSummary], as_json: bool, out: TextIO) -> None:
    if as_json:
        _print_json([article_json(a) for a in articles], out)
        return
    for article in articles:
        marks = ("N" if not article.read else " ") + ("*" if article.starred else " ")
        marks += "+" if article.recommended else " "
        date = article.published.strftime("%Y-%m-%d") if article.published else " " * 10
        out.write(f"{article.id:>7} {marks} {date}  {article.feed_title}: {article.title}\n")


def cmd_show(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    from tuireader.articletext import article_as_text

    article = reader.article(args.id)
    if article is None:
        raise CliError(f"no article with id {args.id}")
    if not args.no_fetch and not reader.store.read_only and reader.wants_full_text(article):
        full = asyncio.run(reader.fetch_full_text(article.id))
        if full.error:
            print(f"tuireader: showing the feed's text: {full.error}", file=sys.stderr)
    out.write(article_as_text(reader, article))
    return 0


def cmd_search(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    _write_articles(reader.search(args.query, limit=args.limit), args.json, out)
    return 0


def cmd_mark_read(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    read = not args.unread
    if args.ids:
        changed = reader.store.set_read(list(args.ids), read)
    elif args.feed or args.all:
        query = ArticleQuery(feed_id=_find_feed(reader, args.feed).id if args.feed else None)
        changed = (
            reader.store.mark_query_read(query)
            if read
            else reader.store.set_read(reader.store.article_ids(query), False)
        )
    else:
        raise CliError("say which articles: IDs, --feed FEED or --all")
    out.write(f"marked {len(changed)} articles {'read' if read else 'unread'}\n")
    return 0


def cmd_edit(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    feed = _find_feed(reader, args.feed)
    feed = reader.store.update_feed(
        feed.id,
        title=args.title,
        folder=args.folder,
        full_text=FullTextMode(args.full_text) if args.full_text else None,
        muted=args.muted,
        refresh_interval=args.interval * 60 if args.interval is not None else None,
    )
    out.write(
        f"{feed.id}: {feed.title} <{feed.url}> folder={feed.folder or '-'} "
        f"full_text={feed.full_text.value} muted={'yes' if feed.muted else 'no'}\n"
    )
    return 0


def _article_id(reader: Reader, article_id: int) -> int:
    if reader.article(article_id) is None:
        raise CliError(f"no article with id {article_id}")
    return article_id


def cmd_recommend(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    article_id = _article_id(reader, args.id)
    reader.store.set_recommended(article_id, not args.undo)
    out.write(f"{'no longer recommending' if args.undo else 'recommended'} article {article_id}\n")
    return 0


def cmd_less_like(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    ForYou(reader.store).less_like(_article_id(reader, args.id))
    out.write(f"noted: fewer articles like {args.id} in For you\n")
    return 0


def cmd_cleanup(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    config = reader.config
    if not (config.keep_days or config.keep_per_feed) and not args.vacuum:
        out.write(
            "retention is off (keep_days and keep_per_feed are 0 in config.toml); "
            "nothing to remove. Use --vacuum to compact the database.\n"
        )
        return 0
    result = reader.cleanup(include_unread=args.include_unread, vacuum=args.vacuum)
    out.write(f"removed {result.deleted} articles (starred and recommended are always kept)")
    if result.vacuumed:
        out.write(f"; database {_size(result.bytes_before)} -> {_size(result.bytes_after)}")
    out.write("\n")
    return 0


def cmd_history(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    records = reader.refresh_history(args.limit)
    if args.json:
        _print_json(
            [
                {
                    "kind": r.kind,
                    "started_at": _iso(r.started_at),
                    "finished_at": _iso(r.finished_at),
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
        what = "full text" if r.kind == "full_text" else "refresh"
        out.write(
            f"{r.started_at:%Y-%m-%d %H:%M}  {what:<9} {r.feeds:>4} "
            f"{'pages' if r.kind == 'full_text' else 'feeds'}, {r.new_articles:>4} new, "
            f"{r.failed:>3} failed, {_size(r.bytes_downloaded):>9}\n"
        )
    return 0


def cmd_remove(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    feed = reader.store.remove_feed(_find_feed(reader, args.feed).id)
    out.write(f"removed {feed.title} <{feed.url}> and its {feed.total} articles\n")
    return 0


def cmd_dirs(reader: Reader | None, args: argparse.Namespace, out: TextIO) -> int:
    dirs = resolve_dirs()
    db = Path(args.db) if args.db else dirs.database
    out.write(f"config:   {dirs.config_file}\ndata:     {db}\ncache:    {dirs.cache}\n")
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="tuireader-demo-"))
    reader = make_reader(db_path=data_dir / "tuireader.db")
    try:
        reader.load_demo()
        if args.list or not sys.stdout.isatty():
            out.write(f"demo library in {data_dir}\n")
            for feed in reader.feeds():
                out.write(f"{feed.id:>3} {feed.title} ({feed.total} articles)\n")
            _write_articles(reader.articles(ArticleQuery(), limit=1000), False, out)
            return 0
        return _run_app(reader, demo=True)
    finally:
        reader.close()


def _run_app(reader: Reader, *, demo: bool = False) -> int:
    from tuireader.ui import run_app

    return run_app(reader, demo=demo)


# --- parser --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuireader", description="A keyboard-first terminal news reader."
    )
    parser.add_argument("--version", action="version", version=f"tuireader {__version__}")
    parser.add_argument("--db", metavar="PATH", help="the database file to use")
    parser.add_argument("--demo", action="store_true", help="open the app on the demo library")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    add = sub.add_parser("add", help="subscribe to a feed or a site's feed")
    add.add_argument("url")
    add.add_argument("--folder")
    add.add_argument("--title")
    add.set_defaults(run=cmd_add)

    imp = sub.add_parser("import", help="import subscriptions from OPML or a newsboat urls file")
    imp.add_argument("file")
    imp.set_defaults(run=cmd_import)

    exp = sub.add_parser(
        "export", help="export subscriptions as OPML 2.0, or your recommended articles"
    )
    exp.add_argument("file", nargs="?")
    exp.add_argument(
        "--recommended", action="store_true", help="your recommended articles as a reading list"
    )
    exp.add_argument("--format", choices=["json", "md"], help="with --recommended (json default)")
    exp.set_defaults(run=cmd_export)

    ref = sub.add_parser("refresh", help="fetch new articles")
    ref.add_argument("--feed", metavar="ID|URL")
    ref.add_argument("--due", action="store_true", help="only feeds whose interval has passed")
    ref.add_argument(
        "--full-text",
        action="store_true",
        help="then save the pages of new unread teasers for offline reading",
    )
    ref.set_defaults(run=cmd_refresh)

    lst = sub.add_parser("list", help="list feeds or articles")
    lst.add_argument("what", choices=["feeds", "articles", "recommended", "for-you"])
    lst.add_argument("--unread", action="store_true")
    lst.add_argument("--feed", metavar="ID|URL")
    lst.add_argument("--limit", type=int, default=100)
    lst.add_argument("--json", action="store_true", help="stable JSON for scripts")
    lst.set_defaults(run=cmd_list)

    show = sub.add_parser("show", help="print an article as text")
    show.add_argument("id", type=int)
    show.add_argument(
        "--no-fetch", action="store_true", help="never fetch the page; use what is cached"
    )
    show.set_defaults(run=cmd_show)

    search = sub.add_parser("search", help="search the articles you have")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--json", action="store_true")
    search.set_defaults(run=cmd_search)

    mark = sub.add_parser("mark-read", help="mark articles read (or --unread)")
    mark.add_argument("ids", nargs="*", type=int)
    mark.add_argument("--feed", metavar="ID|URL")
    mark.add_argument("--all", action="store_true")
    mark.add_argument("--unread", action="store_true", help="mark unread instead")
    mark.set_defaults(run=cmd_mark_read)

    edit = sub.add_parser("edit", help="change a feed's title, folder or settings")
    edit.add_argument("feed", metavar="ID|URL")
    edit.add_argument("--title", help="empty to use the feed's own title")
    edit.add_argument("--folder", help="empty to take it out of its folder")
    edit.add_argument("--full-text", choices=[m.value for m in FullTextMode])
    edit.add_argument("--mute", dest="muted", action="store_const", const=True)
    edit.add_argument("--unmute", dest="muted", action="store_const", const=False)
    edit.add_argument("--interval", type=int, metavar="MINUTES", help="refresh interval")
    edit.set_defaults(run=cmd_edit)

    rec = sub.add_parser("recommend", help="recommend an article (--undo to take it back)")
    rec.add_argument("id", type=int)
    rec.add_argument("--undo", action="store_true")
    rec.set_defaults(run=cmd_recommend)

    less = sub.add_parser("less-like", help="show fewer articles like this one in For you")
    less.add_argument("id", type=int)
    less.set_defaults(run=cmd_less_like)

    clean = sub.add_parser("cleanup", help="apply the retention settings, optionally VACUUM")
    clean.add_argument("--vacuum", action="store_true", help="compact the database file")
    clean.add_argument(
        "--include-unread", action="store_true", help="old unread articles may go too"
    )
    clean.set_defaults(run=cmd_cleanup)

    hist = sub.add_parser("history", help="recent refreshes and what each downloaded")
    hist.add_argument("--limit", type=int, default=20)
    hist.add_argument("--json", action="store_true")
    hist.set_defaults(run=cmd_history)

    rm = sub.add_parser("remove", help="unsubscribe and delete a feed's articles")
    rm.add_argument("feed", metavar="ID|URL")
    rm.set_defaults(run=cmd_remove)

    dirs = sub.add_parser("dirs", help="where config, data and cache live")
    dirs.set_defaults(run=None, special="dirs")

    demo = sub.add_parser("demo", help="open the app on a throwaway demo library")
    demo.add_argument("--list", action="store_true", help="print the demo library instead")
    demo.set_defaults(run=None, special="demo")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    special = getattr(args, "special", None)
    try:
        if args.demo or special == "demo":
            if not hasattr(args, "list"):
                args.list = False
            return cmd_demo(args, out)
        if special == "dirs":
            return cmd_dirs(None, args, out)
        reader = _open_reader(args)
        for problem in reader.config_problems:
            print(f"tuireader: {problem}", file=sys.stderr)
        try:
            if args.command is None:
                return _run_app(reader)
            code: int = args.run(reader, args, out)
            return code
        finally:
            reader.close()
    except (CliError, StoreError, FeedError) as error:
        print(f"tuireader: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tuireader: interrupted; everything stored so far is kept", file=sys.stderr)
        return 130


READ_COMMANDS = frozenset({"list", "show", "search", "export"})


def _open_reader(args: argparse.Namespace) -> Reader:
    """Open for writing; commands that only read fall back to a read-only store."""
    try:
        return make_reader(db_path=args.db)
    except StoreError:
        path = Path(args.db) if args.db else resolve_dirs().database
        if args.command not in READ_COMMANDS or not path.exists():
            raise
        return make_reader(db_path=args.db, read_only=True)
