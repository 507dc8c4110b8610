"""Offline evaluation of the "For you" recommender on a realistic synthetic library.

The library (5,000 articles by default) is shaped like real subscriptions: one prolific feed
with half the articles (an author's years of posts, dated over two years, on three topics,
one of which the reader likes), a few medium feeds and a long tail of quiet ones (Zipf
sizes), ~5% near-duplicate stories across feeds (a tracked link, or the wire text re-titled),
one feed whose entries are undated (first seen an hour ago, all at once) and short untitled
posts on others (titled from their text, as the store does). Topics have their own words
and recurring two-word phrases (neighbouring topics share a third of their words); the
filler is common English, stopwords included.

The reader likes 3 of the 20 topics. They browse the river newest first and react to most
articles they like (recommend, star, read to the end, or just open) and to some they do not
(mark read unopened, leave quickly, "less like this"); 10% of reactions are noise (a
disliked article opened out of curiosity, a liked one skipped; ``--strong-noise``: the
opposite reaction of any strength, e.g. recommending a disliked topic). After 5,
20 and 50 signals every article without a signal is ranked and the top 10 is scored against
the truth (relevant = an article in a liked topic): P@10, nDCG@10, distinct feeds, rows from
the biggest feed, undated or untitled rows, and the share of reasons that pass the rule
(tuireader.recommend.explain.reason_passes, the function the tests use). Each diversity
strategy (per-feed cap, MMR, none) is scored on the same libraries and signals.

Run: python bench/recommend_bench.py [--seeds 5] [--size 5000] [--quick]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tuireader.recommend import ArticleFeatures, Recommender, Signal
from tuireader.recommend import recommender as recommender_module
from tuireader.recommend.explain import reason_passes
from tuireader.recommend.recommender import Diversity

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
TOPICS = 20
LIKED_TOPICS = 3
QUIET_FEEDS = 40
MEDIUM_FEEDS = 6
TOPIC_WORDS = 30
TOPIC_PHRASES = 6
CHECKPOINTS = (5, 20, 50)
STRATEGIES: tuple[Diversity, ...] = ("cap", "mmr", "none")
POSITIVE = frozenset({"recommend", "star", "read_long", "open"})
TARGET_P10_AT_20 = 0.8
TARGET_DISTINCT_FEEDS = 4
SYLLABLES = tuple(
    "kalominerusativozepadofiguhejakelimonuperisotuvawixoyu"[i : i + 2] for i in range(0, 54, 2)
)
_FILLER_TEXT = """the a of and to in is was for on that with as at by from it this be are have has
not but they he she we you his her their an or which were will would there been one all so
what about when up out if more can no who said says year people never time new also just like
than first over after two into only other some could them these then its our back even most
owen tank week day made make way well still much many get going really good told since"""
FILLER = _FILLER_TEXT.split()
_FEED_NAME_TEXT = """Ledger Courier Dispatch Gazette Chronicle Observer Herald Sentinel Monitor
Review Digest Notes Journal Bulletin Report Letter Post Times Register Wire"""
FEED_NAMES = _FEED_NAME_TEXT.split()


@dataclass
class Library:
    articles: list[ArticleFeatures]
    topic_of: dict[int, int]
    big_feed: int
    undated: set[int] = field(default_factory=set)
    untitled: set[int] = field(default_factory=set)


def _vocabulary(rng: random.Random, size: int, taken: set[str]) -> list[str]:
    vocabulary: list[str] = []
    while len(vocabulary) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in taken:
            taken.add(word)
            vocabulary.append(word)
    return vocabulary


def make_library(size: int, seed: int, liked: set[int]) -> Library:
    rng = random.Random(seed)
    taken: set[str] = set(FILLER)
    own = [_vocabulary(rng, TOPIC_WORDS, taken) for _ in range(TOPICS)]
    # Neighbouring topics share a third of their words (as "space" and "physics" would).
    cut = TOPIC_WORDS * 2 // 3
    words = [own[t][:cut] + own[(t + 1) % TOPICS][cut:] for t in range(TOPICS)]
    phrases = [
        [" ".join(_vocabulary(rng, 2, taken)) for _ in range(TOPIC_PHRASES)] for _ in range(TOPICS)
    ]
    # Feeds: (id, title, topics, weight, tags, undated). Feed 1 has half the articles and
    # writes about one liked topic and two others; the rest follow a Zipf tail.
    disliked = [t for t in range(TOPICS) if t not in liked]
    feeds = [(1, "One Author's Blog", [min(liked), *rng.sample(disliked, 2)], 0.5, False, False)]
    others = MEDIUM_FEEDS + QUIET_FEEDS
    zipf = [1.0 / (rank + 1) for rank in range(others)]
    scale = 0.5 / sum(zipf)
    for index in range(others):
        feed_id = index + 2
        name = f"The {rng.choice(FEED_NAMES)} {feed_id}"
        topics = rng.sample(range(TOPICS), rng.choice([1, 2, 3]))
        feeds.append(
            (feed_id, name, topics, zipf[index] * scale, rng.random() < 0.4, index == MEDIUM_FEEDS)
        )
    weights = [feed[3] for feed in feeds]

    def text(topic: int, length: int, topical: float) -> str:
        out: list[str] = []
        while len(out) < length:
            roll = rng.random()
            if roll < topical * 0.35:
                out.extend(rng.choice(phrases[topic]).split())
            elif roll < topical:
                out.append(rng.choice(words[topic]))
            else:
                out.append(rng.choice(FILLER))
        return " ".join(out)

    library = Library([], {}, big_feed=1)
    while len(library.articles) < size:
        article_id = len(library.articles) + 1
        feed_id, feed_title, topics, _, tags, undated = rng.choices(feeds, weights)[0]
        original = rng.choice(library.articles) if library.articles else None
        if original is not None and original.feed_id != feed_id and rng.random() < 0.05:
            # The same story from another feed: tracked link, or the wire text re-titled.
            same_link = rng.random() < 0.5
            library.articles.append(
                ArticleFeatures(
                    id=article_id,
                    feed_id=feed_id,
                    feed_title=feed_title,
                    title=original.title if same_link else f"{original.title} {rng.choice(FILLER)}",
                    author=f"Author {feed_id}",
                    categories=original.categories,
                    text=original.text,
                    link=f"{original.link}?utm_source=feed{feed_id}"
                    if same_link
                    else f"https://feed{feed_id}.example/story/{article_id}",
                    published=original.published,
                    first_seen=original.first_seen,
                )
            )
            library.topic_of[article_id] = library.topic_of[original.id]
            continue
        topic = rng.choice(topics) if rng.random() < 0.85 else rng.randrange(TOPICS)
        body = text(topic, rng.randint(40, 80), 0.3)
        title = text(topic, rng.randint(5, 10), 0.5).capitalize()
        if feed_id != 1 and rng.random() < 0.03:
            # Untitled entries are short posts; the store titles them from their text.
            body = text(topic, rng.randint(12, 25), 0.3)
            title = " ".join(body.split()[:8]).capitalize()
            library.untitled.add(article_id)
        span = 730 if feed_id == 1 else 30
        published = NOW - timedelta(days=rng.uniform(0, span))
        first_seen = published + timedelta(minutes=rng.uniform(5, 60))
        if undated:
            published, first_seen = None, NOW - timedelta(hours=1)  # all seen in one refresh
            library.undated.add(article_id)
        library.articles.append(
            ArticleFeatures(
                id=article_id,
                feed_id=feed_id,
                feed_title=feed_title,
                title=title,
                author=f"Author {feed_id}",
                categories=(f"topic {topic}",) if tags else (),
                text=body,
                link=f"https://feed{feed_id}.example/story/{article_id}",
                published=published,
                first_seen=min(first_seen, NOW),
            )
        )
        library.topic_of[article_id] = topic
    return library


def _fresh_at(article: ArticleFeatures) -> datetime:
    return article.published or article.first_seen or NOW


def reader_signals(
    library: Library, liked: set[int], count: int, seed: int, *, strong_noise: bool = False
) -> list[Signal]:
    """The reader's first ``count`` reactions, browsing the river newest first."""
    rng = random.Random(seed)
    river = sorted(library.articles, key=_fresh_at, reverse=True)
    signals: list[Signal] = []
    at = NOW - timedelta(days=1)
    for article in river:
        likes = library.topic_of[article.id] in liked
        if rng.random() > (0.5 if likes else 0.15):
            continue  # scrolled past
        noise = rng.random() < 0.1
        if noise and strong_noise:
            likes = not likes  # the opposite reaction, of any strength
        if noise and not strong_noise:
            # Noise as it happens: a headline opened out of curiosity, a good one skipped.
            kind = "skip" if likes else "open"
        elif likes:
            kind = rng.choices(["recommend", "star", "read_long", "open"], [3, 1, 4, 2])[0]
        else:
            kind = rng.choices(["skip", "quick_leave", "less_like"], [6, 3, 1])[0]
        at += timedelta(minutes=1)
        signals.append(Signal(article.id, kind, at))
        if len(signals) == count:
            break
    return signals


