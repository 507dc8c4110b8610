"""Every reader action in the command palette, with its current keys and what it does."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tuireader.ui.keymap import KeyAction, keys_for, palette_actions


def command_help(action: KeyAction) -> str:
    """The palette's second line for an action: a sentence a user understands."""
    return action.help or action.description


class ReaderCommands(Provider):
    def _actions(self) -> list[tuple[str, KeyAction]]:
        keymap = getattr(self.app, "keymap", {})
        return [(f"{a.description} ({keys_for(a, keymap)})", a) for a in palette_actions()]

    async def discover(self) -> Hits:
        # Prompts are Content, never markup: the keys come from the user's config.
        for name, action in self._actions():
            yield DiscoveryHit(
                Content(name),
                partial(self._run, action),
                text=name,
                help=Content(command_help(action)),  # type: ignore[arg-type]
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action in self._actions():
            score, offsets = matcher.fuzzy_search.match(query, name)
            if score > 0:
                shown = Content(name)
                for offset in offsets:
                    shown = shown.stylize(matcher.match_style, offset, offset + 1)
                yield Hit(
                    score,
                    shown,
                    partial(self._run, action),
                    text=name,
                    help=Content(command_help(action)),  # type: ignore[arg-type]
                )

    async def _run(self, action: KeyAction) -> None:
        await self.screen.run_action(action.action)
