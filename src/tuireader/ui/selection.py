"""The rows selected with ``v``: the article keys act on all of them, then it empties.

With nothing selected every key acts on the one current article (issue 15), so the
selection only ever widens what a key does, never changes which article is current.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator


class Selection(Collection[int]):
    """Article ids in the order they were selected."""

    def __init__(self) -> None:
        self._ids: dict[int, None] = {}

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._ids

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def toggle(self, article_id: int) -> bool:
        """Select the article, or unselect it; True when it is selected now."""
        if article_id in self._ids:
            del self._ids[article_id]
            return False
        self._ids[article_id] = None
        return True

    def keep_only(self, ids: Collection[int]) -> None:
        """Forget the articles that left the list (a refresh, another process)."""
        self._ids = {i: None for i in self._ids if i in ids}

    def take(self) -> list[int]:
        """The selected ids, emptying the selection."""
        ids, self._ids = list(self._ids), {}
        return ids

    def clear(self) -> None:
        self._ids = {}
