"""Terminal escapes and invisible characters in feed text never reach the store or the CLI.

Rich and Textual strip only BEL, BS, VT, FF and CR (``rich.control.strip_control_codes``):
ESC, CSI, OSC, C1 controls and bidi overrides pass through them, so they are removed before
anything is stored. Rich/Textual *markup* in feed text is kept literally: the UI renders it
as text (tested on the UI side).
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from hostile import (
    UNSAFE,
    display_values,
    hostile_reader,
    refresh_one,
    seed_good_feed,
    stored_articles,
)
from loopback import LoopbackServer
from tuireader.cli import main
from tuireader.core import Reader
from tuireader.models import OutcomeKind

# Every form of "do something to the terminal" a feed can carry, around visible words.
ESCAPES = (
    "\x1b[2J\x1b[H",  # CSI: clear the screen, cursor home
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: write the clipboard
    "\x1b]8;;https://evil.example/\x1b\\",  # OSC 8: hyperlink
    "\x07",  # BEL
    "\x9b31m",  # C1 CSI
    "\x9d0;title\x07",  # C1 OSC ... BEL
    "\x85\x8d",  # NEL, RI
    "\u202e\u2066\u061c",  # bidi override, isolate, Arabic letter mark
    "\u200b\u200d\ufeff",  # zero-width space, joiner, BOM
)
NASTY = "Clean" + "".join(ESCAPES) + "Words"
# The same controls as XML numeric character references, decimal and hex.
REFERENCES = "Clean&#27;[2J&#x1b;]52;c;ZXZpbA==&#7;&#155;31m&#x9b;1m&#x202e;&#x200b;Words"
MARKUP = "[bold red]Alert[/] [link=https://evil.example]x[/link] [@click=app.quit]quit[/]"


def _xml_text(value: str) -> str:
    """``value`` for an XML document: controls XML cannot hold become references."""
    return "".join(c if c >= " " or c in "\t\n" else f"&#{ord(c)};" for c in value)


def hostile_rss(text: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Feed {text}</title><link>https://example.org/</link>
<item><title>Title {text}</title><guid>urn:hostile:1</guid>
<author>a@example.org (Author {text})</author><category>Cat {text}</category>
<enclosure url="https://example.org/a.mp3" type="audio/mpeg{text}" length="1"/>
<description>&lt;p&gt;Summary {text}&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>Body {text}</p>]]></content:encoded></item>
</channel></rss>""".encode()


def hostile_atom(text: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Feed {text}</title>
<id>urn:feed</id><updated>2026-11-20T08:00:00Z</updated>
<entry><title>Title {text}</title><id>urn:hostile:1</id><updated>2026-11-20T08:00:00Z</updated>
<author><name>Author {text}</name></author><category term="Cat {text}"/>
<link rel="enclosure" href="https://example.org/a.mp3" type="audio/mpeg{text}"/>
<summary>Summary {text}</summary><content type="html">&lt;p&gt;Body {text}&lt;/p&gt;</content>
</entry></feed>""".encode()


def hostile_json(text: str) -> bytes:
    item = {
        "id": "urn:hostile:1",
        "title": f"Title {text}",
        "authors": [{"name": f"Author {text}"}],
        "tags": [f"Cat {text}"],
        "attachments": [{"url": "https://example.org/a.mp3", "mime_type": f"audio/mpeg{text}"}],
        "summary": f"Summary {text}",
        "content_html": f"<p>Body {text}</p>",
    }
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": f"Feed {text}", "items": [item]}
    return json.dumps(feed).encode()  # controls as \\u escapes, which json.loads restores


VARIANTS = {
    "rss-raw": (hostile_rss(_xml_text(NASTY)), "application/rss+xml"),
    "rss-utf8-c1": (hostile_rss(NASTY.replace("\x1b", "&#27;").replace("\x07", "")), "text/xml"),
    "rss-references": (hostile_rss(REFERENCES), "application/rss+xml"),
    "atom": (hostile_atom(_xml_text(NASTY)), "application/atom+xml"),
    "json": (hostile_json(NASTY), "application/feed+json"),
}


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return hostile_reader(tmp_path)


def _cli(db: Path, *argv: str) -> str:
    out = io.StringIO()
    assert main(["--db", str(db), *argv], out=out) == 0
    return out.getvalue()


@pytest.mark.parametrize("variant", VARIANTS)
async def test_controls_are_stripped_before_storing_and_printing(
    reader: Reader, http_server: LoopbackServer, tmp_path: Path, variant: str
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    body, content_type = VARIANTS[variant]
    http_server.add("/feed.xml", body, content_type=content_type)

    outcome = await refresh_one(reader)

    assert outcome.kind is OutcomeKind.UPDATED and outcome.new_articles == 1, outcome
    feed = reader.store.get_feed(seeded.feed_id)
    assert feed.title.startswith("Feed Clean") and not UNSAFE.search(feed.title)
    (article,) = [a for a in stored_articles(reader) if a.guid == "urn:hostile:1"]
    # The visible words before the escapes survive. What follows an OSC whose terminator the
    # XML parser dropped is cut, as a terminal would swallow it.
    assert article.title.startswith("Title Clean")
    assert article.author and "Author Clean" in article.author
    assert article.categories and article.categories[0].startswith("Cat Clean")
    assert article.enclosures and (article.enclosures[0].type or "").startswith("audio/mpeg")
    for value in display_values(article):
        assert not UNSAFE.search(value), repr(value)
    for before in seeded.articles:  # the feed's title changed; nothing else did
        assert reader.store.get_article(before.id) == replace(before, feed_title=feed.title)

    db = tmp_path / "tuireader.db"
    printed = [
        _cli(db, "list", "feeds", "--json"),
        _cli(db, "list", "articles", "--json"),
        _cli(db, "show", str(article.id), "--no-fetch"),
    ]
    for text in printed:
        assert not UNSAFE.search(text), repr(text)
    assert "Title Clean" in printed[2] and "Body Clean" in printed[2]


async def test_markup_in_feed_text_is_stored_literally(
    reader: Reader, http_server: LoopbackServer, tmp_path: Path
) -> None:
    await seed_good_feed(reader, http_server)
    http_server.add("/feed.xml", hostile_rss(MARKUP))

    await refresh_one(reader)

    (article,) = [a for a in stored_articles(reader) if a.guid == "urn:hostile:1"]
    assert article.title == f"Title {MARKUP}"
    assert article.author == f"Author {MARKUP}"
    assert article.categories == (f"Cat {MARKUP}",)
    listed = json.loads(_cli(tmp_path / "tuireader.db", "list", "articles", "--json"))
    assert f"Title {MARKUP}" in [a["title"] for a in listed]
