"""Feed dates to timezone-aware UTC datetimes, or None when they are absurd or unparsable.

Feeds carry year-1 and year-9999 placeholders and plain garbage; none of it may crash a
refresh, and none of it should pin an entry to the top or bottom of a list forever.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from feedparser.datetimes import _parse_date as _feedparser_parse_date

#: Dates outside [MIN_YEAR, MAX_YEAR] are treated as missing rather than trusted.
MIN_YEAR = 1970
MAX_YEAR = 2200
_MAX_DATE_STRING = 100


def _in_range(value: datetime) -> datetime | None:
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` fields (UTC struct_time) as an aware datetime."""
    if value is None:
        return None
    try:
        parsed = datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return _in_range(parsed)


def parse_date(value: object) -> datetime | None:
    """An RFC 3339 / ISO 8601 string (JSON Feed), else anything feedparser understands."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_DATE_STRING:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            return from_struct_time(_feedparser_parse_date(text))
        except (ValueError, OverflowError, TypeError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return _in_range(parsed.astimezone(UTC))
    except (ValueError, OverflowError):
        return None
