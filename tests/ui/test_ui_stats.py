"""The reading stats screen: ctrl+t shows the plots, computed in a worker, feed text safe."""

from __future__ import annotations

from textual.widgets import Static
from uihelpers import AppFactory, settle

from tuireader.core import Reader
from tuireader.store import ArticleQuery
from tuireader.ui.screens.stats import StatsScreen


async def test_ctrl_t_shows_what_was_read(reader: Reader, app_factory: AppFactory) -> None:
    for article in reader.articles(ArticleQuery(), limit=3):
        reader.store.record_event("open", article_id=article.id)
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        report = str(app.screen.query_one("#stats-report", Static).render())
        assert "3 articles opened" in report
        assert "Articles opened per day" in report and "Most read feeds" in report
        assert "\x1b" not in report  # plotext's colours became styles, not raw escapes
        await pilot.press("w")  # another period, recomputed off the loop
        await settle(pilot)
        assert "last 7 days" in str(app.screen.query_one("#stats-report", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, StatsScreen)
