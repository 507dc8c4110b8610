"""Our Markdown as plain text for `tuireader show`: what htmlmd writes, undone."""

from __future__ import annotations

from tuireader.htmlmd import html_to_markdown
from tuireader.plaintext import markdown_to_text


def plain(html: str) -> str:
    return markdown_to_text(html_to_markdown(html, base_url="https://example.org/"))


def test_escapes_and_emphasis_are_undone_and_links_numbered_once() -> None:
    text = plain(
        '<p>A <a href="/a">*starred* [link]</a>, <em>em</em>, <code>a_b*c</code> and '
        '<a href="https://example.org/a">again</a>.</p><p><img src="/p.png" alt="pic"></p>'
    )
    assert text.startswith("A *starred* [link][1], em, a_b*c and again[1].\n\n")
    assert text.endswith("[1] https://example.org/a\n[2] https://example.org/p.png")
    assert "\\" not in text


def test_blocks_stay_readable() -> None:
    text = plain(
        "<h2>Head</h2><ol><li>one</li><li>two<ul><li>inner</li></ul></li></ol>"
        "<blockquote><p>said</p></blockquote><pre>x = 1\n  y</pre>"
        "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
    )
    assert text == (
        "Head\n\n1. one\n2. two\n   - inner\n\n> said\n\n    x = 1\n      y\n\na | b\n1 | 2"
    )


def test_no_links_no_reference_list() -> None:
    assert markdown_to_text("Just *words*.") == "Just words."
    assert markdown_to_text("") == ""
