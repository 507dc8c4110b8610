"""Vim motions and the keys typed as sequences: gg/G, ctrl+d/ctrl+u, zz, hiding the feeds
pane (w), and n/p going on into the next feed with unread articles at the end of a view.

Motions act on the pane with the keys: the reading pane scrolls, the feeds pane moves its
highlight, otherwise the article list moves its cursor. Sequences (``gg``, ``zz``) are
followed by :class:`~tuireader.ui.keyseq.KeySequencer`, fed by the app with each key that
bubbles up to it, just before Textual's bindings; the first key of a sequence shows in the
status line until the next one.
"""

from __future__ import annotations

from collections.abc import Mapping

from tuireader.ui import data, keymap
from tuireader.ui.keyseq import (
    SEQUENCE_TIMEOUT,
    KeySequencer,
    Outcome,
    key_name,
    sequences_from,
)
from tuireader.ui.screens.base import ScreenBase
from tuireader.ui.views import View, ViewKind

#: Words for what a sequence's next key does, shown while it waits (from the help texts).
_ACTION_WORDS = {a.action: a.description for a in keymap.ACTIONS}


class MotionFlow(ScreenBase):
    _sequencer: KeySequencer | None = None
    #: After n/p moved on to another feed: open its first (last) unread article once loaded.
    _open_unread_on_load: tuple[View, int, bool] | None = None

    # --- keys before bindings ---

    @property
    def sequencer(self) -> KeySequencer:
        if self._sequencer is None:
            actions = ((a.id, self.ctx.keymap.get(a.id, a.keys), a.action) for a in keymap.ACTIONS)
            self._sequencer = KeySequencer(sequences_from(actions), self.ctx.monotonic)
        return self._sequencer

    async def before_bindings(self, key: str) -> bool:
        """Sequences, the user's command keys and escape (which empties the selection),
        before the bindings; True when the key was used. The app calls it for keys that
        reach it, so a text field keeps its keys, also those typed ahead of its focus."""
        if not self.sequencer.pending and self.key_command(key):
            return True  # a [commands] key wins, a sequence's first key too (said at start)
        step = self.sequencer.press(key)
        if step.outcome is Outcome.PASS:
            if step.keys:
                self.status_line.pending_keys(None)
            return self.key_command(key) or (
                key == "escape" and (self.drop_selection() or self.leave_search())
            )
        if step.outcome is Outcome.PENDING:
            endings = self.sequencer.endings(step.keys)
            hint = " · ".join(
                f"{keymap.KEY_NAMES.get(k, k)}: {_ACTION_WORDS.get(a, a) if a else '…'}"
                for k, a in endings.items()
            )
            self.status_line.pending_keys("".join(step.keys), hint)
            self.set_timer(SEQUENCE_TIMEOUT + 0.05, self._sequence_timed_out)
            return True
        self.status_line.pending_keys(None)
        if step.outcome is Outcome.RUN:
            await self.run_action(step.action)
        return True

    def _sequence_timed_out(self) -> None:
        if not self.sequencer.pending:
            self.status_line.pending_keys(None)

    # --- hooks the other flows fill in ---

    def key_command(self, key: str) -> bool:
        """Run the user's command bound to ``key``; False when none is."""
        raise NotImplementedError

    def drop_selection(self) -> bool:
        """Empty the selection; False when nothing was selected."""
        raise NotImplementedError

    # --- motions ---

    def _pane(self) -> str:
        if self.reader_pane.has_focus or (self.has_class("narrow") and self.has_class("reading")):
            return "reader"
        return "sidebar" if self.sidebar.has_focus else "list"

    def action_top(self) -> None:
        pane = self._pane()
        if pane == "reader":
            self.reader_pane.scroll_home(animate=False, immediate=True)
        elif pane == "sidebar":
            self.sidebar.action_first()
        else:
            self.articles.action_first()

    def action_bottom(self) -> None:
        pane = self._pane()
        if pane == "reader":
            self.reader_pane.scroll_end(animate=False, immediate=True)
        elif pane == "sidebar":
            self.sidebar.action_last()
        else:
            self.articles.action_last()

    def action_half_page(self, step: int) -> None:
        pane = self._pane()
        if pane == "reader":
            half = max(1, self.reader_pane.scrollable_content_region.height // 2)
            self.reader_pane.scroll_to(
                y=self.reader_pane.scroll_y + step * half, animate=False, immediate=True
            )
        elif pane == "sidebar":
            half = max(1, self.sidebar.scrollable_content_region.height // 2)
            highlighted = self.sidebar.highlighted or 0
            self.sidebar.highlighted = max(
                0, min(highlighted + step * half, self.sidebar.option_count - 1)
            )
        else:
            self.articles.half_page(step)

    def action_centre(self) -> None:
        self.articles.centre_cursor()

    # --- the feeds pane ---

    def action_toggle_sidebar(self) -> None:
        self.sidebar_hidden = not self.sidebar_hidden

    def watch_sidebar_hidden(self, hidden: bool) -> None:
        self.set_class(hidden, "no-sidebar")
        self._save_state()
        if hidden and self.is_mounted and self.sidebar.has_focus:
            self.set_focus(self.articles)

    def on_mount(self) -> None:
        self.set_class(self.sidebar_hidden, "no-sidebar")
        hidden = shadowed_keys(self.ctx.keymap, self.sequencer.prefixes)
        if hidden:
            self.notify(
                "[keys] these keys begin a sequence, so alone they do nothing: "
                + ", ".join(hidden),
                severity="warning",
                timeout=10,
            )

    # --- n at the end of a view ---

    def unread_elsewhere(self, step: int) -> None:
        """No unread article is left this way in the view: in a feed, go on to the next
        (previous) feed with unread articles and open its first (last) one, as newsboat's
        next-unread does; elsewhere, say so."""
        current = self.view
        if current.kind is not ViewKind.FEED or current.feed_id is None:
            self.notify("No more unread articles in this view.")
            return
        keys = [option.id for option in self.sidebar.options if option.id]
        here = keys.index(current.key) if current.key in keys else -1
        after = keys[here + 1 :] if step > 0 else keys[:here][::-1]
        for key in after:
            view = self.sidebar.view(key)
            if view is None or view.kind is not ViewKind.FEED or view.feed_id is None:
                continue
            feed = self.sidebar.feed(view.feed_id)
            if feed is not None and feed.unread:
                focus = self.reader_pane.has_focus or self.has_class("narrow")
                self._open_unread_on_load = (view, step, focus)
                self.sidebar.select_key(key)
                self.show_view(view)
                self.notify(f"No more unread here: on to {view.label}.", timeout=3)
                return
        self.notify("No more unread articles in this feed or the ones after it.")

    def view_loaded(
        self,
        generation: int,
        contents: data.ViewContents,
        keep_position: bool,
        keep_index: bool = False,
    ) -> None:
        super().view_loaded(generation, contents, keep_position, keep_index)
        wanted = self._open_unread_on_load
        if wanted is None or generation != self._generation or keep_position:
            return
        self._open_unread_on_load = None
        view, step, focus = wanted
        if view != self.view:
            return
        ids, reader = list(self.articles.ids), self.reader
        start = -1 if step > 0 else len(ids)

        def found(index: int | None) -> None:
            if generation == self._generation and index is not None:
                self.open_article(ids[index], focus=focus)

        self.in_thread(
            lambda: data.find_unread(reader, ids, start, step), found, group="find", exclusive=True
        )


def shadowed_keys(keys: Mapping[str, str], prefixes: set[str]) -> list[str]:
    """Single keys bound (through ``[keys]``) to a key that begins a sequence: the
    sequence waits for its next key, so the action never runs. ``"g (Star)"`` each."""
    shadowed = []
    for action in keymap.ACTIONS:
        for entry in keys.get(action.id, action.keys).split(","):
            parts = entry.split()
            if len(parts) == 1 and key_name(parts[0]) in prefixes:
                shadowed.append(f"{parts[0]} ({action.description})")
    return shadowed
