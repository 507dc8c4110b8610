"""Feed documents for tests, written the way real sites write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

BASE = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def rss(
    title: str = "Harbour Gazette",
    items: int = 3,
    *,
    start: int = 0,
    link: str = "https://example.org/",
    item_title: str = "Story {n}",
) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>{link}</link>",
        "<description>News from the harbour</description>",
    ]
    for n in range(start, start + items):
        published = format_datetime(BASE + timedelta(hours=n))
        parts.append(
            f"<item><title>{escape(item_title.format(n=n))}</title>"
            f"<link>{link}story/{n}</link><guid>{link}story/{n}</guid>"
            f"<author>reporter{n % 3}@example.org (Reporter {n % 3})</author>"
            f"<pubDate>{published}</pubDate><category>Harbour</category>"
            f"<description>&lt;p&gt;Teaser {n} about fibre cables&lt;/p&gt;</description>"
            f"<content:encoded><![CDATA[<p>Full text of story {n}.</p>"
            f"<h2>Section</h2><p>More about cables {n}.</p>]]></content:encoded></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()
