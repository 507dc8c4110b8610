"""Enclosures in the app: the reading pane's lines, downloads (D, C), playing (P) and the
download queue (E), over a real loopback server, a real store file and real players."""

from __future__ import annotations

import shlex
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from uihelpers import AppFactory, build_reader, main, settle, store_entries, toasts, until

from helpers.programs import require_program
from loopback import LoopbackServer, Request, Response, ranged
from test_player import silent_wav
from tuireader.config import Config
from tuireader.core import Reader
from tuireader.models import Enclosure, ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery
from tuireader.ui.media import enclosure_line
from tuireader.ui.screens.downloads import DownloadsScreen
from tuireader.ui.widgets.reading_pane import ReadingPane

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
EPISODE = b"ID3" + bytes(range(256)) * 400  # 100 KB: a few chunks of progress


def add_episode(
    reader: Reader, url: str, *, title: str = "Winter light", kind: str = "audio/mpeg"
) -> int:
    """A podcast feed with one episode whose enclosure is ``url``; returns the article id."""
    feed = reader.store.add_feed(f"https://pod.example/{title}.xml", folder="Pods")
    entry = ParsedEntry(
        title=title,
        guid="ep-" + title,
        link="https://pod.example/ep",
        published=T0,
        content_html="<p>Show notes.</p>",
        enclosures=(Enclosure(url, kind, len(EPISODE)),),
    )
    reader.store.store_feed(
        feed.id,
        ParsedFeed(title="The Long Wave", entries=(entry,)),
        body_hash="1",
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    return reader.store.article_ids(ArticleQuery(feed_id=feed.id))[0]


def media_text(app: Any) -> str:
    return str(main(app).query_one("#media-enclosures", Static).render())


async def open_episode(pilot: Pilot[Any], article_id: int) -> None:
    await settle(pilot)
    main(pilot.app).open_article(article_id)
    await settle(pilot)


def served_episode(
    tmp_path: Path, http_server: LoopbackServer, config: Config | None = None
) -> tuple[Reader, int]:
    """A library with one episode, served with ranges at /ep.mp3; returns it and the id."""
    reader = build_reader(tmp_path / "t.db", demo=False, config=config)
    http_server.add_handler("/ep.mp3", ranged(EPISODE))
    return reader, add_episode(reader, http_server.url("/ep.mp3"))


def test_an_enclosure_line_says_type_size_duration_and_state() -> None:
    from tuireader.store import EnclosureState

    base = EnclosureState(1, "https://x/e.mp3", "audio/mpeg", 30 * 2**20, "Ep", "Feed")
    assert str(enclosure_line(base, 1)) == "▶ 1  audio/mpeg · 30 MB · not downloaded"
    done = EnclosureState(
        1, "https://x/e.mp3", "audio/mpeg\x1b[2J[b]", None, "Ep", "Feed",
        download="done", total=31_000_000, duration=2472.0, position=750.0,
    )  # fmt: skip
    line = enclosure_line(done, 2)
    assert str(line) == "▶ 2  audio/mpeg[b] · 29.6 MB · 41:12 · downloaded · stopped at 12:30"
    assert isinstance(line, Text) and "\x1b" not in str(line)
    downloading = enclosure_line(base, 1, (4_300_000, 31_457_280))
    assert "downloading 4.1 MB of 30 MB" in str(downloading)
    played = EnclosureState(1, "u", None, None, "Ep", "F", played=True)
    assert str(enclosure_line(played, 1)) == "▶ 1  attachment · not downloaded · played"


async def test_the_reading_pane_lists_enclosures_not_an_attachments_part(
    reader: Reader, app_factory: AppFactory
) -> None:
    [podcast] = [a for a in reader.articles(ArticleQuery(), limit=500) if "Wave" in a.feed_title][
        :1
    ]
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, podcast.id)
        assert media_text(app).startswith("▶ 1  audio/mpeg · ")
        assert "not downloaded" in media_text(app)
        shown = main(app).query_one(ReadingPane).shown
        assert shown is not None and "Attachments" not in shown.markdown
        assert ".mp3" not in shown.markdown
        # An article with no enclosure shows no media block at all.
        other = next(
            a for a in reader.articles(ArticleQuery(), limit=50) if a.feed_id != podcast.feed_id
        )
        main(app).open_article(other.id)
        await settle(pilot)
        assert not main(app).query_one("#article-media").has_class("shown")


