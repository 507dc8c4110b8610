"""Commands about subscriptions: add, import, export, edit, remove."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from pathlib import Path
from typing import TextIO, TypeVar

from tuireader.cli.output import (
    CliError,
    find_feed,
)
from tuireader.core import Reader, SubscribeError
from tuireader.feedsettings import (
    change_feed_settings,
    feed_defaults,
    feed_settings,
    rules_that_apply,
)
from tuireader.humanize import plural
from tuireader.models import Feed, FullTextMode
from tuireader.sanitize import clean_line
from tuireader.store import ArticleQuery

T = TypeVar("T")


def cmd_add(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    try:
        result = asyncio.run(reader.subscribe(args.url, folder=args.folder, title=args.title))
    except SubscribeError as error:
        raise CliError(str(error)) from error
    feed = result.feed
    out.write(
        f"subscribed to {feed.title} <{feed.url}> "
        f"(id {feed.id}, {plural(result.new_articles, 'article')})\n"
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
    for query_feed in report.query_feeds:
        out.write(f"query feed {query_feed}\n")
    if report.added:
        done = f"imported {plural(len(report.added), 'feed')}"
    elif report.already:
        done = "nothing new: every feed in the file is already subscribed"
    else:
        done = "imported no feeds"
    out.write(
        done
        + (f", {len(report.already)} already subscribed" if report.added and report.already else "")
        + (f", {plural(len(report.problems), 'problem')}" if report.problems else "")
        + ("; run `tuireader refresh` to fetch them" if report.added else "")
        + "\n"
    )
    return 0 if report.added or report.already or not report.problems else 1


def cmd_export(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    if args.format and not args.recommended:
        raise CliError("--format is for --recommended; subscriptions are always OPML")
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


def cmd_edit(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    feed = find_feed(reader, args.feed)
    old = feed_settings(reader, feed.id)
    new = replace(
        old,
        title=_given(args.title, old.title),
        folder=_given(args.folder, old.folder),
        full_text=FullTextMode(args.full_text) if args.full_text else old.full_text,
        muted=_given(args.muted, old.muted),
        # --interval 0 and --keep default follow config.toml again.
        interval_minutes=old.interval_minutes if args.interval is None else args.interval or None,
        auto_download=_given(args.auto_download, old.auto_download),
        data_saver=_given(args.data_saver, old.data_saver),
        keep_days=old.keep_days if args.keep_days is None else _count(args.keep_days),
        keep=old.keep if args.keep is None else _count(args.keep),
    )
    feed = change_feed_settings(reader, feed.id, new)
    write_feed_settings(reader, feed, out)
    return 0


def _given(option: T | None, current: T) -> T:
    return current if option is None else option


def _count(option: int | str) -> int | None:
    return None if option == "default" else int(option)


def write_feed_settings(reader: Reader, feed: Feed, out: TextIO) -> None:
    """A feed's settings as ``edit`` prints them: the app's feed form, as lines."""
    settings = feed_settings(reader, feed.id)
    defaults = feed_defaults(reader)
    every = f"{settings.interval_minutes} min" if settings.interval_minutes else "default"
    out.write(
        f"{feed.id}: {feed.title} <{feed.url}> folder={settings.folder or '-'} "
        f"full_text={settings.full_text.value} muted={'yes' if settings.muted else 'no'} "
        f"interval={every} data_saver={'yes' if settings.data_saver else 'no'} "
        f"auto_download={'yes' if settings.auto_download else 'no'}\n"
    )
    out.write(f"  tags: {', '.join(settings.tags) if settings.tags else '-'}\n")
    days = defaults.keep_days if settings.keep_days is None else settings.keep_days
    keep = defaults.keep if settings.keep is None else settings.keep
    out.write(
        "  retention: "
        + (f"{plural(days, 'day')}" if days else "forever")
        + (" (config.toml)" if settings.keep_days is None else " (this feed)")
        + (f", newest {keep}" if keep else ", no count limit")
        + (" (config.toml)" if settings.keep is None else " (this feed)")
        + "\n"
    )
    rules = rules_that_apply(reader, feed)
    out.write("  rules: none\n" if not rules else "  rules that apply:\n")
    for rule in rules:
        out.write(f"    {rule}\n")


def cmd_remove(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    feed = find_feed(reader, args.feed)
    feed = reader.remove_feed(feed.id)
    out.write(f"removed {feed.title} <{feed.url}> and its {plural(feed.total, 'article')}\n")
    return 0
