"""Article extraction benchmark on two corpora, with a split into halves for every figure.

``../shared/corpus/articles/<name>/``: Mozilla Readability's test pages; each ``source.html`` is
scored against ``expected.html`` (Firefox Reader View's article) with token-level F1 (bag of
lower-cased words): mean, median and pages under 0.5.

``../shared/corpus/snippets/``: 884 pages from trafilatura's evaluation set with must-have and
must-not-have snippets per page, scored as its SOURCE.md says (whitespace normalised; found
``with`` = true positive, missing = false negative, found ``without`` = false positive; summed
over pages): precision, recall, F1, and pages where an extractor returned nothing.

Every page belongs to half A or B by a hash of its name, so each figure is printed for the
whole corpus and for each half. ``--rules`` prints the effect of each of our rules: for each
corpus half, the rule's setting chosen on the *other* half (and on the other corpus) and its
gain over the rule switched off, so a rule that only helps the pages it was written for shows.

Everything runs in this one process (one worker); times are CPU time (``time.process_time``)
per page, so other load on the machine inflates them less than wall time.

Run: ``PYTHONPATH=src python bench/extract_bench.py [--corpus articles,snippets] [--rules]``
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import re
import statistics
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import trafilatura
import trafilatura.external
from readability import Document

from tuireader.extract import ExtractedArticle, Rules, extract_article, finish, prepare
from tuireader.extract.rules import RULE_GRID
from tuireader.htmlmd import html_to_markdown, html_to_text, is_teaser, word_count

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS = SHARED / "articles"
SNIPPETS = SHARED / "snippets"
FEEDS = SHARED / "feeds"
PAGE_URL = "http://fakehost/test/page.html"
_TOKEN = re.compile(r"\w+")
_BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th",
    "table", "blockquote", "pre", "section", "article", "figure", "figcaption", "dt", "dd", "hr",
    "header", "footer", "main", "aside", "nav", "img", "address", "details", "summary",
)  # fmt: skip

#: Targets from issue 12, for corpus/articles (ours) and the CPU budget (ours, both corpora).
TARGET_MEAN, TARGET_MEDIAN, TARGET_MAX_BAD, TARGET_CPU_MS = 0.975, 0.99, 1, 50.0


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
    return str(root.text_content())


# ----------------------------------------------------------------------------- extractors


# An extractor takes the page and its URL and returns (text, title).
Extractor = Callable[[str | bytes, str], tuple[str, str | None]]


def run_ours(source: str | bytes, url: str) -> tuple[str, str | None]:
    return _article_text(extract_article(source, url))


def _article_text(article: ExtractedArticle | None) -> tuple[str, str | None]:
    return ("", None) if article is None else (article.text, article.title)


def run_trafilatura(source: str | bytes, url: str) -> tuple[str, str | None]:
    """trafilatura's defaults, without comments (its own evaluation's setting)."""
    out: str | None = trafilatura.extract(source, url=url, include_comments=False)
    return out or "", None


def run_trafilatura_recall(source: str | bytes, url: str) -> tuple[str, str | None]:
    out = trafilatura.extract(source, url=url, include_comments=False, favor_recall=True)
    return out or "", None


def run_readability(source: str | bytes, url: str) -> tuple[str, str | None]:
    doc = Document(source, url=url)
    return html_text(doc.summary(html_partial=True)), doc.short_title()


def run_no_extraction(source: str | bytes, url: str) -> tuple[str, str | None]:
    root = lxml.html.document_fromstring(source)
    title = root.findtext(".//title")
    return html_text(source), title.strip() if title else None


METHODS: dict[str, Extractor] = {
    "ours": run_ours,
    "trafilatura": run_trafilatura,
    "traf-recall": run_trafilatura_recall,
    "readability": run_readability,
    "no-extraction": run_no_extraction,
}
DEFAULT_METHODS = "ours,trafilatura,traf-recall,readability"


# ----------------------------------------------------------------------------- corpora


@dataclass(frozen=True)
class Page:
    corpus: str  # "articles" or "snippets"
    name: str
    url: str
    source: str | bytes
    expected: Counter[str] = field(default_factory=Counter)  # articles
    title: str | None = None  # articles
    with_: tuple[str, ...] = ()  # snippets
    without: tuple[str, ...] = ()  # snippets

    @property
    def half(self) -> str:
        """A or B, fixed by the page name (not by its position, so adding pages moves none)."""
        return "AB"[zlib.crc32(self.name.encode()) % 2]


def load_articles(only: str | None) -> list[Page]:
    pages = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        if only and only not in folder.name:
            continue
        meta_path = folder / "expected-metadata.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        # The pages are UTF-8 (as Readability's own tests read them); most do not declare it.
        expected = tokens(html_text((folder / "expected.html").read_text("utf-8", "replace")))
        source = (folder / "source.html").read_text("utf-8", "replace")
        pages.append(Page("articles", folder.name, PAGE_URL, source, expected, meta.get("title")))
    return pages


def load_snippets(only: str | None) -> list[Page]:
    """The snippet corpus, as bytes: each extractor decodes the page the way it would live."""
    expected = json.loads((SNIPPETS / "expected.json").read_text("utf-8"))
    pages = []
    for key, item in sorted(expected.items()):
        if only and only not in key:
            continue
        source = gzip.decompress((SNIPPETS / item["file"]).read_bytes())
        url = key if key.startswith(("http://", "https://")) else key.split("::")[-1].lstrip("x")
        if not url.startswith(("http://", "https://")):
            url = f"https://{url.removesuffix('.html')}/"
        pages.append(
            Page(
                "snippets", key, url, source,
                with_=tuple(_normal(s) for s in item["with"]),
                without=tuple(_normal(s) for s in item["without"]),
            )
        )  # fmt: skip
    return pages


def _normal(text: str) -> str:
    return " ".join(text.split())


# ----------------------------------------------------------------------------- scoring


@dataclass
class Result:
    """One extractor's output on one page, scored."""

    text: str
    cpu_ms: float
    f1: float = 0.0  # articles
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # snippets: tp, fn, fp, tn