async def test_d_downloads_with_progress_in_the_status_line(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    reader = build_reader(tmp_path / "t.db", demo=False)
    release = threading.Event()

    def slow(request: Request) -> None:
        # Most of the episode (past one 64 KB read), then wait for the test: the status
        # line shows it mid-way.
        half = 70_000
        request.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\n"
            + f"Content-Length: {len(EPISODE)}\r\n\r\n".encode()
            + EPISODE[:half]
        )
        while not release.is_set() and not request.wait(0.01):
            pass
        request.write(EPISODE[half:])

    http_server.add_handler("/ep.mp3", slow)
    article_id = add_episode(reader, http_server.url("/ep.mp3"))
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, article_id)
        await pilot.press("D")
        status = main(app).status_line
        await until(pilot, lambda: "Downloading Winter light: " in str(status.render()), "progress")
        assert "of 100 KB" in str(status.render())
        await until(pilot, lambda: "downloading" in media_text(app), "the line's progress")
        await pilot.press("E")  # the queue shows the running download too

        def row() -> str:
            listing = app.screen.query(OptionList)
            if not listing or not listing.first().option_count:
                return ""
            return str(listing.first().get_option_at_index(0).prompt)

        await until(pilot, lambda: "downloading 64 KB of 100 KB" in row(), "the queue's row")
        await pilot.press("escape")
        release.set()
        await until(pilot, lambda: "⤓ Downloaded 1 file" in str(status.render()), "the end")
        await settle(pilot)
        assert "· downloaded" in media_text(app)
    [state] = reader.episodes.states(article_id)
    assert state.download == "done" and Path(state.path or "").read_bytes() == EPISODE


async def test_the_footer_shows_d_p_e_on_an_episode_and_not_elsewhere(
    reader: Reader, app_factory: AppFactory
) -> None:
    # Seen in the user trial: D, P and E were only in the help screen, so a podcast
    # listener never learnt them from the footer.
    from textual.widgets._footer import FooterKey

    episode = next(
        a.id for a in reader.store.list_articles(ArticleQuery(), limit=100) if a.enclosures
    )
    app = app_factory(reader)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        screen = main(app)

        def footer() -> set[str]:
            return {k.action for k in screen.query(FooterKey)}

        first = screen.articles.ids[0]
        assert not screen.articles.row(first).enclosures  # type: ignore[union-attr]
        assert not {"download", "play", "downloads"} & footer()
        screen.articles.cursor = screen.articles.index_of(episode) or 0
        await until(pilot, lambda: "download" in footer(), "D in the footer")
        assert {"download", "play", "downloads", "help", "app.quit"} <= footer()
        await pilot.press("D")  # still works everywhere: says why there is nothing
        screen.articles.cursor = 0
        await until(pilot, lambda: "download" not in footer(), "D gone again")


async def test_a_download_waiting_on_a_silent_server_says_so_and_c_cancels_it(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    # Seen in the user trial: on a server that never answered, the episode said "queued" and
    # the status line nothing until the 20 s timeout, so nobody knew C would stop it.
    reader = build_reader(tmp_path / "t.db", demo=False)

    def silent(request: Request) -> Response | None:
        request.wait(30)  # no status line, no headers, until the server stops
        return None

    http_server.add_handler("/ep.mp3", silent)
    article_id = add_episode(reader, http_server.url("/ep.mp3"))
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, article_id)
        await pilot.press("D")
        status = main(app).status_line
        await until(pilot, lambda: http_server.in_flight == 1, "the request")
        await until(pilot, lambda: "Waiting for" in str(status.render()), "the waiting line")
        assert "Winter light" in str(status.render()) and "C cancels" in str(status.render())
        assert "waiting for the server" in media_text(app)
        await pilot.press("C")
        await until(pilot, lambda: "cancelled" in str(status.render()), "the cancel")
        [state] = reader.episodes.states(article_id)
        assert state.download == "failed" and "cancelled" in (state.error or "")


