"""The ``tuireader`` command: headless commands over the core, and the app.

Textual is imported only when the app is launched, so scripts and cron jobs start fast.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from tuireader import __version__
from tuireader.cli.output import CliError, write_articles
from tuireader.core import Reader, SubscribeError, make_reader, normalise_subscription_url
from tuireader.humanize import plural
from tuireader.models import FeedError, FullTextMode
from tuireader.paths import resolve_dirs
from tuireader.query import QueryError
from tuireader.store import ArticleQuery, StoreError, StoreFullError


def cmd_dirs(reader: Reader | None, args: argparse.Namespace, out: TextIO) -> int:
    dirs = resolve_dirs()
    db = Path(args.db) if args.db else dirs.database
    out.write(f"config:   {dirs.config_file}\ndata:     {db}\ncache:    {dirs.cache}\n")
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """The bundled demo library in a throwaway folder, deleted when the command ends."""
    with tempfile.TemporaryDirectory(prefix="tuireader-demo-") as folder:
        reader = make_reader(db_path=Path(folder) / "tuireader.db")
        try:
            reader.load_demo()
            if args.list or not sys.stdout.isatty():
                out.write("the demo library (a throwaway copy):\n")
                for feed in reader.feeds():
                    out.write(f"{feed.id:>3} {feed.title} ({plural(feed.total, 'article')})\n")
                write_articles(reader.articles(ArticleQuery(), limit=1000), False, out)
                return 0
            return run_app(reader, demo=True)
        finally:
            reader.close()


def run_app(reader: Reader, *, demo: bool = False) -> int:
    from tuireader.ui import run_app

    return run_app(reader, demo=demo)


Command = Callable[[Reader, argparse.Namespace, TextIO], int]


def lazy(module: str, name: str) -> Command:
    """A command whose module is imported only when it runs, so each command starts fast."""

    def run(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
        command: Command = getattr(importlib.import_module(f"tuireader.cli.{module}"), name)
        return command(reader, args, out)

    return run


#: The largest count, limit or interval taken: SQLite's integers and Python's dates end
#: somewhere, and seven digits are what the app's settings form takes too.
MAX_COUNT = 9_999_999
#: The most days `stats --days` looks back (a century: dates end at year 1).
MAX_DAYS = 36_500


def count(text: str, maximum: int = MAX_COUNT) -> int:
    """A whole number >= 0 (and at most ``maximum``), for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    if value > maximum:
        raise argparse.ArgumentTypeError(f"{text} is too large (at most {maximum:,})")
    return value


def day_count(text: str) -> int:
    """A number of days to look back, for argparse."""
    return count(text, MAX_DAYS)


