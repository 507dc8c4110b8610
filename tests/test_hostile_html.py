"""Active and tracking HTML in feed content never reaches ``tuireader show``.

The feed's HTML is stored as HTML (cleaned of controls) and converted to Markdown by
``tuireader.htmlmd.html_to_markdown`` when shown; only http(s) and mailto links survive.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from hostile import UNSAFE, hostile_reader, refresh_one, seed_good_feed, stored_articles
from loopback import LoopbackServer
from tuireader.cli import main
from tuireader.core import Reader

HOSTILE_HTML = """
<p>Visible intro with <a href="https://ok.example/read">a good link</a> and
<a href="mailto:editor@ok.example">a mail link</a>.</p>
<script>alert("script-payload")</script>
<script src="https://evil.example/x.js"></script>
<style>p { color: red } .style-payload {}</style>
<iframe src="https://evil.example/iframe-payload"></iframe>
<form action="https://evil.example/form-payload"><input name="q" value="input-payload">
<button>button-payload</button></form>
<p>
<a href="javascript:alert('js1')">L1</a>
<a href="JaVaScRiPt:alert('js2')">L2</a>
<a href="  javascript:alert('js3')">L3</a>
<a href="java&#x09;script:alert('js4')">L4</a>
<a href="java&#10;script:alert('js5')">L5</a>
<a href="&#106;avascript:alert('js6')">L6</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">L7</a>
<a href="vbscript:msgbox('vb1')">L8</a>
<a href="file:///etc/passwd">L9</a>
</p>
<img src="https://track.example/pixel-payload.gif" width="1" height="1" alt="">
<img src="https://track.example/beacon-payload" style="display:none">
<img src="data:image/png;base64,iVBORw0KGgo=" alt="datauri-payload">
<svg onload="alert('svg-payload')"><script>alert('svg-script')</script></svg>
<p onclick="alert('onclick-payload')">Visible outro</p>
<object data="https://evil.example/object-payload.swf"></object>
<embed src="https://evil.example/embed-payload.swf">
<meta http-equiv="refresh" content="0;url=https://evil.example/meta-payload">
"""

FORBIDDEN = (
    "payload",
    "javascript",
    "vbscript",
    "data:",
    "file:",
    "evil.example",
    "track.example",
    "alert(",
    "<script",
    "color: red",
)


def hostile_feed() -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour Gazette</title><link>https://example.org/</link>
<item><title>Hostile HTML</title><guid>urn:hostile:html</guid>
<link>javascript:alert('item-link-payload')</link>
<content:encoded><![CDATA[{HOSTILE_HTML}]]></content:encoded></item>
</channel></rss>""".encode()


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return hostile_reader(tmp_path)


async def test_show_prints_no_active_content_and_only_safe_links(
    reader: Reader, http_server: LoopbackServer, tmp_path: Path
) -> None:
    await seed_good_feed(reader, http_server)
    http_server.add("/feed.xml", hostile_feed())
    await refresh_one(reader)
    (article,) = [a for a in stored_articles(reader) if a.guid == "urn:hostile:html"]
    assert article.link is None  # a javascript: item link is not stored

    out = io.StringIO()
    code = main(["--db", str(tmp_path / "tuireader.db"), "show", str(article.id)], out=out)
    text = out.getvalue()

    assert code == 0
    assert "Visible intro" in text and "Visible outro" in text
    assert "https://ok.example/read" in text and "mailto:editor@ok.example" in text
    assert all(f"L{n}" in text for n in range(1, 10))  # the link texts stay, as plain text
    lowered = text.lower()
    for needle in FORBIDDEN:
        assert needle not in lowered, (needle, text)
    assert not UNSAFE.search(text)