async def test_c_cancels_and_d_resumes_from_the_part_file(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    reader = build_reader(tmp_path / "t.db", demo=False)
    first = threading.Event()
    ranges: list[str] = []
    stream = ranged(EPISODE)

    def hold(request: Request) -> Response | None:
        ranges.append(request.headers.get("range", ""))
        if first.is_set():
            return stream(request)
        first.set()
        request.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\n"
            + f"Content-Length: {len(EPISODE)}\r\n\r\n".encode()
            + EPISODE[:70_000]
        )
        request.wait(30)  # until the server stops: C must not wait for more bytes
        return None

    http_server.add_handler("/ep.mp3", hold)
    article_id = add_episode(reader, http_server.url("/ep.mp3"))
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, article_id)
        await pilot.press("D")
        status = main(app).status_line
        await until(pilot, lambda: "Downloading" in str(status.render()), "progress")
        await pilot.press("C")
        await until(pilot, lambda: "cancelled" in str(status.render()), "the cancel")
        assert "⤓ Nothing downloaded · cancelled" in str(status.render())
        [state] = reader.episodes.states(article_id)
        assert state.download == "failed" and "cancelled" in (state.error or "")
        assert "download failed: cancelled" in media_text(app)
        await pilot.press("D")
        await until(pilot, lambda: "⤓ Downloaded 1 file" in str(status.render()), "the resume")
        await settle(pilot)
    assert ranges[0] == "" and ranges[1].startswith("bytes=") and ranges[1] != "bytes=0-"
    [state] = reader.episodes.states(article_id)
    assert Path(state.path or "").read_bytes() == EPISODE


async def test_an_episode_over_the_cap_is_one_line_and_nothing_kept(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    reader, article_id = served_episode(tmp_path, http_server, Config(download_max_bytes=10_000))
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, article_id)
        await pilot.press("D")
        await until(pilot, lambda: "failed" in str(main(app).status_line.render()), "the failure")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        over = "100 KB is over the download limit of 10 KB"
        assert errors == [f"Download failed: Winter light: {over}"]
        assert "download failed: 100 KB is over the download limit" in media_text(app)
    assert not list((tmp_path / "cache").rglob("*.mp3*"))


async def test_the_demo_downloads_nothing(reader: Reader, app_factory: AppFactory) -> None:
    [podcast] = [a for a in reader.articles(ArticleQuery(), limit=500) if "Wave" in a.feed_title][
        :1
    ]
    app = app_factory(reader, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, podcast.id)
        await pilot.press("D")
        await settle(pilot)
        assert any("demo library is offline" in n.message for n in app._notifications)
    assert reader.episodes.downloads() == []


async def test_d_downloads_again_an_episode_whose_file_was_deleted(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    """A downloaded file removed by hand (or a cache cleaner) used to leave D saying
    "Nothing to download" while the pane still said "downloaded": no way to get it back."""
    reader, article_id = served_episode(tmp_path, http_server)
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, article_id)
        await pilot.press("D")
        await until(pilot, lambda: "downloaded" in media_text(app), "the download")
        [state] = reader.episodes.states(article_id)
        Path(state.path or "").unlink()
        await pilot.press("D")
        await settle(pilot)
        await until(pilot, lambda: Path(state.path or "").exists(), "the second download")
        said = toasts(app)
        assert not any("Nothing to download" in m for m in said), said
    [again] = reader.episodes.states(article_id)
    assert again.download == "done" and Path(again.path or "").read_bytes() == EPISODE


async def test_d_says_which_reason_there_is_nothing_to_download(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    reader, article_id = served_episode(tmp_path, http_server)
    feed = reader.store.add_feed("https://plain.example/feed")
    store_entries(reader.store, feed.id, "Plain", (ParsedEntry(title="Words only", guid="w"),))
    [plain_id] = [i for i in reader.store.query_ids("") if i != article_id]
    app = app_factory(reader)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_episode(pilot, plain_id)
        await pilot.press("D")
        await settle(pilot)
        assert "no enclosure" in list(app._notifications)[-1].message
        await open_episode(pilot, article_id)
        await pilot.press("D")
        await until(pilot, lambda: "downloaded" in media_text(app), "the download")
        await pilot.press("D")
        await settle(pilot)
        assert "downloaded already" in list(app._notifications)[-1].message


async def test_the_reading_keys_in_the_download_queue_do_not_end_the_app(
    reader: Reader, app_factory: AppFactory
) -> None:
    """space in the queue (E) ended the app with a traceback: the queue inherited the
    text dialogs' scroll keys, which look for a scrolling text it does not have."""
    app = app_factory(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, DownloadsScreen)
        for key in ("space", "b", "minus", "G", "ctrl+d", "ctrl+u", "home", "end"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, DownloadsScreen), key
        await pilot.press("escape")
        await settle(pilot)
        main(app)


async def test_the_demo_streams_nothing_either(tmp_path: Path, app_factory: AppFactory) -> None:
    """P on a demo episode (never downloaded) used to hand its address to the player: the
    demo promises no network, and the user saw only "The player exited with status 2"."""
    player, out = recording_player(tmp_path)
    reader = build_reader(tmp_path / "t.db", config=Config(player=player))
    [podcast] = [a for a in reader.articles(ArticleQuery(), limit=500) if "Wave" in a.feed_title][
        :1
    ]
    app = app_factory(reader, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, podcast.id)
        await pilot.press("P")
        await settle(pilot)
        said = toasts(app)
        assert any("demo library is offline" in m for m in said), said
    assert not out.exists()


def recording_player(tmp_path: Path) -> tuple[str, Path]:
    out = tmp_path / "played.txt"
    script = f"import sys; open({str(out)!r}, 'a').write(sys.argv[1] + '\\n')"
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(script)} %f", out