def precision_and_ndcg(
    ranked: Sequence[int], relevant: set[int], k: int = 10
) -> tuple[float, float]:
    top = list(ranked[:k])
    gains = [1.0 if article_id in relevant else 0.0 for article_id in top]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return sum(gains) / k, dcg / ideal if ideal else 0.0


@dataclass
class Scores:
    p10: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    feeds: list[int] = field(default_factory=list)
    big_feed: list[int] = field(default_factory=list)
    undated: list[int] = field(default_factory=list)
    untitled: list[int] = field(default_factory=list)
    reasons: list[bool] = field(default_factory=list)
    reason_kinds: Counter[str] = field(default_factory=Counter)
    failed_reasons: list[str] = field(default_factory=list)


def evaluate(seeds: int, size: int, strong_noise: bool) -> dict[tuple[str, int], Scores]:
    results: dict[tuple[str, int], Scores] = {}
    for seed in range(seeds):
        rng = random.Random(1000 + seed)
        liked_topics = set(rng.sample(range(TOPICS), LIKED_TOPICS))
        library = make_library(size, seed, liked_topics)
        by_id = {a.id: a for a in library.articles}
        signals = reader_signals(
            library, liked_topics, max(CHECKPOINTS), seed, strong_noise=strong_noise
        )
        recommenders = {name: Recommender(diversity=name) for name in STRATEGIES}
        observed = 0
        for count in (0, *CHECKPOINTS):
            for signal in signals[observed:count]:
                for recommender in recommenders.values():
                    recommender.observe(signal, by_id[signal.article_id])
            observed = max(observed, count)
            signalled = {s.article_id for s in signals[:count]}
            positive = [by_id[s.article_id] for s in signals[:count] if s.kind in POSITIVE]
            unread = [a for a in library.articles if a.id not in signalled]
            relevant = {a.id for a in unread if library.topic_of[a.id] in liked_topics}
            for name, recommender in recommenders.items():
                ranked = recommender.rank(unread, now=NOW, limit=10)
                ids = [r.article_id for r in ranked]
                _score(results.setdefault((name, count), Scores()), library, ids, relevant)
                scores = results[(name, count)]
                for r in ranked:
                    passes = reason_passes(r.why, by_id[r.article_id], positive)
                    scores.reasons.append(passes)
                    scores.reason_kinds[r.why.split(" ", 1)[0]] += 1
                    if not passes:
                        scores.failed_reasons.append(r.why)
            newest = [a.id for a in sorted(unread, key=_fresh_at, reverse=True)[:10]]
            _score(results.setdefault(("newest first", count), Scores()), library, newest, relevant)
    return results


