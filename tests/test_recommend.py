"""The "For you" recommender: signals move the ranking, explanations, duplicates, state."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tuireader.recommend import ArticleFeatures, Recommendation, Recommender, Signal
from tuireader.recommend.dedup import normalized_link
from tuireader.recommend.explain import reason_passes

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

CABLES = [
    "Fibre-optic cables cut near the undersea landing station",
    "Repair ship reaches damaged fibre-optic cables off the coast",
    "New fibre-optic cables will link three islands by spring",
    "Why fibre-optic cables keep failing in the shallow strait",
]
BREAD = [
    "Sourdough starter tips from a village bakery",
    "Rye loaves and the science of a slow proof",
    "Baking focaccia with olive oil and rosemary",
    "The best flour for crusty bread at home",
]


def article(
    article_id: int,
    title: str,
    *,
    feed_id: int = 1,
    feed_title: str = "",
    text: str = "",
    author: str | None = None,
    link: str | None = None,
    categories: tuple[str, ...] = (),
    age_hours: float = 5.0,
) -> ArticleFeatures:
    return ArticleFeatures(
        id=article_id,
        feed_id=feed_id,
        feed_title=feed_title or f"Feed {feed_id}",
        title=title,
        author=author,
        categories=categories,
        text=text or title,
        link=link if link is not None else f"https://feed{feed_id}.example/{article_id}",
        published=NOW - timedelta(hours=age_hours),
    )


def signal(article_id: int, kind: str, minutes: int = 0) -> Signal:
    return Signal(article_id, kind, NOW - timedelta(hours=1) + timedelta(minutes=minutes))


def scores(recommender: Recommender, candidates: list[ArticleFeatures]) -> dict[int, float]:
    ranked = recommender.rank(candidates, now=NOW, limit=len(candidates))
    return {r.article_id: r.score for r in ranked}


def order(recommender: Recommender, candidates: list[ArticleFeatures]) -> list[int]:
    return [r.article_id for r in recommender.rank(candidates, now=NOW)]


# The signalled articles (feed 1) and two unread candidates, one per topic, from two other
# feeds, equally fresh: only the learned taste separates them.
SEEN_CABLE = article(1, CABLES[0], feed_id=1)
SEEN_BREAD = article(2, BREAD[0], feed_id=1)
UNREAD_CABLE = article(11, CABLES[1], feed_id=2)
UNREAD_BREAD = article(12, BREAD[1], feed_id=3)
CANDIDATES = [UNREAD_CABLE, UNREAD_BREAD]


@pytest.mark.parametrize(
    ("kinds", "direction"),
    [
        (["recommend"], +1),
        (["star"], +1),
        (["open"], +1),
        (["read_long"], +1),
        (["quick_leave"], -1),
        (["skip"], -1),
        (["less_like"], -1),
        (["recommend", "unrecommend"], 0),
        (["star", "unstar"], 0),
    ],
)
def test_each_signal_kind_moves_similar_articles_the_right_way(
    kinds: list[str], direction: int
) -> None:
    recommender = Recommender()
    for minute, kind in enumerate(kinds):
        recommender.observe(signal(SEEN_CABLE.id, kind, minute), SEEN_CABLE)
    result = scores(recommender, CANDIDATES)
    lead = result[UNREAD_CABLE.id] - result[UNREAD_BREAD.id]
    if direction == 0:
        assert lead == pytest.approx(0.0)
        assert scores(recommender, CANDIDATES) == scores(Recommender(), CANDIDATES)
    else:
        assert lead * direction > 0.05


def test_stronger_signals_move_the_ranking_further() -> None:
    leads = {}
    for kind in ("open", "read_long", "recommend"):
        recommender = Recommender()
        recommender.observe(signal(SEEN_CABLE.id, kind), SEEN_CABLE)
        recommender.observe(signal(SEEN_BREAD.id, "skip", 1), SEEN_BREAD)
        result = scores(recommender, CANDIDATES)
        leads[kind] = result[UNREAD_CABLE.id] - result[UNREAD_BREAD.id]
    assert 0 < leads["open"] < leads["read_long"] < leads["recommend"]


def test_muting_a_feed_sinks_its_articles_below_everything() -> None:
    liked = article(20, CABLES[2], feed_id=5)
    others = [article(21, BREAD[2], feed_id=6, age_hours=200), article(22, BREAD[3], feed_id=7)]
    recommender = Recommender()
    recommender.observe(signal(SEEN_CABLE.id, "recommend"), SEEN_CABLE)
    assert order(recommender, [liked, *others])[0] == liked.id
    recommender.observe(signal(liked.id, "mute_feed", 1), liked)
    ranked = recommender.rank([liked, *others], now=NOW)
    assert ranked[-1].article_id == liked.id
    assert ranked[-1].why == "from Feed 5, a feed you muted"


def test_less_like_changes_the_very_next_ranking() -> None:
    recommender = Recommender()
    # Equal interest in both topics so far.
    recommender.observe(signal(SEEN_CABLE.id, "read_long"), SEEN_CABLE)
    recommender.observe(signal(SEEN_BREAD.id, "read_long", 1), SEEN_BREAD)
    fresher_bread = article(13, "Sourdough starter care for beginners", feed_id=3, age_hours=1)
    assert order(recommender, [UNREAD_CABLE, fresher_bread])[0] == fresher_bread.id
    disliked = article(14, "Sourdough starter recipes everyone gets wrong", feed_id=4)
    recommender.observe(signal(disliked.id, "less_like", 2), disliked)
    assert order(recommender, [UNREAD_CABLE, fresher_bread])[0] == UNREAD_CABLE.id


def test_why_names_the_topic_of_the_articles_the_reader_recommended() -> None:
    recommender = Recommender()
    for i, title in enumerate(CABLES[:3]):
        seen = article(100 + i, title, feed_id=10 + i)
        recommender.observe(signal(seen.id, "recommend", i), seen)
    candidate = article(200, CABLES[3], feed_id=20)
    top = recommender.rank([candidate, UNREAD_BREAD], now=NOW)[0]
    assert top.article_id == candidate.id
    assert top.why == "about fibre-optic cables, like 3 articles you liked"


def test_why_counts_every_kind_of_liking() -> None:
    recommender = Recommender()
    for i, (title, kind) in enumerate(zip(CABLES[:2], ["star", "read_long"], strict=True)):
        seen = article(100 + i, title, feed_id=10 + i)
        recommender.observe(signal(seen.id, kind, i), seen)
    top = recommender.rank([article(200, CABLES[3], feed_id=20)], now=NOW)[0]
    assert top.why == "about fibre-optic cables, like 2 articles you liked"


def test_why_names_an_author_the_reader_stars() -> None:
    recommender = Recommender()
    starred = [
        article(100, "Tidal power in the north", feed_id=10, author="Jane Doe"),
        article(101, "Chess openings for beginners", feed_id=11, author="Jane Doe"),
    ]
    for i, seen in enumerate(starred):
        recommender.observe(signal(seen.id, "star", i), seen)
    candidate = article(200, "Orchids of the high Andes", feed_id=20, author="Jane Doe")
    other = article(201, "Glacier melt measured again", feed_id=21, author="John Roe")
    top = recommender.rank([other, candidate], now=NOW)[0]
    assert top.article_id == candidate.id
    assert top.why == "by Jane Doe, like 2 articles you liked"


def test_why_names_the_feed_the_reader_reads_most() -> None:
    recommender = Recommender()
    titles = ["Tidal power", "Chess openings", "Orchid care", "Glacier melt", "Jazz history"]
    for i, title in enumerate(titles):
        seen = article(100 + i, title, feed_id=7, feed_title="Ars Technica")
        recommender.observe(signal(seen.id, "open", i), seen)
    once = article(110, "Kite surfing", feed_id=8)
    recommender.observe(signal(once.id, "open", 9), once)
    candidate = article(200, "Volcano drones map lava", feed_id=7, feed_title="Ars Technica")
    other = article(201, "Parliament debates budget", feed_id=9)
    top = recommender.rank([other, candidate], now=NOW)[0]
    assert top.article_id == candidate.id
    assert top.why == "from Ars Technica, a feed you often read"


def test_cold_start_puts_fresh_articles_first_and_says_new_from_feed() -> None:
    candidates = [
        article(1, "Old story", feed_id=1, age_hours=72),
        article(2, "Fresh story", feed_id=2, feed_title="Ars Technica", age_hours=1),
        article(3, "Middle story", feed_id=3, age_hours=20),
    ]
    ranked = Recommender().rank(candidates, now=NOW)
    assert [r.article_id for r in ranked] == [2, 3, 1]
    assert ranked[0].why == "new from Ars Technica"


def test_cold_start_prefers_the_feeds_the_reader_opens_most() -> None:
    recommender = Recommender()
    for i in range(4):
        seen = article(100 + i, f"Harbour notice number {i}", feed_id=2)
        recommender.observe(signal(seen.id, "open", i), seen)
    opened_once = article(110, "Museum hours change", feed_id=3)
    recommender.observe(signal(opened_once.id, "open", 9), opened_once)
    candidates = [
        article(1, "Tram timetable revised", feed_id=1, age_hours=120),
        article(2, "Lighthouse repainted", feed_id=3, age_hours=120),
        article(3, "Ferry fares frozen", feed_id=2, age_hours=120),
        article(4, "Bridge reopens", feed_id=1, age_hours=1),
    ]
    ranked = order(recommender, candidates)
    # Equally old: the most-opened feed first, unopened last; in one feed, the fresher first.
    assert ranked.index(3) < ranked.index(2) < ranked.index(1)
    assert ranked.index(4) < ranked.index(1)


def test_same_link_with_tracking_parameters_is_one_story() -> None:
    first = article(1, "Storm closes port", feed_id=1, link="https://news.example/a/storm/")
    second = article(
        2,
        "Port shut as storm arrives",
        feed_id=2,
        link="http://www.news.example/a/storm?utm_source=rss&utm_medium=feed&fbclid=x",
        age_hours=6,
    )
    ranked = Recommender().rank([second, first], now=NOW)
    assert ranked == [Recommendation(1, ranked[0].score, ranked[0].why, duplicates=(2,))]


def test_near_identical_stories_from_two_feeds_are_grouped() -> None:
    text = (
        "The regional council approved a new budget on Tuesday that raises spending on "
        "schools and buses while freezing fees for residents until next year."
    )
    first = article(1, "Council approves budget raising school spending", feed_id=1, text=text)
    second = article(
        2,
        "Council approves budget raising school spending - Local Wire",
        feed_id=2,
        text=text.replace("Tuesday", "Tuesday evening"),
        age_hours=7,
    )
    unrelated = article(
        3,
        "Council rejects budget cutting bus routes",
        feed_id=3,
        text="The city council rejected a plan on Monday to cut bus routes in the outer districts.",
    )
    ranked = Recommender().rank([first, second, unrelated], now=NOW)
    assert [(r.article_id, r.duplicates) for r in ranked] == [(1, (2,)), (3, ())]


def test_different_stories_on_one_topic_are_not_grouped() -> None:
    candidates = [article(i, title, feed_id=i) for i, title in enumerate(CABLES, start=1)]
    ranked = Recommender().rank(candidates, now=NOW)
    assert len(ranked) == 4
    assert all(r.duplicates == () for r in ranked)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("https://a.example/x?id=3&utm_campaign=z", "https://www.a.example/x/?id=3", True),
        ("https://a.example/x#comments", "http://a.example/x", True),
        ("https://a.example/x?id=3", "https://a.example/x?id=4", False),
        ("https://a.example/x", "https://b.example/x", False),
    ],
)
def test_normalized_link(first: str, second: str, same: bool) -> None:
    assert (normalized_link(first) == normalized_link(second)) is same


def _random_history(seed: int) -> tuple[dict[int, ArticleFeatures], list[Signal]]:
    rng = random.Random(seed)
    titles = CABLES + BREAD
    articles = {
        i: article(i, rng.choice(titles) + f" part {i}", feed_id=rng.randint(1, 4), author="A")
        for i in range(1, 40)
    }
    kinds = ["recommend", "unrecommend", "star", "unstar", "open", "read_long"]
    kinds += ["quick_leave", "skip", "less_like", "mute_feed"]
    signals = [signal(rng.randint(1, 39), rng.choice(kinds), minute) for minute in range(60)]
    return articles, signals


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rebuild_from_signals_equals_incremental_updates(seed: int) -> None:
    articles, signals = _random_history(seed)
    incremental = Recommender()
    for s in signals:
        incremental.observe(s, articles[s.article_id])
    shuffled = list(signals)
    random.Random(seed).shuffle(shuffled)
    rebuilt = Recommender.from_signals(shuffled, articles)
    assert rebuilt.to_state() == incremental.to_state()
    candidates = list(articles.values())
    assert rebuilt.rank(candidates, now=NOW) == incremental.rank(candidates, now=NOW)


def test_state_round_trip_ranks_the_same() -> None:
    articles, signals = _random_history(4)
    original = Recommender.from_signals(signals, articles)
    restored = Recommender.from_state(original.to_state())
    candidates = list(articles.values())
    assert restored.rank(candidates, now=NOW) == original.rank(candidates, now=NOW)
    with pytest.raises(ValueError):
        Recommender.from_state(b"not a state")


def test_signals_on_unknown_articles_are_ignored_when_rebuilding() -> None:
    rebuilt = Recommender.from_signals([signal(999, "recommend")], {})
    assert rebuilt.to_state() == Recommender().to_state()


def test_observe_rejects_a_signal_for_another_article() -> None:
    with pytest.raises(ValueError):
        Recommender().observe(signal(5, "open"), SEEN_CABLE)


def test_recommend_does_not_import_textual_or_rich() -> None:
    code = (
        "import sys, tuireader.recommend\n"
        "bad = [m for m in ('textual', 'rich', 'sqlite3') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


# --- reasons, diversity, undated entries --------------------------------------------------


def test_reasons_a_person_would_not_write_fail_the_rule() -> None:
    liked = [article(100 + i, title, feed_id=10) for i, title in enumerate(CABLES)]
    candidate = article(200, "Fibre-optic cables never fail near Owen's tank", feed_id=20)
    for why in [
        "like an article you read about never",  # the old wording, a stopword
        "about never, like 4 articles you liked",
        "about owen, like 4 articles you liked",  # a lone word
        "about tank, like 2 articles you liked",
        "about cables the, like 4 articles you liked",  # a stopword in the phrase
        "about undersea landing, like 2 articles you liked",  # not in the suggestion
        "from Some Other Feed, a feed you often read",  # not its feed
        "about fail near, like 2 articles you liked",  # not in the liked ones
    ]:
        assert not reason_passes(why, candidate, liked), why
    assert reason_passes("about fibre-optic cables, like 4 articles you liked", candidate, liked)
    assert not reason_passes(  # shared by one liked article only
        "about fibre-optic cables, like 4 articles you liked", candidate, liked[:1]
    )
    assert reason_passes("from Feed 20, a feed you often read", candidate, liked)
    assert reason_passes("new from Feed 20", candidate, liked)


def test_a_phrase_is_never_made_across_a_sentence_or_clause() -> None:
    """Features pair words across punctuation, but "after the storm. National parks" is
    no "storm national" to a reader: a reason's phrase stands within one clause."""
    liked = [
        article(100 + i, f"Rangers count damage after the storm. National parks {n}", feed_id=10)
        for i, n in enumerate(("shut", "reopen", "wait"))
    ]
    candidate = article(200, "Flood barriers hold in the storm. National parks stay shut")
    why = "about storm national, like 3 articles you liked"
    assert not reason_passes(why, candidate, liked)
    assert reason_passes("about national parks, like 3 articles you liked", candidate, liked)
    recommender = Recommender()
    for seen in liked:
        recommender.observe(signal(seen.id, "recommend"), seen)
    [top] = recommender.rank([candidate], now=NOW)
    assert "storm national" not in top.why and reason_passes(top.why, candidate, liked)


