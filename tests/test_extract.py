"""Article extraction on pages written for these tests (the corpus is scored by the bench)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tuireader.extract import ExtractedArticle, extract_article

PAGES = Path(__file__).parent / "fixtures" / "pages"
ARTICLE_URL = "https://gazette.example/news/2024/03/tidal-mill"


@pytest.fixture
def article() -> ExtractedArticle:
    result = extract_article((PAGES / "news-article.html").read_bytes(), ARTICLE_URL)
    assert result is not None
    return result


def test_body_and_headings_are_kept(article: ExtractedArticle) -> None:
    assert "voted on Monday night to restore the tidal mill" in article.markdown
    assert "should take eighteen months." in article.markdown
    assert "## A building older than the harbour" in article.markdown
    assert "## Paying for the work" in article.markdown
    assert "A building older than the harbour" in article.text
    assert "##" not in article.text  # plain text, not Markdown


def test_metadata_byline_and_date(article: ExtractedArticle) -> None:
    assert article.title == "Harbour town votes to rebuild its tidal mill"
    assert article.author == "Mara Ellison"
    assert article.published == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    assert article.standfirst == (
        "Councillors back a plan to restore the 18th-century mill as a working museum."
    )


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Sport",  # navigation
        "Search",  # search form
        "Most read",  # sidebar
        "Lifeboat crew",
        "Holiday cottages",  # advert
        "tidewatcher",  # comments
        "grandfather",
        "Post comment",
        "readers recommend",  # the recommend counter
        "1,204",
        "Share",  # share widget
        "Copyright 2024",  # footer
        "Privacy",
        "analytics",  # scripts and styles
        "font-family",
    ],
)
def test_boilerplate_is_gone(article: ExtractedArticle, boilerplate: str) -> None:
    assert boilerplate not in article.markdown
    assert boilerplate not in article.text


def test_images_resolved_and_tracking_pixel_dropped(article: ExtractedArticle) -> None:
    assert article.image_urls == ("https://gazette.example/img/mill.jpg",)
    assert "[🖼 Image: The tidal mill at low water](https://gazette.example/img/mill.jpg)" in (
        article.markdown
    )
    assert "tracker" not in article.markdown


def test_str_input_gives_the_same_article(article: ExtractedArticle) -> None:
    as_text = (PAGES / "news-article.html").read_text(encoding="utf-8")
    assert extract_article(as_text, ARTICLE_URL) == article


def test_index_page_has_no_article() -> None:
    page = (PAGES / "section-index.html").read_bytes()
    assert extract_article(page, "https://gazette.example/news") is None


@pytest.mark.parametrize(
    "page",
    [b"", b"   ", "<html><body></body></html>", "<p>", b"<?xml?>", "<script>x()</script>"],
)
def test_nothing_to_extract_gives_none(page: bytes | str) -> None:
    assert extract_article(page, "https://example.org/") is None


def test_binary_garbage_never_raises() -> None:
    garbage = bytes(range(256)) * 40 + b"<div><p>\xff\xfe<b>" * 50
    result = extract_article(garbage, "https://example.org/")
    assert result is None or "\x00" not in result.markdown


def test_controls_in_page_text_are_removed() -> None:
    page = (PAGES / "news-article.html").read_text(encoding="utf-8")
    page = page.replace("Saltmarsh Quay", "Saltmarsh\x1b[2J\x9b31m Quay\x85").replace(
        'Mara Ellison">', 'Mara\x1b]0;pwned\x07 Ellison">'
    )
    result = extract_article(page, ARTICLE_URL)
    assert result is not None
    for value in (result.markdown, result.text, result.author or "", result.title or ""):
        assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in value)
    assert "Saltmarsh Quay" in result.text
    assert result.author == "Mara Ellison"


def test_declared_legacy_charset_is_honoured() -> None:
    page = (PAGES / "news-article.html").read_text(encoding="utf-8")
    page = page.replace('charset="utf-8"', 'charset="windows-1252"').replace(
        "Peter Vance", "Peter Vancé"
    )
    result = extract_article(page.encode("cp1252"), ARTICLE_URL)
    assert result is not None and "Peter Vancé" in result.text
