"""OPML import/export: real documents in the shapes other readers write them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from tuireader.opml import ImportResult, Subscription, parse_opml, sniff_import_format, write_opml

NEWSBOAT_EXPORT = b"""<?xml version="1.0"?>
<opml version="1.0">
  <head>
    <title>newsboat - Exported Feeds</title>
  </head>
  <body>
    <outline type="rss" xmlUrl="https://lwn.example.net/headlines/rss"
      htmlUrl="https://lwn.example.net/" title="LWN.net" />
    <outline type="rss" xmlUrl="https://blog.example.com/atom.xml"
      htmlUrl="https://blog.example.com/" title="A blog" />
  </body>
</opml>
"""

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Mine</title></head>
  <body>
    <outline text="News">
      <outline text="Local" title="Local news">
        <outline type="rss" text="Harbour" xmlUrl="https://harbour.example.org/feed.xml"/>
      </outline>
      <outline type="rss" text="World" title="World desk" xmlUrl="https://world.example.org/rss"/>
    </outline>
    <outline type="atom" title="Untitled-by-text" xmlUrl="https://atom.example.org/feed"/>
    <outline text="Empty folder"/>
    <outline text="Science/Nature">
      <outline text="Field" xmlUrl="https://field.example.org/feed.json"
        category="/science,/biology"/>
    </outline>
  </body>
</opml>
"""


def test_newsboat_export_is_read_with_titles_and_site_urls() -> None:
    result = parse_opml(NEWSBOAT_EXPORT)
    assert result.problems == ()
    assert result.subscriptions == (
        Subscription(
            url="https://lwn.example.net/headlines/rss",
            title="LWN.net",
            site_url="https://lwn.example.net/",
        ),
        Subscription(
            url="https://blog.example.com/atom.xml",
            title="A blog",
            site_url="https://blog.example.com/",
        ),
    )


def test_nested_outlines_become_slash_joined_folders() -> None:
    result = parse_opml(NESTED)
    assert result.problems == ()
    by_url = {sub.url: sub for sub in result.subscriptions}
    assert by_url["https://harbour.example.org/feed.xml"].folder == "News/Local"
    assert by_url["https://world.example.org/rss"].folder == "News"
    assert by_url["https://world.example.org/rss"].title == "World"  # text wins over title
    assert by_url["https://atom.example.org/feed"].folder is None
    assert by_url["https://atom.example.org/feed"].title == "Untitled-by-text"
    # A slash inside one outline's own name is not nesting.
    assert by_url["https://field.example.org/feed.json"].folder == "Science-Nature"
    assert by_url["https://field.example.org/feed.json"].tags == ("science", "biology")


def test_duplicates_keep_the_first_and_are_reported() -> None:
    data = b"""<opml version="2.0"><body>
<outline text="A"><outline text="first" xmlUrl="https://dup.example.org/feed"/></outline>
<outline text="second" xmlUrl="https://dup.example.org/feed"/>
</body></opml>"""
    result = parse_opml(data)
    assert [(s.title, s.folder) for s in result.subscriptions] == [("first", "A")]
    assert len(result.problems) == 1
    assert result.problems[0].startswith("line 3: duplicate")


def test_unsafe_and_odd_outlines_are_reported_not_imported() -> None:
    data = """<opml version="2.0"><body>
<outline text="js" xmlUrl="javascript:alert(1)"/>
<outline text="file" xmlUrl="file:///etc/passwd"/>
<outline text="mail" xmlUrl="mailto:someone@example.org"/>
<outline text="inc" type="include" url="https://example.org/other.opml"/>
<outline text="link" type="link" url="https://example.org/"/>
<outline text="no url" type="rss"/>
<outline text="old scheme" xmlUrl="feed://old.example.org/rss"/>
<outline text="\u202eTi\u200btle  \n" xmlUrl="https://ok.example.org/rss"/>
<outline text="\x1b[2J\x1b]52;c;YmFk\x07Esc" xmlUrl="https://esc.example.org/rss"/>
</body></opml>""".encode()
    result = parse_opml(data)
    assert [(s.url, s.title) for s in result.subscriptions] == [
        ("http://old.example.org/rss", "old scheme"),
        ("https://ok.example.org/rss", "Title"),
        ("https://esc.example.org/rss", result.subscriptions[-1].title),
    ]
    # A raw ESC is not even legal XML; whatever recovery keeps, no control character survives.
    assert not any(ord(c) < 32 for c in result.subscriptions[-1].title or "")
    import_problems = [p for p in result.problems if "malformed XML" not in p]
    assert [p.split(":")[0] for p in import_problems] == [f"line {n}" for n in range(2, 8)]
    assert "include" in import_problems[3]


def test_malformed_xml_keeps_what_parses_and_reports() -> None:
    data = b"""<opml version="2.0"><body>
<outline text="good" xmlUrl="https://good.example.org/rss"/>
<outline text="bad & broken" xmlUrl="https://after.example.org/rss"
</body>"""
    result = parse_opml(data)
    assert Subscription(url="https://good.example.org/rss", title="good") in result.subscriptions
    assert result.problems
    assert all("malformed XML" in p or p.startswith("...") for p in result.problems)


