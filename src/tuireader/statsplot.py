"""The reading stats as terminal plots (plotext), with the totals in words above them."""

from __future__ import annotations

from types import ModuleType

from tuireader.humanize import format_bytes, plural
from tuireader.sanitize import clean_line
from tuireader.stats import ReadingStats

PLOT_HEIGHT = 12


def stats_report(stats: ReadingStats, *, width: int = 80, color: bool = False) -> str:
    import plotext

    days = len(stats.days)
    lines = [
        f"last {plural(days, 'day')}: {plural(stats.opened, 'article')} opened, "
        f"about {stats.minutes / 60:.1f} h reading",
        f"network: {format_bytes(stats.bytes_downloaded)} downloaded; "
        f"{plural(stats.not_modified, 'feed')} answered unchanged (304), "
        f"saving about {format_bytes(stats.bytes_saved_estimate)}",
        "",
    ]
    labels = [d.day.strftime("%m-%d") for d in stats.days]
    lines.append(
        _bars(
            plotext, "Articles opened per day", labels, [d.opened for d in stats.days], width, color
        )
    )
    lines.append(
        _bars(
            plotext,
            "Minutes reading per day",
            labels,
            [round(d.minutes) for d in stats.days],
            width,
            color,
        )
    )
    lines.append(
        _bars(
            plotext,
            "Downloaded per day (KB)",
            labels,
            [d.bytes_downloaded // 1024 for d in stats.days],
            width,
            color,
        )
    )
    if stats.feeds:
        names = [_label(title) for title, _count in stats.feeds]
        counts = [count for _title, count in stats.feeds]
        lines.append(
            _bars(plotext, "Most read feeds", names, counts, width, color, horizontal=True)
        )
    return "\n".join(lines) + "\n"


def _bars(
    plotext: ModuleType,
    title: str,
    labels: list[str],
    values: list[int],
    width: int,
    color: bool,
    *,
    horizontal: bool = False,
) -> str:
    if not any(values):
        return f"{title}: nothing yet\n"
    figure = plotext.figure
    figure.clear()
    height = max(PLOT_HEIGHT, len(labels) + 4) if horizontal else PLOT_HEIGHT
    figure.plot_size(width, height)
    figure.draw(figure.bar(labels, values, orientation="h" if horizontal else "v"))
    # Every plot here counts things: whole-number ticks from 0 to the top. The limits are
    # set for horizontal bars too, which plotext otherwise draws full on an axis of 0 to 1.
    axis = figure.ruler("x" if horizontal else "y")
    ticks = count_ticks(max(values))
    axis.lim(0, ticks[-1])
    axis.ticks(ticks)
    figure.title(title)
    figure.theme("colorless")
    text = str(figure.build())  # a plotext matrix; its str() is the ANSI text
    if not color:
        text = plotext.uncolorize(text)
    return text


def count_ticks(top: int, most: int = 5) -> list[int]:
    """Up to ``most`` whole-number ticks from 0, the last at ``top`` or past it."""
    step = max(1, -(-top // (most - 1)))
    return list(range(0, top + step, step))


def _label(title: str) -> str:
    line = clean_line(title) or "untitled"
    return line if len(line) <= 24 else line[:23] + "…"