def score(page: Page, text: str, cpu_ms: float) -> Result:
    if page.corpus == "articles":
        return Result(text, cpu_ms, f1=f1(tokens(text), page.expected))
    flat = _normal(text)
    tp = sum(s in flat for s in page.with_) if flat else 0
    fp = sum(s in flat for s in page.without) if flat else 0
    return Result(text, cpu_ms, counts=(tp, len(page.with_) - tp, fp, len(page.without) - fp))


def snippet_figures(results: Iterable[Result]) -> tuple[float, float, float, float]:
    """Precision, recall, F1 and accuracy summed over pages (trafilatura's evaluation)."""
    tp = fn = fp = tn = 0
    for r in results:
        tp, fn, fp, tn = tp + r.counts[0], fn + r.counts[1], fp + r.counts[2], tn + r.counts[3]
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    f = 2 * precision * recall / max(precision + recall, 1e-9)
    return precision, recall, f, (tp + tn) / max(tp + fn + fp + tn, 1)


def quality(corpus: str, results: list[Result]) -> float:
    """The one figure a rule is judged by: mean F1 (articles) or pooled snippet F1."""
    if not results:
        return 0.0
    if corpus == "articles":
        return statistics.fmean(r.f1 for r in results)
    return snippet_figures(results)[2]


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


# ----------------------------------------------------------------------------- report


def run(
    pages: list[Page], methods: dict[str, Extractor], quiet: bool, drafts_for_rules: bool = False
) -> tuple[dict[str, dict[str, Result]], dict[str, Any]]:
    """Every method on every page, one after another in this process.

    With ``drafts_for_rules``, each page's draft is made again, untimed, with trafilatura's
    body whether the shipped rules need it or not, so ``--rules`` can try every setting.
    """
    results: dict[str, dict[str, Result]] = {name: {} for name in methods}
    drafts: dict[str, Any] = {}
    for extract in methods.values():  # untimed: imports and caches the first call fills
        with contextlib.suppress(Exception):  # reported below, when it counts
            extract(pages[0].source, pages[0].url)
    # trafilatura loads jusText's stop lists (about a second) the first time it falls back to
    # jusText, on whichever page that is: once per process, for ours and for trafilatura alone.
    trafilatura.external.jt_stoplist_init()
    for page in pages:
        row = []
        for name, extract in methods.items():
            start = time.process_time()
            try:
                text, _ = extract(page.source, page.url)
            except Exception as exc:  # a baseline crashing is a score of 0, not a bench failure
                text = ""
                print(f"  {name} raised on {page.name}: {exc!r}", file=sys.stderr)
            cpu_ms = (time.process_time() - start) * 1000
            results[name][page.name] = result = score(page, text, cpu_ms)
            if name == "ours" and drafts_for_rules:
                with contextlib.suppress(Exception):
                    drafts[page.name] = prepare(page.source, page.url, both=True)
            row.append(
                f"{result.f1:10.3f}" if page.corpus == "articles"
                else f"{f'{result.counts[0]}/{len(page.with_)}-{result.counts[2]}':>10}"
            )  # fmt: skip
        if not quiet:
            print(f"{page.corpus[:1]} {page.half} {page.name[:52]:52}" + "".join(row))
    return results, drafts


