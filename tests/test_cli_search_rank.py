"""`tuireader search`: the query language, best matches first (issue 15's "search go")."""

from __future__ import annotations

import io
import json

from loopback import LoopbackServer
from tuireader.cli import main

TITLES = [
    ("Google ships a new phone", "Mon, 23 Nov 2026 10:00:00 GMT"),
    ("Googling for answers", "Sun, 22 Nov 2026 10:00:00 GMT"),
    ("Go and Dogma", "Fri, 20 Nov 2026 10:00:00 GMT"),
    ("Why we go outside", "Thu, 19 Nov 2026 10:00:00 GMT"),
]


def feed() -> bytes:
    items = "".join(
        f"<item><title>{title}</title><guid>g{n}</guid><pubDate>{date}</pubDate>"
        f"<description>Notes number {n}.</description></item>"
        for n, (title, date) in enumerate(TITLES)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
        f"<link>https://example.org/</link>{items}</channel></rss>"
    ).encode()


def titles(*argv: str) -> list[str]:
    out = io.StringIO()
    assert main(["search", *argv, "--json"], out=out) == 0
    return [a["title"] for a in json.loads(out.getvalue())]


def test_exact_words_come_before_longer_words_that_start_with_them(
    http_server: LoopbackServer,
) -> None:
    http_server.add("/feed.xml", feed())
    assert main(["add", http_server.url("/feed.xml")], out=io.StringIO()) == 0
    assert titles("go")[:2] == ["Go and Dogma", "Why we go outside"]
    # Newest first on request.
    assert titles("go", "--sort", "newest")[0] == "Go and Dogma"
    assert titles("goo*", "--sort", "newest")[0] == "Google ships a new phone"
    # Words with filters: still ranked, still filtered.
    assert titles("go -title:dogma") == ["Why we go outside"]
    main(["mark-read", "--query", "title:outside"], out=io.StringIO())
    assert titles("go is:unread") == ["Go and Dogma"]
