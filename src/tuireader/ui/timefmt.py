"""Dates as a reader wants them, always relative to an injected "now" so tests do not drift."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

WORDS_PER_MINUTE = 230


def relative_date(when: datetime | None, now: datetime, tz: tzinfo | None = None) -> str:
    """A short age: ``now``, ``5m``, ``3h``, ``yesterday``, ``Mon``, ``12 Mar``, ``2021-03-12``."""
    if when is None:
        return ""
    delta = now - when
    if delta < timedelta(minutes=1):
        return "now" if delta > -timedelta(minutes=5) else local(when, tz).strftime("%d %b")
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}m"
    if delta < timedelta(hours=24):
        return f"{int(delta.total_seconds() // 3600)}h"
    local_when, local_now = local(when, tz), local(now, tz)
    days = (local_now.date() - local_when.date()).days
    if days <= 1:
        return "yesterday"
    if days < 7:
        return local_when.strftime("%a")
    if local_when.year == local_now.year:
        return local_when.strftime("%d %b")
    return local_when.strftime("%Y-%m-%d")


def local(when: datetime, tz: tzinfo | None) -> datetime:
    """``when`` in ``tz`` (the machine's zone when None)."""
    return when.astimezone(tz)


def full_datetime(when: datetime | None, tz: tzinfo | None = None) -> str:
    if when is None:
        return "undated"
    return local(when, tz).strftime("%a %d %b %Y, %H:%M")


def start_of_day(now: datetime, tz: tzinfo | None = None) -> datetime:
    """Local midnight of ``now``'s day, for the Today view."""
    return local(now, tz).replace(hour=0, minute=0, second=0, microsecond=0)


def reading_time(words: int) -> str:
    minutes = max(1, round(words / WORDS_PER_MINUTE))
    return f"{minutes} min read"