def _score(scores: Scores, library: Library, ids: list[int], relevant: set[int]) -> None:
    precision, ndcg = precision_and_ndcg(ids, relevant)
    feeds = Counter(library.articles[i - 1].feed_id for i in ids)
    scores.p10.append(precision)
    scores.ndcg.append(ndcg)
    scores.feeds.append(len(feeds))
    scores.big_feed.append(feeds.get(library.big_feed, 0))
    scores.undated.append(sum(i in library.undated for i in ids))
    scores.untitled.append(sum(i in library.untitled for i in ids))


def report(results: dict[tuple[str, int], Scores], seeds: int, size: int) -> bool:
    print(
        f"Quality: {seeds} seeds x {size} articles, {TOPICS} topics, 1 feed with half of them"
        f" + {MEDIUM_FEEDS + QUIET_FEEDS} Zipf-sized feeds; means over seeds, and the min of"
        " feeds / max of rows from the big feed, undated rows, untitled rows"
    )
    print(
        f"{'ranking':<13}{'signals':>8}{'P@10':>7}{'nDCG@10':>9}{'feeds':>7}{'min':>5}"
        f"{'big':>6}{'max':>5}{'undated':>9}{'max':>5}{'untitled':>10}{'max':>5}"
        f"{'reasons ok':>12}"
    )
    for (name, count), s in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        reasons = f"{sum(s.reasons)}/{len(s.reasons)}" if s.reasons else "-"
        print(
            f"{name:<13}{count:>8}{statistics.fmean(s.p10):>7.3f}{statistics.fmean(s.ndcg):>9.3f}"
            f"{statistics.fmean(s.feeds):>7.1f}{min(s.feeds):>5}"
            f"{statistics.fmean(s.big_feed):>6.1f}{max(s.big_feed):>5}"
            f"{statistics.fmean(s.undated):>9.1f}{max(s.undated):>5}"
            f"{statistics.fmean(s.untitled):>10.1f}{max(s.untitled):>5}"
            f"{reasons:>12}"
        )
    cap20 = results[("cap", 20)]
    every = [results[("cap", c)] for c in (0, *CHECKPOINTS)]
    checks = [
        (
            f"P@10 after 20 signals >= {TARGET_P10_AT_20}",
            statistics.fmean(cap20.p10),
            statistics.fmean(cap20.p10) >= TARGET_P10_AT_20,
        ),
        (
            f"distinct feeds in the top 10 >= {TARGET_DISTINCT_FEEDS} (every seed, every count)",
            min(min(s.feeds) for s in every),
            min(min(s.feeds) for s in every) >= TARGET_DISTINCT_FEEDS,
        ),
        (
            "rows from the half-the-library feed <= 3 (every seed, every count)",
            max(max(s.big_feed) for s in every),
            max(max(s.big_feed) for s in every) <= 3,
        ),
        (
            "undated rows in the top 10 <= 3 (every seed, every count)",
            max(max(s.undated) for s in every),
            max(max(s.undated) for s in every) <= 3,
        ),
        (
            "untitled rows in the top 10 <= 1 (every seed, every count)",
            max(max(s.untitled) for s in every),
            max(max(s.untitled) for s in every) <= 1,
        ),
        (
            "reasons that pass the rule (share)",
            sum(sum(s.reasons) for s in every) / sum(len(s.reasons) for s in every),
            all(all(s.reasons) for s in every),
        ),
    ]
    print("\nTargets (the kept strategy, the per-feed cap):")
    for label, value, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}: {value:.3g}")
    kinds = sum((s.reason_kinds for s in every), Counter())
    print("  reasons by kind: " + ", ".join(f"{k!r} {n}" for k, n in kinds.most_common()))
    failed = [why for s in every for why in s.failed_reasons]
    for why in sorted(set(failed))[:10]:
        print(f"        failing reason: {why!r}")
    return all(ok for _, _, ok in checks)