def test_a_phrase_only_one_liked_article_has_is_not_a_reason() -> None:
    recommender = Recommender()
    seen = article(100, "Tidal lagoon turbines tested offshore", feed_id=10)
    recommender.observe(signal(seen.id, "recommend"), seen)
    candidate = article(200, "Tidal lagoon turbines approved", feed_id=20)
    [top] = recommender.rank([candidate], now=NOW)
    assert top.why == "new from Feed 20"
    assert reason_passes(top.why, candidate, [seen])


def test_every_reason_of_a_real_ranking_passes_the_rule() -> None:
    recommender = Recommender()
    liked = [
        article(100 + i, title, feed_id=10 + i % 2, categories=("Networks",))
        for i, title in enumerate(CABLES[:3])
    ]
    for i, seen in enumerate(liked):
        recommender.observe(signal(seen.id, "star", i), seen)
    candidates = [
        article(200 + i, title, feed_id=20 + i, categories=("Networks",) if i % 2 else ())
        for i, title in enumerate([CABLES[3], *BREAD, "Cables and bread", "Undersea news"])
    ]
    ranked = recommender.rank(candidates, now=NOW)
    assert {r.why.split(" ")[0] for r in ranked} >= {"about", "new"}
    by_id = {a.id: a for a in candidates}
    assert all(reason_passes(r.why, by_id[r.article_id], liked) for r in ranked)


