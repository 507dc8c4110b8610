"""New-article notifications from the running app: one per automatic refresh, all new
articles or those the ``notify`` query names, through the real ``notify.send`` writing the
terminal's escape to a captured stream; and auto-download of new episodes after a refresh."""

from __future__ import annotations

import io
from pathlib import Path

from uihelpers import AppFactory, build_reader, main, settle

from loopback import LoopbackServer, ranged
from tuireader.config import Config
from tuireader.notify import Notification, send

EPISODE = b"ID3" + bytes(range(256)) * 40


class Terminal(io.StringIO):
    """What the app writes to its terminal, kept."""

    def isatty(self) -> bool:
        return True


def feed(items: list[tuple[str, str]], enclosure: str | None = None) -> bytes:
    extra = f'<enclosure url="{enclosure}" length="{len(EPISODE)}" type="audio/mpeg"/>'
    body = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid>"
        f"<pubDate>Sun, 29 Nov 2026 1{n}:00:00 GMT</pubDate>"
        f"<description>{guid}</description>{extra if enclosure else ''}</item>"
        for n, (guid, title) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Alerts; &amp; more</title>'
        f"<link>https://alerts.example/</link>{body}</channel></rss>"
    ).encode()


HOSTILE = "Storm \x1b]0;pwned\x07warning; [b]now[/b]"


async def run_auto_refresh(
    tmp_path: Path,
    http_server: LoopbackServer,
    app_factory: AppFactory,
    config: Config,
    items: list[tuple[str, str]],
) -> list[str]:
    """Start the app on a feed fetched for the first time by the start-up refresh (an
    automatic one); returns what reached the captured terminal, one entry per notification."""
    http_server.add("/alerts.xml", feed(items))
    reader = build_reader(tmp_path / "t.db", demo=False, config=config)
    reader.store.add_feed(http_server.url("/alerts.xml"))
    terminal = Terminal()
    sent: list[str] = []

    def notifier(note: Notification) -> None:
        before = terminal.tell()
        send(note, terminal, environ={"TERM": "foot"})  # OSC 777, no notify-send
        sent.append(terminal.getvalue()[before:])

    app = app_factory(reader, notifier=notifier)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
        # A manual refresh never notifies outside the app: its reader is looking at it.
        http_server.add("/alerts.xml", feed([*items, ("z", "Urgent: a manual one")]))
        await pilot.press("ctrl+r")
        await settle(pilot)
    return sent


async def test_an_automatic_refresh_notifies_once_with_clean_titles(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    items = [("a", HOSTILE), ("b", "Calm seas"), ("c", "Fog later")]
    config = Config(refresh_on_start=True, notify="all")
    sent = await run_auto_refresh(tmp_path, http_server, app_factory, config, items)
    assert len(sent) == 1
    [sequence] = sent
    assert sequence.startswith("\x1b]777;notify;tuireader: 3 new articles in Alerts, & more;")
    body = sequence.split(";", 3)[3]
    assert body.endswith("\x1b\\") and body.count("\x1b") == 1  # only the terminator
    assert "\x07" not in body and ";" not in body[:-2]
    assert "Storm" in body and "Calm seas" in body and "Fog later" in body


async def test_the_notify_query_picks_what_is_worth_a_notification(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    items = [("a", "Urgent: storm tonight"), ("b", "Calm seas"), ("c", "Fog later")]
    config = Config(refresh_on_start=True, notify="title:urgent")
    sent = await run_auto_refresh(tmp_path, http_server, app_factory, config, items)
    assert len(sent) == 1
    assert "1 new article in" in sent[0] and "Urgent: storm tonight" in sent[0]
    assert "Calm" not in sent[0]


async def test_nothing_when_notifications_are_off_or_nothing_matches(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    items = [("a", "Calm seas")]
    off = Config(refresh_on_start=True)
    assert await run_auto_refresh(tmp_path / "off", http_server, app_factory, off, items) == []
    none = Config(refresh_on_start=True, notify="title:urgent")
    assert await run_auto_refresh(tmp_path / "q", http_server, app_factory, none, items) == []


async def test_new_episodes_of_an_auto_download_feed_download_after_a_refresh(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    http_server.add_handler("/ep.mp3", ranged(EPISODE))
    http_server.add("/pod.xml", feed([("e1", "Episode 1")], enclosure=http_server.url("/ep.mp3")))
    reader = build_reader(tmp_path / "t.db", demo=False)
    pod = reader.store.add_feed(http_server.url("/pod.xml"))
    reader.store.set_auto_download(pod.id, True)
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await settle(pilot)
        assert "⤓ Downloaded 1 file" in str(main(app).status_line.render())
    [state] = reader.episodes.downloads()
    assert state.download == "done" and Path(state.path or "").read_bytes() == EPISODE