def latency(sizes: Sequence[int], runs: int) -> None:
    liked = {0, 1, 2}
    library = make_library(max(sizes), seed=99, liked=liked)
    signals = reader_signals(library, liked, 50, seed=99)
    by_id = {a.id: a for a in library.articles}
    recommender = Recommender.from_signals(signals, by_id)
    print("\nLatency of the pure ranking (vectors cached by id, as after the first rank):")
    for size in sizes:
        candidates = library.articles[:size]
        started = time.process_time()
        recommender.prepare(candidates)
        prepare = time.process_time() - started
        timings = []
        for _ in range(runs):
            started = time.process_time()
            recommender.rank(candidates, now=NOW, limit=50)
            timings.append(time.process_time() - started)
        print(
            f"  {size:>7,} candidates: rank median {statistics.median(timings) * 1000:7.1f} ms CPU"
            f" (first analysis {prepare:5.2f} s CPU)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="quality only, no latency")
    parser.add_argument("--mmr-penalty", type=float, help="try another MMR penalty")
    parser.add_argument(
        "--strong-noise",
        action="store_true",
        help="noise is the opposite reaction of any strength (recommending a disliked topic)",
    )
    args = parser.parse_args()
    if args.mmr_penalty is not None:
        recommender_module.MMR_PENALTY = args.mmr_penalty
    results = evaluate(args.seeds, args.size, args.strong_noise)
    ok = report(results, args.seeds, args.size)
    if not args.quick:
        latency((10_000, 100_000), runs=3)
    print(f"\nrecommend bench: {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
