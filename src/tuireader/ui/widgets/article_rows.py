"""The two lines of an article list row, built as Text so feed text is never markup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from tuireader.models import ArticleSummary
from tuireader.sanitize import clean_line
from tuireader.ui.timefmt import relative_date

#: A list's component style by name ("article-list--meta" ...).
Styles = Callable[[str], Style]


@dataclass(frozen=True, slots=True)
class RowNote:
    """Extra words for a row's second line (For you: why it is there, other sources)."""

    why: str = ""
    more_sources: int = 0


def title_line(summary: ArticleSummary, width: int, style: Styles) -> Text:
    """``● Title of the article…  ★♥``."""
    mark_style = style("article-list--mark")
    title_style = style("article-list--read" if summary.read else "article-list--unread")
    marks = ("★" if summary.starred else "") + ("♥" if summary.recommended else "")
    text = Text(no_wrap=True, end="")
    text.append("● " if not summary.read else "  ", style=mark_style)
    title = Text(clean_line(summary.title) or "(untitled)", style=title_style)
    title.truncate(max(4, width - 2 - (len(marks) + 1 if marks else 0)), overflow="ellipsis")
    text.append_text(title)
    if marks:
        text.append(" " + marks, style=mark_style)
    return text


def meta_line(
    summary: ArticleSummary,
    note: RowNote | None,
    width: int,
    now: datetime,
    tz: tzinfo | None,
    style: Styles,
) -> Text:
    """``  Feed · 3h``, or in For you ``  why it is here · 3h · Feed · +2 more sources``."""
    meta_style = style("article-list--meta")
    feed = clean_line(summary.feed_title)
    why = clean_line(note.why) if note is not None else ""
    age = relative_date(summary.published, now, tz)
    # For you rows lead with why they are there; the feed is said once.
    parts = [why or feed, age] if not why or feed in why else [why, age, feed]
    parts = [part for part in parts if part]
    if note is not None and note.more_sources:
        parts.append(f"+{note.more_sources} more source{'s' if note.more_sources > 1 else ''}")
    if why:
        # The reason has the whole line: the other parts follow only while they fit.
        while len(parts) > 1 and cell_len("  " + " · ".join(parts)) > width:
            parts.pop()
    text = Text("  " + " · ".join(parts), style=meta_style, no_wrap=True, end="")
    text.truncate(width, overflow="ellipsis")
    return text
