"""The stats plots: axes of counts read in whole numbers, bars as long as their counts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from tuireader.stats import Day, ReadingStats, reading_stats
from tuireader.statsplot import stats_report
from tuireader.store import Store

STATS = ReadingStats(
    days=tuple(
        Day(date(2026, 11, day), opened, minutes, size, 0)
        for day, opened, minutes, size in [
            (1, 1, 2.0, 3000),
            (2, 2, 1.0, 0),
            (3, 0, 0, 0),
            (4, 3, 7, 9000),
        ]
    ),
    feeds=(("Alpha", 3), ("Beta", 1), ("Gamma", 2)),
)


def plot(report: str, title: str) -> list[str]:
    """The lines of the plot named ``title`` (up to the blank line after it)."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].strip())
    return lines[start + 1 : end]


def test_axes_of_counts_have_whole_number_ticks() -> None:
    # Seen in the user trial: 3 articles opened drew ticks at 0.0, 0.8, 1.5, 2.2, 3.0.
    report = stats_report(STATS, width=70)
    for title in ("Articles opened per day", "Minutes reading per day", "Downloaded per day (KB)"):
        ticks = [m.group(1) for line in plot(report, title) if (m := re.match(r"\s*(\S+)┤", line))]
        assert ticks and all(t.isdigit() for t in ticks), (title, ticks)
    assert [
        t
        for line in plot(report, "Articles opened per day")
        if (t := line.split("┤")[0].strip()) and "┤" in line
    ] == ["3", "2", "1", "0"]


def test_most_read_feeds_bars_are_as_long_as_their_counts() -> None:
    # Seen in the user trial: every feed's bar filled the plot, on an axis from 0.00 to 1.00.
    lines = plot(stats_report(STATS, width=70), "Most read feeds")
    bars = {
        line.split("┤")[0].strip(): line.split("┤")[1].count("█") for line in lines if "┤" in line
    }
    assert set(bars) == {"Alpha", "Beta", "Gamma"}
    assert bars["Alpha"] > bars["Gamma"] > bars["Beta"] > 0
    assert abs(bars["Beta"] * 3 - bars["Alpha"]) <= 3, bars
    axis = lines[-1].split()
    assert axis == ["0", "1", "2", "3"], axis


def test_bytes_saved_are_estimated_from_feed_downloads_only(tmp_path: Path) -> None:
    """Each 304 is taken to have saved an average feed download: the pages and images
    fetched to read (prefetch, reading) are counted as downloaded but not averaged in."""
    clock = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    store = Store(tmp_path / "t.db", clock=lambda: clock)
    try:
        store.record_refresh(clock, clock, 3, 2, 1, 0, 5, 2_000)  # 2 feeds updated: 1 KB each
        store.record_refresh(clock, clock, 4, 4, 0, 0, 0, 400_000, kind="full_text")
        store.record_refresh(clock, clock, 2, 2, 0, 0, 0, 90_000, kind="reading")
        stats = reading_stats(store, days=1)
    finally:
        store.close()
    assert stats.days[-1].bytes_downloaded == 492_000
    assert (stats.not_modified, stats.bytes_saved_estimate) == (1, 1_000)
