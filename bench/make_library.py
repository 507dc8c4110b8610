"""A big generated library for the UI benchmark: N feeds, M articles, through the store API.

Run: ``python bench/make_library.py --feeds 500 --articles 100000`` (prints the path).

Every article goes through ``Store.add_feed`` + ``Store.store_feed`` (so the search index,
sort dates and feed rows are what a refresh would leave), with English-like titles, authors,
1-3 KB HTML summaries and dates spread over six months; about 60 % are then marked read
(older articles more often), 1 % starred and 0.5 % recommended, through the store too.

The library is cached in ``bench/out/`` (gitignored) under a name made of its parameters, so
reruns reuse it; it is built into a ``.tmp`` file and renamed when complete. The same content
can be written into a newsboat cache (its own SQLite schema) with :func:`ensure_newsboat_cache`.

Planted words make the search figures meaningful: every article's text has common words from
a Zipf-weighted vocabulary; :data:`RARE_WORD` is in a handful of articles only.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import Store

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "out"
#: Bump when the generator changes, so cached libraries of an older shape are not reused.
GENERATOR_VERSION = 1
#: The library's "now": fixed, so a cached library and a fresh one are the same bytes.
EPOCH = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=180)
#: A word planted in a few articles only (the "rare word" query of the search figures).
RARE_WORD = "quixotry"
RARE_EVERY = 20_000

_COMMON = (
    "the of and to a in is that for it on with as was by at from this be are have an not "
    "but or they which their has had were been more will its would also who one about new "
    "after over two first year people time other into some could than years when most "
    "only government city council market report says plan state water energy school power "
    "police court health public price prices workers company companies election vote "
    "minister budget tax money bank rates growth climate storm rain weather river harbour "
    "ferry train station road bridge housing homes rent families children teachers doctors "
    "hospital patients research study scientists data software security network computer "
    "phone apps users privacy update release version open source project team season game "
    "match coach players league final record history museum music festival film book "
    "author artist gallery garden farm farmers food restaurant coffee street market island "
    "coast village town county region national international global local community "
    "service services support change changes rules law laws judge trial case decision "
    "talks deal agreement strike union wages jobs economy inflation trade exports imports "
    "fuel oil gas wind solar battery electric electricity grid supply demand shortage "
    "survey results figures analysis review plans proposal funding cuts spending costs "
    "week month today yesterday tomorrow morning evening night early late long short "
    "high low big small major minor key main latest official officials residents visitors"
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COMMON_WORDS = _words(_COMMON)
_FIRST = _words(
    "Ada Ben Chloe Dev Elena Femi Grace Hugo Ines Jonas Kira Liam Maya Nadia Omar Priya "
    "Quinn Rosa Sam Tariq Uma Viktor Wen Xavier Yara Zoe Aoife Bruno Chen Dara"
)
_LAST = _words(
    "Adams Baker Costa Dubois Evans Fischer Garcia Hughes Ito Jensen Kowalski Lopez Murphy "
    "Nakamura Okafor Patel Quiroga Rossi Silva Tanaka Ueda Varga Walsh Xu Young Zimmermann"
)
_FEED_ADJECTIVES = _words(
    "Daily Weekly Northern Southern Coastal Urban Rural Open Quiet Bright Civic Modern "
    "Harbour Valley Island Metro Pacific Atlantic Highland Riverside"
)
_FEED_NOUNS = _words(
    "Gazette Chronicle Dispatch Ledger Courier Signal Review Observer Notes Digest Journal "
    "Bulletin Wire Post Times Record Herald Letter Tribune Monitor Report Sentinel Almanac"
)
_TOPICS = _words(
    "Politics Science Technology Sport Culture Business Local Climate Health Travel Food Opinion"
)


@dataclass(frozen=True, slots=True)
class LibrarySpec:
    feeds: int = 500
    articles: int = 100_000
    seed: int = 1

    @property
    def name(self) -> str:
        return f"library-v{GENERATOR_VERSION}-{self.feeds}f-{self.articles}a-s{self.seed}"


def _zipf_weights(n: int) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(1, n + 1):
        total += 1.0 / rank
        cumulative.append(total)
    return cumulative


_WEIGHTS = _zipf_weights(len(COMMON_WORDS))
#: Title words: the nouns and adjectives of the vocabulary, without its function words.
_CONTENT_WORDS = list(COMMON_WORDS[COMMON_WORDS.index("government") :])
_CONTENT_WEIGHTS = _zipf_weights(len(_CONTENT_WORDS))


def feed_title(index: int) -> str:
    rng = random.Random(index * 31 + 7)
    adjective, noun = rng.choice(_FEED_ADJECTIVES), rng.choice(_FEED_NOUNS)
    return f"The {adjective} {noun} #{index + 1}"


def feed_url(index: int) -> str:
    return f"https://feeds{index % 97}.example.net/feed-{index + 1}.xml"


def feed_folder(index: int) -> str | None:
    return None if index % 10 == 9 else _TOPICS[index % len(_TOPICS)]


def _title(rng: random.Random) -> str:
    words = rng.choices(_CONTENT_WORDS, cum_weights=_CONTENT_WEIGHTS, k=rng.randint(4, 9))
    if rng.random() < 0.5:
        words.insert(rng.randrange(1, len(words)), rng.choice(("of", "in", "as", "after", "for")))
    if rng.random() < 0.3:
        words.insert(rng.randrange(1, len(words)), rng.choice(_LAST))
    words[0] = words[0].capitalize()
    return " ".join(words)


def _sentence(rng: random.Random) -> str:
    words = rng.choices(COMMON_WORDS, cum_weights=_WEIGHTS, k=rng.randint(8, 26))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice("......?!")


def _summary_html(rng: random.Random, feed: int, number: int, rare: bool) -> str:
    target = rng.randint(1_000, 3_000)
    parts: list[str] = []
    size = 0
    while size < target:
        sentences = [_sentence(rng) for _ in range(rng.randint(2, 5))]
        if rare and not parts:
            sentences[0] = f"A {RARE_WORD} of a plan. " + sentences[0]
        if rng.random() < 0.5:
            slug = "-".join(rng.choices(_CONTENT_WORDS, k=3))
            sentences[-1] += f' <a href="https://site{feed}.example.net/{slug}">Read more</a>.'
        if rng.random() < 0.2:
            sentences[0] = f"<em>{sentences[0]}</em>"
        paragraph = "<p>" + " ".join(sentences) + "</p>"
        parts.append(paragraph)
        size += len(paragraph)
    if rng.random() < 0.3:
        parts.insert(1, f'<img src="https://site{feed}.example.net/img/{number}.jpg" alt="">')
    return "\n".join(parts)


def _entries(rng: random.Random, feed: int, count: int, first_number: int) -> list[ParsedEntry]:
    entries = []
    for i in range(count):
        number = first_number + i
        published = EPOCH - SPAN * (rng.random() ** 1.3)
        entries.append(
            ParsedEntry(
                title=_title(rng),
                guid=f"urn:bench:{feed}:{number}",
                link=f"https://site{feed}.example.net/{number}",
                author=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                published=published,
                summary_html=_summary_html(rng, feed, number, number % RARE_EVERY == 7),
            )
        )
    return entries


def build_library(path: Path, spec: LibrarySpec, *, progress: bool = True) -> None:
    """Write a fresh library at ``path`` (which must not exist)."""
    rng = random.Random(spec.seed)
    per_feed, extra = divmod(spec.articles, spec.feeds)
    store = Store(path, clock=lambda: EPOCH)
    started = time.perf_counter()
    try:
        number = 0
        for feed in range(spec.feeds):
            count = per_feed + (1 if feed < extra else 0)
            added = store.add_feed(feed_url(feed), folder=feed_folder(feed))
            parsed = ParsedFeed(
                title=feed_title(feed),
                site_url=f"https://site{feed}.example.net/",
                description=f"Generated feed {feed + 1}",
                format="rss20",
                entries=tuple(_entries(rng, feed, count, number)),
            )
            store.store_feed(
                added.id, parsed, body_hash=None, etag=None, last_modified=None, bytes_downloaded=0
            )
            number += count
            if progress and (feed + 1) % 50 == 0:
                elapsed = time.perf_counter() - started
                print(f"  {feed + 1}/{spec.feeds} feeds, {number} articles, {elapsed:.0f} s")
        _mark_state(store, rng)
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _mark_state(store: Store, rng: random.Random) -> None:
    """Read more often the older an article is; a few starred and recommended."""
    with store.db.read() as conn:
        rows = conn.execute("SELECT id, sort_date FROM articles").fetchall()
    horizon = EPOCH - SPAN
    read: list[int] = []
    starred: list[int] = []
    recommended: list[int] = []
    for article_id, sort_date in rows:
        when = datetime.strptime(sort_date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        age = (EPOCH - when) / (EPOCH - horizon)
        if rng.random() < 0.25 + 0.6 * age:
            read.append(article_id)
        if rng.random() < 0.01:
            starred.append(article_id)
        if rng.random() < 0.005:
            recommended.append(article_id)
    for start in range(0, len(read), 5_000):
        store.set_read(read[start : start + 5_000], True)
    for article_id in starred:
        store.set_starred(article_id, True)
    for article_id in recommended:
        store.set_recommended(article_id, True)


def ensure_library(spec: LibrarySpec, out_dir: Path = OUT_DIR) -> Path:
    """The cached library for ``spec``, built first when it is not there yet."""
    path = out_dir / f"{spec.name}.db"
    if path.exists():
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    for leftover in out_dir.glob(tmp.name + "*"):
        leftover.unlink()
    print(f"building {path.name} (once; later runs reuse it)")
    started = time.perf_counter()
    build_library(tmp, spec)
    tmp.replace(path)
    print(f"built in {time.perf_counter() - started:.0f} s, {path.stat().st_size / 2**20:.0f} MB")
    return path


# --- newsboat's cache -------------------------------------------------------------------------


def newsboat_urls(spec: LibrarySpec) -> list[str]:
    return [feed_url(i) for i in range(spec.feeds)]


def ensure_newsboat_cache(spec: LibrarySpec, binary: str, out_dir: Path = OUT_DIR) -> Path:
    """The same feeds and articles in newsboat's own schema (its ``rss_feed``/``rss_item``).

    newsboat creates its schema itself (``-x reload`` on an empty urls file); the rows are
    then copied from our library with sqlite3.
    """
    library = ensure_library(spec, out_dir)
    path = out_dir / f"newsboat-{spec.name}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="nb-schema-") as scratch:
        root = Path(scratch)
        (root / "urls").write_text("")
        (root / "config").write_text("")
        subprocess.run(
            [
                binary,
                "-u",
                str(root / "urls"),
                "-c",
                str(tmp),
                "-C",
                str(root / "config"),
                "-x",
                "reload",
            ],
            env=newsboat_env(root),
            check=False,  # it complains that no URLs are configured, but writes the schema
            capture_output=True,
            timeout=60,
        )
    if not tmp.exists():
        raise RuntimeError(f"newsboat did not create its cache at {tmp}")
    _copy_into_newsboat(library, tmp)
    tmp.replace(path)
    return path


def newsboat_env(root: Path) -> dict[str, str]:
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    return os.environ | {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }


def _unix(text: str | None) -> int:
    if not text:
        return 0
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def _copy_into_newsboat(library: Path, cache: Path) -> None:
    source = sqlite3.connect(f"{library.as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(cache)
    try:
        feeds = source.execute("SELECT id, url, title, site_url FROM feeds ORDER BY id").fetchall()
        target.executemany(
            "INSERT INTO rss_feed (rssurl, url, title, lastmodified, is_rtl, etag) "
            "VALUES (?, ?, ?, 0, 0, '')",
            [(url, site or "", title) for _, url, title, site in feeds],
        )
        url_of = {feed_id: url for feed_id, url, _, _ in feeds}
        rows = source.execute(
            "SELECT feed_id, guid, title, author, link, published, summary_html, read, "
            "starred FROM articles ORDER BY id"
        )
        batch = []
        for feed_id, guid, title, author, link, published, summary, read, starred in rows:
            batch.append(
                (
                    guid,
                    title,
                    author or "",
                    link or "",
                    url_of[feed_id],
                    _unix(published),
                    summary or "",
                    int(not read),
                    "s" if starred else "",
                    "",
                )
            )
            if len(batch) >= 5_000:
                _insert_items(target, batch)
                batch = []
        _insert_items(target, batch)
        target.commit()
    finally:
        source.close()
        target.close()


def _insert_items(conn: sqlite3.Connection, batch: list[tuple[object, ...]]) -> None:
    conn.executemany(
        "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread, "
        "flags, enclosure_url, enclosure_type, enqueued, deleted, base) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 0, '')",
        batch,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--newsboat", action="store_true", help="also write newsboat's cache")
    parser.add_argument("--rebuild", action="store_true", help="build again even if cached")
    args = parser.parse_args(argv)
    spec = LibrarySpec(args.feeds, args.articles, args.seed)
    if args.rebuild:
        for old in args.out.glob(f"*{spec.name}.db"):
            old.unlink()
    print(ensure_library(spec, args.out))
    if args.newsboat:
        binary = shutil.which("newsboat")
        if binary is None:
            print("newsboat not installed", file=sys.stderr)
            return 1
        print(ensure_newsboat_cache(spec, binary, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