def count_or_default(text: str) -> int | str:
    """A whole number >= 0, or "default", for argparse."""
    return "default" if text == "default" else count(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuireader", description="A keyboard-first terminal news reader."
    )
    parser.add_argument("--version", action="version", version=f"tuireader {__version__}")
    parser.add_argument("--db", metavar="PATH", help="the database file to use")
    parser.add_argument("--demo", action="store_true", help="open the app on the demo library")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    add = sub.add_parser("add", help="subscribe to a feed or a site's feed")
    add.add_argument("url", help="a feed's address, or a web page that links to its feed")
    add.add_argument("--folder", help="put it in this folder")
    add.add_argument("--title", help="show it under this name instead of its own")
    add.set_defaults(run=lazy("subscriptions", "cmd_add"))

    imp = sub.add_parser("import", help="import subscriptions from OPML or a newsboat urls file")
    imp.add_argument("file", help="an .opml file or a newsboat urls file")
    imp.set_defaults(run=lazy("subscriptions", "cmd_import"))

    exp = sub.add_parser(
        "export", help="export subscriptions as OPML 2.0, or your recommended articles"
    )
    exp.add_argument("file", nargs="?", help="where to write (default: standard output)")
    exp.add_argument(
        "--recommended", action="store_true", help="your recommended articles as a reading list"
    )
    exp.add_argument("--format", choices=["json", "md"], help="with --recommended (json default)")
    exp.set_defaults(run=lazy("subscriptions", "cmd_export"))

    ref = sub.add_parser("refresh", help="fetch new articles")
    ref.add_argument("--feed", metavar="ID|URL", help="only this feed")
    ref.add_argument("--due", action="store_true", help="only feeds whose interval has passed")
    ref.add_argument(
        "--full-text",
        action="store_true",
        help="then save the pages of new unread teasers for offline reading",
    )
    ref.add_argument(
        "--notify", action="store_true", help="one desktop/terminal notification for new articles"
    )
    ref.set_defaults(run=lazy("refreshing", "cmd_refresh"))

    lst = sub.add_parser("list", help="list feeds or articles")
    lst.add_argument("what", choices=["feeds", "articles", "recommended", "for-you"])
    lst.add_argument(
        "--unread", action="store_true", help="only unread articles (or feeds with some)"
    )
    lst.add_argument("--feed", metavar="ID|URL", help="only this feed's articles")
    lst.add_argument(
        "--limit", type=count, default=100, help="at most this many (default 100; 0 for all)"
    )
    lst.add_argument("--json", action="store_true", help="stable JSON for scripts")
    lst.add_argument("--query", metavar="Q", help="only articles matching this query (README)")
    lst.set_defaults(run=lazy("articles", "cmd_list"))

    show = sub.add_parser(
        "show",
        help="print an article as plain text",
        description="Print an article as plain text; its links are numbered and listed at the end.",
    )
    show.add_argument("id", type=int, help="an article id (from list or search)")
    show.add_argument(
        "--no-fetch", action="store_true", help="never fetch the page; use what is cached"
    )
    show.set_defaults(run=lazy("articles", "cmd_show"))

    search = sub.add_parser(
        "search",
        help="search the articles you have with the query language",
        description="Search the articles you have with the query language (README: "
        'words, "phrases", title:, feed:, tag:, is:unread, age:<7d, -, OR). With words, the '
        "best matches come first (exact words before words that only start with them, titles "
        "first); --sort newest for newest first. Exits 1 (with a line on stderr) when nothing "
        "matches.",
    )
    search.add_argument(
        "query", help='a query: words, "phrases", title:, feed:, tag:, is:unread... (README)'
    )
    search.add_argument(
        "--limit", type=count, default=50, help="at most this many (default 50; 0 for all)"
    )
    search.add_argument(
        "--sort",
        choices=["relevance", "newest"],
        default="relevance",
        help="relevance (default) or newest first",
    )
    search.add_argument("--json", action="store_true", help="stable JSON for scripts")
    search.set_defaults(run=lazy("articles", "cmd_search"))

    mark = sub.add_parser("mark-read", help="mark articles read (or --unread)")
    mark.add_argument("ids", nargs="*", type=int, help="article ids")
    mark.add_argument("--feed", metavar="ID|URL", help="every article of this feed")
    mark.add_argument("--all", action="store_true", help="every article")
    mark.add_argument("--query", metavar="Q", help="every article matching this query")
    mark.add_argument("--unread", action="store_true", help="mark unread instead")
    mark.set_defaults(run=lazy("articles", "cmd_mark_read"))

    edit = sub.add_parser("edit", help="change a feed's title, folder or settings")
    edit.add_argument("feed", metavar="ID|URL", help="the feed: its id, URL or title")
    edit.add_argument("--title", help="empty to use the feed's own title")
    edit.add_argument("--folder", help="empty to take it out of its folder")
    edit.add_argument(
        "--full-text",
        choices=[m.value for m in FullTextMode],
        help="fetch article pages: auto (teasers only), always or never",
    )
    muting = edit.add_mutually_exclusive_group()
    muting.add_argument(
        "--mute", dest="muted", action="store_const", const=True, help="keep out of For you"
    )
    muting.add_argument("--unmute", dest="muted", action="store_const", const=False)
    edit.add_argument(
        "--interval", type=count, metavar="MINUTES", help="refresh interval; 0 for the default"
    )
    downloading = edit.add_mutually_exclusive_group()
    downloading.add_argument(
        "--auto-download",
        dest="auto_download",
        action="store_const",
        const=True,
        help="download this feed's new episodes after each refresh",
    )
    downloading.add_argument(
        "--no-auto-download", dest="auto_download", action="store_const", const=False
    )
    saving = edit.add_mutually_exclusive_group()
    saving.add_argument(
        "--data-saver",
        dest="data_saver",
        action="store_const",
        const=True,
        help="no images and no automatic downloads for this feed",
    )
    saving.add_argument("--no-data-saver", dest="data_saver", action="store_const", const=False)
    edit.add_argument(
        "--keep-days",
        type=count_or_default,
        metavar="N|default",
        help="cleanup keeps this feed's articles N days (0: forever; default: config's)",
    )
    edit.add_argument(
        "--keep",
        type=count_or_default,
        metavar="N|default",
        help="cleanup keeps this feed's newest N articles (0: all; default: config's)",
    )
    edit.set_defaults(run=lazy("subscriptions", "cmd_edit"))

    rec = sub.add_parser("recommend", help="recommend an article (--undo to take it back)")
    rec.add_argument("id", type=int, help="an article id")
    rec.add_argument("--undo", action="store_true", help="take the recommendation back")
    rec.set_defaults(run=lazy("articles", "cmd_recommend"))

    less = sub.add_parser("less-like", help="show fewer articles like this one in For you")
    less.add_argument("id", type=int, help="an article id")
    less.set_defaults(run=lazy("articles", "cmd_less_like"))

    clean = sub.add_parser("cleanup", help="apply the retention settings, optionally VACUUM")
    clean.add_argument("--vacuum", action="store_true", help="compact the database file")
    clean.add_argument(
        "--include-unread", action="store_true", help="old unread articles may go too"
    )
    clean.set_defaults(run=lazy("refreshing", "cmd_cleanup"))

    hist = sub.add_parser("history", help="recent refreshes and what each downloaded")
    hist.add_argument(
        "--limit", type=count, default=20, help="at most this many (default 20; 0 for all)"
    )
    hist.add_argument("--json", action="store_true", help="stable JSON for scripts")
    hist.set_defaults(run=lazy("refreshing", "cmd_history"))

    dl = sub.add_parser(
        "download", help="download articles' enclosures (podcast episodes); resumes failed ones"
    )
    dl.add_argument("ids", nargs="*", type=int, help="article ids (none: resume the queue)")
    dl.add_argument("--list", action="store_true", help="show the downloads and their state")
    dl.add_argument("--json", action="store_true", help="with --list: stable JSON")
    dl.set_defaults(run=lazy("media", "cmd_download"))

    play = sub.add_parser("play", help="play an article's enclosure (resumes where it stopped)")
    play.add_argument("id", type=int, help="an article id")
    play.add_argument("--enclosure", type=int, default=1, metavar="N", help="the Nth (default 1)")
    play.set_defaults(run=lazy("media", "cmd_play"))

    played = sub.add_parser("played", help="mark an enclosure played (--undo: unplayed)")
    played.add_argument("id", type=int, help="an article id")
    played.add_argument("--enclosure", type=int, default=1, metavar="N", help="the Nth (default 1)")
    played.add_argument("--undo", action="store_true", help="mark it unplayed")
    played.set_defaults(run=lazy("media", "cmd_played"))

    stats = sub.add_parser("stats", help="what you read, when, and what it cost in bytes")
    stats.add_argument("--days", type=day_count, default=30, help="how far back (default 30)")
    stats.add_argument("--width", type=count, default=80, help="plot width (default 80)")
    stats.add_argument("--json", action="store_true", help="stable JSON for scripts")
    stats.set_defaults(run=lazy("media", "cmd_stats"))

    rm = sub.add_parser("remove", help="unsubscribe and delete a feed's articles")
    rm.add_argument("feed", metavar="ID|URL", help="the feed: its id, URL or title")
    rm.set_defaults(run=lazy("subscriptions", "cmd_remove"))

    saved = sub.add_parser(
        "searches",
        help="saved searches (query feeds): list with unread counts, add, edit, rename, remove",
        description="Saved searches (saved in the app with ctrl+s, or added here): query feeds "
        "in the query language. Without an action, list them with their unread counts.",
    )
    actions = saved.add_subparsers(dest="action", metavar="ACTION")
    new = actions.add_parser("add", help="save a query under a name")
    new.add_argument("name", help="what to call it")
    new.add_argument("query", help="a query (README)")
    change = actions.add_parser("edit", help="give a saved search another query")
    change.add_argument("name", help="its name (as listed)")
    change.add_argument("query", help="the new query")
    ren = actions.add_parser("rename", help="give a saved search another name")
    ren.add_argument("name", help="its name now (as listed)")
    ren.add_argument("new_name", metavar="new-name", help="the name to give it")
    forget = actions.add_parser("remove", help="forget a saved search")
    forget.add_argument("name", help="its name (as listed)")
    saved.set_defaults(run=lazy("searches", "cmd_searches"), action=None)
    star = sub.add_parser("star", help="star an article (--undo to unstar)")
    star.add_argument("id", type=int, help="an article id")
    star.add_argument("--undo", action="store_true", help="unstar it")
    star.set_defaults(run=lazy("power", "cmd_star"))

    tag = sub.add_parser("tag", help="tag an article (or a feed with --feed)")
    tag.add_argument(
        "id", metavar="ID", help="an article id; with --feed a feed's id, URL or title"
    )
    tag.add_argument("name", help="the tag")
    tag.add_argument("--feed", action="store_true", help="tag the feed ID instead")
    tag.add_argument("--remove", action="store_true", help="take the tag off")
    tag.set_defaults(run=lazy("power", "cmd_tag"))

    tags = sub.add_parser("tags", help="every tag with its unread/total articles")
    tags.set_defaults(run=lazy("power", "cmd_tags"))

    rules = sub.add_parser("rules", help="the [[rules]] of config.toml: list, test, apply, undo")
    rules.add_argument("action", choices=["list", "test", "apply", "undo"])
    rules.add_argument("name", nargs="?", help="only the rule with this name")
    rules.add_argument("-v", "--verbose", action="store_true", help="test: show some matches")
    rules.set_defaults(run=lazy("power", "cmd_rules"))

    pipe = sub.add_parser("pipe", help="run a command with an article on its standard input")
    pipe.add_argument("id", type=int, help="an article id")
    pipe.add_argument("command", help="a key from [commands] in config.toml, or a command line")
    pipe.add_argument("--json", action="store_true", help="send the article as JSON")
    pipe.set_defaults(run=lazy("power", "cmd_pipe"))

    add_sync_parser(sub)

    dirs = sub.add_parser("dirs", help="where config, data and cache live")
    dirs.set_defaults(run=None, special="dirs")

    demo = sub.add_parser("demo", help="open the app on a throwaway demo library")
    demo.add_argument("--list", action="store_true", help="print the demo library instead")
    demo.set_defaults(run=None, special="demo")
    return parser


