"""The key footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's footer rebuilds its keys (a dozen widgets) on every bindings refresh, which
    every focus change and view change makes; most leave the keys shown as they were.
    Rebuilding only on a real change takes that work off searches and view switches.

    A focused widget with ``KEEPS_FOOTER = True`` leaves the footer as it is while it has
    the keys, so focusing it and coming back costs no rebuild at all.
    """

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._built_for: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        if getattr(screen.focused, "KEEPS_FOOTER", False):
            return  # a short-lived field (search) has the keys: the footer stays as it was
        shown = _shown_keys(screen)
        if shown == self._built_for:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._built_for = shown  # the base class rebuilds now; otherwise it waits
        super().bindings_changed(screen)


def _shown_keys(screen: Screen[object]) -> tuple[object, ...]:
    palette = screen.app.COMMAND_PALETTE_BINDING
    return tuple(
        (key, binding.action, binding.description, enabled, tooltip)
        for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == palette
    )
