"""Offline evaluation of the "For you" recommender on a synthetic library.

The library: 5,000 articles over 24 topics (each with its own vocabulary, plus shared filler
words), from 32 feeds that lean to two topics but mix in others, with authors, categories on
some feeds, dates over 30 days and ~4% cross-feed duplicates (same link with tracking
parameters, or the same wire story with an edited title).

The reader likes 2-3 topics (the held-back truth). They browse the library and react
to most articles they like (recommend, star, read to the end, or just open) and to some they do
not (mark read unopened, leave quickly, "less like this"); 10% of reactions are noise (the
opposite reaction). After 5, 20 and 50 signals we rank every article without a signal and
score the top 10 against the truth: relevant = an unread article in a liked topic.

Run: python bench/recommend_bench.py [--seeds 5] [--quick]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tuireader.recommend import ArticleFeatures, Recommender, Signal
from tuireader.recommend import recommender as recommender_module

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
TOPICS = 24
FEEDS = 32
TOPIC_WORDS = 40
FILLER_WORDS = 300
CHECKPOINTS = (5, 20, 50)
#: Share of a title's / teaser's words drawn from the topic vocabulary (the rest is filler).
TITLE_TOPICALITY = 0.35
TEXT_TOPICALITY = 0.15
SYLLABLES = tuple(
    "kalominerusativozepadofiguhejakelimonuperisotuvawixoyu"[i : i + 2] for i in range(0, 54, 2)
)


@dataclass(frozen=True, slots=True)
class Library:
    articles: list[ArticleFeatures]
    topic_of: dict[int, int]


def _vocabulary(rng: random.Random, size: int, taken: set[str]) -> list[str]:
    vocabulary: list[str] = []
    while len(vocabulary) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in taken:
            taken.add(word)
            vocabulary.append(word)
    return vocabulary


def make_library(size: int, seed: int) -> Library:
    rng = random.Random(seed)
    taken: set[str] = set()
    filler = _vocabulary(rng, FILLER_WORDS, taken)
    own_words = [_vocabulary(rng, TOPIC_WORDS, taken) for _ in range(TOPICS)]
    # Neighbouring topics share a third of their words (as "space" and "physics" would).
    topic_words = [
        own[: TOPIC_WORDS * 2 // 3] + own_words[(topic + 1) % TOPICS][TOPIC_WORDS * 2 // 3 :]
        for topic, own in enumerate(own_words)
    ]
    feeds = []
    for feed_id in range(1, FEEDS + 1):
        leaning = rng.sample(range(TOPICS), 2)
        authors = [f"Author {feed_id}-{i}" for i in range(3)]
        feeds.append((feed_id, f"Feed {feed_id}", leaning, authors, rng.random() < 0.5))

    def sentence(topic: int, length: int, topical: float) -> str:
        return " ".join(
            rng.choice(topic_words[topic]) if rng.random() < topical else rng.choice(filler)
            for _ in range(length)
        )

    articles: list[ArticleFeatures] = []
    topic_of: dict[int, int] = {}
    while len(articles) < size:
        article_id = len(articles) + 1
        feed_id, feed_title, leaning, authors, tags = rng.choice(feeds)
        original = articles[rng.randrange(len(articles))] if articles else None
        if original is not None and rng.random() < 0.04 and original.feed_id != feed_id:
            # The same story from another feed: tracked link, or the wire text re-titled.
            if rng.random() < 0.5:
                link = f"{original.link}?utm_source=feed{feed_id}&utm_medium=rss"
                title = original.title
            else:
                link = f"https://feed{feed_id}.example/story/{article_id}"
                title = original.title + " " + rng.choice(filler)
            articles.append(
                ArticleFeatures(
                    article_id,
                    feed_id,
                    feed_title,
                    title,
                    rng.choice(authors),
                    original.categories,
                    original.text,
                    link,
                    original.published + timedelta(minutes=rng.randint(1, 90))
                    if original.published
                    else None,
                )
            )
            topic_of[article_id] = topic_of[original.id]
            continue
        topic = rng.choice(leaning) if rng.random() < 0.7 else rng.randrange(TOPICS)
        articles.append(
            ArticleFeatures(
                id=article_id,
                feed_id=feed_id,
                feed_title=feed_title,
                title=sentence(topic, rng.randint(5, 9), TITLE_TOPICALITY).capitalize(),
                author=rng.choice(authors),
                categories=(f"topic{topic}",) if tags else (),
                text=sentence(topic, rng.randint(30, 60), TEXT_TOPICALITY),
                link=f"https://feed{feed_id}.example/story/{article_id}",
                published=NOW - timedelta(seconds=rng.uniform(0, 30 * 86400)),
            )
        )
        topic_of[article_id] = topic
    return Library(articles, topic_of)


def reader_signals(library: Library, liked: set[int], count: int, seed: int) -> list[Signal]:
    """The reader's first ``count`` reactions while browsing the library in no set order."""
    rng = random.Random(seed)
    river = list(library.articles)
    rng.shuffle(river)
    signals: list[Signal] = []
    at = NOW - timedelta(days=1)
    for article in river:
        likes = library.topic_of[article.id] in liked
        if rng.random() > (0.9 if likes else 0.25):
            continue  # scrolled past
        if rng.random() < 0.1:
            likes = not likes
        if likes:
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


