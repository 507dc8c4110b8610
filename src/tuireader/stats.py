"""Reading stats: what was read, when, from which feeds, and what the network cost.

"Read" means opened (the ``open`` events), not marked read: marking a whole view read is
not reading it. Time spent is estimated from the activity log: the gaps between two things
the reader did with articles, counting a gap only up to :data:`IDLE_AFTER` (longer means the
reader went away). Bytes saved by conditional requests are an estimate too: each 304 is
taken to have saved an average feed download of the same period (pages and images fetched
for reading are not feeds: they count in the bytes downloaded, not in that average).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tuireader.store import Store

IDLE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    opened: int
    minutes: float
    bytes_downloaded: int
    not_modified: int


@dataclass(frozen=True, slots=True)
class ReadingStats:
    days: tuple[Day, ...]
    #: (feed title, articles opened), most read first.
    feeds: tuple[tuple[str, int], ...]
    #: About how much the 304s saved (see the module docstring).
    bytes_saved_estimate: int = 0

    @property
    def opened(self) -> int:
        return sum(d.opened for d in self.days)

    @property
    def minutes(self) -> float:
        return sum(d.minutes for d in self.days)

    @property
    def bytes_downloaded(self) -> int:
        return sum(d.bytes_downloaded for d in self.days)

    @property
    def not_modified(self) -> int:
        return sum(d.not_modified for d in self.days)


def reading_stats(store: Store, *, days: int = 30) -> ReadingStats:
    now = store.now()
    first = (now - timedelta(days=days - 1)).date()
    since = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
    opened = store.opened_per_day(since)
    traffic = store.traffic_per_day(since)
    minutes = _minutes_per_day(store.activity_times(since))
    rows = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        key = day.isoformat()
        downloaded, _feed_bytes, _updated, not_modified = traffic.get(key, (0, 0, 0, 0))
        rows.append(Day(day, opened.get(key, 0), minutes.get(day, 0.0), downloaded, not_modified))
    # A feed's average download: pages and images fetched for reading are no feed's.
    updated = sum(t[2] for t in traffic.values())
    feed_bytes = sum(t[1] for t in traffic.values())
    average_download = feed_bytes // updated if updated else 0
    saved = average_download * sum(t[3] for t in traffic.values())
    return ReadingStats(tuple(rows), tuple(store.opened_per_feed(since)), saved)


def _minutes_per_day(times: list[datetime]) -> dict[date, float]:
    spent: dict[date, float] = {}
    for before, after in zip(times, times[1:], strict=False):
        gap = after - before
        if gap <= IDLE_AFTER:
            day = before.date()
            spent[day] = spent.get(day, 0.0) + gap.total_seconds() / 60
    return spent
