"""Commands about subscriptions: add, import, export, edit, remove."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TextIO

from tuireader.cli.output import (
    CliError,
    find_feed,
)
from tuireader.core import Reader, SubscribeError
from tuireader.humanize import plural
from tuireader.models import Feed, FullTextMode
from tuireader.sanitize import clean_line
from tuireader.store import ArticleQuery


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
    feed = reader.update_feed(
        feed.id,
        title=args.title,
        folder=args.folder,
        full_text=FullTextMode(args.full_text) if args.full_text else None,
        muted=args.muted,
        refresh_interval=args.interval * 60 if args.interval is not None else None,
    )
    if args.auto_download is not None:
        reader.store.set_auto_download(feed.id, args.auto_download)
    if args.data_saver is not None:
        reader.store.set_data_saver(feed.id, args.data_saver)
    if args.keep_days is not None or args.keep is not None:
        days, keep = reader.store.feed_retention(feed.id)
        reader.store.set_feed_retention(
            feed.id,
            keep_days=_own(args.keep_days, days),
            keep_per_feed=_own(args.keep, keep),
        )
    every = f"{feed.refresh_interval // 60} min" if feed.refresh_interval else "default"
    out.write(
        f"{feed.id}: {feed.title} <{feed.url}> folder={feed.folder or '-'} "
        f"full_text={feed.full_text.value} muted={'yes' if feed.muted else 'no'} "
        f"interval={every}\n"
    )
    write_feed_settings(reader, feed, out)
    return 0


def _own(given: int | str | None, current: int | None) -> int | None:
    """An --keep option's value for the store: unchanged, None for "default", or N."""
    if given is None:
        return current
    return None if given == "default" else int(given)


def write_feed_settings(reader: Reader, feed: Feed, out: TextIO) -> None:
    """The rest of a feed's settings, in one place: tags, retention, the rules that apply."""
    from tuireader.rules import rules_for_feed

    tags = reader.store.feed_tags(feed.id)
    out.write(f"  tags: {', '.join(tags) if tags else '-'}\n")
    own_days, own_keep = reader.store.feed_retention(feed.id)
    days = reader.config.keep_days if own_days is None else own_days
    keep = reader.config.keep_per_feed if own_keep is None else own_keep
    out.write(
        "  retention: "
        + (f"{plural(days, 'day')}" if days else "forever")
        + (" (config.toml)" if own_days is None else " (this feed)")
        + (f", newest {keep}" if keep else ", no count limit")
        + (" (config.toml)" if own_keep is None else " (this feed)")
        + "\n"
    )
    rules = rules_for_feed(reader.store.rules, feed)
    out.write("  rules: none\n" if not rules else "  rules that apply:\n")
    for rule in rules:
        out.write(f"    {rule.name}: {rule.effect} where {rule.query}\n")


def cmd_remove(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    feed = find_feed(reader, args.feed)
    feed = reader.remove_feed(feed.id)
    out.write(f"removed {feed.title} <{feed.url}> and its {plural(feed.total, 'article')}\n")
    return 0
