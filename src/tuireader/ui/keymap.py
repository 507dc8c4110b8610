"""Every key of the reader in one table: bindings, the help screen, the palette and the config.

Each binding has an id (the action name users write in ``config.toml`` under ``[keys]``),
so ``next_unread = "n,ctrl+n"`` rebinds it through Textual's keymap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class KeyAction:
    id: str
    keys: str
    action: str
    description: str
    #: Where it lives: "list", "reader", "sidebar" or "screen".
    scope: str = "screen"
    show: bool = False


ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("down", "j,down", "cursor_down", "Next article", "list"),
    KeyAction("up", "k,up", "cursor_up", "Previous article", "list"),
    KeyAction("open", "enter,l", "open", "Open article", "list", show=True),
    KeyAction("reader_next", "j", "next_article", "Next article", "reader"),
    KeyAction("reader_previous", "k", "previous_article", "Previous article", "reader"),
    KeyAction("sidebar_down", "j", "cursor_down", "Next view", "sidebar"),
    KeyAction("sidebar_up", "k", "cursor_up", "Previous view", "sidebar"),
    KeyAction("sidebar_open", "l", "select", "Show view", "sidebar"),
    KeyAction("back", "h,escape", "back", "Back", "screen", show=True),
    KeyAction("page_down", "space", "page_down", "Page down / next unread", "screen"),
    KeyAction("page_up", "shift+space", "page_up", "Page up", "screen"),
    KeyAction("next_feed", "J", "next_feed", "Next feed", "screen"),
    KeyAction("previous_feed", "K", "previous_feed", "Previous feed", "screen"),
    KeyAction("next_unread", "n", "next_unread", "Next unread", "screen", show=True),
    KeyAction("previous_unread", "p", "previous_unread", "Previous unread", "screen"),
    KeyAction("open_browser", "o", "open_browser", "Open in browser", "screen"),
    KeyAction("toggle_read", "m", "toggle_read", "Toggle read", "screen", show=True),
    KeyAction("mark_view_read", "A", "mark_view_read", "Mark view read", "screen"),
    KeyAction("undo", "u", "undo", "Undo mark read", "screen"),
    KeyAction("star", "s", "star", "Star", "screen", show=True),
    KeyAction("recommend", "r", "recommend", "Recommend", "screen", show=True),
    KeyAction("less_like", "x", "less_like", "Less like this (For you)", "screen"),
    KeyAction("toggle_text", "t", "toggle_text", "Feed text / page text", "screen"),
    KeyAction("full_text_mode", "F", "full_text_mode", "Feed's full text: auto/always/never"),
    KeyAction("refresh_feed", "R", "refresh_feed", "Refresh feed", "screen"),
    KeyAction("refresh_all", "ctrl+r", "refresh_all", "Refresh all", "screen", show=True),
    KeyAction("search", "slash", "search", "Search", "screen", show=True),
    KeyAction("add_feed", "a", "add_feed", "Add feed", "screen", show=True),
    KeyAction("remove_feed", "d", "remove_feed", "Remove feed", "screen"),
    KeyAction("edit_feed", "e", "edit_feed", "Edit feed", "screen"),
    KeyAction("feed_problem", "i", "feed_problem", "Why a feed fails", "screen"),
    KeyAction("copy_link", "y", "copy_link", "Copy link", "screen"),
    KeyAction("links", "L", "links", "Links", "screen"),
    KeyAction("toggle_unread", "U", "toggle_unread", "Unread only / all", "screen"),
    KeyAction("cycle_sort", "S", "cycle_sort", "Sort", "screen"),
    KeyAction("save_search", "ctrl+s", "save_search", "Save search", "screen"),
    KeyAction("import", "I", "import_file", "Import OPML/urls", "screen"),
    KeyAction("help", "question_mark", "help", "Help", "screen", show=True),
    KeyAction("quit", "q", "app.quit", "Quit", "screen", show=True),
)

#: Keys 1..9 open the numbered links of the article being read.
LINK_KEYS = tuple(str(n) for n in range(1, 10))


def bindings(scope: str) -> list[Binding]:
    return [
        Binding(a.keys, a.action, a.description, show=a.show, id=a.id)
        for a in ACTIONS
        if a.scope == scope
    ]


def link_bindings() -> list[Binding]:
    return [
        Binding(key, f"open_link({key})", f"Open link {key}", show=False, id=f"link_{key}")
        for key in LINK_KEYS
    ]


def check_keymap(keys: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The usable part of the config's ``keys`` table, and a problem line per unknown id."""
    known = {a.id for a in ACTIONS} | {f"link_{k}" for k in LINK_KEYS}
    usable = {name: value for name, value in keys.items() if name in known}
    problems = [f"keys: unknown action {name!r} ignored" for name in keys if name not in known]
    return usable, problems


def keys_for(action: KeyAction, keymap: Mapping[str, str]) -> str:
    """The keys an action answers to now, as people write them."""
    raw = keymap.get(action.id, action.keys)
    return ", ".join(_display(key.strip()) for key in raw.split(","))


def _display(key: str) -> str:
    return {"slash": "/", "question_mark": "?", "space": "space"}.get(key, key)


def palette_actions() -> Iterable[KeyAction]:
    """Actions worth offering in the command palette (not plain cursor movement)."""
    skip = {"down", "up", "reader_next", "reader_previous", "sidebar_down", "sidebar_up"}
    return (a for a in ACTIONS if a.id not in skip and a.scope == "screen")
