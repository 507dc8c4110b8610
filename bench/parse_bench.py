"""How long parse_feed takes per item, with feedparser's optional HTML passes on and off.

Run: python bench/parse_bench.py [--repeat N]. Prints ms/item for the shared feed corpus
(when ../shared/corpus/feeds is present) and for a generated 50-item RSS feed with
1-5 KB of HTML per item, for each combination of sanitize_html and resolve_relative_uris.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tuireader.models import FeedError
from tuireader.parse import parse_feed, xmlfeed

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "feeds"
CONFIGS = [(s, r) for s in (True, False) for r in (True, False)]


@contextmanager
def feedparser_options(sanitize: bool, resolve: bool) -> Iterator[None]:
    saved = xmlfeed.SANITIZE_HTML, xmlfeed.RESOLVE_RELATIVE_URIS
    xmlfeed.SANITIZE_HTML, xmlfeed.RESOLVE_RELATIVE_URIS = sanitize, resolve
    try:
        yield
    finally:
        xmlfeed.SANITIZE_HTML, xmlfeed.RESOLVE_RELATIVE_URIS = saved


def generated_rss(items: int = 50, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    words = ["feed", "reader", "terminal", "python", "parse", "article", "content", "markdown"]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel><title>Generated</title><link>https://example.com/</link>",
    ]
    for i in range(items):
        parts: list[str] = []
        target = rng.randint(1_000, 5_000)
        while sum(map(len, parts)) < target:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
            parts.append(
                f'<p>{text} <a href="/post/{i}/{len(parts)}">link</a> '
                f'<img src="img/{i}.png" alt="x"> <em>{text[:20]}</em></p>'
            )
        body = "".join(parts)
        out.append(
            f"<item><title>Item {i}</title><link>https://example.com/{i}</link>"
            f"<guid>https://example.com/{i}</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>"
            f"<description><![CDATA[{body[:300]}]]></description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded><category>c{i % 5}</category>"
            "</item>"
        )
    out.append("</channel></rss>")
    return "\n".join(out).encode()


def time_docs(docs: list[tuple[str, bytes]], repeat: int) -> tuple[float, int]:
    """Best-of-``repeat`` total seconds over all docs, and the number of items parsed."""
    best = float("inf")
    items = 0
    for _ in range(repeat):
        items = 0
        start = time.perf_counter()
        for name, body in docs:
            with suppress(FeedError):
                items += len(parse_feed(body, url=f"https://example.com/{name}").entries)
        best = min(best, time.perf_counter() - start)
    return best, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    suites: list[tuple[str, list[tuple[str, bytes]]]] = [
        ("generated RSS, 50 items x 1-5 KB", [("gen.xml", generated_rss())])
    ]
    if CORPUS.is_dir():
        # JSON Feeds do not go through feedparser; keep them out so the options' effect shows.
        corpus = [
            (p.name, p.read_bytes())
            for p in sorted(CORPUS.iterdir())
            if p.is_file() and p.suffix != ".json" and p.name != "SOURCE.md"
        ]
        suites.append((f"corpus XML feeds ({len(corpus)} files)", corpus))
    else:
        print(f"(corpus absent: {CORPUS})")

    for title, docs in suites:
        print(title)
        for sanitize, resolve in CONFIGS:
            with feedparser_options(sanitize, resolve):
                seconds, items = time_docs(docs, args.repeat)
            label = f"sanitize_html={sanitize!s:5} resolve_relative_uris={resolve!s:5}"
            print(f"  {label}  {1000 * seconds / max(items, 1):6.3f} ms/item  ({items} items)")


if __name__ == "__main__":
    main()