def _prolific_library() -> tuple[list[ArticleFeatures], list[ArticleFeatures]]:
    """Feed 1 writes 40 cable articles; 20 other feeds write one each, half on cables."""
    rng = random.Random(7)
    cable_words = "undersea landing station repair ship coast islands strait splice repeater"
    bread_words = "sourdough starter village bakery loaves proof focaccia rosemary flour crust"

    def title(words: str) -> str:
        return " ".join(rng.sample(words.split(), 6))

    prolific = [
        article(i, f"Fibre-optic cables {title(cable_words)}", feed_id=1, age_hours=i)
        for i in range(1, 41)
    ]
    others = [
        article(100 + i, title(cable_words) if i % 2 else title(bread_words), feed_id=10 + i)
        for i in range(20)
    ]
    return prolific, others


def test_one_prolific_feed_gets_at_most_three_of_the_top_ten() -> None:
    prolific, others = _prolific_library()
    recommender = Recommender()
    for i, seen in enumerate([*prolific[:3], others[1], others[3]]):
        recommender.observe(signal(seen.id, "recommend", i), seen)
    candidates = prolific[3:] + others
    for diversity, most in (("cap", 3), ("none", 10)):
        recommender.diversity = diversity  # type: ignore[assignment]
        top = recommender.rank(candidates, now=NOW, limit=10)
        from_prolific = sum(r.article_id < 100 for r in top)
        assert from_prolific == most if diversity == "none" else from_prolific <= most
    recommender.diversity = "cap"
    top20 = recommender.rank(candidates, now=NOW, limit=20)
    assert sum(r.article_id < 100 for r in top20) <= 6  # three in every ten


