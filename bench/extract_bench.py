"""Article extraction benchmark against the Readability test corpus.

Each page in ``../shared/corpus/articles/<name>/`` has ``source.html`` (the page) and
``expected.html`` (Firefox Reader View's article). We score the text of each extractor's
output against the text of expected.html with token-level F1 (bag of lower-cased words),
check the title against ``expected-metadata.json``, and time each extractor in CPU ms.

With ``--teasers`` it instead measures ``htmlmd.is_teaser`` on ``../shared/corpus/feeds``
(parsed with feedparser directly): entries per feed, teasers, median words of the body.

Run: ``PYTHONPATH=src python bench/extract_bench.py [--pages N] [--only NAME] [--quiet]``
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import lxml.html
import trafilatura
from readability import Document

from tuireader.extract import extract_article
from tuireader.htmlmd import html_to_markdown, html_to_text, is_teaser, word_count

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "articles"
FEEDS = CORPUS.parent / "feeds"
PAGE_URL = "http://fakehost/test/page.html"
_TOKEN = re.compile(r"\w+")
_BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th",
    "table", "blockquote", "pre", "section", "article", "figure", "figcaption", "dt", "dd", "hr",
    "header", "footer", "main", "aside", "nav", "img", "address", "details", "summary",
)  # fmt: skip

# An extractor takes the page bytes and returns (text, title).
Extractor = Callable[[str], tuple[str, str | None]]


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def f1(got: Counter[str], want: Counter[str]) -> float:
    if not got and not want:
        return 1.0
    common = sum((got & want).values())
    if common == 0:
        return 0.0
    precision = common / sum(got.values())
    recall = common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def html_text(html: str | bytes) -> str:
    if not (html.strip() if isinstance(html, str) else html.strip()):
        return ""
    root = lxml.html.document_fromstring(html)
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    # Separate blocks, not inline elements: "<b>foo</b>bar" is one word, as a reader sees it
    # (joining every text node with spaces would split words, and whole CJK sentences).
    for block in root.iter(*_BLOCK_TAGS):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def run_ours(source: str) -> tuple[str, str | None]:
    article = extract_article(source, PAGE_URL)
    if article is None:
        return "", None
    return article.text, article.title


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def run_trafilatura(source: str) -> tuple[str, str | None]:
    out = trafilatura.extract(
        source,
        url=PAGE_URL,
        favor_recall=True,
        output_format="markdown",
        include_comments=False,
        with_metadata=True,
    )
    if not out:
        return "", None
    title = None
    match = _FRONT_MATTER.match(out)
    if match:
        for line in match.group(1).splitlines():
            if line.startswith("title: "):
                title = line.removeprefix("title: ").strip()
        out = out[match.end() :]
    return out, title


def run_readability(source: str) -> tuple[str, str | None]:
    doc = Document(source, url=PAGE_URL)
    return html_text(doc.summary(html_partial=True)), doc.short_title()


def run_no_extraction(source: str) -> tuple[str, str | None]:
    root = lxml.html.document_fromstring(source)
    title = root.findtext(".//title")
    return html_text(source), title.strip() if title else None


METHODS: dict[str, Extractor] = {
    "ours": run_ours,
    "trafilatura": run_trafilatura,
    "readability": run_readability,
    "no-extraction": run_no_extraction,
}


@dataclass
class Scores:
    f1: dict[str, float] = field(default_factory=dict)
    titles_exact: int = 0
    title_misses: list[str] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    name: str
    source: str
    expected: Counter[str]
    title: str | None


def load_pages(only: str | None, limit: int | None) -> list[Page]:
    pages = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        if only and only not in folder.name:
            continue
        meta_path = folder / "expected-metadata.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        # The pages are UTF-8 (as Readability's own tests read them); most do not declare it.
        expected = tokens(html_text((folder / "expected.html").read_text("utf-8", "replace")))
        source = (folder / "source.html").read_text("utf-8", "replace")
        pages.append(Page(folder.name, source, expected, meta.get("title")))
    return pages[:limit] if limit else pages


def teaser_report() -> None:
    """is_teaser over every entry of every corpus feed, per feed and in total."""
    entries = teasers = 0
    print(f"{'feed':52}{'entries':>8}{'teasers':>8}{'median words':>13}  content?")
    for path in sorted(p for p in FEEDS.iterdir() if p.suffix != ".md"):
        parsed = feedparser.parse(io.BytesIO(path.read_bytes()))
        flags, words, with_content = [], [], 0
        for entry in parsed.entries:
            summary = entry.get("summary")
            content_list = entry.get("content")
            content = content_list[0].get("value") if content_list else None
            with_content += bool(content)
            flags.append(is_teaser(summary, content))
            best = max((html_to_text(h) for h in (summary, content) if h), key=len, default="")
            words.append(word_count(best))
        if not flags:
            continue
        entries += len(flags)
        teasers += sum(flags)
        print(
            f"{path.name[:52]:52}{len(flags):8d}{sum(flags):8d}"
            f"{statistics.median(words):13.0f}  {with_content}/{len(flags)}"
        )
    print(f"\n{entries} entries, {teasers} teasers ({teasers / max(entries, 1):.0%})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="pages whose name contains this")
    parser.add_argument("--pages", type=int, help="at most this many pages")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated")
    parser.add_argument("--quiet", action="store_true", help="no per-page lines")
    parser.add_argument("--teasers", action="store_true", help="measure is_teaser on the feeds")
    args = parser.parse_args()
    if args.teasers:
        teaser_report()
        return 0
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 1
    methods = {name: METHODS[name] for name in args.methods.split(",")}
    pages = load_pages(args.only, args.pages)
    results = {name: Scores() for name in methods}
    if not args.quiet:
        print(f"{'page':40}" + "".join(f"{name[:12]:>14}" for name in methods))
    for page in pages:
        row = []
        for name, extract in methods.items():
            start = time.process_time()
            try:
                text, title = extract(page.source)
            except Exception as exc:  # a baseline crashing is a score of 0, not a bench failure
                text, title = "", None
                print(f"  {name} raised on {page.name}: {exc!r}", file=sys.stderr)
            results[name].cpu_ms.append((time.process_time() - start) * 1000)
            score = f1(tokens(text), page.expected)
            results[name].f1[page.name] = score
            if title is not None and page.title is not None and title.strip() == page.title.strip():
                results[name].titles_exact += 1
            else:
                results[name].title_misses.append(f"{page.name}: {title!r} != {page.title!r}")
            row.append(f"{score:14.3f}")
        if not args.quiet:
            print(f"{page.name[:40]:40}" + "".join(row))
    print()
    print(f"{len(pages)} pages")
    header = f"{'method':16}{'mean F1':>9}{'median':>9}{'<0.5':>6}{'titles':>9}{'CPU ms':>9}"
    print(header)
    for name, scores in results.items():
        values = list(scores.f1.values())
        print(
            f"{name:16}{statistics.fmean(values):9.3f}{statistics.median(values):9.3f}"
            f"{sum(v < 0.5 for v in values):6d}{scores.titles_exact:5d}/{len(pages):<3d}"
            f"{statistics.fmean(scores.cpu_ms):9.1f}"
        )
    if "ours" in results:
        worst = sorted(results["ours"].f1.items(), key=lambda item: item[1])[:10]
        print("\nworst pages (ours): " + ", ".join(f"{n} {s:.3f}" for n, s in worst))
        print("title misses (ours):\n  " + "\n  ".join(results["ours"].title_misses))
    markdown_speed(pages)
    return 0


def markdown_speed(pages: list[Page]) -> None:
    """CPU time of html_to_markdown on the expected articles, per page and per 5 KB."""
    articles = [(CORPUS / p.name / "expected.html").read_text("utf-8", "replace") for p in pages]
    start = time.process_time()
    for html in articles:
        html_to_markdown(html, base_url=PAGE_URL)
    elapsed_ms = (time.process_time() - start) * 1000
    size_kb = sum(len(h) for h in articles) / 1000
    print(
        f"\nhtml_to_markdown: {elapsed_ms / len(articles):.2f} ms per article "
        f"(mean {size_kb / len(articles):.0f} KB), {elapsed_ms / size_kb * 5:.2f} ms per 5 KB"
    )


if __name__ == "__main__":
    raise SystemExit(main())
