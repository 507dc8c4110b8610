"""How long and how far an opened article was read, turned into recommender signals.

The store records ``open`` itself. This adds ``read_long`` (the reader scrolled to the end,
or stayed long enough to have read it) and ``quick_leave`` (left within seconds without
scrolling: the title promised more than the article gave). Pure logic over an injected
monotonic clock, so tests drive time by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from tuireader.ui.timefmt import WORDS_PER_MINUTE

#: Staying this long on an article counts as reading it, however long the article is.
LONG_READ_SECONDS = 30.0
#: Leaving sooner than this, without having scrolled, counts as "not interested". A reader
#: needs about this long to see the first paragraph and decide.
QUICK_LEAVE_SECONDS = 4.0

Clock = Callable[[], float]
#: (article id, event kind) to record in the store.
ReadSignal = tuple[int, str]


@dataclass(slots=True)
class _Visit:
    article_id: int
    started: float
    #: Seconds after which staying counts as read: the reading-time estimate, capped.
    long_after: float = LONG_READ_SECONDS
    scrolled: bool = False
    done: bool = False


def long_read_after(words: int) -> float:
    """Seconds of staying that mean "read": the reading-time estimate, within bounds."""
    estimate = words / WORDS_PER_MINUTE * 60
    return min(LONG_READ_SECONDS, max(QUICK_LEAVE_SECONDS, estimate))


class ReadTracker:
    """Follows one open article at a time; each method returns the signal to record, if any."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._visit: _Visit | None = None

    @property
    def article_id(self) -> int | None:
        return self._visit.article_id if self._visit else None

    def start(self, article_id: int) -> ReadSignal | None:
        """The reader opened an article; ends the previous visit (same article: no change)."""
        if self._visit is not None and self._visit.article_id == article_id:
            return None
        signal = self.leave()
        self._visit = _Visit(article_id, self._clock())
        return signal

    def loaded(self, article_id: int, words: int) -> None:
        """The article's text arrived: its length sets how long a real read takes."""
        if self._visit is not None and self._visit.article_id == article_id:
            self._visit.long_after = long_read_after(words)

    def scrolled(self, article_id: int, *, at_end: bool) -> ReadSignal | None:
        """The reader scrolled the article; reaching its end means it was read."""
        visit = self._visit
        if visit is None or visit.article_id != article_id:
            return None
        visit.scrolled = True
        if at_end and not visit.done:
            visit.done = True
            return (article_id, "read_long")
        return None

    def leave(self) -> ReadSignal | None:
        """The reader left the article (another one, back to the list, or quit)."""
        visit, self._visit = self._visit, None
        if visit is None or visit.done:
            return None
        stayed = self._clock() - visit.started
        if stayed >= visit.long_after:
            return (visit.article_id, "read_long")
        if stayed < QUICK_LEAVE_SECONDS and not visit.scrolled:
            return (visit.article_id, "quick_leave")
        return None
