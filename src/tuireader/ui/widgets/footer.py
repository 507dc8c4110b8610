"""The key footer: only the keys that fit, rebuilt only when the keys it shows change."""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Which shown keys stay when the footer is short of room, most needed first.
#: Keys not listed come last; the footer keeps the bindings' own order on screen.
FOOTER_PRIORITY = (
    "help",
    "app.quit",
    "open",
    "next_unread",
    "search",
    "back",
    "toggle_read",
    "star",
    "download",  # shown only on an episode (EPISODE_KEYS), before the keys for any view
    "play",
    "downloads",
    "add_feed",
    "refresh_all",
    "recommend",
)
#: Keys shown only where they apply: the screen's ``footer_hides()`` names those to leave out.
EPISODE_KEYS = frozenset({"download", "play", "downloads"})
#: The command palette key's own border (``▏``) beside its label.
PALETTE_BORDER = 1


class KeyFooter(Footer):
    """Textual's footer rebuilds its keys (a dozen widgets) on every bindings refresh, which
    every focus change and view change makes; most leave the keys shown as they were.
    Rebuilding only on a real change takes that work off searches and view switches.

    A focused widget with ``KEEPS_FOOTER = True`` leaves the footer as it is while it has
    the keys, so focusing it and coming back costs no rebuild at all.

    Keys that do not fit the width are left out (least needed first), so a narrow terminal
    never gets keys drawn under the command palette's key.
    """

    def __init__(self, *, held: bool = False) -> None:
        """``held``: no keys until :meth:`release` (the screen has something to show first)."""
        super().__init__(compact=True)
        self._built_for: tuple[object, ...] | None = None
        self._held = held

    def release(self) -> None:
        """Show the keys from now on (the keys as they are now)."""
        if self._held:
            self._held = False
            if self.is_attached:
                # From the footer's own queue: its compose binds to the footer, which
                # Textual finds through the message pump that runs it.
                self.call_later(self.bindings_changed, self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._held:
            return
        if getattr(screen.focused, "KEEPS_FOOTER", False):
            return  # a short-lived field (search) has the keys: the footer stays as it was
        shown = (self._width(), *_shown_keys(screen))
        if shown == self._built_for:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._built_for = shown  # the base class rebuilds now; otherwise it waits
        super().bindings_changed(screen)

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def on_resize(self, event: Resize) -> None:
        if self._built_for is not None and self._built_for[0] != event.size.width:
            self.bindings_changed(self.screen)

    def compose(self) -> ComposeResult:
        hidden = _hidden(self.screen)
        keys = [k for k in super().compose() if getattr(k, "action", None) not in hidden]
        yield from fitting_keys(keys, self._width())


def key_width(key: FooterKey) -> int:
    """Cells a compact footer key takes: ``k Description`` and a space after it."""
    width = cell_len(key.key_display)
    if key.description:
        width += 1 + cell_len(key.description)
    return width + 1


def fitting_keys(widgets: Iterable[Widget], width: int) -> list[Widget]:
    """The footer's widgets that fit in ``width`` cells, the most needed kept first."""
    widgets = list(widgets)
    keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
    room = width - sum(
        key_width(w) + PALETTE_BORDER
        for w in widgets
        if isinstance(w, FooterKey) and w.has_class("-command-palette")
    )

    def rank(key: FooterKey) -> int:
        action = key.action
        return FOOTER_PRIORITY.index(action) if action in FOOTER_PRIORITY else len(FOOTER_PRIORITY)

    dropped: set[int] = set()
    for key in sorted(keys, key=rank):
        needed = key_width(key)
        if needed <= room:
            room -= needed
        else:
            dropped.add(id(key))
    return [w for w in widgets if id(w) not in dropped]


def _hidden(screen: Screen[object]) -> frozenset[str]:
    """Actions the screen leaves out of the footer for now (see ``EPISODE_KEYS``)."""
    hides = getattr(screen, "footer_hides", None)
    return frozenset(hides()) if hides is not None else frozenset()


def _shown_keys(screen: Screen[object]) -> tuple[object, ...]:
    palette = screen.app.COMMAND_PALETTE_BINDING
    hidden = _hidden(screen)
    return tuple(
        (key, binding.action, binding.description, enabled, tooltip)
        for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
        if (binding.show and binding.action not in hidden) or key == palette
    )
