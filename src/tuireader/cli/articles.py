"""Commands about articles: list, show, search, mark-read, recommend, less-like."""

from __future__ import annotations

import argparse
import asyncio
import sys
from contextlib import closing
from typing import TextIO

from tuireader.cli.output import (
    CliError,
    article_json,
    feed_json,
    find_feed,
    print_json,
    write_articles,
)
from tuireader.core import Reader
from tuireader.humanize import plural
from tuireader.store import ArticleQuery


def article_query(reader: Reader, args: argparse.Namespace) -> ArticleQuery:
    feed_id = find_feed(reader, args.feed).id if getattr(args, "feed", None) else None
    return ArticleQuery(feed_id=feed_id, unread_only=getattr(args, "unread", False))


def no_limit(limit: int) -> int | None:
    """``--limit 0`` means everything."""
    return limit or None


def cmd_list(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    limit = no_limit(args.limit)
    if args.what == "feeds":
        feeds = reader.feeds()
        if args.unread:
            feeds = [f for f in feeds if f.unread]
        feeds = feeds[:limit]
        if args.json:
            print_json([feed_json(f) for f in feeds], out)
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
        items = reader.for_you(limit=limit or sys.maxsize)
        if args.json:
            print_json(
                [
                    {**article_json(i.article), "score": round(i.score, 4), "why": i.why}
                    | {"duplicates": list(i.duplicates)}
                    for i in items
                ],
                out,
            )
        else:
            for item in items:
                write_articles([item.article], False, out)
                out.write(f"{'':>12}{item.why}\n")
        return 0
    query = article_query(reader, args)
    if args.what == "recommended":
        query = ArticleQuery(recommended_only=True)
    if args.query is not None:
        ids = reader.store.query_ids(args.query, within=query, limit=limit)
        write_articles(reader.store.summaries(ids), args.json, out)
        return 0
    # Streamed from one cursor: `--limit 0 --json` of 100,000 articles never holds them all.
    with closing(reader.iter_articles(query, limit=limit)) as articles:
        write_articles(articles, args.json, out)
    return 0


def cmd_show(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    from tuireader.articletext import article_as_text

    article = reader.article(args.id)
    if article is None:
        raise CliError(f"no article with id {args.id}")
    if not args.no_fetch and not reader.read_only and reader.wants_full_text(article):
        full = asyncio.run(reader.fetch_full_text(article.id))
        if full.error:
            print(f"tuireader: showing the feed's text: {full.error}", file=sys.stderr)
    out.write(article_as_text(reader, article))
    return 0


def cmd_search(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    """Exit 1 when nothing matches, as grep does, so scripts can tell."""
    ids = reader.search_query(
        args.query, limit=no_limit(args.limit), relevance=args.sort == "relevance"
    )
    found = write_articles(reader.store.summaries(ids), args.json, out)
    if not found:
        print(f"tuireader: no article matches {args.query!r}", file=sys.stderr)
        return 1
    return 0


def cmd_mark_read(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    read = not args.unread
    if args.ids:
        missing = [i for i in args.ids if reader.article(i) is None]
        if missing:
            raise CliError(f"no article with id {', '.join(map(str, missing))}")
        changed = reader.set_read(args.ids, read)
    elif args.query is not None:
        if read:
            changed = reader.store.mark_matching_read(args.query)
        else:
            changed = reader.set_read(reader.store.query_ids(args.query), False)
    elif args.feed or args.all:
        query = ArticleQuery(feed_id=find_feed(reader, args.feed).id if args.feed else None)
        changed = reader.mark_view_read(query, read)
    else:
        raise CliError("say which articles: IDs, --feed FEED, --query Q or --all")
    out.write(f"marked {plural(len(changed), 'article')} {'read' if read else 'unread'}\n")
    return 0


def article_id_arg(reader: Reader, article_id: int) -> int:
    if reader.article(article_id) is None:
        raise CliError(f"no article with id {article_id}")
    return article_id


def cmd_recommend(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    article_id = article_id_arg(reader, args.id)
    reader.set_recommended(article_id, not args.undo)
    out.write(f"{'no longer recommending' if args.undo else 'recommended'} article {article_id}\n")
    return 0


def cmd_less_like(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    reader.less_like(article_id_arg(reader, args.id))
    out.write(f"noted: fewer articles like {args.id} in For you\n")
    return 0
