"""Pilot tests: the For you view, recommending, and the read signals the recommender learns from."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from uihelpers import FIXED_NOW, AppFactory, main, settle

from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery
from tuireader.ui.read_signals import LONG_READ_SECONDS, QUICK_LEAVE_SECONDS
from tuireader.ui.views import SMART_VIEWS, ViewKind
from tuireader.ui.widgets.article_list import ROW_HEIGHT

FOR_YOU = next(v for v in SMART_VIEWS if v.kind is ViewKind.FOR_YOU)
RECOMMENDED = next(v for v in SMART_VIEWS if v.kind is ViewKind.RECOMMENDED)


@dataclass
class ManualClock:
    """A monotonic clock the test moves by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def kinds(reader: Reader, article_id: int) -> list[str]:
    return [e.kind for e in reader.store.events() if e.article_id == article_id]


async def test_for_you_ranks_with_why_and_cold_start(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.sidebar.select_key(FOR_YOU.key)
        await settle(pilot)
        articles = screen.articles
        unread = reader.store.article_ids(ArticleQuery(unread_only=True))
        assert screen.view.kind is ViewKind.FOR_YOU
        assert sorted(articles.ids) == sorted(unread)
        # No signals yet: the freshest come first, each saying which feed it is new from.
        assert articles.ids[:3] == unread[:3]
        first = articles.row(articles.ids[0])
        note = articles.note(articles.ids[0])
        assert first is not None and note is not None
        assert note.why == f"new from {first.feed_title}"
        second_line = articles.render_line(1).text
        assert note.why in second_line
        assert "ranked for you" in str(screen.query_one("#list-title").render())


async def test_less_like_reranks_at_once_keeping_the_cursor(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key(FOR_YOU.key)
        await settle(pilot)
        articles = screen.articles
        articles.focus()
        await pilot.press("j")
        before = list(articles.ids)
        disliked = before[1]
        feed_id = reader.store.get_article(disliked).feed_id  # type: ignore[union-attr]
        await pilot.press("x")
        await settle(pilot)
        assert kinds(reader, disliked) == ["less_like"]
        after = list(articles.ids)
        assert disliked not in after  # turned down: no longer suggested at all
        assert articles.cursor == 1  # the cursor stays on its row: the next candidate
        # The rest of that feed moved down too: the ranking adapted, not just one row.
        same_feed = [
            i
            for i in before[:6]
            if i != disliked and reader.store.get_article(i).feed_id == feed_id  # type: ignore[union-attr]
        ]
        assert all(after.index(i) >= before.index(i) - 1 for i in same_feed)
        # x means nothing outside For you.
        screen.sidebar.select_key(SMART_VIEWS[0].key)
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert [e.kind for e in reader.store.events()].count("less_like") == 1


async def test_u_takes_back_a_less_like(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key(FOR_YOU.key)
        await settle(pilot)
        articles = screen.articles
        articles.focus()
        before = list(articles.ids)
        await pilot.press("x")
        await settle(pilot)
        assert before[0] not in articles.ids
        await pilot.press("u")
        await settle(pilot)
        assert list(articles.ids) == before
        assert kinds(reader, before[0]) == []


async def test_recommend_shows_count_and_recommended_view_is_newest_first(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    ticks = itertools.count()
    reader = make_reader(
        db_path=tmp_path / "t.db",
        config=Config(),
        clock=lambda: FIXED_NOW + timedelta(seconds=next(ticks)),  # every write a second later
    )
    reader.load_demo()
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        ids = list(screen.articles.ids)
        await pilot.press("j", "j", "j", "r")  # the fourth article first
        await settle(pilot)
        await pilot.press("k", "k", "enter")
        await settle(pilot)
        header = str(screen.query_one("#article-header").render())
        assert "Recommended" not in header
        await pilot.press("r")
        await settle(pilot)
        header = str(screen.query_one("#article-header").render())
        assert "♥ Recommended ×1" in header
        assert reader.store.get_article(ids[1]).recommended  # type: ignore[union-attr]
        screen.sidebar.select_key(RECOMMENDED.key)
        await settle(pilot)
        assert screen.articles.ids == [ids[1], ids[3]]  # the latest recommendation first
        assert screen.sidebar.view(RECOMMENDED.key) is not None


async def test_quick_leave_and_long_read_are_recorded(
    reader: Reader, app_factory: AppFactory
) -> None:
    clock = ManualClock()
    app = app_factory(reader, monotonic=clock)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        ids = list(main(app).articles.ids)
        await pilot.press("enter")
        await settle(pilot)
        clock.now += QUICK_LEAVE_SECONDS - 1
        await pilot.press("j")  # next article, within seconds and without scrolling
        await settle(pilot)
        assert kinds(reader, ids[0]) == ["open", "quick_leave"]
        clock.now += LONG_READ_SECONDS
        await pilot.press("j")
        await settle(pilot)
        assert kinds(reader, ids[1]) == ["open", "read_long"]
        clock.now += QUICK_LEAVE_SECONDS + 1  # neither quick nor long: nothing to learn
        await pilot.press("h")
        await settle(pilot)
        assert kinds(reader, ids[2]) == ["open"]


async def test_scrolling_to_the_end_is_a_long_read(reader: Reader, app_factory: AppFactory) -> None:
    clock = ManualClock()
    app = app_factory(reader, monotonic=clock)
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        screen = main(app)
        first = screen.articles.ids[0]
        await pilot.press("enter")
        await settle(pilot)
        pane = screen.reader_pane
        assert pane.max_scroll_y > 0
        await pilot.press("space")  # one page: scrolled, not yet the end
        await settle(pilot)
        assert kinds(reader, first) == ["open"]
        while not pane.at_end:
            await pilot.press("space")
            await pilot.pause()
        await settle(pilot)
        assert kinds(reader, first) == ["open", "read_long"]
        await pilot.press("k")  # leaving later adds nothing: it was counted once
        await settle(pilot)
        assert kinds(reader, first) == ["open", "read_long"]


async def test_same_story_from_several_feeds_shows_once_with_more_sources(
    reader: Reader, app_factory: AppFactory
) -> None:
    story = "https://wire.example/2026/11/30/ferry-strike"
    for n, host in enumerate(("one", "two", "three")):
        entry = ParsedEntry(
            title="Ferry crews walk out over winter rota",
            guid=f"s{n}",
            link=f"{story}?utm_source={host}",
            published=FIXED_NOW - timedelta(minutes=n),
            summary_html="<p>Crews on the island ferries stopped work at dawn.</p>",
        )
        reader.add_parsed_feed(f"https://{host}.example/feed", ParsedFeed(host, entries=(entry,)))
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key(FOR_YOU.key)
        await settle(pilot)
        articles = screen.articles
        ferry = [i for i in articles.ids if "Ferry" in getattr(articles.row(i), "title", "")]
        assert len(ferry) == 1
        note = articles.note(ferry[0])
        assert note is not None and note.more_sources == 2
        index = articles.ids.index(ferry[0])
        assert "+2 more sources" in articles.render_line(index * ROW_HEIGHT + 1).text
