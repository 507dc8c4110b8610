"""The feed form: every per-feed setting in one dialog, changed from the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Label
from uihelpers import AppFactory, build_reader, main, settle

from tuireader.config import Config
from tuireader.feedsettings import feed_settings
from tuireader.models import FullTextMode
from tuireader.ui.screens.feed_settings import FeedSettingsScreen


async def test_every_setting_changes_from_the_keyboard(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    rule = {"name": "no ads", "query": "title:sponsored", "action": "hide"}
    reader = build_reader(tmp_path / "t.db", config=Config(rules=(rule,)))
    app = app_factory(reader)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("J")
        await settle(pilot)
        feed_id = screen.view.feed_id
        assert feed_id is not None
        before = feed_settings(reader, feed_id)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FeedSettingsScreen)
        # The rules that act on this feed are shown, read-only.
        assert "no ads: hide where title:sponsored" in str(
            form.query_one(".settings-rules").render()
        )

        # tab from the title: folder, tags, interval, keep days, keep, full text, checkboxes
        await pilot.press("tab", "tab")
        await pilot.press(*"podcasts, favourites")
        await pilot.press("tab", *"15", "tab", *"30", "tab", *"200")
        assert before.full_text is FullTextMode.NEVER  # the test library's feeds
        await pilot.press("tab", "enter", "up", "enter")  # full text: always
        await pilot.press("tab", "space")  # mute
        await pilot.press("tab", "tab", "space")  # auto-download
        await pilot.press("ctrl+s")
        await settle(pilot)

        after = feed_settings(reader, feed_id)
        assert after.tags == ("favourites", "podcasts")
        assert (after.interval_minutes, after.keep_days, after.keep) == (15, 30, 200)
        assert after.full_text is FullTextMode.ALWAYS
        assert after.muted and after.auto_download and not after.data_saver
        assert (after.title, after.folder) == (before.title, before.folder)

        # Emptying a number goes back to config.toml's; a word is refused in one line.
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FeedSettingsScreen)
        form.query_one("#interval", Input).value = ""
        form.query_one("#keep", Input).value = "lots"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        problem = str(form.query_one("#form-problem", Label).render())
        assert "Keep the newest" in problem and "\n" not in problem
        form.query_one("#keep", Input).value = ""
        assert form.query_one("#muted", Checkbox).value
        await pilot.press("ctrl+s")
        await settle(pilot)
        after = feed_settings(reader, feed_id)
        assert (after.interval_minutes, after.keep_days, after.keep) == (None, 30, None)

        # escape changes nothing
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#title", Input).value = "Not saved"
        await pilot.press("escape")
        await settle(pilot)
        assert feed_settings(reader, feed_id) == after


def test_feed_settings_snapshot(
    tmp_path: Path, app_factory: AppFactory, snap_compare: Callable[..., bool]
) -> None:
    """The whole form, buttons included, fits an 80x24 terminal."""
    rule = {"name": "no ads", "query": "title:sponsored", "action": "hide"}
    reader = build_reader(tmp_path / "t.db", config=Config(rules=(rule,)))

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(80, 24), run_before=run_before)
