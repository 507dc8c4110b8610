"""Pilot tests: "Sync with a server" from the welcome screen and the palette, ctrl+r syncing.

Against a real FreshRSS on 127.0.0.1 that fetched the test's own loopback feeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Input, Static
from uihelpers import AppFactory, build_reader, main, settle

from feedgen import rss
from freshrss import API_PASSWORD, FreshRSS, opml
from loopback import LoopbackServer
from tuireader.feedsettings import feed_settings
from tuireader.ui.screens.sync_form import SyncForm


@pytest.fixture
def server(shared_dir: Path, tmp_path: Path, http_server: LoopbackServer) -> Iterator[FreshRSS]:
    fr = FreshRSS(shared_dir, tmp_path / "freshrss")
    http_server.add("/alpha.xml", rss("Alpha", 3, link="https://alpha.example/"))
    subs = tmp_path / "subs.opml"
    subs.write_bytes(opml([("Alpha", http_server.url("/alpha.xml"), "News")]))
    fr.import_opml(subs)
    fr.actualize()
    try:
        yield fr
    finally:
        fr.stop()


def fill(form: SyncForm, url: str, password: str) -> None:
    form.query_one("#sync-url", Input).value = url
    form.query_one("#sync-user", Input).value = "alice"
    form.query_one("#sync-password", Input).value = password


async def test_welcome_sync_form_then_ctrl_r_syncs(
    tmp_path: Path, app_factory: AppFactory, server: FreshRSS
) -> None:
    reader = build_reader(tmp_path / "t.db", demo=False)
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # the welcome screen's "Sync with a server"
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SyncForm)

        fill(form, server.greader_url, "wrong-password")
        form.query_one("#sync-password", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form  # still open, saying why in one line
        error = str(form.query_one("#sync-error", Static).render())
        assert "refused the user name or password" in error and "wrong-password" not in error

        fill(form, server.greader_url, API_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        screen = main(app)
        assert [f.title for f in reader.feeds()] == ["Alpha"]
        assert len(screen.articles.ids) == 3
        status = str(screen.status_line.render())
        assert "alice at 127.0.0.1" in status and "synced" in status
        # No empty part between separators (seen in the user trial: "synced 07:36  ·    ·").
        assert all(part.strip() for part in status.split("  ·  ")), status

        # Read one here: queued (the status line says so); ctrl+r sends it.
        await pilot.press("enter")
        await settle(pilot)
        assert "1 change queued" in str(screen.status_line.render())
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "queued" not in str(screen.status_line.render())
        assert reader.store.queued_count() == 0
        assert server.sql("SELECT count(*) FROM entry WHERE is_read = 1").strip() == "1"

        # Renaming and removing a feed in the app go to the server first.
        feed_id = reader.feeds()[0].id
        settings = feed_settings(reader, feed_id)
        screen._save_feed(feed_id, replace(settings, title="Alpha Daily", folder="Morning"))
        await settle(pilot)
        assert server.sql("SELECT name FROM feed").strip() == "Alpha Daily"
        screen._remove_feed(feed_id)
        await settle(pilot)
        assert server.sql("SELECT count(*) FROM feed").strip() == "0"
        assert reader.feeds() == []


async def test_palette_offers_sync_with_a_server(tmp_path: Path, app_factory: AppFactory) -> None:
    reader = build_reader(tmp_path / "t.db")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sync with")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SyncForm)
        await pilot.press("escape")
        await pilot.pause()
        main(app)
