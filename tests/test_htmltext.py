"""HTML titles become the text a browser shows, through a real HTML parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.parse import parse_feed
from tuireader.parse.fields import html_line
from tuireader.parse.htmltext import html_to_text


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ('<img src="cat-dog.jpg" alt="catdog">', "catdog"),
        ("cat<br />dog", "cat dog"),
        ("sa<!-- -- nonwhitespace >fe<script>alert(1);</script>", "sa"),
        ("safe<!--", "safe"),
        ("safe<script>location.href='http://x/';</script> description", "safe description"),
        ("<style>p{}</style>Styled", "Styled"),
        ("AT&amp;T &eacute; <b>bold</b>", "AT&T é bold"),
        ("&lt;b&gt; is a tag", "<b> is a tag"),
        ("a < b and c > d", "a < b and c > d"),
        ("plain", "plain"),
        ("<p>one</p><p>two</p>", "one two"),
    ],
)
def test_html_line(fragment: str, text: str) -> None:
    assert html_line(fragment) == text


@pytest.mark.parametrize("fragment", ["<html>", "<html><body>", "<![CDATA[", "\x00<b>x</b>"])
def test_fragments_lxml_refuses_still_give_text_not_an_exception(fragment: str) -> None:
    assert isinstance(html_line(fragment), str)
    assert "<" not in html_line(fragment) or fragment == "<![CDATA["


def test_html_to_text_of_nothing() -> None:
    assert html_to_text("") == ""
    assert html_line("<!-- only a comment -->") == ""


def test_html_title_in_a_feed_keeps_the_image_alt_and_drops_the_script() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">'
        b"&lt;img src='x.png' alt='catdog'&gt; &lt;script&gt;alert(1)&lt;/script&gt;news"
        b"</title></feed>"
    )
    assert parse_feed(body, url="https://example.org/f").title == "catdog news"


_PIECES = st.sampled_from(
    ["<", ">", "&", ";", "<!--", "-->", "<html>", "<body>", "<head>", "<script>", "</script>",
     "<img alt='a'>", "<![CDATA[", "]]>", "<?x", "?>", "<!DOCTYPE", "\x00", "\ud800", "é", "a ",
     "&amp;", "&#0;", "&#x110000;", "</", "<p", "=", '"']
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_any_fragment_gives_one_clean_line(fragment: str) -> None:
    text = html_line(fragment)
    assert "\n" not in text and "\x00" not in text
