"""Issue 10's keys in the app: vim motions and sequences, the feeds pane, n into the next
feed, v multi-select, and the user's commands ([commands], ! and |)."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input
from uihelpers import AppFactory, build_reader, main, settle, toasts, until

from tuireader.config import Config
from tuireader.core import Reader
from tuireader.store import ArticleQuery
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.screens.help import HelpScreen, help_table
from tuireader.ui.screens.prompts import FormScreen
from tuireader.ui.widgets.article_list import ROW_HEIGHT
from tuireader.ui.widgets.status import ListTitle, StatusLine


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def rendered(table: Table) -> str:
    console = Console(width=120, color_system=None)
    with console.capture() as out:
        console.print(table)
    return out.get()


def status(app: TuiReaderApp) -> str:
    return main(app).query_one(StatusLine).text().plain


def title(app: TuiReaderApp) -> str:
    return main(app).query_one(ListTitle).render().plain


def flags(reader: Reader, ids: list[int]) -> dict[int, tuple[bool, bool, bool]]:
    return {r.id: (r.read, r.starred, r.recommended) for r in reader.summaries(ids)}


async def start(pilot: Pilot[Any]) -> None:
    await settle(pilot)


# --- motions ---


async def test_gg_G_ctrl_d_u_and_zz_move_the_list(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(120, 24)) as pilot:
        await start(pilot)
        articles = main(app).articles
        last = len(articles.ids) - 1
        assert last > 12
        await pilot.press("G")
        assert articles.cursor == last
        await pilot.press("g", "g")
        assert articles.cursor == 0
        half = articles.scrollable_content_region.height // ROW_HEIGHT // 2
        await pilot.press("ctrl+d")
        assert articles.cursor == half
        await pilot.press("ctrl+d", "ctrl+u")
        assert articles.cursor == half
        await pilot.press("ctrl+u")
        assert articles.cursor == 0
        # zz: the current row in the middle of the list.
        await pilot.press("ctrl+d", "ctrl+d")
        await pilot.press("z", "z")
        await pilot.pause()
        rows = articles.scrollable_content_region.height // ROW_HEIGHT
        top = int(articles.scroll_y) // ROW_HEIGHT
        assert articles.scroll_y % ROW_HEIGHT == 0 and top > 0
        assert abs((articles.cursor - top) - (rows - 1) // 2) <= 1
        # In the feeds pane: its first and last entries.
        sidebar = main(app).sidebar
        await pilot.press("h")
        assert sidebar.has_focus
        await pilot.press("G")
        assert sidebar.highlighted == sidebar.option_count - 1
        await pilot.press("g", "g")
        assert sidebar.highlighted == 0


async def test_motions_scroll_the_article_when_it_has_the_keys(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(120, 20)) as pilot:
        await start(pilot)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot)
        pane = screen.reader_pane
        assert pane.has_focus and pane.max_scroll_y > 4
        cursor = screen.articles.cursor
        await pilot.press("ctrl+d")
        assert pane.scroll_y == min(pane.max_scroll_y, pane.scrollable_content_region.height // 2)
        await pilot.press("G")
        assert pane.scroll_y == pane.max_scroll_y
        await pilot.press("ctrl+u")
        assert 0 < pane.scroll_y < pane.max_scroll_y
        await pilot.press("g", "g")
        assert pane.scroll_y == 0
        # The list did not move: the same article stays the current one, open.
        assert screen.articles.cursor == cursor and screen.open_id is not None


async def test_a_pending_key_shows_times_out_and_escape_cancels_it(
    reader: Reader, app_factory: AppFactory
) -> None:
    clock = Clock()
    app = app_factory(reader, monotonic=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await start(pilot)
        screen = main(app)
        articles = screen.articles
        await pilot.press("j", "j", "g")
        assert "g…" in status(app) and "First article" in status(app)
        # escape cancels the sequence only: focus and cursor stay.
        await pilot.press("escape")
        assert "g…" not in status(app)
        # Nothing else to say: the images note alone, not after a dangling separator.
        assert status(app) == "images are never downloaded"
        assert articles.has_focus and articles.cursor == 2
        # Another key cancels it and does its own thing.
        await pilot.press("g", "k")
        assert articles.cursor == 1 and "g…" not in status(app)
        # Too late for the second g: it begins a new sequence.
        await pilot.press("g")
        clock.now += 5
        await pilot.press("g")
        assert articles.cursor == 1 and "g…" in status(app)
        await pilot.press("g")
        assert articles.cursor == 0


async def test_sequences_are_rebindable_under_keys(tmp_path: Path, app_factory: AppFactory) -> None:
    reader = build_reader(tmp_path / "k.db", config=Config(keys={"top": "g t", "bottom": "g o e"}))
    app = app_factory(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        await start(pilot)
        articles = main(app).articles
        await pilot.press("g", "o", "e")
        assert articles.cursor == len(articles.ids) - 1
        await pilot.press("g", "t")
        assert articles.cursor == 0
        await pilot.press("G")  # no longer bound
        assert articles.cursor == 0
        assert not [t for t in toasts(app) if "begin a sequence" in t]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "gt" in rendered(help_table(app.keymap))


# --- the feeds pane ---


async def test_w_hides_the_feeds_pane_and_it_stays_hidden(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    db = tmp_path / "w.db"
    reader = build_reader(db)
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        screen = main(app)
        width = screen.articles.size.width
        await pilot.press("h")
        assert screen.sidebar.has_focus
        await pilot.press("w")
        await settle(pilot)
        assert not screen.sidebar.display or screen.sidebar.size.width == 0
        assert screen.articles.has_focus  # the hidden pane gave the keys back
        assert screen.articles.size.width > width
        await pilot.press("h")  # nowhere left to go: the list keeps the keys
        assert screen.articles.has_focus
    state = json.loads(reader.app_state_path().read_text())
    assert state["sidebar_hidden"] is True
    again = app_factory(build_reader(db, demo=False))
    async with again.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        screen = main(again)
        assert screen.has_class("no-sidebar") and screen.sidebar.size.width == 0
        await pilot.press("w")
        await settle(pilot)
        assert screen.sidebar.size.width > 0


async def test_the_help_screen_takes_the_motions_too(
    reader: Reader, app_factory: AppFactory
) -> None:
    """The keys' list is long: G, ctrl+d and ctrl+u (the reading pane's motions) did
    nothing in it, so a vim user could only crawl with j."""
    app = app_factory(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one(VerticalScroll)
        await pilot.press("ctrl+d")
        await pilot.pause()
        half = box.scroll_y
        assert 0 < half < box.max_scroll_y
        await pilot.press("G")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y - half
        await pilot.press("home")
        await pilot.pause()
        assert box.scroll_y == 0


# --- n at the end of a feed ---


async def test_n_goes_on_into_the_next_feed_with_unread_articles(
    reader: Reader, app_factory: AppFactory
) -> None:
    feeds = {f.title: f.id for f in reader.feeds()}
    gazette, wave = feeds["The Harbour Gazette"], feeds["The Long Wave"]
    reader.set_read(reader.article_ids(ArticleQuery(feed_id=gazette)), True)
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        screen = main(app)
        await pilot.press("J")  # the first feed: the Gazette, all read
        await settle(pilot)
        assert screen.view.feed_id == gazette
        await pilot.press("n")
        await settle(pilot)
        assert screen.view.feed_id == wave
        assert screen.open_id == screen.articles.ids[0]
        assert screen.reader_pane.shown is not None
        assert any("on to The Long Wave" in t for t in toasts(app))
        # The last feed with unread articles: n says so and stays.
        for feed_id in feeds.values():
            if feed_id != wave:
                reader.set_read(reader.article_ids(ArticleQuery(feed_id=feed_id)), True)
        for _ in range(len(screen.articles.ids)):
            await pilot.press("n")
            await settle(pilot)
        assert screen.view.feed_id == wave
        assert any("or the ones after it" in t for t in toasts(app))


async def test_p_goes_back_into_the_previous_feed_and_opens_its_last_unread(
    reader: Reader, app_factory: AppFactory
) -> None:
    feeds = {f.title: f.id for f in reader.feeds()}
    gazette, wave = feeds["The Harbour Gazette"], feeds["The Long Wave"]
    reader.set_read(reader.article_ids(ArticleQuery(feed_id=wave)), True)
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        screen = main(app)
        await pilot.press("J", "J")  # the second feed: The Long Wave, all read
        await settle(pilot)
        assert screen.view.feed_id == wave
        await pilot.press("p")
        await settle(pilot)
        assert screen.view.feed_id == gazette
        assert screen.open_id == screen.articles.ids[-1]


# --- v multi-select ---


async def test_the_selection_count_shows_beside_a_long_feed_title(
    reader: Reader, app_factory: AppFactory
) -> None:
    # Seen in the user trial: in a feed titled 45 characters or more, "2 selected" was cut
    # off the end of the list's title, so nothing said how many rows s or m would act on.
    feed = reader.feeds()[0]
    reader.update_feed(feed.id, title="The Harbour Gazette: every story from the peninsula")
    app = app_factory(reader)
    async with app.run_test(size=(120, 35)) as pilot:
        await start(pilot)
        await pilot.press("J")
        await settle(pilot)
        assert main(app).view.feed_id == feed.id
        await pilot.press("v", "v")
        await pilot.pause()
        shown = title(app)
        assert "2 selected" in shown and shown.startswith("The Harbour Gazette"), shown
        assert len(shown) <= main(app).query_one(ListTitle).size.width


async def test_v_selects_rows_and_s_m_r_act_on_all_of_them(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        screen = main(app)
        ids = list(screen.articles.ids)
        chosen = [ids[0], ids[2], ids[3]]
        await pilot.press("v", "j", "v", "v")
        await pilot.pause()
        assert list(screen.selection) == chosen
        assert "3 selected" in title(app)
        # Selected rows carry a mark on both lines; others do not.
        lines = [screen.articles.render_line(y).text for y in range(8)]
        assert [line.startswith("▌") for line in lines] == [
            True, True, False, False, True, True, True, True,
        ]  # fmt: skip
        before = flags(reader, ids)
        await pilot.press("s")
        await settle(pilot)
        after = flags(reader, ids)
        assert {i for i in ids if before[i] != after[i]} == set(chosen)
        assert all(after[i][1] for i in chosen)
        assert not screen.selection and "selected" not in title(app)
        assert any("Starred 3 articles" in t for t in toasts(app))
        # One store transaction: the three stars share one timestamp and three events.
        stars = [e for e in reader.store.events() if e.kind == "star"]
        assert sorted(e.article_id for e in stars) == sorted(chosen)
        # Select again: all starred, so s unstars them all; m marks them read.
        await pilot.press("g", "g", "v", "j", "v", "v")
        await pilot.press("s")
        await settle(pilot)
        assert not any(flags(reader, chosen)[i][1] for i in chosen)
        await pilot.press("g", "g", "v", "j", "v", "v", "m")
        await settle(pilot)
        assert all(flags(reader, chosen)[i][0] for i in chosen)
        assert not flags(reader, [ids[1]])[ids[1]][0]
        await pilot.press("g", "g", "v", "v", "r")
        await settle(pilot)
        assert [flags(reader, ids)[i][2] for i in ids[:3]] == [True, True, False]


async def test_escape_or_another_view_empties_the_selection(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        screen = main(app)
        await pilot.press("v", "v")
        assert len(screen.selection) == 2
        await pilot.press("escape")
        assert not screen.selection and screen.articles.has_focus  # escape did not go back
        current = screen.articles.current_id
        before = flags(reader, list(screen.articles.ids))
        await pilot.press("s")  # nothing selected: the current article only
        await settle(pilot)
        after = flags(reader, list(screen.articles.ids))
        assert {i for i in after if before[i] != after[i]} == {current}
        await pilot.press("v", "J")
        await settle(pilot)
        assert not screen.selection and "selected" not in title(app)


async def test_v_while_reading_on_a_narrow_screen_leaves_the_keys_with_the_list(
    reader: Reader, app_factory: AppFactory
) -> None:
    """At 80 columns v in the article went back to the list with the keys in the
    feeds pane: the next j changed the view and the selection was lost."""
    app = app_factory(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        screen = main(app)
        ids = list(screen.articles.ids)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.reader_pane.has_focus
        await pilot.press("v")
        await settle(pilot)
        assert screen.articles.has_focus
        await pilot.press("j", "v")
        await settle(pilot)
        assert list(screen.selection) == [ids[0], ids[2]]


# --- commands ---


def command_reader(
    tmp_path: Path, commands: dict[str, Any], keys: dict[str, str] | None = None
) -> Reader:
    return build_reader(tmp_path / "c.db", config=Config(commands=commands, keys=keys or {}))


async def test_a_command_key_gets_the_article_on_stdin_and_in_its_environment(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    out = tmp_path / "out.txt"
    env_out = tmp_path / "env.txt"
    reader = command_reader(
        tmp_path,
        {
            "P": f"sh -c 'cat > {out}; printf %s \"$TUIREADER_URL\" > {env_out}'",
            "J": {"run": f"tee {tmp_path / 'out.json'}", "json": True, "terminal": False},
            "C": {"run": "wc -c", "terminal": False},
            "X": "no-such-program-xyz",
            "Y": "sh -c 'echo broken >&2; exit 3'",
            "Z": {"run": "sh -c 'echo broken >&2; exit 4'", "terminal": False},
        },
    )
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        screen = main(app)
        current = screen.articles.current_id
        assert current is not None
        article = reader.article(current)
        assert article is not None
        await pilot.press("P")
        await settle(pilot)
        assert article.title in out.read_text()
        assert env_out.read_text() == article.link
        assert "✓" in status(app)
        await pilot.press("J")
        await settle(pilot)
        assert json.loads((tmp_path / "out.json").read_text())["id"] == current
        await pilot.press("C")
        await settle(pilot)
        assert f"'wc -c': {len(out.read_text().encode())}" in status(app)
        await pilot.press("X")
        await settle(pilot)
        assert "✗ no-such-program-xyz: command not found" in status(app)
        await pilot.press("Y")
        await settle(pilot)
        # On the terminal its stderr went to the terminal; the status says the exit status.
        assert "failed (exit status 3)" in status(app)
        await pilot.press("Z")
        await settle(pilot)
        assert "failed (exit status 4): broken" in status(app)
        assert "\n" not in status(app)


async def test_commands_run_once_per_selected_article(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    log = tmp_path / "log.txt"
    reader = command_reader(tmp_path, {"A": f"sh -c 'echo \"$TUIREADER_ID\" >> {log}'"})
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        screen = main(app)
        ids = list(screen.articles.ids)
        await pilot.press("v", "v", "A")
        await settle(pilot)
        assert log.read_text().split() == [str(ids[0]), str(ids[1])]
        assert "ran on 2 articles" in status(app)
        assert not screen.selection


async def test_a_command_cannot_take_the_keys_the_app_needs(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    # Seen in the user trial: [commands] q = "..." took q from Quit, escape from Back and
    # ? from Help; the footer still said "q Quit". Those keys stay the app's; o may go.
    ran = tmp_path / "ran.txt"
    touch = f"touch {ran}"
    reader = command_reader(
        tmp_path, {"q": touch, "escape": touch, "?": touch, "ctrl+p": touch, "o": "true"}
    )
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        said = [t for t in toasts(app) if "the app needs" in t]
        assert said == [
            "[commands] keys not bound, the app needs them: q (Quit), escape (Back),"
            " ? (Help), ctrl+p (Command palette) (free one in [keys] first)"
        ], toasts(app)
        assert any("o (Open in browser)" in t for t in toasts(app))
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        await pilot.pause()
    assert not ran.exists()
    assert app.return_code == 0


async def test_a_key_freed_in_keys_can_be_a_command(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    ran = tmp_path / "ran.txt"
    reader = command_reader(tmp_path, {"q": f"touch {ran}"}, keys={"quit": "Q"})
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        assert not [t for t in toasts(app) if "the app needs" in t]
        await pilot.press("q")
        await until(pilot, ran.exists, "the command")


async def test_a_command_key_replacing_a_built_in_is_said_in_one_line(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    ran = tmp_path / "g.txt"
    reader = command_reader(
        tmp_path,
        {"o": "true", "p": "true", "Q": {"run": 3}, "W": "true", "g": f"touch {ran}"},
    )
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        said = [t for t in toasts(app) if "replace built-in" in t]
        assert len(said) == 1 and "\n" not in said[0]
        assert "o (Open in browser)" in said[0] and "p (Previous unread)" in said[0]
        assert "g (First article / top)" in said[0]
        # g is the command's now, not the start of gg.
        await pilot.press("g")
        await settle(pilot)
        assert ran.exists() and "g…" not in status(app)
        assert "W" not in said[0].split(":", 1)[1]
        assert any("command 'Q' skipped" in t for t in toasts(app))
        # Help lists the commands; the app still runs.
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = rendered(help_table(app.keymap, app.screen._commands))
        assert "Your commands" in shown and "W  true" in shown


async def test_quitting_ends_a_background_command_still_running(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    """q while a background command ran left a blank terminal until the command ended
    (forever for one that hangs): the app waited for it."""
    pid_file = tmp_path / "pid"
    hang = tmp_path / "hang"  # no shell syntax: the app's own child, which it ends and reaps
    hang.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 600\n")
    hang.chmod(0o755)
    reader = command_reader(tmp_path, {"Y": {"run": str(hang), "terminal": False}})
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        await pilot.press("Y")
        for _ in range(2000):  # until the command runs (bounded: a hang fails)
            if pid_file.exists() and pid_file.read_text().strip():
                break
            await pilot.pause()
        pid = int(pid_file.read_text())
        assert Path(f"/proc/{pid}").exists()
    assert not Path(f"/proc/{pid}").exists()


async def test_pipe_and_bang_ask_for_a_command(tmp_path: Path, app_factory: AppFactory) -> None:
    piped = tmp_path / "piped.txt"
    env_out = tmp_path / "bang.txt"
    reader = command_reader(tmp_path, {})
    app = app_factory(reader)
    async with app.run_test(size=(140, 30)) as pilot:
        await start(pilot)
        screen = main(app)
        current = screen.articles.current_id
        assert current is not None
        article = reader.article(current)
        assert article is not None
        await pilot.press("vertical_line")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one(Input).value = f"tee {shlex.quote(str(piped))}"
        await pilot.press("enter")
        await settle(pilot)
        assert article.title in piped.read_text()
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one(Input).value = f"sh -c 'printf %s \"$TUIREADER_TITLE\" > {env_out}'"
        await pilot.press("enter")
        await settle(pilot)
        assert env_out.read_text() == article.title
        # escape in the prompt runs nothing.
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, type(screen))


async def test_command_keys_are_in_the_palette_and_run_from_it(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    ran = tmp_path / "ran.txt"
    reader = command_reader(tmp_path, {"T": f"sh -c 'echo \"$TUIREADER_ID\" > {ran}'"})
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await start(pilot)
        current = main(app).articles.current_id
        await pilot.press("ctrl+p")
        await settle(pilot)
        options = app.screen.query_one("CommandList")
        prompts = [str(option.prompt) for option in options.options]  # type: ignore[attr-defined]
        assert any(p.startswith("Command T: sh -c") for p in prompts), prompts
        assert any("Pipe article to a command (|)" in p for p in prompts)
        await pilot.press(*"Command T")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert ran.read_text().strip() == str(current)


async def test_a_key_that_begins_a_sequence_cannot_be_bound_alone(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    reader = build_reader(tmp_path / "z.db", config=Config(keys={"star": "z", "recommend": "r"}))
    app = app_factory(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        await start(pilot)
        said = [t for t in toasts(app) if "begin a sequence" in t]
        assert said == ["[keys] these keys begin a sequence, so alone they do nothing: z (Star)"]