def test_nothing_parseable_says_so() -> None:
    for data in (b"", b"   ", b"this is not xml at all", b"\x00\x01\x02"):
        result = parse_opml(data)
        assert result.subscriptions == ()
        assert any("nothing could be parsed" in p for p in result.problems), data


def test_not_opml_and_empty_opml_are_reported() -> None:
    rss = parse_opml(b"<rss version='2.0'><channel/></rss>")
    assert rss == ImportResult((), ("not an OPML document (root element <rss>)",))
    empty = parse_opml(b"<opml version='2.0'><head/><body/></opml>")
    assert empty == ImportResult((), ("the OPML document lists no feeds",))


def test_entities_are_never_expanded() -> None:
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY x SYSTEM "file:///etc/hostname">
]>
<opml version="2.0"><body><outline text="&e;" title="&x;" xmlUrl="https://e.example.org/&e;"/></body></opml>
"""
    started = time.perf_counter()
    result = parse_opml(laughs)
    assert result.subscriptions == ()
    assert result.problems == ("refused: the document declares XML entities",)
    assert time.perf_counter() - started < 5  # generous: expansion would take far longer
    assert parse_opml(laughs.decode().encode("utf-16")).subscriptions == ()


def test_external_dtd_is_not_loaded() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/never.dtd">
<opml version="2.0"><body><outline text="ok" xmlUrl="https://ok.example.org/rss"/></body></opml>"""
    result = parse_opml(data)
    assert result.subscriptions == (Subscription(url="https://ok.example.org/rss", title="ok"),)


def test_export_has_the_shape_other_readers_expect() -> None:
    created = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    subs = [
        Subscription("https://a.example.org/rss", "A", "News/Local", (), "https://a.example.org/"),
        Subscription("https://b.example.org/rss", None, None),
        Subscription("https://c.example.org/rss", "C & <co>", "News", ("x", "y")),
    ]
    data = write_opml(subs, title="My feeds", created=created)
    root = etree.fromstring(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "My feeds"
    assert root.findtext("head/dateCreated") == "Mon, 30 Nov 2026 09:15:00 GMT"
    news = root.find("body/outline[@text='News']")
    assert news is not None and news.get("xmlUrl") is None
    local = news.find("outline[@text='Local']")
    assert local is not None
    feed_a = local.find("outline")
    assert feed_a is not None
    assert dict(feed_a.attrib) == {
        "type": "rss",
        "text": "A",
        "title": "A",
        "xmlUrl": "https://a.example.org/rss",
        "htmlUrl": "https://a.example.org/",
    }
    untitled = root.find("body/outline[@xmlUrl='https://b.example.org/rss']")
    # Untitled: an empty text, never the URL (which an importer would take for a user title).
    assert untitled is not None and untitled.get("text") == ""
    assert untitled.get("title") is None
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_round_trip_keeps_everything() -> None:
    subs = (
        Subscription("https://a.example.org/rss", "A", "News/Local", ("News", "local"), None),
        Subscription("https://b.example.org/rss", "B", None, (), "https://b.example.org/"),
        Subscription("https://c.example.org/rss", 'C & <co> "q"', "News", (), None),
        Subscription("https://d.example.org/rss", "Dé ünïcode 日本", "Ünï", (), None),
    )
    result = parse_opml(write_opml(subs))
    assert result.problems == ()
    assert sorted(result.subscriptions, key=lambda s: s.url) == list(subs)


_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), max_size=20
).map(lambda s: " ".join(s.replace("/", " ").replace(",", " ").split()))


@given(
    st.lists(
        st.tuples(_names, st.lists(_names.filter(bool), max_size=3), st.lists(_names, max_size=2)),
        min_size=1,
        max_size=8,
    )
)
def test_round_trip_property(rows: list[tuple[str, list[str], list[str]]]) -> None:
    subs = tuple(
        Subscription(
            url=f"https://feed{i}.example.org/rss",
            title=title or None,
            folder="/".join(folder) or None,
            tags=tuple(dict.fromkeys(tag for tag in tags if tag)),
        )
        for i, (title, folder, tags) in enumerate(rows)
    )
    result = parse_opml(write_opml(subs))
    assert result.problems == ()
    restored = {sub.url: sub for sub in result.subscriptions}
    for sub in subs:
        assert restored[sub.url] == Subscription(sub.url, sub.title, sub.folder, sub.tags)


def test_sniff_import_format() -> None:
    assert sniff_import_format(NESTED) == "opml"
    assert sniff_import_format(b"\xef\xbb\xbf  \n<opml/>") == "opml"
    assert sniff_import_format("<opml/>".encode("utf-16")) == "opml"
    assert sniff_import_format("<opml/>".encode("utf-32")) == "opml"  # BOM FF FE 00 00
    assert sniff_import_format(b"\x00\x00\xfe\xff" + "<opml/>".encode("utf-32-be")) == "opml"
    assert sniff_import_format(b"# my feeds\nhttps://example.org/rss tag\n") == "urls"
    assert sniff_import_format(b"") == "urls"