async def test_p_plays_the_downloaded_file_else_the_address(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    player, out = recording_player(tmp_path)
    reader, article_id = served_episode(tmp_path, http_server, Config(player=player))
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, article_id)
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("D")
        await until(pilot, lambda: "downloaded" in media_text(app), "the download")
        await pilot.press("P")
        await settle(pilot)
    [state] = reader.episodes.states(article_id)
    assert out.read_text().splitlines() == [http_server.url("/ep.mp3"), state.path]


async def test_p_with_mpv_resumes_where_it_stopped(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    require_program("mpv", "plays podcast episodes")
    quit_later = tmp_path / "quit.lua"
    quit_later.write_text(  # quits once a second has played, by mpv's own clock
        'mp.observe_property("time-pos", "number", function(_, t)\n'
        '  if t and t >= 1.0 then mp.command("quit") end\n'
        "end)\n"
    )
    mpv = f"mpv --no-video --ao=null --no-terminal --script={quit_later} %f"
    reader = build_reader(tmp_path / "t.db", demo=False, config=Config(player=mpv))
    http_server.add_handler("/ep.wav", ranged(silent_wav(3.0), "audio/wav"))
    article_id = add_episode(reader, http_server.url("/ep.wav"), kind="audio/wav")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, article_id)
        await pilot.press("P")
        await until(pilot, lambda: "stopped at" in media_text(app), "the stop")
        said = toasts(app)
        # About a second in: mpv's last report before it quit may come just before 1.0.
        assert said[-1] in (f"Stopped Winter light at 0:0{n}: P resumes there." for n in (0, 1))
        assert "· 0:03 ·" in media_text(app)  # the duration mpv reported
    [state] = reader.episodes.states(article_id)
    assert 0.5 <= state.position <= 1.5 and not state.played


async def test_e_lists_the_queue_plays_and_marks_played(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    player, out = recording_player(tmp_path)
    reader, article_id = served_episode(tmp_path, http_server, Config(player=player))
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_episode(pilot, article_id)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, DownloadsScreen)
        assert "Nothing downloaded yet" in str(app.screen.query_one("#downloads-summary").render())
        await pilot.press("escape", "D")
        await until(pilot, lambda: "downloaded" in media_text(app), "the download")
        await pilot.press("E")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DownloadsScreen)
        listing = screen.query_one(OptionList)
        assert listing.option_count == 1
        row = str(listing.get_option_at_index(0).prompt)
        assert row.startswith("Winter light · The Long Wave\naudio/mpeg · 100 KB · downloaded")
        await pilot.press("m")
        await settle(pilot)
        assert "played" in str(screen.query_one(OptionList).get_option_at_index(0).prompt)
        await pilot.press("P", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "· played" in media_text(app)
    [state] = reader.episodes.states(article_id)
    assert state.played and out.read_text().splitlines() == [state.path, state.path]


async def test_d_on_selected_articles_downloads_all_their_episodes(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory
) -> None:
    reader = build_reader(tmp_path / "t.db", demo=False)
    for name in ("a", "b"):
        http_server.add_handler(f"/{name}.mp3", ranged(EPISODE))
    first = add_episode(reader, http_server.url("/a.mp3"), title="Winter light")
    second = add_episode(reader, http_server.url("/b.mp3"), title="Spring tide")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.articles.select_id(first)
        screen.articles.focus()
        await pilot.press("v")
        screen.articles.select_id(second)
        await pilot.press("v", "D")
        status = screen.status_line
        await until(pilot, lambda: "⤓ Downloaded 2 files" in str(status.render()), "both downloads")
        await settle(pilot)
        assert not screen.selection  # the selection empties, as after s, m, r
    states = [s for article_id in (first, second) for s in reader.episodes.states(article_id)]
    assert [s.download for s in states] == ["done", "done"]
