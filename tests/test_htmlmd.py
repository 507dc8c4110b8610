"""HTML to Markdown: every construct, hostile input neutralised, teaser detection.

Output is parsed back with markdown-it-py in the "gfm-like" preset, the parser Textual's
Markdown widget uses, so the tests check what a reader would actually see.
"""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tuireader.htmlmd import html_to_markdown, html_to_text, is_teaser, word_count

BASE = "https://example.org/blog/post.html"


def tokens(markdown: str) -> list[Token]:
    """Block and inline tokens, flattened."""
    out: list[Token] = []
    for token in MarkdownIt("gfm-like").parse(markdown):
        out.append(token)
        out.extend(token.children or ())
    return out


def link_targets(markdown: str) -> list[str]:
    return [str(t.attrs["href"]) for t in tokens(markdown) if t.type == "link_open"]


def kinds(markdown: str) -> set[str]:
    return {t.type for t in tokens(markdown)}


# --------------------------------------------------------------------------- constructs


def test_headings_keep_their_level() -> None:
    md = html_to_markdown("<h1>One</h1><h2>Two</h2><h3>Three <em>x</em></h3><h6>Six</h6>")
    assert md == "# One\n\n## Two\n\n### Three *x*\n\n###### Six"


def test_paragraphs_emphasis_and_strikethrough() -> None:
    md = html_to_markdown("<p>A <b>bold</b>, <i>italic</i>, <del>gone</del> word.</p><p>Two</p>")
    assert md == "A **bold**, *italic*, ~~gone~~ word.\n\nTwo"
    assert {"strong_open", "em_open", "s_open"} <= kinds(md)


def test_emphasis_whitespace_moves_outside_markers() -> None:
    assert html_to_markdown("<p>a<strong> b </strong>c</p>") == "a **b** c"


def test_nested_and_ordered_lists() -> None:
    md = html_to_markdown(
        "<ul><li>one<ul><li>inner</li></ul></li><li>two</li></ul>"
        "<ol start='3'><li>three</li><li>four</li></ol>"
    )
    assert md == "- one\n  - inner\n- two\n\n3. three\n4. four"
    list_tokens = [t for t in tokens(md) if t.type in ("bullet_list_open", "ordered_list_open")]
    assert [t.type for t in list_tokens] == [
        "bullet_list_open",
        "bullet_list_open",
        "ordered_list_open",
    ]


def test_blockquote_with_paragraphs() -> None:
    md = html_to_markdown("<blockquote><p>first</p><p>second</p></blockquote>")
    assert md == "> first\n>\n> second"
    assert "blockquote_open" in kinds(md)


def test_code_span_and_fenced_block_keep_text_literal() -> None:
    md = html_to_markdown(
        "<p>Run <code>a*b</code> or <code>x`y</code>.</p>"
        '<pre class="language-python"><code>'
        "def f(x):\n    return x * 2  # [not](link)\n</code></pre>"
    )
    assert "`a*b`" in md and "`` x`y ``" in md
    assert "```python\ndef f(x):\n    return x * 2  # [not](link)\n```" in md
    fences = [t for t in tokens(md) if t.type == "fence"]
    assert fences[0].info == "python" and "[not](link)" in fences[0].content
    assert link_targets(md) == []


def test_table_becomes_gfm_table() -> None:
    md = html_to_markdown(
        "<table><thead><tr><th>Name</th><th>Price</th></tr></thead>"
        "<tbody><tr><td>Tea</td><td>2 | 3</td></tr><tr><td>Cake</td></tr></tbody></table>"
    )
    assert md == "| Name | Price |\n|---|---|\n| Tea | 2 \\| 3 |\n| Cake |  |"
    cells = [t.content for t in tokens(md) if t.type == "inline"]
    assert cells == ["Name", "Price", "Tea", "2 | 3", "Cake", ""]


def test_layout_table_renders_its_cells_as_blocks() -> None:
    md = html_to_markdown("<table><tr><td><p>Only</p><p>column</p></td></tr></table>")
    assert md == "Only\n\ncolumn"


