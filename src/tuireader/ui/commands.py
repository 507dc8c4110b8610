"""Every reader action in the command palette, with its current keys."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tuireader.ui.keymap import KeyAction, keys_for, palette_actions


class ReaderCommands(Provider):
    def _actions(self) -> list[tuple[str, KeyAction]]:
        keymap = getattr(self.app, "keymap", {})
        return [(f"{a.description} ({keys_for(a, keymap)})", a) for a in palette_actions()]

    async def discover(self) -> Hits:
        for name, action in self._actions():
            yield DiscoveryHit(name, partial(self._run, action), help=f"action: {action.id}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action))

    async def _run(self, action: KeyAction) -> None:
        await self.screen.run_action(action.action)
