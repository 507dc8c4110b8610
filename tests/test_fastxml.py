"""The lxml fast path agrees with feedparser wherever it answers at all."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedgen import rss
from feedsuite import _fallback, comparable
from tuireader.models import FeedError, ParsedFeed
from tuireader.parse.fastxml import parse_fast

URL = "https://example.org/feed/"

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Signal &amp; Noise</title>
  <link href="https://noise.example.org/"/>
  <author><name>Ines Ferreira</name></author>
  <entry>
    <title type="html">Caching &lt;em&gt;well&lt;/em&gt;</title>
    <id>tag:noise.example.org,2026:1</id>
    <link href="/2026/caching"/>
    <link rel="enclosure" href="/ep1.mp3" type="audio/mpeg" length="1234"/>
    <updated>2026-11-20T10:00:00.250Z</updated>
    <category term="http" label="HTTP"/>
    <summary>Short version.</summary>
    <content type="html">&lt;p&gt;See &lt;a href="/etag"&gt;ETags&lt;/a&gt;.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>No content</title>
    <id>relative-id</id>
    <published>2026-11-19T09:00:00+01:00</published>
    <author><name>Guest</name></author>
  </entry>
</feed>"""


RDF = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="en">
  <channel rdf:about="https://news.example.org/">
    <title>Debian-ish &amp; News</title>
    <link>https://news.example.org/</link>
    <description>Latest news</description>
    <dc:date>2022-12-20T23:28:24+00:00</dc:date>
    <dc:creator>Press desk &lt;press@example.org&gt;</dc:creator>
    <items><rdf:Seq><rdf:li rdf:resource="https://news.example.org/1"/></rdf:Seq></items>
    <image rdf:resource="https://news.example.org/logo.png"/>
  </channel>
  <image rdf:about="https://news.example.org/logo.png">
    <title>Logo</title><link>https://news.example.org/</link>
    <url>https://news.example.org/logo.png</url>
  </image>
  <item rdf:about="https://news.example.org/1">
    <title>Updated &lt;q&gt;bullseye&lt;/q&gt; released</title>
    <link>/2022/1</link>
    <description>Short &lt;a href="/more"&gt;version&lt;/a&gt;.</description>
    <content:encoded><![CDATA[<p>Long <img src="/i.png"> version.</p>]]></content:encoded>
    <dc:date>2022-12-17</dc:date>
    <dc:subject>release</dc:subject><dc:subject>Release</dc:subject>
  </item>
  <item rdf:about="urn:x-news:2">
    <title>No link, an author</title>
    <dc:creator>Jo Doe (jo@example.org)</dc:creator>
    <dc:date>2022-12-18T09:30:00Z</dc:date><dc:date>junk</dc:date>
  </item>
  <item><title>No id at all</title><description>plain text</description></item>
