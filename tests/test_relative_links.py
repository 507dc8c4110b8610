"""fields.resolve_relative_links rewrites exactly what the plain regex over the text matches.

The function scans from each "=" back to the attribute name (much faster than trying the
pattern at every space); the one-pass ``re.sub`` below is the specification it must equal.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.parse.fields import MAX_LINK, is_plain_url, link, resolve_relative_links
from tuireader.sanitize import safe_link

_SPEC = re.compile(
    r"""(\s(?:href|src|poster)\s*=\s*)(?:"([^"]{0,4000})"|'([^']{0,4000})')""", re.IGNORECASE
)
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}:")


def reference(text: str, base: str) -> str:
    def absolute(match: re.Match[str]) -> str:
        double = match.group(2)
        quote = '"' if double is not None else "'"
        value = double if double is not None else match.group(3)
        probe = re.sub(r"[\t\n\r]", "", html.unescape(value)).strip(
            "".join(chr(c) for c in range(0x21))
        )
        if not probe or probe.startswith("#") or _HAS_SCHEME.match(probe):
            return match.group(0)
        try:
            resolved = urljoin(base, value.strip())
        except ValueError:
            return match.group(0)
        escaped = resolved.replace(quote, "%22" if quote == '"' else "%27")
        return match.group(1) + quote + escaped + quote

    return _SPEC.sub(absolute, text)


_PIECES = st.sampled_from(
    [
        "<a ", " href", "HREF", "src", "\u017frc", "poster", " ", "\t", "\n", "=", " =  ",
        '"', "'", "/x", "http://h/", "https://e.org/a", "#f", "javascript:", "&#106;", "alt=",
        ">", "x", "[::1", "\u00a0", "é", "y" * 4001, "/img/1.jpg", "/", ".", "..", ";p",
        "?q=1", "&amp;", "%2e", ":",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_PIECES, max_size=25).map("".join),
    st.sampled_from(
        [
            "https://example.org/feed/",
            "http://[::1/x",
            "https://e.org/a/b?c",
            "HTTPS://User@E.org:8080/a",
            "http:/no-host",
            "file:///x/y",
        ]
    ),
)
def test_links_are_resolved_exactly_where_the_pattern_matches(text: str, base: str) -> None:
    assert resolve_relative_links(text, base) == reference(text, base)


def test_links_inside_other_attributes_and_odd_spacing() -> None:
    text = """<img alt="a href='/in'" SRC = '/pic.png'><a href="https://x.org/">x</a>"""
    assert resolve_relative_links(text, "https://e.org/d/") == (
        """<img alt="a href='https://e.org/in'" SRC = 'https://e.org/pic.png'>"""
        """<a href="https://x.org/">x</a>"""
    )


def link_reference(value: object, base: str | None) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_LINK:
        return None
    url = value.strip()
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    return safe_link(url)


_URL_PIECES = st.sampled_from(
    [
        "http://", "https://", "HTTP://", "ftp://", "mailto:", "e.org", "[::1", "a", "/", "//",
        "?", "#", ";p", ":8080", "..", "%20", " ", "\t", "@", "é", "q=1&r", "'", "~",
    ]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_URL_PIECES, max_size=8).map("".join),
    st.sampled_from([None, "", "https://example.org/feed/", "http://[::1/x", "http://e.org"]),
)
def test_links_equal_urljoin_then_safe_link(value: str, base: str | None) -> None:
    assert link(value, base) == link_reference(value, base)


_PATHS = st.lists(
    st.sampled_from(["/", "img", ".", "..", "a.b", "%2e", ";p", "?q", "#f", ":", "&amp;", "'"]),
    min_size=1,
    max_size=6,
).map(lambda parts: "/" + "".join(parts))


@settings(max_examples=300, deadline=None)
@given(
    _PATHS,
    st.sampled_from(
        ["https://e.org/feed/", "HTTPS://User@E.org:8080/a/b", "http:/no-host", "file:///x"]
    ),
)
def test_a_path_from_the_root_is_joined_as_urljoin_joins_it(path: str, base: str) -> None:
    """The fast path for "/images/1.jpg" (the base's origin + the path) equals urljoin."""
    for text in (f'<img src="{path}">', f"<img src='{path}'>"):
        assert resolve_relative_links(text, base) == reference(text, base)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_URL_PIECES, max_size=8).map("".join),
    st.sampled_from(["https://example.org/feed/", "http://[::1/x", "http://e.org", "file:///a"]),
)
def test_a_plain_url_is_what_urljoin_gives_back(value: str, base: str) -> None:
    if is_plain_url(value):
        try:
            joined = urljoin(base, value)
        except ValueError:
            joined = value  # what the parser keeps when the base cannot be parsed
        assert joined == value