def summary(corpus: str, pages: list[Page], results: dict[str, dict[str, Result]]) -> None:
    print(f"\n{corpus}: {len(pages)} pages (A {sum(p.half == 'A' for p in pages)}, "
          f"B {sum(p.half == 'B' for p in pages)})")  # fmt: skip
    if corpus == "articles":
        print(f"{'half':5}{'method':14}{'mean F1':>9}{'median':>9}{'<0.5':>6}{'CPU ms':>9}")
    else:
        print(f"{'half':5}{'method':14}{'prec':>8}{'recall':>8}{'F1':>8}{'acc':>8}"
              f"{'empty':>7}{'CPU ms':>9}")  # fmt: skip
    for half in ("all", "A", "B"):
        chosen = [p for p in pages if half in ("all", p.half)]
        for name, by_page in results.items():
            rs = [by_page[p.name] for p in chosen]
            cpu = statistics.fmean(r.cpu_ms for r in rs)
            if corpus == "articles":
                values = [r.f1 for r in rs]
                print(f"{half:5}{name:14}{statistics.fmean(values):9.3f}"
                      f"{statistics.median(values):9.3f}{sum(v < 0.5 for v in values):6d}"
                      f"{cpu:9.1f}")  # fmt: skip
            else:
                p_, r_, f_, a_ = snippet_figures(rs)
                empty = sum(not r.text.strip() for r in rs)
                print(f"{half:5}{name:14}{p_:8.3f}{r_:8.3f}{f_:8.3f}{a_:8.3f}{empty:7d}"
                      f"{cpu:9.1f}")  # fmt: skip


def verdicts(corpora: dict[str, list[Page]], results: dict[str, dict[str, Result]]) -> bool:
    """PASS/FAIL for issue 12's targets: beat each library alone on each corpus, CPU budget."""
    ok = True
    if "ours" not in results:
        return ok
    libraries = [m for m in results if m not in ("ours", "no-extraction")]

    def line(passed: bool, text: str) -> None:
        nonlocal ok
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'}  {text}")

    print()
    for corpus, pages in corpora.items():
        ours = [results["ours"][p.name] for p in pages]
        mine = quality(corpus, ours)
        for lib in libraries:
            theirs = quality(corpus, [results[lib][p.name] for p in pages])
            line(mine > theirs, f"{corpus}: ours {mine:.4f} > {lib} {theirs:.4f}")
        if corpus == "articles":
            values = [r.f1 for r in ours]
            line(mine >= TARGET_MEAN, f"articles: mean F1 {mine:.4f} >= {TARGET_MEAN}")
            median = statistics.median(values)
            line(median >= TARGET_MEDIAN, f"articles: median F1 {median:.3f} >= {TARGET_MEDIAN}")
            bad = sum(v < 0.5 for v in values)
            line(bad <= TARGET_MAX_BAD, f"articles: {bad} pages < 0.5 (<= {TARGET_MAX_BAD})")
        cpu = statistics.fmean(r.cpu_ms for r in ours)
        line(cpu <= TARGET_CPU_MS, f"{corpus}: ours {cpu:.1f} CPU ms/page <= {TARGET_CPU_MS:.0f}")
        emptied = [
            p.name for p in pages
            if not results["ours"][p.name].text.strip()
            and any(_got_it_right(p, results[lib][p.name]) for lib in libraries)
        ]  # fmt: skip
        line(not emptied, f"{corpus}: {len(emptied)} pages a library gets right returned empty"
             + (f" ({', '.join(emptied[:5])})" if emptied else ""))  # fmt: skip
    return ok


def _got_it_right(page: Page, result: Result) -> bool:
    if page.corpus == "articles":
        return result.f1 >= 0.8
    return result.counts[0] > 0 and result.counts[0] >= 0.8 * len(page.with_)