</rdf:RDF>"""


def slow(body: bytes) -> ParsedFeed:
    """The feedparser path alone (parse_xml would take the fast path itself)."""
    return comparable(_fallback(body, URL, {}))


@pytest.mark.parametrize("body", [rss(items=5), ATOM, RDF], ids=["rss", "atom", "rdf"])
def test_fast_path_equals_feedparser_on_our_feeds(body: bytes) -> None:
    fast = parse_fast(body, URL)
    assert fast is not None
    assert comparable(fast) == slow(body)


def test_rss_1_0_items_take_their_ids_from_rdf_about() -> None:
    fast = parse_fast(RDF, URL)
    assert fast is not None and fast.format == "rss10"
    first, second, third = fast.entries
    assert first.guid == "https://news.example.org/1"
    assert first.link == "https://example.org/2022/1"
    assert first.published is not None and first.published.day == 17
    assert first.categories == ("release",)
    assert (second.guid, second.link, second.author) == ("urn:x-news:2", None, "Jo Doe")
    assert second.published is None  # the last dc:date wins, as in feedparser, junk or not
    assert third.guid is None
    assert fast.title == "Debian-ish & News"


_RDF_OPEN = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/">'
)


@pytest.mark.parametrize(
    "body",
    [
        # the Atom namespace declared first makes feedparser call the document Atom
        b'<rdf:RDF xmlns:atom="http://www.w3.org/2005/Atom" '
        + _RDF_OPEN[9:]
        + b"<channel><title>t</title></channel><item><title>i</title></item></rdf:RDF>",
        _RDF_OPEN + b"<channel><title>t</title></channel><title>stray</title></rdf:RDF>",
        _RDF_OPEN + b'<channel href="https://x.example.org/"><title>t</title></channel></rdf:RDF>',
        _RDF_OPEN + b"<channel/><item><guid>g</guid></item></rdf:RDF>",
        _RDF_OPEN + b'<channel/><item lastmod="2020-01-01"><title>i</title></item></rdf:RDF>',
        _RDF_OPEN + b"<item><title>no channel</title></item></rdf:RDF>",
        b'<rss version="2.0" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><channel>'
        b'<item rdf:about="urn:x:1"><title>i</title></item></channel></rss>',
    ],
    ids=[
        "atom-namespace",
        "stray-element",
        "cdf-href",
        "guid",
        "cdf-lastmod",
        "no-channel",
        "rss2-item-about",
    ],
)
def test_rss_1_0_documents_feedparser_may_read_differently_are_declined(body: bytes) -> None:
    assert parse_fast(body, URL) is None
    slow(body)  # and the fallback reads them


def test_guid_permalinks_resolve_like_feedparser_so_dedup_keys_agree() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>a</title>'
        b"<guid>t3_abc</guid></item><item><title>b</title>"
        b'<guid isPermaLink="false">t3_def</guid></item><item><title>c</title><guid></guid>'
        b"</item></channel></rss>"
    )
    fast = parse_fast(body, URL)
    assert fast is not None
    assert [e.guid for e in fast.entries] == ["https://example.org/feed/t3_abc", "t3_def", None]
    assert comparable(fast) == slow(body)


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel/></rss>',
        b'<rss version="2.0" xml:base="https://x.example.org/"><channel/></rss>',
        b'<rss version="2.0"><channel><item><description>don&#146;t</description></item>'
        b"</channel></rss>",
        b'<rss version="2.0"><channel><item><media:description xmlns:media='
        b'"http://search.yahoo.com/mrss/">x</media:description></item></channel></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml">'
        b'<div xmlns="http://www.w3.org/1999/xhtml">x</div></content></entry></feed>',
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        b'<rss version="2.0"><channel><item><title>unclosed</channel></rss>',
        "<rss version='2.0'><channel><title>caf\xe9</title></channel></rss>".encode("latin-1"),
    ],
    ids=[
        "latin1",
        "xml-base",
        "c1-reference",
        "media-ns",
        "xhtml",
        "rdf",
        "not-well-formed",
        "invalid-utf8",
    ],
)
def test_unusual_documents_are_left_to_feedparser(body: bytes) -> None:
    assert parse_fast(body, URL) is None


def test_fast_path_agrees_with_feedparser_on_the_real_corpus(shared_dir: Path) -> None:
    compared = 0
    for path in sorted((shared_dir / "corpus" / "feeds").iterdir()):
        body = path.read_bytes()
        url = f"http://example.org/feed/{path.name}"
        fast = parse_fast(body, url)
        if fast is None:
            continue
        try:
            expected = comparable(_fallback(body, url, {}))
        except FeedError:
            pytest.fail(f"{path.name}: fast path parsed what feedparser refuses")
        assert comparable(fast) == expected, path.name
        compared += 1
    assert compared >= 25  # the fast path must actually cover common feeds


_TEXT = st.lists(
    st.sampled_from(list("abc XYZ<>&;'\"/é—…#1\n") + ["<b>", "</b>", "&amp;", "&#39;", "Jo (x)"]),
    max_size=15,
).map("".join)


@st.composite
def rss_documents(draw: st.DrawFn) -> bytes:
    items = []
    for _ in range(draw(st.integers(0, 4))):
        parts = [f"<title>{escape(draw(_TEXT))}</title>"]
        if draw(st.booleans()):
            parts.append(
                f"<link>{escape(draw(st.sampled_from(['/a', 'https://x.org/b', 'c d'])))}</link>"
            )
        guid = draw(st.sampled_from(["", "g1", "https://x.org/g", "tag:x,1"]))
        permalink = draw(st.sampled_from(["", ' isPermaLink="false"', ' isPermaLink="True"']))
        parts.append(f"<guid{permalink}>{guid}</guid>")
        if draw(st.booleans()):
            parts.append(f"<description>{escape(draw(_TEXT))}</description>")
        if draw(st.booleans()):
            parts.append(f"<author>{escape(draw(_TEXT))}</author>")
        if draw(st.booleans()):
            date = draw(st.sampled_from(["Tue, 24 Nov 2026 09:30:00 GMT", "junk", ""]))
            parts.append(f"<pubDate>{date}</pubDate>")
        items.append("<item>" + "".join(parts) + "</item>")
    title = escape(draw(_TEXT))
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title>{''.join(items)}</channel></rss>"
    ).encode()


@settings(max_examples=150, deadline=None)
@given(rss_documents())
def test_fast_path_equals_feedparser_on_generated_rss(body: bytes) -> None:
    fast = parse_fast(body, URL)
    if fast is not None:
        assert comparable(fast) == slow(body)


@st.composite
def rdf_documents(draw: st.DrawFn) -> bytes:
    items = []
    for _ in range(draw(st.integers(0, 4))):
        about = draw(st.sampled_from(["", "https://x.org/a", "/rel", " spaced "]))
        parts = [f"<title>{escape(draw(_TEXT))}</title>"]
        if draw(st.booleans()):
            parts.append(f"<link>{draw(st.sampled_from(['/a', 'https://x.org/b']))}</link>")
        if draw(st.booleans()):
            parts.append(f"<description>{escape(draw(_TEXT))}</description>")
        if draw(st.booleans()):
            parts.append(f"<dc:creator>{escape(draw(_TEXT))}</dc:creator>")
        for _ in range(draw(st.integers(0, 2))):
            date = draw(st.sampled_from(["2022-12-17", "2022-12-18T09:30:00+02:00", "junk"]))
            parts.append(f"<dc:date>{date}</dc:date>")
        if draw(st.booleans()):
            parts.append(f"<dc:subject>{escape(draw(_TEXT))}</dc:subject>")
        attribute = f' rdf:about="{escape(about)}"' if about else ""
        items.append(f"<item{attribute}>" + "".join(draw(st.permutations(parts))) + "</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>{escape(draw(_TEXT))}</title></channel>{''.join(items)}</rdf:RDF>"
    ).encode()


@settings(max_examples=150, deadline=None)
@given(rdf_documents())
def test_fast_path_equals_feedparser_on_generated_rss_1_0(body: bytes) -> None:
    fast = parse_fast(body, URL)
    if fast is not None:
        assert comparable(fast) == slow(body)


_ATOM_NS = b'<feed xmlns="http://www.w3.org/2005/Atom">'


@pytest.mark.parametrize(
    "body",
    [
        b'<rss version="2.0"><channel><dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b"Example title</dc:title></channel></rss>",
        _ATOM_NS + b'<title type="text/plain" mode="base64">RXhhbXBsZQ==</title></feed>',
        _ATOM_NS + b'<entry><content type="application/octet-stream">RXhh</content></entry></feed>',
        _ATOM_NS + b"<entry><link>http://www.example.com/</link></entry></feed>",
        _ATOM_NS + b"<id>http://example.com/</id></feed>",
        _ATOM_NS + b"<item><title>an RSS item</title></item></feed>",
        b'<rss version="2.0"><channel><item><description><p>Naked <a href="/x">markup</a></p>'
        b"</description></item></channel></rss>",
    ],
    ids=["dc-title", "base64-title", "base64-content", "link-text", "id-link", "item", "markup"],
)
def test_documents_feedparser_reads_differently_are_declined(body: bytes) -> None:
    assert parse_fast(body, URL) is None
    slow(body)  # and the fallback reads them


def test_naked_markup_in_rss_description_is_kept_with_its_links() -> None:
    body = (
        b'<rss version="2.0"><channel><item><description><p>Naked <a href="/x">markup</a></p>'
        b"</description></item></channel></rss>"
    )
    entry = slow(body).entries[0]
    assert entry.summary_html == '<p>Naked <a href="https://example.org/x">markup</a></p>'


def test_repeated_updated_takes_the_last_like_feedparser() -> None:
    body = (
        _ATOM_NS + b"<title>t</title><link href='https://e.org/'/><entry><id>x</id>"
        b"<updated>2010-12-01T10:14:55Z</updated><updated>2003-12-31T10:14:55Z</updated>"
        b"</entry></feed>"
    )
    fast = parse_fast(body, URL)
    assert fast is not None
    assert comparable(fast) == slow(body)
    assert fast.entries[0].updated is not None and fast.entries[0].updated.year == 2003


@pytest.mark.parametrize(
    "author",
    [
        "me@example.com (Example editor)",
        "Example editor (me@example.com)",
        "Example editor &lt;me@example.com&gt;",
        "Example editor",
    ],
)
@pytest.mark.parametrize("tag", ["author", "dc:creator"])
def test_rss_authors_are_names_on_both_paths(author: str, tag: str) -> None:
    body = (
        f'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t'
        f"</title><item><title>i</title><{tag}>{author}</{tag}></item></channel></rss>"
    ).encode()
    fast = parse_fast(body, URL)
    assert fast is not None
    assert fast.entries[0].author == "Example editor"
    assert comparable(fast) == slow(body)