def test_links_resolve_against_base_url_and_hr() -> None:
    md = html_to_markdown(
        '<p><a href="../about">About</a> <a href="#top">Top</a> '
        '<a href="mailto:me@example.org">mail</a></p><hr><p>end</p>',
        base_url=BASE,
    )
    assert link_targets(md) == [
        "https://example.org/about",
        "https://example.org/blog/post.html#top",
        "mailto:me@example.org",
    ]
    assert "hr" in kinds(md)


def test_link_url_with_spaces_and_parentheses_stays_one_link() -> None:
    md = html_to_markdown('<a href="https://example.org/a b_(c)">x</a>')
    assert link_targets(md) == ["https://example.org/a%20b_%28c%29"]


def test_image_becomes_labelled_link_placeholder() -> None:
    md = html_to_markdown('<p><img src="/pic.jpg" alt="A harbour"></p>', base_url=BASE)
    assert md == "[🖼 Image: A harbour](https://example.org/pic.jpg)"
    assert "image" not in kinds(md)  # never an inline image the widget would try to load


def test_lazy_image_uses_data_src() -> None:
    md = html_to_markdown(
        '<img src="data:image/gif;base64,R0lG" data-src="https://i.example/p.png">'
    )
    assert md == "[🖼 Image](https://i.example/p.png)"


def test_linked_image_is_one_link() -> None:
    md = html_to_markdown(
        '<a href="https://x.example/"><img src="https://x.example/i.png" alt="i"></a>'
    )
    assert link_targets(md) == ["https://x.example/"]


def test_line_breaks_and_nbsp() -> None:
    assert html_to_markdown("<p>one<br>two<br/>three</p>") == "one\\\ntwo\\\nthree"
    assert "hardbreak" in kinds(html_to_markdown("<p>one<br>two</p>"))


# --------------------------------------------------------------------------- hostile input


def test_active_content_is_dropped() -> None:
    md = html_to_markdown(
        "<p>keep</p><script>alert('x')</script><style>p{}</style>"
        "<iframe src='https://evil.example'>frame text</iframe><object>obj</object>"
        "<embed src='x.swf'><form><input value='in'><button>Click</button>"
        "<select><option>opt</option></select><textarea>ta</textarea></form>"
        "<svg><text>svg text</text></svg><noscript>ns</noscript>"
    )
    assert md == "keep"


def test_unsafe_link_schemes_become_plain_text() -> None:
    md = html_to_markdown(
        '<a href="javascript:alert(1)">js</a> <a href="data:text/html,<b>x</b>">data</a> '
        '<a href="vbscript:x">vb</a> <a href=" JaVaScRiPt:alert(1)">mixed</a> '
        '<a href="file:///etc/passwd">file</a> <a href="/rel">relative without base</a>'
    )
    assert link_targets(md) == []
    assert md == "js data vb mixed file relative without base"


def test_event_handler_attributes_leave_no_trace() -> None:
    md = html_to_markdown(
        '<p onclick="steal()" style="color:red">text<img src=x onerror="boom()"></p>'
    )
    assert md == "text"


def test_tracking_pixels_are_dropped() -> None:
    md = html_to_markdown(
        '<p>body</p><img src="https://example.org/a.gif" width="1" height="1">'
        '<img src="https://feeds.feedburner.com/~r/x/~4/abc" alt="">'
        '<img src="https://pixel.wp.com/b.gif?v=1">'
        '<img src="https://example.org/photo.jpg" style="width:1px;height:1px">'
    )
    assert md == "body"


def test_markdown_in_text_cannot_forge_structure() -> None:
    md = html_to_markdown(
        "<p>[click](javascript:alert(1)) ![img](https://evil.example/x.png) "
        "&lt;b&gt;raw&lt;/b&gt; **not bold** `not code` &amp;lt;</p>"
        "<p># not a heading</p><p>- not a list</p><p>1. not ordered</p><p>---</p>"
        "<p>&gt; not a quote</p><p>| a | b |</p>"
    )
    found = kinds(md)
    # The widget's parser autolinks bare http(s) URLs in text; nothing else becomes a link.
    assert link_targets(md) == ["https://evil.example/x.png"]
    assert not found & {"heading_open", "bullet_list_open", "ordered_list_open", "hr"}
    assert not found & {"blockquote_open", "strong_open", "code_inline", "image", "table_open"}
    assert not found & {"html_inline", "html_block"}
    text = "".join(t.content for t in tokens(md) if t.type == "text")
    assert "[click](javascript:alert(1))" in text and "&lt;" in text


