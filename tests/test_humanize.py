"""One formatter for sizes and counts: the CLI and the app print 5 GiB the same way."""

import pytest

from tuireader.humanize import format_bytes, plural


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 B"),
        (812, "812 B"),
        (1024, "1 KB"),
        (1024 * 1024, "1 MB"),
        (48 * 1024 + 100, "48 KB"),
        (int(3.2 * 1024 * 1024), "3.2 MB"),
        (5 * 1024**3, "5 GB"),
        (3 * 1024**4, "3 TB"),
        (2048 * 1024**4, "2048 TB"),
    ],
)
def test_format_bytes(count: int, expected: str) -> None:
    assert format_bytes(count) == expected


def test_plural() -> None:
    assert plural(1, "feed") == "1 feed"
    assert plural(0, "feed") == "0 feeds"
    assert plural(2, "new article") == "2 new articles"
    assert plural(1200, "entry", "entries") == "1,200 entries"
