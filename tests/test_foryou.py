"""The "For you" view over a real store: signals from the event log, explanations, adapting."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tuireader.cli import main
from tuireader.core import make_reader
from tuireader.foryou import ForYou
from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.recommend import Recommender
from tuireader.recommend.recommender import STATE_VERSION
from tuireader.store import ArticleQuery, Store

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
CABLE = "fibre-optic cable subsea landing station splice repeater"
GARDEN = "garden compost tomatoes seedlings pruning allotment"


def entries(topic: str, words: str, count: int, offset: int) -> tuple[ParsedEntry, ...]:
    vocabulary = words.split()

    def word(n: int) -> str:
        return vocabulary[n % len(vocabulary)]

    return tuple(
        ParsedEntry(
            title=f"{topic} {word(n)} {word(n + 2)} {n}",
            guid=f"{topic}-{n}",
            link=f"https://{topic}.example.org/{n}",
            published=NOW - timedelta(hours=offset + n),
            summary_html=f"<p>{' '.join(word(n + k) for k in range(12))}</p>",
        )
        for n in range(count)
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "tuireader.db", clock=lambda: NOW)
    cables = store.add_feed("https://cables.example.org/feed")
    garden = store.add_feed("https://garden.example.org/feed")
    for feed, topic, words, offset in ((cables, "cable", CABLE, 1), (garden, "garden", GARDEN, 0)):
        store.store_feed(
            feed.id,
            ParsedFeed(title=f"{topic.title()} Weekly", entries=entries(topic, words, 12, offset)),
            body_hash=None,
            etag=None,
            last_modified=None,
            bytes_downloaded=0,
        )
    return store


def ids_of(store: Store, topic: str) -> list[int]:
    return [
        s.id for s in store.list_articles(ArticleQuery(), limit=100) if s.title.startswith(topic)
    ]


def test_cold_start_is_fresh_first(store: Store) -> None:
    ranked = ForYou(store).rank(limit=6)
    dates = [item.article.published for item in ranked]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    assert {item.article.title.split()[0] for item in ranked} == {"garden", "cable"}
    assert all(item.why.startswith("new from") for item in ranked)


def test_recommendations_pull_their_topic_up_and_explain_why(store: Store) -> None:
    cables = ids_of(store, "cable")
    for article_id in cables[:3]:
        store.set_recommended(article_id, True)
        store.set_read([article_id])
    ranked = ForYou(store).rank(limit=5)
    # Three cables first; then the per-feed cap (3 in 10) gives the other feed a turn.
    assert [item.article.title.split()[0] for item in ranked] == ["cable"] * 3 + ["garden"] * 2
    assert all("articles you liked" in item.why for item in ranked[:3]), [i.why for i in ranked]


def test_skips_push_a_topic_down(store: Store) -> None:
    store.set_read(ids_of(store, "garden")[:6])  # marked read without opening: skips
    ranked = ForYou(store).rank(limit=4)
    assert all(item.article.title.startswith("cable") for item in ranked)


def test_less_like_adapts_at_once(store: Store) -> None:
    for_you = ForYou(store)
    for article_id in ids_of(store, "garden")[:2]:
        store.open_article(article_id)
        store.record_event("read_long", article_id=article_id)
    before = {item.article.id: item.score for item in for_you.rank(limit=30)}
    top = max(before, key=before.__getitem__)
    for_you.less_like(top)
    ranked = for_you.rank(limit=30)
    after = {item.article.id: item.score for item in ranked}
    assert ranked[0].article.id != top
    # Either lower, or folded under a better-ranked copy of the same story.
    assert after.get(top, float("-inf")) < before[top]


def test_muted_feed_leaves_for_you(store: Store) -> None:
    garden = next(f for f in store.list_feeds() if "garden" in f.url)
    store.update_feed(garden.id, muted=True)
    ranked = ForYou(store).rank(limit=30)
    assert ranked and all(item.article.feed_id != garden.id for item in ranked)


def test_same_story_in_two_feeds_is_shown_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db", clock=lambda: NOW)
    story = "Kestrel cable lands at Gull Point after an eleven week voyage from the yard"
    for host in ("a", "b"):
        feed = store.add_feed(f"https://{host}.example.org/feed")
        store.store_feed(
            feed.id,
            ParsedFeed(
                title=host,
                entries=(
                    ParsedEntry(
                        title=story,
                        guid="k",
                        link=f"https://news.example.org/kestrel?utm_source={host}",
                        published=NOW,
                        summary_html=f"<p>{story}. Engineers spliced the shore end.</p>",
                    ),
                ),
            ),
            body_hash=None,
            etag=None,
            last_modified=None,
            bytes_downloaded=0,
        )
    [item] = ForYou(store).rank(limit=10)
    assert len(item.duplicates) == 1


def test_cli_signals_count_like_app_signals(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    reader = make_reader(db_path=db)
    reader.load_demo()
    [first, *_] = reader.store.article_ids(ArticleQuery())
    reader.close()

    def run(*argv: str) -> str:
        out = io.StringIO()
        assert main(["--db", str(db), *argv], out=out) == 0
        return out.getvalue()

    run("recommend", str(first))
    listed = json.loads(run("list", "recommended", "--json"))
    assert [a["id"] for a in listed] == [first] and listed[0]["recommended"] is True
    run("recommend", str(first), "--undo")
    assert json.loads(run("list", "recommended", "--json")) == []
    for_you = json.loads(run("list", "for-you", "--limit", "5", "--json"))
    assert len(for_you) == 5 and {"id", "title", "score", "why"} <= for_you[0].keys()
    run("less-like", str(for_you[0]["id"]))
    kinds = [e.kind for e in Store(db).events()]
    assert kinds == ["recommend", "unrecommend", "less_like"]


def test_articles_already_acted_on_are_not_suggested(store: Store) -> None:
    for_you = ForYou(store)
    first, second, third = (item.article.id for item in for_you.rank(limit=3))
    store.set_recommended(first, True)
    store.set_starred(second, True)
    for_you.less_like(third)
    shown = {item.article.id for item in for_you.rank(limit=30)}
    assert shown and not shown & {first, second, third}


def test_less_like_can_be_taken_back(store: Store) -> None:
    for_you = ForYou(store)
    before = [(item.article.id, round(item.score, 6)) for item in for_you.rank(limit=10)]
    top = before[0][0]
    for_you.less_like(top)
    assert top not in {item.article.id for item in for_you.rank(limit=10)}
    assert for_you.undo_less_like(top)
    assert [(item.article.id, round(item.score, 6)) for item in for_you.rank(limit=10)] == before
    assert [e.kind for e in store.events()] == []
    assert not for_you.undo_less_like(top)  # nothing left to undo


def test_less_like_then_undo_brings_an_opened_article_back(store: Store) -> None:
    # In the app the cursor opens the row (and so marks it read) before "x" is pressed.
    for_you = ForYou(store)
    top = for_you.rank(limit=1)[0].article.id
    store.open_article(top)
    for_you.less_like(top)
    assert top not in {item.article.id for item in for_you.rank(limit=30)}
    assert for_you.undo_less_like(top)
    assert top in {item.article.id for item in for_you.rank(limit=30)}
    assert "less_like" not in {e.kind for e in store.events()}


def _rebuilt_from_log(store: Store) -> bytes:
    with store.db.write() as conn:
        conn.execute("DELETE FROM recommend_state")
    return ForYou(store).model_state()


def test_persisted_model_plus_new_events_equals_a_rebuild_from_the_log(store: Store) -> None:
    cables, gardens = ids_of(store, "cable"), ids_of(store, "garden")
    for article_id in cables[:3]:
        store.set_recommended(article_id, True)
    store.set_read(gardens[:4])
    first = ForYou(store)
    first.rank(limit=5)
    first.save()
    saved = store.load_recommend_state()
    assert saved is not None and saved.folded_events == len(store.events())
    # More signals after the save, some undoing earlier ones: a fresh process folds them in.
    store.set_recommended(cables[0], False)
    store.set_starred(cables[4], True)
    store.open_article(gardens[5])
    fresh = ForYou(store)
    incremental = fresh.model_state()
    ranked = [(i.article.id, i.why) for i in fresh.rank(limit=10)]
    assert store.load_recommend_state() == saved  # restored, not rebuilt and re-saved
    assert _rebuilt_from_log(store) == incremental
    assert [(i.article.id, i.why) for i in ForYou(store).rank(limit=10)] == ranked


@pytest.mark.parametrize("damage", ["version", "bytes", "event deleted"])
def test_a_persisted_model_the_log_disagrees_with_is_rebuilt(store: Store, damage: str) -> None:
    for article_id in ids_of(store, "cable")[:3]:
        store.set_recommended(article_id, True)
    for_you = ForYou(store)
    expected = [i.article.id for i in for_you.rank(limit=10)]
    for_you.save()
    state = store.load_recommend_state()
    assert state is not None
    if damage == "version":
        store.save_recommend_state(replace(state, version=state.version + 1))
    elif damage == "bytes":
        store.save_recommend_state(replace(state, data=b"garbage"))
    else:  # e.g. another tool deleted a signal: the persisted model still counts it
        with store.db.write() as conn:
            conn.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
        expected = [i.article.id for i in ForYou(store, candidate_limit=100).rank(limit=10)]
    rebuilt = ForYou(store)
    assert [i.article.id for i in rebuilt.rank(limit=10)] == expected
    rebuilt.save()
    after = store.load_recommend_state()
    assert after is not None and after.folded_events == len(store.events())
    assert after.version == STATE_VERSION and Recommender.from_state(after.data)
    assert (after == state) is (damage != "event deleted")


def test_article_vectors_are_stored_and_redone_when_the_text_changes(store: Store) -> None:
    ForYou(store).rank(limit=5)
    with store.db.read() as conn:
        stored = dict(conn.execute("SELECT article_id, data FROM recommend_vectors").fetchall())
    assert len(stored) == 24
    garden = next(f for f in store.list_feeds() if "garden" in f.url)
    changed = entries("garden", "orchid greenhouse " + GARDEN, 1, 0)
    store.store_feed(
        garden.id,
        ParsedFeed(title="Garden Weekly", entries=changed),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    ForYou(store).rank(limit=5)
    with store.db.read() as conn:
        after = dict(conn.execute("SELECT article_id, data FROM recommend_vectors").fetchall())
    redone = [i for i in stored if after[i] != stored[i]]
    assert len(redone) == 1


def test_compaction_keeps_the_model_and_what_undo_needs(tmp_path: Path) -> None:
    clock = [NOW - timedelta(days=60)]
    store = Store(tmp_path / "c.db", clock=lambda: clock[0])
    feed = store.add_feed("https://cables.example.org/feed")
    store.store_feed(
        feed.id,
        ParsedFeed(title="Cables", entries=entries("cable", CABLE, 30, 0)),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    ids = ids_of(store, "cable")
    for_you = ForYou(store)
    for _ in range(5):  # a reader paging up and down: the same articles opened again
        for article_id in ids[:10]:
            store.open_article(article_id, mark_read=False)
    store.set_starred(ids[10], True)
    store.set_starred(ids[10], False)
    store.set_recommended(ids[11], True)
    for_you.less_like(ids[12])
    store.set_read(ids[13:16])
    store.set_read(ids[13:16], False)
    clock[0] = NOW
    store.open_article(ids[20], mark_read=False)  # recent: never compacted
    before = for_you.model_state()
    events_before = len(store.events())
    assert for_you.compact() == 50 - 10 + 2 + 3  # repeats, star/unstar, mark_unread
    kinds = [e.kind for e in store.events()]
    assert len(kinds) == events_before - 45
    assert kinds.count("less_like") == 1 and kinds.count("recommend") == 1
    assert ForYou(store).model_state() == before
    assert _rebuilt_from_log(store) == before
    assert for_you.undo_less_like(ids[12])


def test_cleanup_vacuum_gives_compacted_events_back(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    clock = [NOW - timedelta(days=90)]
    store = Store(db, clock=lambda: clock[0])
    feed = store.add_feed("https://cables.example.org/feed")
    store.store_feed(
        feed.id,
        ParsedFeed(title="Cables", entries=entries("cable", CABLE, 50, 0)),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    ids = ids_of(store, "cable")
    ForYou(store).save()
    for _ in range(400):
        for article_id in ids:
            store.open_article(article_id, mark_read=False)
    store.close()
    clock[0] = NOW
    reader = make_reader(db_path=db)
    reader.store.clock = lambda: NOW
    size_before = db.stat().st_size
    result = reader.cleanup(vacuum=True)
    assert len(reader.store.events()) == 50
    assert result.bytes_after < size_before / 2
    reader.close()


def test_saving_the_model_compacts_a_log_of_repeats(tmp_path: Path) -> None:
    clock = [NOW - timedelta(days=60)]
    store = Store(tmp_path / "r.db", clock=lambda: clock[0])
    feed = store.add_feed("https://cables.example.org/feed")
    store.store_feed(
        feed.id,
        ParsedFeed(title="Cables", entries=entries("cable", CABLE, 10, 0)),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    ids = ids_of(store, "cable")
    for _ in range(110):  # 1,100 opens of 10 articles: more than 2 x 10 + COMPACT_SLACK
        for article_id in ids:
            store.open_article(article_id, mark_read=False)
    clock[0] = NOW
    before = _rebuilt_from_log(store)  # also the first save, which compacts
    assert len(store.events()) == 10
    assert ForYou(store).model_state() == before == _rebuilt_from_log(store)
