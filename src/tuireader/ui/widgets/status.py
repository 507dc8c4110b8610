"""One-line bars: the article list's title and the refresh progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import Static

from tuireader.models import OutcomeKind, RefreshOutcome
from tuireader.store import Sort


@dataclass
class RefreshProgress:
    """Counts of a running refresh, updated from each per-feed outcome."""

    total: int = 0
    done: int = 0
    new_articles: int = 0
    failed: list[RefreshOutcome] = field(default_factory=list)

    def add(self, outcome: RefreshOutcome) -> None:
        self.done += 1
        self.new_articles += outcome.new_articles
        if outcome.kind is OutcomeKind.FAILED:
            self.failed.append(outcome)

    def text(self) -> Text:
        text = Text("⟳ Refreshing ", style="bold")
        text.append(f"{self.done}/{self.total} feeds")
        text.append(f" · {self.new_articles} new")
        if self.failed:
            text.append(f" · {len(self.failed)} failed", style="bold red")
        return text

    def summary(self) -> str:
        line = f"Refreshed {self.done} feeds: {self.new_articles} new"
        if self.failed:
            line += f", {len(self.failed)} failed (press i on a ⚠ feed for the reason)"
        return line


class ListTitle(Static):
    """``All unread · 34 articles · newest first · unread only``."""

    def show(self, label: str, count: int | None, sort: Sort, unread_only: bool) -> None:
        text = Text(label, style="bold")
        if count is not None:
            text.append(f" · {count} article{'s' if count != 1 else ''}", style="dim")
        order = {Sort.NEWEST: "newest first", Sort.OLDEST: "oldest first", Sort.FEED: "by feed"}
        text.append(f" · {order[sort]}", style="dim")
        if unread_only:
            text.append(" · unread only", style="dim")
        self.update(text)
