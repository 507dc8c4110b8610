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
    #: A sentence for the command palette: what it does, in the user's words.
    help: str = ""
    #: A shorter label for the footer, where room is scarce ("" : the description).
    short: str = ""

    @property
    def footer_label(self) -> str:
        return self.short or self.description


ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("down", "j,down", "cursor_down", "Next article", "list"),
    KeyAction("up", "k,up", "cursor_up", "Previous article", "list"),
    KeyAction("open", "enter,l", "open", "Open article", "list", show=True, short="Open"),
    KeyAction("reader_next", "j", "next_article", "Next article", "reader"),
    KeyAction("reader_previous", "k", "previous_article", "Previous article", "reader"),
    KeyAction("sidebar_down", "j", "cursor_down", "Next view", "sidebar"),
    KeyAction("sidebar_up", "k", "cursor_up", "Previous view", "sidebar"),
    KeyAction("sidebar_open", "l", "select", "Show view", "sidebar"),
    KeyAction(
        "back",
        "h,escape",
        "back",
        "Back",
        "screen",
        show=True,
        help="Close the article, or move focus one pane to the left",
    ),
    KeyAction(
        "page_down",
        "space",
        "page_down",
        "Page down / next unread",
        "screen",
        help="Scroll the article down; at its end, open the next unread one",
    ),
    KeyAction(
        "page_up",
        "shift+space,b,minus",
        "page_up",
        "Page up",
        "screen",
        help="Scroll the article up (b or - where shift+space reaches the app as space)",
    ),
    KeyAction(
        "next_feed",
        "J",
        "next_feed",
        "Next feed",
        "screen",
        help="Show the next feed's articles",
    ),
    KeyAction(
        "previous_feed",
        "K",
        "previous_feed",
        "Previous feed",
        "screen",
        help="Show the previous feed's articles",
    ),
    KeyAction(
        "next_unread",
        "n",
        "next_unread",
        "Next unread",
        "screen",
        show=True,
        help="Open the next unread article of this view",
    ),
    KeyAction(
        "previous_unread",
        "p",
        "previous_unread",
        "Previous unread",
        "screen",
        help="Open the previous unread article of this view",
    ),
    KeyAction(
        "open_browser",
        "o",
        "open_browser",
        "Open in browser",
        "screen",
        help="Open the selected article's web page in your browser",
    ),
    KeyAction(
        "toggle_read",
        "m",
        "toggle_read",
        "Toggle read",
        "screen",
        show=True,
        short="Read",
        help="Mark the selected article read, or unread again",
    ),
    KeyAction(
        "mark_view_read",
        "A",
        "mark_view_read",
        "Mark view read",
        "screen",
        help="Mark every article of this view read (u undoes it)",
    ),
    KeyAction(
        "undo",
        "u",
        "undo",
        "Undo",
        "screen",
        help="Take back the last mark-view-read (A) or less-like (x)",
    ),
    KeyAction(
        "star",
        "s",
        "star",
        "Star",
        "screen",
        show=True,
        help="Star the selected article, or unstar it",
    ),
    KeyAction(
        "recommend",
        "r",
        "recommend",
        "Recommend",
        "screen",
        show=True,
        help="Tell For you you liked this article (again to take it back)",
    ),
    KeyAction(
        "less_like",
        "x",
        "less_like",
        "Less like this (For you)",
        "screen",
        help="In For you: show fewer articles like the selected one",
    ),
    KeyAction(
        "toggle_text",
        "t",
        "toggle_text",
        "Feed text / page text",
        "screen",
        help="Switch the article between the feed's text and its web page's full text",
    ),
    KeyAction(
        "full_text_mode",
        "F",
        "full_text_mode",
        "Feed's full text: auto/always/never",
        help="Choose when this feed's articles fetch their full page: auto, always, never",
    ),
    KeyAction(
        "refresh_feed",
        "R",
        "refresh_feed",
        "Refresh feed",
        "screen",
        help="Fetch new articles of the selected feed (or of the folder's feeds)",
    ),
    KeyAction(
        "refresh_all",
        "ctrl+r",
        "refresh_all",
        "Refresh all",
        "screen",
        show=True,
        short="Refresh",
        help="Fetch new articles of every feed",
    ),
    KeyAction(
        "search",
        "slash",
        "search",
        "Search",
        "screen",
        show=True,
        help="Search titles, authors and text of every article",
    ),
    KeyAction(
        "add_feed",
        "a",
        "add_feed",
        "Add feed",
        "screen",
        show=True,
        help="Subscribe to a feed by its address, or a site's",
    ),
    KeyAction(
        "remove_feed",
        "d",
        "remove_feed",
        "Remove feed",
        "screen",
        help="Unsubscribe from the selected feed and delete its articles",
    ),
    KeyAction(
        "edit_feed",
        "e",
        "edit_feed",
        "Feed settings",
        "screen",
        help="The selected feed's settings: title, folder, tags, refresh interval, "
        "retention, full text, mute, data saver, auto-download, and the rules that apply",
    ),
    KeyAction(
        "feed_problem",
        "i",
        "feed_problem",
        "Why a feed fails",
        "screen",
        help="Say why the selected feed failed to refresh, or when it last did",
    ),
    KeyAction(
        "copy_link",
        "y",
        "copy_link",
        "Copy link",
        "screen",
        help="Copy the selected article's web address to the clipboard",
    ),
    KeyAction(
        "links",
        "L",
        "links",
        "Links",
        "screen",
        help="List the open article's links and open one",
    ),
    KeyAction(
        "toggle_unread",
        "U",
        "toggle_unread",
        "Unread only / all",
        "screen",
        help="Show only unread articles of feeds, folders and searches, or all of them",
    ),
    KeyAction(
        "cycle_sort",
        "S",
        "cycle_sort",
        "Sort",
        "screen",
        help="Sort the list newest first, oldest first or by feed",
    ),
    KeyAction(
        "save_search",
        "ctrl+s",
        "save_search",
        "Save search",
        "screen",
        help="Keep the current search in the sidebar",
    ),
    KeyAction(
        "import",
        "I",
        "import_file",
        "Import OPML/urls",
        "screen",
        help="Subscribe to the feeds of an OPML file or a newsboat urls file",
    ),
    KeyAction(
        "help",
        "question_mark",
        "help",
        "Help",
        "screen",
        show=True,
        help="Show every key",
    ),
    KeyAction(
        "stats",
        "ctrl+t",
        "show_stats",
        "Reading stats",
        "screen",
        help="Articles opened per day and feed, reading time, bytes fetched and saved",
    ),
    # [keys engineer] vim motions, the sidebar, multi-select and commands (issue 10).
    # A key written with spaces ("g g") is a sequence: typed one key after the other.
    KeyAction(
        "top",
        "g g",
        "top",
        "First article / top",
        "screen",
        help="Go to the list's first article, or the top of the article being read",
    ),
    KeyAction(
        "bottom",
        "G",
        "bottom",
        "Last article / bottom",
        "screen",
        help="Go to the list's last article, or the end of the article being read",
    ),
    KeyAction(
        "half_down",
        "ctrl+d",
        "half_page(1)",
        "Half a page down",
        "screen",
        help="Move half a screen down the list, or scroll the article half a screen",
    ),
    KeyAction(
        "half_up",
        "ctrl+u",
        "half_page(-1)",
        "Half a page up",
        "screen",
        help="Move half a screen up the list, or scroll the article half a screen",
    ),
    KeyAction(
        "centre",
        "z z",
        "centre",
        "Centre the current row",
        "screen",
        help="Scroll the list so the current article sits in its middle",
    ),
    KeyAction(
        "toggle_sidebar",
        "w",
        "toggle_sidebar",
        "Hide / show feeds pane",
        "screen",
        help="Hide the feeds pane to widen the list and the article (kept across restarts)",
    ),
    KeyAction(
        "select",
        "v",
        "toggle_select",
        "Select article (several)",
        "screen",
        help="Select the current article and move on; s, m, r and | then act on all selected",
    ),
    KeyAction(
        "run_command",
        "exclamation_mark",
        "run_command",
        "Run a command",
        "screen",
        help="Type a command to run, with the current article's address and title at hand",
    ),
    KeyAction(
        "pipe",
        "vertical_line",
        "pipe_article",
        "Pipe article to a command",
        "screen",
        help="Type a command that gets the current (or selected) article on its stdin",
    ),
    # --- media: enclosures (podcasts), images ---
    KeyAction(
        "download",
        "D",
        "download",
        "Download enclosures",
        "screen",
        show=True,
        short="Download",
        help="Download the current article's podcast episode or other enclosures",
    ),
    KeyAction(
        "cancel_download",
        "C",
        "cancel_download",
        "Cancel download",
        "screen",
        help="Stop the running download (D resumes it where it stopped)",
    ),
    KeyAction(
        "play",
        "P",
        "play",
        "Play enclosure",
        "screen",
        show=True,
        short="Play",
        help="Play the current article's episode (the downloaded file, else its address)",
    ),
    KeyAction(
        "downloads",
        "E",
        "downloads",
        "Download queue",
        "screen",
        show=True,
        short="Queue",
        help="List queued, downloaded and failed episodes; play them or mark them played",
    ),
    KeyAction(
        "cycle_images",
        "c",
        "cycle_images",
        "Images: off / on demand / auto",
        "screen",
        help="Choose how the reading pane shows images: off, a line to load each, or all",
    ),
    KeyAction("quit", "q", "app.quit", "Quit", "screen", show=True, help="Leave tuireader"),
    # --- the query language in the app: matches, tags (issue 10) ---
    KeyAction(
        "find_next",
        "n",
        "find_next",
        "Next match (in a search)",
        "reader",
        help="In a search: the next match in the article (else n is next unread)",
    ),
    KeyAction(
        "find_previous",
        "N",
        "find_previous",
        "Previous match (in a search)",
        "reader",
        help="In a search: the previous match in the article",
    ),
    KeyAction(
        "tag",
        "T",
        "tag",
        "Tags",
        "screen",
        help="Tag or untag the current article; in the sidebar, its feed",
    ),
)

#: Keys 1..9 open the numbered links of the article being read.
LINK_KEYS = tuple(str(n) for n in range(1, 10))


def bindings(scope: str) -> list[Binding]:
    return [
        Binding(a.keys, a.action, a.footer_label, show=a.show, id=a.id)
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
    if " " in key:  # a sequence: "g g" is typed gg
        return "".join(_display(part) for part in key.split())
    return KEY_NAMES.get(key, key)


#: Textual's names of keys people write as the character.
KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "space": "space",
    "minus": "-",
    "exclamation_mark": "!",
    "vertical_line": "|",
}


def palette_actions() -> Iterable[KeyAction]:
    """Actions worth offering in the command palette (not plain cursor movement)."""
    skip = {"down", "up", "reader_next", "reader_previous", "sidebar_down", "sidebar_up"}
    return (a for a in ACTIONS if a.id not in skip and a.scope == "screen")
