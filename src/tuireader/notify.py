"""New-article notifications: one per refresh, through the desktop or the terminal itself.

The desktop's notification service is reached with ``notify-send`` (libnotify) when it is
installed and a session bus is there; otherwise the terminal's own escape sequences do it:
OSC 777 for the terminals that speak it (foot, urxvt, ghostty, wezterm) and OSC 9 (iTerm2,
kitty, Windows Terminal, ...) elsewhere, wrapped for tmux when inside it. Titles come from
feeds, so they are cleaned of control characters and of the separators those escapes use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TextIO

from tuireader.humanize import plural
from tuireader.models import ArticleSummary
from tuireader.sanitize import clean_line

if TYPE_CHECKING:
    from tuireader.store import Store

Channel = Literal["notify-send", "osc777", "osc9", "none"]

#: Titles named in the body; the rest are counted.
TITLES_SHOWN = 3
_OSC777_TERMINALS = ("foot", "rxvt", "ghostty", "wezterm")


@dataclass(frozen=True, slots=True)
class Notification:
    title: str
    body: str


def summarise(articles: Sequence[ArticleSummary]) -> Notification | None:
    """``3 new articles`` with the first titles and their feeds, or None for nothing new."""
    if not articles:
        return None
    feeds = {a.feed_title for a in articles}
    title = f"tuireader: {plural(len(articles), 'new article')}"
    if len(feeds) == 1:
        title += f" in {_safe(next(iter(feeds)), 60)}"
    lines = [
        _safe(a.title, 100) + ("" if len(feeds) == 1 else f" ({_safe(a.feed_title, 40)})")
        for a in articles[:TITLES_SHOWN]
    ]
    if len(articles) > TITLES_SHOWN:
        lines.append(f"and {len(articles) - TITLES_SHOWN} more")
    return Notification(title, "\n".join(lines))


def new_articles(store: Store, after_id: int, rule: str = "all") -> list[ArticleSummary]:
    """What a refresh brought (articles stored after ``after_id``) that ``rule`` names:
    ``"all"``, or a query of the query language (``notify = "tag:urgent"`` in config.toml).
    A rule that no longer parses notifies of nothing rather than of everything."""
    ids = store.article_ids_after(after_id)
    if not ids or rule == "off":
        return []
    if rule != "all":
        from tuireader.query import QueryError

        try:
            wanted = set(store.query_ids(rule))
        except QueryError:
            return []
        ids = [i for i in ids if i in wanted]
    return store.summaries(ids)


def choose_channel(environ: Mapping[str, str] | None = None) -> Channel:
    env = os.environ if environ is None else environ
    if env.get("DBUS_SESSION_BUS_ADDRESS") and shutil.which("notify-send"):
        return "notify-send"
    terminal = f"{env.get('TERM', '')} {env.get('TERM_PROGRAM', '')}".lower()
    if any(name in terminal for name in _OSC777_TERMINALS):
        return "osc777"
    return "osc9"


def terminal_sequence(note: Notification, channel: Channel, *, in_tmux: bool) -> str:
    """The escape sequence for the terminal (tmux passes it on only when wrapped)."""
    title, body = _field(note.title), _field(note.body.replace("\n", " · "))
    if channel == "osc777":
        sequence = f"\x1b]777;notify;{title};{body}\x1b\\"
    else:
        sequence = f"\x1b]9;{title}: {body}\x1b\\"
    if in_tmux:
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def send(
    note: Notification, terminal: TextIO | None, environ: Mapping[str, str] | None = None
) -> Channel:
    """Show ``note``; returns how. The terminal route needs ``terminal`` to be a tty."""
    env = os.environ if environ is None else environ
    channel = choose_channel(env)
    if channel == "notify-send":
        try:
            subprocess.run(
                ["notify-send", "--app-name=tuireader", note.title, note.body],
                check=True,
                timeout=5,
                capture_output=True,
            )
            return channel
        except (OSError, subprocess.SubprocessError):
            channel = "osc9"
    if terminal is None or not terminal.isatty():
        return "none"
    terminal.write(terminal_sequence(note, channel, in_tmux=bool(env.get("TMUX"))))
    terminal.flush()
    return channel


def _safe(text: str, limit: int) -> str:
    line = clean_line(text) or "untitled"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _field(text: str) -> str:
    """No ``;`` (OSC 777 separates fields with it) and nothing that could end the sequence."""
    return clean_line(text).replace(";", ",")