def _taste_only_ranking(recommender: Recommender, unread: list[ArticleFeatures]) -> list[int]:
    """Ablation: the same model without the freshness and feed-affinity terms."""
    saved = recommender_module.FRESHNESS_WEIGHT, recommender_module.FEED_WEIGHT
    recommender_module.FRESHNESS_WEIGHT = recommender_module.FEED_WEIGHT = 0.0
    try:
        return [r.article_id for r in recommender.rank(unread, now=NOW, limit=10)]
    finally:
        recommender_module.FRESHNESS_WEIGHT, recommender_module.FEED_WEIGHT = saved


def evaluate(seeds: int, size: int) -> None:
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for seed in range(seeds):
        library = make_library(size, seed)
        rng = random.Random(1000 + seed)
        liked = set(rng.sample(range(TOPICS), rng.choice([2, 3])))
        signals = reader_signals(library, liked, max(CHECKPOINTS), seed)
        by_id = {a.id: a for a in library.articles}
        recommender = Recommender()
        for count, signal in enumerate(signals, start=1):
            recommender.observe(signal, by_id[signal.article_id])
            if count not in CHECKPOINTS:
                continue
            signalled = {s.article_id for s in signals[:count]}
            unread = [a for a in library.articles if a.id not in signalled]
            relevant = {a.id for a in unread if library.topic_of[a.id] in liked}
            for_you = [r.article_id for r in recommender.rank(unread, now=NOW, limit=10)]
            taste_only = _taste_only_ranking(recommender, unread)
            results.setdefault(("taste only", count), []).append(
                precision_and_ndcg(taste_only, relevant)
            )
            newest = [
                a.id for a in sorted(unread, key=lambda a: a.published or NOW, reverse=True)[:10]
            ]
            results.setdefault(("for you", count), []).append(precision_and_ndcg(for_you, relevant))
            results.setdefault(("newest first", count), []).append(
                precision_and_ndcg(newest, relevant)
            )
    print(f"Quality: {seeds} seeds x {size} articles, {TOPICS} topics, {FEEDS} feeds")
    print(f"{'ranking':<14}{'signals':>8}{'P@10':>8}{'nDCG@10':>9}")
    for (name, count), values in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        precision = statistics.fmean(v[0] for v in values)
        ndcg = statistics.fmean(v[1] for v in values)
        print(f"{name:<14}{count:>8}{precision:>8.3f}{ndcg:>9.3f}")


def latency(sizes: Sequence[int], runs: int) -> None:
    library = make_library(max(sizes), seed=99)
    liked = {0, 1}
    signals = reader_signals(library, liked, 50, seed=99)
    by_id = {a.id: a for a in library.articles}
    recommender = Recommender.from_signals(signals, by_id)
    print("Latency (features cached by id, as after the first rank):")
    for size in sizes:
        candidates = library.articles[:size]
        started = time.perf_counter()
        recommender.prepare(candidates)
        prepare = time.perf_counter() - started
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            recommender.rank(candidates, now=NOW, limit=50)
            timings.append(time.perf_counter() - started)
        print(
            f"  {size:>7,} candidates: rank median {statistics.median(timings) * 1000:7.1f} ms"
            f" (first analysis {prepare:5.2f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="quality only, no 100k latency")
    args = parser.parse_args()
    evaluate(args.seeds, args.size)
    latency((10_000,) if args.quick else (10_000, 100_000), runs=5)


if __name__ == "__main__":
    main()