def add_sync_parser(sub: Any) -> None:
    sync = sub.add_parser(
        "sync", help="sync with a FreshRSS, Miniflux... server: send changes, then fetch"
    )
    sync.add_argument("--json", action="store_true", help="stable JSON for scripts")
    actions = sync.add_subparsers(dest="sync_command", metavar="ACTION")
    add = actions.add_parser("add", help="join a server (Google Reader API or Fever)")
    add.add_argument("kind", choices=["greader", "fever"], help="the server's API")
    add.add_argument(
        "url", help="the API base: FreshRSS https://host/api/greader.php, Miniflux https://host"
    )
    add.add_argument("--user", required=True, help="the user name on the server")
    secret = add.add_mutually_exclusive_group(required=True)
    secret.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the (API) password from stdin; kept in a file only you can read",
    )
    secret.add_argument(
        "--password-command",
        metavar="CMD",
        help="a command that prints the password (e.g. 'pass show freshrss'); run each sync",
    )
    add.add_argument(
        "--insecure-http",
        action="store_true",
        help="allow plain http:// to another machine: the password crosses the network unencrypted",
    )
    actions.add_parser("remove", help="leave the server; the library stays, local")
    status = actions.add_parser("status", help="the account, last sync and queued changes")
    status.add_argument("--json", action="store_true", help="stable JSON for scripts")
    sync.set_defaults(run=lazy("syncing", "cmd_sync"))


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    code = _main(argv, out)
    if argv is None:
        # The program ends now (argv None: sys.argv, the console script and -m). The
        # interpreter's last garbage collection would walk every object start-up made,
        # 60-90 ms after a refresh; the store and the workers are closed by now, so they are
        # left out of it. Callers that pass argv (the tests, in one process) keep collecting.
        gc.freeze()
    return code


