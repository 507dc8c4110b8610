"""parse_date's own reading of RSS 2.0 dates gives what feedparser's reading gives."""

from __future__ import annotations

from feedparser.datetimes import _parse_date as feedparser_parse_date
from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.parse.dates import from_struct_time, parse_date

_DAYS = st.sampled_from(["", "Mon, ", "Sun, ", "Fri, "])
_MONTHS = st.sampled_from(["Jan", "Feb", "Jun", "Dec", "jan", "Foo"])
_ZONES = st.sampled_from(
    ["GMT", "UT", "UTC", "Z", "EST", "+0000", "-0500", "+0530", "+1400", "-0099", "+05:30"]
)


@settings(max_examples=400, deadline=None)
@given(
    _DAYS,
    st.integers(0, 32),
    _MONTHS,
    st.sampled_from([1, 99, 1969, 1970, 2024, 2200, 2201, 9999]),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    _ZONES,
    st.booleans(),
)
def test_an_rfc_822_date_reads_as_feedparser_reads_it(
    day_name: str,
    day: int,
    month: str,
    year: int,
    hour: int,
    minute: int,
    second: int,
    zone: str,
    pad: bool,
) -> None:
    text = (
        f"{day_name}{day:02d} {month} {year:04d} {hour:02d}:{minute:02d}:{second:02d} {zone}"
        if pad
        else f"{day_name}{day} {month} {year} {hour}:{minute:02d}:{second:02d} {zone}"
    )
    try:
        expected = from_struct_time(feedparser_parse_date(text))
    except (ValueError, OverflowError):
        expected = None
    assert parse_date(text) == expected


def test_the_common_form() -> None:
    parsed = parse_date("Mon, 01 Jan 2024 05:00:00 +0100")
    assert parsed is not None and parsed.isoformat() == "2024-01-01T04:00:00+00:00"
