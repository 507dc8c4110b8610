"""Import files in the shapes real readers write, and the odd ones listparser's suite covers.

listparser's test files do not ship in its sdist, so each case is a hand-made fixture in
tests/fixtures/import/. Every test reads through ``read_import`` (what ``tuireader import``
uses) and the ones about storing go through a real SQLite store.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuireader.core import IMPORT_BATCH, Reader, make_reader
from tuireader.importfile import read_import
from tuireader.opml import parse_opml, write_opml
from tuireader.parse import fields
from tuireader.subscriptions import MAX_TITLE, ImportResult, Subscription, url_key

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def read(name: str) -> ImportResult:
    return read_import((FIXTURES / name).read_bytes())


def by_url(result: ImportResult) -> dict[str, Subscription]:
    return {s.url: s for s in result.subscriptions}


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return make_reader(db_path=tmp_path / "import.db")


def test_invalid_element_names_do_not_stop_the_feeds_around_them() -> None:
    result = read("invalid-element-names.opml")
    assert list(by_url(result)) == [
        "https://before.example.org/feed",
        "https://after.example.org/feed",
    ]
    assert [p.split(":")[0] for p in result.problems] == ["line 6", "line 7"]


def png_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (png_bytes(), "a PNG image"),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, "gzip data"),
        (bytes(range(256)) * 8, "binary data"),
    ],
    ids=["png", "gzip", "bytes"],
)
def test_a_binary_file_is_said_to_be_neither_opml_nor_urls(
    reader: Reader, data: bytes, kind: str
) -> None:
    # Seen in the user trial: a PNG picked in the import dialog was read as a urls file,
    # one "not a URL" problem per line of pixels.
    result = read_import(data)
    assert result.subscriptions == ()
    assert result.problems == (f"not an OPML or newsboat urls file ({kind})",)
    report = reader.import_subscriptions(data)
    assert report.added == () and report.problems == result.problems


def test_a_urls_file_in_utf16_is_not_taken_for_binary() -> None:
    text = "https://a.example/feed.xml news\n"
    result = read_import(text.encode("utf-16"))
    assert [s.url for s in result.subscriptions] == ["https://a.example/feed.xml"]


def test_a_urls_file_starting_with_an_angle_bracket_is_read_as_one() -> None:
    result = read("starts-with-angle.urls")
    assert list(by_url(result)) == [
        "https://good.example.org/one.xml",
        "https://good.example.org/two.xml",
    ]
    assert result.problems[0].startswith("line 1: not an http(s) URL")


def test_bare_ampersands_in_urls_are_kept_as_written() -> None:
    urls = list(by_url(read("unescaped-ampersand.opml")))
    assert urls == [
        "https://q.example.org/feed?a=1&b=2&c",
        "https://e.example.org/feed?a=1&b=2",
        "https://c.example.org/feed?x=1&copy=2",  # "&copy" without ";" is no entity
    ]


def test_html_entities_in_titles_are_their_characters() -> None:
    titles = [s.title for s in read("html-entities.opml").subscriptions]
    assert titles == ["Café & bar", "Non breaking", "© 2024 &bogus; news"]


def test_every_attribute_is_kept() -> None:
    feeds = by_url(read("attributes.opml"))
    kept = feeds["https://kept.example.org/feed"]
    assert kept.site_url == "https://kept.example.org/"
    assert kept.tags == ("Tech/Linux", "Reading list")  # OPML category
    both = feeds["https://both.example.org/feed"]
    assert (both.folder, both.other_folders, both.tags) == ("Tech", ("Fun",), ("fun",))
    assert feeds["https://upper.example.org/feed"].site_url == "https://upper.example.org/"
    assert feeds["https://shout.example.org/feed"].title == "Shout"  # XMLURL, TEXT
    assert feeds["https://blank.example.org/feed"].title == "Title when text is blank"


def test_concatenated_documents_are_each_read() -> None:
    assert list(by_url(read("concatenated.opml"))) == [
        "https://one.example.org/feed",
        "https://two.example.org/feed",
    ]


def test_liferea_sources_and_search_folders_are_not_feeds() -> None:
    result = read("liferea.opml")
    feeds = by_url(result)
    assert "https://ttrss.example.org/" not in feeds
    assert feeds["https://remote.example.org/feed"].folder == "TinyTiny"
    assert feeds["https://planet.example.org/rss20.xml"].folder == "Work"
    assert result.problems == ("line 8: a source outline is not a feed: 'TinyTiny'",)


def test_utf32_with_a_bom_is_opml_not_a_urls_file() -> None:
    for codec in ("utf-32", "utf-32-be", "utf-16"):
        text = (FIXTURES / "attributes.opml").read_text()
        data = text.encode(codec)
        if codec == "utf-32-be":
            data = b"\x00\x00\xfe\xff" + data
        assert len(read_import(data).subscriptions) == 5, codec


def test_a_comment_mentioning_entity_does_not_refuse_the_file() -> None:
    result = read("comment-mentions-entity.opml")
    assert list(by_url(result)) == ["https://fine.example.org/feed"]
    declared = (
        (FIXTURES / "comment-mentions-entity.opml")
        .read_bytes()
        .replace(b"<opml", b'<!DOCTYPE opml [<!ENTITY x "y">]>\n<opml', 1)
    )
    assert read_import(declared).problems == ("refused: the document declares XML entities",)


def test_duplicates_are_matched_on_a_normalised_url() -> None:
    result = read("duplicates.opml")
    assert list(by_url(result)) == [
        "https://EXAMPLE.com/x",
        "https://example.com/X",
        "https://example.com:8443/x",
        "http://example.com",
    ]
    assert [p.split(":")[0] for p in result.problems] == ["line 5", "line 6", "line 10"]


def test_untitled_feeds_export_no_title_and_old_exports_import_none() -> None:
    assert (
        by_url(read("old-untitled-export.opml"))["https://untitled.example.org/rss"].title is None
    )
    exported = write_opml([Subscription("https://u.example.org/rss")])
    assert b"https://u.example.org/rss" in exported
    assert parse_opml(exported).subscriptions == (Subscription("https://u.example.org/rss"),)


def test_a_feed_never_fetched_is_exported_untitled(reader: Reader) -> None:
    reader.import_subscriptions(b"https://never.example.org/rss\n")
    exported = reader.export_opml()
    assert b'text="" xmlUrl="https://never.example.org/rss"' in exported
    assert parse_opml(exported).subscriptions[0].title is None


def test_newsboat_tags_hidden_tags_and_trailing_comments() -> None:
    feeds = by_url(read("newsboat.urls"))
    a = feeds["https://a.example.org/feed"]
    assert (a.title, a.folder, a.tags) == (
        "My own title",
        "tech",
        ("tech", "linux", "long reads", "!hidden-tag"),
    )
    b = feeds["https://b.example.org/feed"]
    assert (b.folder, b.tags) == ("news", ("!", "news"))
    c = feeds["https://c.example.org/feed"]
    assert c.tags == ("#not-a-comment", "tag2")  # quoted: a tag, not a comment
    assert feeds["https://d.example.org/feed#frag"].tags == ("tag",)


def test_titles_are_capped_like_feed_titles() -> None:
    assert MAX_TITLE == fields.MAX_TITLE
    long = "x" * (MAX_TITLE * 3)
    data = f'<opml><body><outline text="{long}" xmlUrl="https://l.example.org/"/></body></opml>'
    (sub,) = read_import(data.encode()).subscriptions
    assert sub.title is not None and len(sub.title) == MAX_TITLE


@pytest.mark.parametrize("name", ["feedly.opml", "inoreader.opml", "netnewswire.opml"])
def test_reader_exports_survive_import_and_export_unchanged(reader: Reader, name: str) -> None:
    original = read(name)
    assert original.problems == ()
    report = reader.import_subscriptions((FIXTURES / name).read_bytes())
    assert len(report.added) == len(original.subscriptions)
    exported = parse_opml(reader.export_opml())
    assert exported.problems == ()
    assert set(exported.subscriptions) == set(original.subscriptions)
    again = reader.import_subscriptions(reader.export_opml())
    assert again.added == () and len(again.already) == len(original.subscriptions)


def test_a_feed_in_two_folders_keeps_the_second_as_a_tag(reader: Reader) -> None:
    opml = (
        b'<opml version="2.0"><body>'
        b'<outline text="News"><outline text="A" xmlUrl="https://a.example.org/f"/></outline>'
        b'<outline text="Tech"><outline text="A" xmlUrl="https://a.example.org/f"'
        b' category="later"/></outline></body></opml>'
    )
    reader.import_subscriptions(opml)
    [feed] = reader.feeds()
    assert feed.folder == "News"
    assert reader.store.feed_tags(feed.id) == ["later", "Tech"]  # sorted case-blind


def test_import_stores_site_urls_and_reports_known_feeds(reader: Reader) -> None:
    reader.import_subscriptions((FIXTURES / "attributes.opml").read_bytes())
    stored = {f.url: f for f in reader.feeds()}
    assert stored["https://kept.example.org/feed"].site_url == "https://kept.example.org/"
    assert stored["https://both.example.org/feed"].folder == "Tech"
    # Its second listing is not lost: a feed has one folder, so the other folder ("Fun")
    # becomes a tag, as do that listing's categories ("fun": tags are case-blind).
    both = stored["https://both.example.org/feed"]
    assert [t.lower() for t in reader.store.feed_tags(both.id)] == ["fun"]
    report = reader.import_subscriptions(b"https://KEPT.example.org:443/feed\n")
    assert report.already == ("https://KEPT.example.org:443/feed",)
    assert len(reader.feeds()) == 5


def test_big_imports_are_stored_in_batches_as_they_are_read(reader: Reader) -> None:
    count = IMPORT_BATCH * 2 + 10
    outlines = "".join(
        f'<outline type="rss" text="F{n}" xmlUrl="https://f{n}.example.org/rss"/>'
        for n in range(count)
    )
    stored_when_progress: list[tuple[int, int]] = []

    def progress(added: int) -> None:
        stored_when_progress.append((added, len(reader.feeds())))

    data = f"<opml><body>{outlines}</body></opml>".encode()
    report = reader.import_subscriptions(data, progress=progress)
    assert len(report.added) == count
    assert stored_when_progress == [
        (IMPORT_BATCH, IMPORT_BATCH),
        (IMPORT_BATCH * 2, IMPORT_BATCH * 2),
        (count, count),
    ]


_URL_TAIL = st.text(alphabet="abcXYZ019&;#=?/%-_.~+", max_size=30)


@given(_URL_TAIL)
def test_any_url_written_escaped_or_bare_comes_back_unchanged(tail: str) -> None:
    url = f"https://q.example.org/{tail}"
    escaped = xml_escape(url, {'"': "&quot;"})
    data = f'<opml><body><outline text="t" xmlUrl="{escaped}"/></body></opml>'.encode()
    assert [s.url for s in read_import(data).subscriptions] == [url]
    if not re.search(r"&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);", url, re.IGNORECASE):
        bare = f'<opml><body><outline text="t" xmlUrl="{url}"/></body></opml>'.encode()
        assert [s.url for s in read_import(bare).subscriptions] == [url]


@given(st.sampled_from(["http", "HTTP", "https", "HttpS"]), st.sampled_from(["", ":80", ":443"]))
def test_url_key_ignores_scheme_and_host_case_and_default_ports(scheme: str, port: str) -> None:
    url = f"{scheme}://Feeds.EXAMPLE.org{port}/Path?Q=1"
    key = url_key(url)
    assert url_key(key) == key
    default = ":80" if scheme.lower() == "http" else ":443"
    if port in ("", default):
        assert key == f"{scheme.lower()}://feeds.example.org/Path?Q=1"
    else:
        assert port in key