def rules_report(corpora: dict[str, list[Page]], drafts: dict[str, Any]) -> None:
    """Each rule's gain on each corpus half, with its setting tuned on the other pages.

    For each rule and each held-out part (a corpus half), the rule's setting is the one
    with the best total gain on the *other* three parts (the other half of the same
    corpus and both halves of the other corpus), the other rules as shipped; the table
    prints that setting's gain over the rule switched off on the held-out part.
    """
    parts = {(c, h): [p for p in pages if p.half == h] for c, pages in corpora.items()
             for h in "AB"}  # fmt: skip
    parts = {k: v for k, v in parts.items() if v}

    def quality_of(rules: Rules, part: tuple[str, str]) -> float:
        corpus, _ = part
        out = []
        for page in parts[part]:
            draft = drafts.get(page.name)
            article = finish(draft, rules) if draft is not None else None
            out.append(score(page, _article_text(article)[0], 0.0))
        return quality(corpus, out)

    print("\nrules: gain over the rule switched off, setting tuned on the other parts")
    print(f"{'rule':16}{'shipped':>8}  " + " ".join(f"{c[:4] + '-' + h:>9}" for c, h in parts)
          + "  verdict")  # fmt: skip
    base = Rules()
    for rule, settings in RULE_GRID.items():
        off = replace(base, **{rule: settings[0]})
        off_q = {part: quality_of(off, part) for part in parts}
        gains = {
            part: {s: quality_of(replace(base, **{rule: s}), part) - off_q[part] for s in settings}
            for part in parts
        }
        shipped = getattr(base, rule)
        cells, wins, off_parts = [], 0, 0
        for part in parts:
            others = [o for o in parts if o != part]
            tuned = max(settings, key=lambda s: sum(gains[o][s] for o in others))
            gain = gains[part][tuned]
            wins += gain > 0
            off_parts += tuned == settings[0]
            cells.append(f"{gain:+8.4f}{'*' if tuned != shipped else ' '}")
        shipped_gain = " ".join(f"{gains[part][shipped]:+.4f}" for part in parts)
        verdict = (
            f"tuned off on {off_parts}" if off_parts
            else "wins on each" if wins == len(parts)
            else f"no gain on {len(parts) - wins}"
        )  # fmt: skip
        print(f"{rule:16}{str(shipped):>8}  " + " ".join(cells) + f"  {verdict}")
        print(f"{'':16}{'':8}  shipped setting's own gain: {shipped_gain}")
    print("(* = the other parts chose a different setting than the shipped one)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default="articles,snippets", help="comma-separated")
    parser.add_argument("--only", help="pages whose name contains this")
    parser.add_argument("--half", choices=("A", "B"), help="only this half of each corpus")
    parser.add_argument("--methods", default=DEFAULT_METHODS, help="comma-separated")
    parser.add_argument("--quiet", action="store_true", help="no per-page lines")
    parser.add_argument("--rules", action="store_true", help="each rule's gain per corpus half")
    parser.add_argument("--teasers", action="store_true", help="measure is_teaser on the feeds")
    args = parser.parse_args()
    if args.teasers:
        teaser_report()
        return 0
    loaders = {"articles": load_articles, "snippets": load_snippets}
    corpora: dict[str, list[Page]] = {}
    for corpus in args.corpus.split(","):
        if not (CORPUS if corpus == "articles" else SNIPPETS).is_dir():
            print(f"corpus not found beside the project: {corpus}", file=sys.stderr)
            return 1
        corpora[corpus] = [p for p in loaders[corpus](args.only) if args.half in (None, p.half)]
    methods = {name: METHODS[name] for name in args.methods.split(",")}
    if args.rules and "ours" not in methods:
        methods = {"ours": run_ours, **methods}
    results: dict[str, dict[str, Result]] = {name: {} for name in methods}
    drafts: dict[str, Any] = {}
    for pages in corpora.values():
        by_method, corpus_drafts = run(pages, methods, args.quiet, args.rules)
        for name, by_page in by_method.items():
            results[name].update(by_page)
        drafts.update(corpus_drafts)
    for corpus, pages in corpora.items():
        summary(corpus, pages, results)
        if "ours" in results and corpus == "articles":
            worst = sorted((results["ours"][p.name].f1, p.name) for p in pages)[:10]
            print("worst pages (ours): " + ", ".join(f"{n} {s:.3f}" for s, n in worst))
    ok = verdicts(corpora, results)
    if args.rules:
        rules_report(corpora, drafts)
    if "articles" in corpora and not args.only:
        markdown_speed(corpora["articles"])
    return 0 if ok else 1


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
