"""Commands about articles: list, show, search, mark-read, recommend, less-like."""

from __future__ import annotations

import argparse
import asyncio
import sys
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
from tuireader.foryou import ForYou
from tuireader.humanize import plural
from tuireader.store import ArticleQuery


def article_query(reader: Reader, args: argparse.Namespace) -> ArticleQuery:
    feed_id = find_feed(reader, args.feed).id if getattr(args, "feed", None) else None
    return ArticleQuery(feed_id=feed_id, unread_only=getattr(args, "unread", False))


def cmd_list(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    if args.what == "feeds":
        feeds = reader.feeds()
        if args.unread:
            feeds = [f for f in feeds if f.unread]
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
        items = ForYou(reader.store).rank(limit=args.limit)
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
    articles = reader.articles(query, limit=args.limit)
    write_articles(articles, args.json, out)
    return 0


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
    write_articles(reader.search(args.query, limit=args.limit), args.json, out)
    return 0


def cmd_mark_read(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    read = not args.unread
    if args.ids:
        missing = [i for i in args.ids if reader.article(i) is None]
        if missing:
            raise CliError(f"no article with id {', '.join(map(str, missing))}")
        changed = reader.store.set_read(list(args.ids), read)
    elif args.feed or args.all:
        query = ArticleQuery(feed_id=find_feed(reader, args.feed).id if args.feed else None)
        changed = (
            reader.store.mark_query_read(query)
            if read
            else reader.store.set_read(reader.store.article_ids(query), False)
        )
    else:
        raise CliError("say which articles: IDs, --feed FEED or --all")
    out.write(f"marked {plural(len(changed), 'article')} {'read' if read else 'unread'}\n")
    return 0


def article_id_arg(reader: Reader, article_id: int) -> int:
    if reader.article(article_id) is None:
        raise CliError(f"no article with id {article_id}")
    return article_id


def cmd_recommend(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    article_id = article_id_arg(reader, args.id)
    reader.store.set_recommended(article_id, not args.undo)
    out.write(f"{'no longer recommending' if args.undo else 'recommended'} article {article_id}\n")
    return 0


def cmd_less_like(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    ForYou(reader.store).less_like(article_id_arg(reader, args.id))
    out.write(f"noted: fewer articles like {args.id} in For you\n")
    return 0