def test_link_text_cannot_break_out_of_link() -> None:
    md = html_to_markdown('<a href="https://ok.example/">x](javascript:alert(1)) [y</a>')
    assert link_targets(md) == ["https://ok.example/"]


def test_ansi_and_c1_controls_are_removed() -> None:
    md = html_to_markdown(
        "<p>red \x1b[31mtext\x1b[0m \x9b2J clear \x1b]52;c;Zm9v\x07 osc \x85next\u202eevil</p>"
    )
    assert md == "red text clear osc nextevil"
    assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F for c in md)


def test_deep_nesting_does_not_crash() -> None:
    for depth in (500, 5_000, 100_000):
        html = "<div><blockquote><b>" * depth + "deep" + "</b></blockquote></div>" * depth
        assert isinstance(html_to_markdown(html), str)
        assert isinstance(html_to_text(html), str)
    md = html_to_markdown("<ul><li>" * 300 + "leaf")
    assert "leaf" in md


def test_empty_and_non_html_inputs() -> None:
    assert html_to_markdown("") == ""
    assert html_to_markdown("   ") == ""
    assert html_to_markdown("plain *text*") == "plain \\*text\\*"
    assert html_to_markdown('<?xml version="1.0" encoding="utf-8"?><p>x</p>') == "x"


# --------------------------------------------------------------------------- text, words


def test_html_to_text_keeps_blocks_on_lines() -> None:
    text = html_to_text("<h1>Title</h1><p>First  para</p><script>x()</script><ul><li>a</li></ul>")
    assert text == "Title\nFirst para\na"


def test_html_to_text_limit_cuts_at_a_word() -> None:
    text = html_to_text("<p>" + "alpha beta gamma " * 100 + "</p>", limit=40)
    assert len(text) <= 41 and text.endswith("…") and "  " not in text
    assert text.removesuffix("…").split()[-1] in ("alpha", "beta", "gamma")


def test_word_count_of_html_and_text() -> None:
    assert word_count("<p>One <b>two</b> three's</p><script>four five</script>") == 3
    assert word_count("plain words here") == 3
    assert word_count("日本語の文章") == 6
    assert word_count("") == 0


# --------------------------------------------------------------------------- teasers


def test_teaser_rules() -> None:
    long_text = "<p>" + "word " * 120 + "</p>"
    assert is_teaser(None, None)
    assert is_teaser("<p>Short blurb about the story.</p>", None)
    assert is_teaser(long_text.replace("</p>", " Continue reading →</p>"), None)
    assert is_teaser("<p>" + "word " * 60 + "[…]</p>", None)
    assert not is_teaser(None, long_text)
    assert not is_teaser("<p>blurb</p>", long_text)
    # Full content of a short post is complete; the same length as a summary is a blurb.
    sixty_words = "<p>" + "word " * 60 + "</p>"
    assert not is_teaser(None, sixty_words)
    assert is_teaser(sixty_words, None)


@pytest.mark.corpus
def test_teaser_rule_on_corpus_feeds(shared_dir: Path) -> None:
    feeds = shared_dir / "corpus" / "feeds"

    def teasers(name: str) -> tuple[int, int]:
        parsed = feedparser.parse(io.BytesIO((feeds / name).read_bytes()))
        flags = []
        for entry in parsed.entries:
            content = entry.get("content")
            flags.append(is_teaser(entry.get("summary"), content[0].value if content else None))
        return sum(flags), len(flags)

    for full_text in ("nnw--russcox.atom", "nnw--dcrainmaker.xml", "nnw--qemu.atom"):
        count, total = teasers(full_text)
        assert total > 0 and count == 0, full_text
    for blurbs in ("miniflux--rdf_UTF8.xml", "nnw--livemint.xml", "nnw--EMarley.rss"):
        count, total = teasers(blurbs)
        assert total > 0 and count == total, blurbs