def test_the_cap_is_lifted_when_nearly_everything_the_reader_likes_is_from_that_feed() -> None:
    prolific, others = _prolific_library()
    recommender = Recommender()
    for i, seen in enumerate(prolific[:2]):
        recommender.observe(signal(seen.id, "recommend", i), seen)
    top = recommender.rank(prolific[12:] + others, now=NOW, limit=10)
    assert sum(r.article_id < 100 for r in top) <= 3  # two articles say little yet
    for i, seen in enumerate(prolific[2:12]):
        recommender.observe(signal(seen.id, "recommend", i), seen)
    top = recommender.rank(prolific[12:] + others, now=NOW, limit=10)
    assert sum(r.article_id < 100 for r in top) > 3


def test_undated_entries_count_from_first_seen_at_half_the_freshness() -> None:
    titles = {1: "Harbour dredging resumes", 2: "Tram timetable revised", 3: "Museum hours change"}
    dated = [article(i, titles[i], feed_id=i, age_hours=i) for i in (1, 2, 3)]
    old_undated = replace(
        article(10, "Lighthouse repainted", feed_id=10),
        published=None,
        first_seen=NOW - timedelta(days=20),
    )
    never_seen = replace(article(11, "Ferry fares frozen", feed_id=11), published=None)
    new_undated = replace(
        article(12, "Bridge reopens", feed_id=12),
        published=None,
        first_seen=NOW - timedelta(minutes=90),
    )
    ranked = order(Recommender(), [old_undated, never_seen, *dated, new_undated])
    # Dated 1-3 hours old; undated first seen 90 minutes ago (half the freshness of an hour
    # old, so below three hours old); undated first seen 20 days ago; never seen.
    assert ranked == [1, 2, 3, 12, 10, 11]