def _main(argv: Sequence[str] | None, out: TextIO | None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    special = getattr(args, "special", None)
    if args.command is not None or args.demo or special is not None:
        gc.enable()  # off while the app starts (``tuireader.launch``): not the app
    try:
        if args.demo or special == "demo":
            if not hasattr(args, "list"):
                args.list = False
            return cmd_demo(args, out)
        if special == "dirs":
            return cmd_dirs(None, args, out)
        if args.command == "add":
            check_address(args.url)  # a typo must not start a library
        reader = open_reader(args)
        for problem in reader.config_problems:
            print(f"tuireader: {problem}", file=sys.stderr)
        try:
            if args.command is None:
                return run_app(reader)
            code: int = args.run(reader, args, out)
            return code
        finally:
            reader.close()
    except (CliError, StoreError, FeedError) as error:
        print(f"tuireader: {error}", file=sys.stderr)
        return 1
    except QueryError as error:
        print(f"tuireader: query error at column {error.column}: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tuireader: interrupted; everything stored so far is kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`tuireader list ... | head`): not an error.
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def check_address(text: str) -> None:
    """The app's Add dialog check, before anything is opened."""
    try:
        normalise_subscription_url(text)
    except SubscribeError as error:
        raise CliError(str(error)) from error


#: Commands that may start a library (create the database file and its folder).
CREATING_COMMANDS = frozenset({None, "add", "import"})
#: Commands that only read, so a read-only file is opened read-only rather than refused.
READ_COMMANDS = frozenset(
    {"list", "show", "search", "export", "history", "searches", "tags", "pipe"}
)


def open_reader(args: argparse.Namespace) -> Reader:
    """Open for writing; commands that only read fall back to a read-only store.

    Only `add`, `import`, `sync add` and the app start a library: any other command on a path with
    no database says so instead of leaving an empty file (and folders) behind.
    """
    path = Path(args.db) if args.db else resolve_dirs().database
    joining = args.command == "sync" and getattr(args, "sync_command", None) == "add"  # [sync]
    if args.command not in CREATING_COMMANDS and not joining and not path.exists():
        raise CliError(
            f"no library at {path}: start one with `tuireader add URL` or `tuireader import FILE`"
        )
    try:
        return make_reader(db_path=args.db)
    except StoreError as error:
        full = isinstance(error, StoreFullError)
        reading = args.command in READ_COMMANDS or (args.command is None and full)
        if not reading or not path.exists():
            raise
        reader = make_reader(db_path=args.db, read_only=True)
        if full and args.command is None:  # the app says so; each change it refuses says why
            reader.config_problems += (
                f"{path}: the disk is full, so the library is open for reading only; "
                "nothing you change is saved until there is room",
            )
        return reader
