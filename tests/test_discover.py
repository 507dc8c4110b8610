"""Feed autodiscovery: <link rel=alternate> in HTML, and sniffing feeds from pages."""

from __future__ import annotations

import json

from tuireader.discover import COMMON_FEED_PATHS, FeedLink, find_feed_links, looks_like_feed

PAGE = """<!doctype html>
<html><head>
<meta charset="utf-8">
<title>Blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="B \u00bb Comments Feed" href="/c/feed/">
<link rel="alternate" type="application/rss+xml" title="Blog \u00bb Feed" href="/feed/">
<link rel="alternate" type="application/atom+xml" title="Blog (Atom)" href="atom.xml">
<link rel="alternate" type="application/feed+json; charset=utf-8" title="JSON" href="feed.json">
<link rel="Alternate Home" type="APPLICATION/RSS+XML" href="https://other.example.org/rss">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="/feed/">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/1">
</head><body><p>hello</p></body></html>
"""


def test_links_found_resolved_and_ranked() -> None:
    links = find_feed_links(PAGE, "https://blog.example.com/2024/post/")
    assert links == [
        FeedLink(
            "https://blog.example.com/2024/post/atom.xml", "Blog (Atom)", "application/atom+xml"
        ),
        FeedLink("https://blog.example.com/feed/", "Blog \u00bb Feed", "application/rss+xml"),
        FeedLink("https://other.example.org/rss", None, "application/rss+xml"),
        FeedLink("https://blog.example.com/2024/post/feed.json", "JSON", "application/feed+json"),
        FeedLink(
            "https://blog.example.com/c/feed/",
            "B \u00bb Comments Feed",
            "application/rss+xml",
        ),
    ]


def test_base_tag_bytes_and_unsafe_title() -> None:
    page = (
        '<html><head><meta charset="windows-1252"><base href="https://cdn.example.net/site/">'
        '<link rel=alternate type=application/atom+xml href=feed.atom title="Caf\xe9 \x1b[31m">'
        "</head></html>"
    ).encode("latin-1")
    (link,) = find_feed_links(page, "https://example.com/")
    assert link == FeedLink(
        "https://cdn.example.net/site/feed.atom", "Caf\u00e9", "application/atom+xml"
    )


def test_no_links_and_broken_html() -> None:
    assert find_feed_links("<html><head><title>x</title></head></html>", "https://e.com/") == []
    assert (
        find_feed_links(
            b"<link rel='alternate' type='application/rss+xml' href='/f'", "https://e.com/"
        )
        == []
    )
    assert find_feed_links(b"\xff\xfe<<<>>>", "https://e.com/") == []


def test_common_paths() -> None:
    for path in ("/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml", "/feed.json"):
        assert path in COMMON_FEED_PATHS
    assert all(p.startswith("/") for p in COMMON_FEED_PATHS)


def test_looks_like_feed() -> None:
    rss = b'<?xml version="1.0"?>\n<!-- c --><rss version="2.0"><channel/></rss>'
    atom = b'\xef\xbb\xbf<feed xmlns="http://www.w3.org/2005/Atom"/>'
    rdf = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    jsonfeed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": []}).encode()
    assert looks_like_feed(rss, "text/html")
    assert looks_like_feed(atom, None)
    assert looks_like_feed(rdf, "application/rdf+xml")
    assert looks_like_feed(jsonfeed, "application/json")
    assert looks_like_feed('<rss version="2.0"/>'.encode("utf-16"), None)
    assert not looks_like_feed(PAGE.encode(), "application/rss+xml")
    assert not looks_like_feed(b'{"data": []}', "application/json")
    assert not looks_like_feed(b"", "application/rss+xml")
    assert not looks_like_feed(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
