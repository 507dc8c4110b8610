"""Feed dates to timezone-aware UTC datetimes, or None when they are absurd or unparsable.

Feeds carry year-1 and year-9999 placeholders and plain garbage; none of it may crash a
refresh, and none of it should pin an entry to the top or bottom of a list forever.
"""

from __future__ import annotations

import contextlib
import re
import time
from datetime import UTC, datetime, timedelta

from feedparser.datetimes import _parse_date as _feedparser_parse_date

#: Dates outside [MIN_YEAR, MAX_YEAR] are treated as missing rather than trusted.
MIN_YEAR = 1970
MAX_YEAR = 2200
_MAX_DATE_STRING = 100
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
#: RSS 2.0's date as nearly every feed writes it ("Mon, 01 Jan 2024 05:00:00 GMT"), read
#: here as feedparser reads it; feedparser tries several other formats first (~17 us a date
#: against ~6). Anything else, even a lower-case month, goes to feedparser.
_RFC822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?([0-9]{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep"
    r"|Oct|Nov|Dec) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) (?:GMT|UTC?|Z|([+-])([0-9]{2})"
    r"([0-9]{2}))"
)


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
        rfc822 = _RFC822.fullmatch(text)
        if rfc822 is not None:
            with contextlib.suppress(ValueError, OverflowError):  # feedparser decides
                return _in_range(_from_rfc822(rfc822))
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


def _from_rfc822(match: re.Match[str]) -> datetime:
    day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    stamp = datetime(
        int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC
    )
    if sign is None:
        return stamp
    offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
    return stamp - offset if sign == "+" else stamp + offset
