"""The left pane: smart views, saved searches, tags, folders and feeds, with unread counts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from textual.binding import BindingType
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuireader.models import Feed
from tuireader.sanitize import clean_line
from tuireader.ui import keymap
from tuireader.ui.views import SMART_VIEWS, View, ViewKind, tag_view

FAILING_MARK = "⚠"


@dataclass(frozen=True, slots=True)
class SidebarSearch:
    """A saved search (query feed); ``unread`` is None when its query no longer parses."""

    name: str
    query: str
    unread: int | None = 0


@dataclass(frozen=True, slots=True)
class SidebarTag:
    name: str
    unread: int = 0


@dataclass(frozen=True, slots=True)
class SidebarData:
    """Everything the sidebar shows, loaded in one go off the event loop."""

    feeds: tuple[Feed, ...]
    smart_counts: dict[str, int]
    searches: tuple[SidebarSearch, ...] = ()
    tags: tuple[SidebarTag, ...] = ()
    #: False: query feeds and tags not counted this time (the last ones stay shown).
    counted: bool = True


class Sidebar(OptionList):
    """Views to choose from; highlighting one shows it (so J/K and j/k browse quickly)."""

    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("sidebar")]

    @dataclass
    class ViewChosen(Message):
        view: View
        #: Chosen with enter or l (not just highlighted): the list takes the focus.
        enter: bool = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._views: dict[str, View] = {}
        self._feeds: dict[int, Feed] = {}
        self._signature: tuple[object, ...] = ()
        self._shown: dict[str, SidebarRow] = {}
        self._search_names: dict[str, str] = {}
        self._data: SidebarData | None = None
        self.border_title = "Feeds"

    @property
    def current_view(self) -> View | None:
        option = self.highlighted_option
        return self._views.get(option.id) if option is not None and option.id else None

    def feed(self, feed_id: int) -> Feed | None:
        return self._feeds.get(feed_id)

    def view(self, key: str) -> View | None:
        return self._views.get(key)

    def search_name(self, view: View) -> str | None:
        """The saved search's name when ``view`` is a saved search, else None."""
        if view.kind is not ViewKind.SEARCH or view.typed or not view.search:
            return None  # a search typed in the search line is no saved one
        return self._search_names.get(view.search)

    def tag_names(self) -> list[str]:
        """The tags in use (for completion)."""
        return [view.tag for view in self._views.values() if view.tag]

    def show_counts(
        self, searches: tuple[SidebarSearch, ...], tags: tuple[SidebarTag, ...]
    ) -> None:
        """Fresh counts of the query feeds and tags (the rest as last shown)."""
        if self._data is not None:
            self.show(replace(self._data, searches=searches, tags=tags, counted=True))

    def show(self, data: SidebarData) -> None:
        """Show fresh data, keeping the highlighted view and the scroll position."""
        if not data.counted and self._data is not None:
            data = replace(data, searches=self._data.searches, tags=self._data.tags)
        self._data = data
        self._feeds = {feed.id: feed for feed in data.feeds}
        self._search_names = {search.query: search.name for search in data.searches}
        entries = list(_entries(data))
        signature = tuple((view.key if view else None) for view, _ in entries)
        if signature == self._signature:
            # Same entries, new counts: redraw only the rows whose line changed.
            for view, prompt in entries:
                if view is None:
                    continue
                self._views[view.key] = view
                shown = self._shown.get(view.key)
                if isinstance(prompt, SidebarRow) and (
                    shown is None or shown.identity != prompt.identity
                ):
                    self._shown[view.key] = prompt
                    self.replace_option_prompt(view.key, prompt)
            return
        current = self.current_view
        scroll = self.scroll_y
        self._signature = signature
        self._views = {view.key: view for view, _ in entries if view is not None}
        self._shown = {
            view.key: prompt
            for view, prompt in entries
            if view is not None and isinstance(prompt, SidebarRow)
        }
        self.set_options(
            Option(prompt, id=view.key) if view else Option(prompt, disabled=True)
            for view, prompt in entries
        )
        self.scroll_to(y=scroll, animate=False, immediate=True)
        if current is not None and current.key in self._views:
            with self.prevent(OptionList.OptionHighlighted):
                self.highlighted = self.get_option_index(current.key)

    def select_key(self, key: str) -> bool:
        if key not in self._views:
            return False
        self.highlighted = self.get_option_index(key)
        return True

    def feed_ids_in(self, folder: str | None) -> list[int]:
        return [feed.id for feed in self._feeds.values() if feed.folder == folder]

    def step_feed(self, step: int) -> bool:
        """Move to the next (step 1) or previous (-1) feed, skipping other entries.

        False when there is no feed that way.
        """
        keys = [key for key in self._views if key.startswith("feed-")]
        if not keys:
            return False
        current = self.current_view
        order = list(self._views)
        here = order.index(current.key) if current is not None else -1
        candidates = [
            k for k in keys if (order.index(k) > here if step > 0 else order.index(k) < here)
        ]
        if not candidates:
            return False
        return self.select_key(candidates[0] if step > 0 else candidates[-1])

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id and event.option.id in self._views:
            self.post_message(self.ViewChosen(self._views[event.option.id]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id in self._views:
            self.post_message(self.ViewChosen(self._views[event.option.id], enter=True))


class SidebarRow(Visual):
    """One sidebar line: the label cut to fit with an ellipsis, the count right-aligned.

    A plain line laid out at whatever width the sidebar has, so a resize needs no rebuild;
    a ``Table.grid`` per row did the same, some 200 ms for 500 feeds on every reload.
    """

    def __init__(
        self, label: Content, count: int | None = None, *, cut_middle: bool = False
    ) -> None:
        self.label = label
        self.count = count or 0
        self._count = Content.styled(str(count), "bold") if count else Content("")
        #: Cut a long label in its middle (an address: its end tells feeds apart).
        self.cut_middle = cut_middle

    @property
    def identity(self) -> tuple[object, ...]:
        """What the row shows: equal identities draw the same line."""
        return (self.label.plain, tuple(self.label.spans), self.count, self.cut_middle)

    def line(self, width: int) -> Content:
        # A space always parts the count from the label, cut or not.
        count_width = self._count.cell_length + (1 if self.count else 0)
        room = width - count_width
        if room <= 0:
            return self._count.truncate(width)
        if self.cut_middle and self.label.cell_length > room and room > 8:
            keep = room - 1
            head = keep // 3
            label = self.label[:head] + Content("…") + self.label[-(keep - head) :]
        else:
            label = self.label.truncate(room, ellipsis=True)
        if self.count:
            label = label.extend_right(room - label.cell_length)
            return label + Content(" ") + self._count
        # padded in the label's own style, as a table cell would be
        return label.extend_right(room - label.cell_length) + self._count

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.line(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.label.cell_length + self._count.cell_length + (1 if self.count else 0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1


def _row(label: Content, count: int | None, *, cut_middle: bool = False) -> SidebarRow:
    return SidebarRow(label, count, cut_middle=cut_middle)


def short_address(url: str) -> str:
    """A feed's address without its scheme: what tells untitled feeds apart."""
    return clean_line(url.split("://", 1)[-1])


def _heading(text: str) -> Content:
    return Content.styled(text, "dim italic")


def _entries(data: SidebarData) -> list[tuple[View | None, SidebarRow | Content]]:
    entries: list[tuple[View | None, SidebarRow | Content]] = []
    for view in SMART_VIEWS:
        count = data.smart_counts.get(view.key)
        entries.append((view, _row(Content(view.label), count)))
    if data.searches:
        entries.append((None, _heading("Saved searches")))
        listed: set[str] = set()
        for search in data.searches:
            if search.query in listed:
                continue  # one view per query: a second name for it (an older library's)
            listed.add(search.query)
            view = View(ViewKind.SEARCH, f"Search: {clean_line(search.name)}", search=search.query)
            label = Content("⌕ " + clean_line(search.name))
            if search.unread is None:  # its query no longer parses: e edits it
                label = Content.assemble((FAILING_MARK + " ", "bold $error"), label)
            entries.append((view, _row(label, search.unread)))
    if data.tags:
        entries.append((None, _heading("Tags")))
        for tag in data.tags:
            name = clean_line(tag.name)
            entries.append((tag_view(name), _row(Content("# " + name), tag.unread)))
    folders: dict[str | None, list[Feed]] = {}
    for feed in data.feeds:
        folders.setdefault(feed.folder, []).append(feed)
    for folder in sorted(folders, key=lambda f: (f is None, (f or "").casefold())):
        feeds = folders[folder]
        indent = ""
        if folder is not None:
            name = clean_line(folder)
            view = View(ViewKind.FOLDER, name, folder=folder)
            entries.append(
                (view, _row(Content.styled("▾ " + name, "bold"), sum(f.unread for f in feeds)))
            )
            indent = "  "
        elif len(folders) > 1:
            entries.append((None, _heading("Not in a folder")))
        for feed in feeds:
            title = clean_line(feed.title)  # never empty: the store falls back to the URL
            untitled = feed.title == feed.url
            if untitled:
                title = short_address(feed.url)
            label = Content.assemble(
                indent,
                (FAILING_MARK + " ", "bold $error") if feed.last_error else "",
                (title, "dim") if feed.muted else title,
            )
            view = View(ViewKind.FEED, title, feed_id=feed.id)
            entries.append((view, _row(label, feed.unread, cut_middle=untitled)))
    return entries
