"""Article extraction on pages written for these tests (the corpus is scored by the bench)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from tuireader.extract import Draft, ExtractedArticle, Rules, extract_article, finish, prepare
from tuireader.extract.content import body_of
from tuireader.extract.metadata import PageMetadata
from tuireader.extract.repeats import drop_credits, drop_repeats
from tuireader.extract.rules import RULE_GRID

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


def test_short_article_on_a_link_heavy_page_is_kept() -> None:
    """Menus and "most read" lists outweigh the story, but the story is still the article."""
    page = (PAGES / "short-article-link-heavy.html").read_bytes()
    result = extract_article(page, "https://gazette.example/news/gull")
    assert result is not None
    assert "Firefighters freed a herring gull chick" in result.text
    assert "returned to the roof, where its parents were waiting." in result.text
    assert "Most read" not in result.text and "Ferry timetable" not in result.text


def test_headline_byline_and_date_are_not_repeated_in_the_body(article: ExtractedArticle) -> None:
    assert article.text.startswith("The council of Saltmarsh Quay voted")
    assert "Harbour town votes" not in article.text
    assert "Mara Ellison" not in article.text
    assert "5 March 2024" not in article.text


def _draft(
    readability: str | None, trafilatura: str | None, page_prose: int = 0, **metadata: Any
) -> Draft:
    return Draft(
        PageMetadata(**metadata), "https://example.org/", readability, trafilatura, page_prose
    )


_PROSE = (
    "<p>The ferry will run every hour from the first of May, the operator said on Friday.</p>"
    "<p>Tickets bought before then remain valid until the end of the summer season.</p>"
)
_LINKS = "".join(f'<li><a href="/{i}">Other story number {i} of the day</a></li>' for i in range(8))


def test_an_index_page_gives_no_article_when_neither_library_finds_prose() -> None:
    links = f"<ul>{_LINKS}</ul>"
    assert finish(_draft(links, links)) is None
    headlines = "<p>" + "\n".join(f"Other story number {i} of the day" for i in range(8)) + "</p>"
    assert finish(_draft(links, headlines)) is None  # trafilatura's one-paragraph list


def test_a_post_of_links_to_other_sites_is_an_article() -> None:
    """A link blog or press review: no sentence of its own, but not the site's own index."""
    links = "".join(
        f'<p><a href="https://{site}.example/story-{i}">Story {i} about the harbour</a>'
        f"<br>via {site}</p>"
        for i, site in enumerate(["gazette", "tribune", "herald", "courier"])
    )
    result = finish(_draft(links, links))
    assert result is not None and "Story 2 about the harbour" in result.text
    same_site = links.replace("https://", "/").replace(".example/", "/")  # into its own site
    assert finish(_draft(same_site, same_site)) is None


def test_the_other_library_is_used_when_the_chosen_body_has_no_prose() -> None:
    result = finish(_draft(f"<ul>{_LINKS}</ul>", _PROSE))
    assert result is not None and result.text.startswith("The ferry will run every hour")


def test_the_index_guard_can_be_switched_off() -> None:
    """The bench measures each rule against the rule switched off."""
    result = finish(_draft(f"<ul>{_LINKS}</ul>", None), Rules(guard="none"))
    assert result is not None and "Other story number 3" in result.text


_CAPTION = "<p>The old ferry at the quay on Friday morning, photographed by a reader.</p>"
_STORY = "".join(
    f"<p>Paragraph {i} of the story tells how the harbour board voted on the new timetable.</p>"
    for i in range(8)
)


def test_trafilatura_is_taken_when_readability_kept_a_caption_of_a_long_story() -> None:
    """readability sometimes picks a caption or a teaser; the page holds much more prose."""
    draft = _draft(_CAPTION, _STORY, page_prose=120)
    result = finish(draft)
    assert result is not None and result.text.startswith("Paragraph 0 of the story")
    assert finish(draft, Rules(lost=None)).text.startswith("The old ferry")  # type: ignore[union-attr]


def test_trafilatura_is_not_looked_at_when_readability_holds_the_pages_prose() -> None:
    """Nearly all the page's prose is in readability's body: trafilatura's is not compared."""
    result = finish(_draft(_PROSE, _PROSE + _STORY, page_prose=30))
    assert result is not None and result.text.startswith("The ferry will run every hour")
    assert "Paragraph 0" not in result.text


_LEAD = "<p>The harbour board has settled the argument over the summer ferry at last.</p>"


def test_trafilatura_is_taken_when_it_holds_readabilitys_body_and_a_lead() -> None:
    """readability dropped the lead paragraph (outside its container); trafilatura kept it."""
    draft = _draft(_PROSE, _LEAD + _PROSE, page_prose=60)
    result = finish(draft)
    assert result is not None and result.text.startswith("The harbour board has settled")
    assert "Tickets bought before then" in result.text
    off = finish(draft, Rules(contains=None))
    assert off is not None and off.text.startswith("The ferry will run every hour")


def test_readability_is_kept_when_trafilatura_adds_only_the_headline() -> None:
    """The headline is dropped from the body anyway: not "more article" worth losing the
    pictures for (trafilatura's body has none)."""
    title = "Summer ferry to run every hour at the harbour"
    picture = '<figure><img src="https://example.org/ferry.jpg" alt="The ferry"></figure>'
    draft = _draft(_PROSE + picture, f"<h1>{title}</h1>{_PROSE}", page_prose=60, title=title)
    result = finish(draft)
    assert result is not None and result.text.startswith("The ferry will run every hour")
    assert result.image_urls == ("https://example.org/ferry.jpg",)


def test_readability_is_kept_when_trafilatura_leaves_part_of_it_out() -> None:
    """trafilatura's longer body that lacks readability's first paragraph is another text."""
    second = _PROSE.split("</p>")[1] + "</p>"
    result = finish(_draft(_PROSE, second + _STORY[:300], page_prose=100))
    assert result is not None and result.text.startswith("The ferry will run every hour")


def test_a_list_of_headlines_is_never_more_article() -> None:
    """trafilatura's body holds readability's and more, but not one sentence of prose."""
    headlines = "<p>" + "\n".join(f"Other story number {i} of the day" for i in range(8)) + "</p>"
    result = finish(_draft("<p>Other story number 1 of the day</p>", headlines, page_prose=0))
    assert result is None or "number 5" not in result.text


def test_readability_is_kept_when_trafilatura_has_only_a_little_more_prose() -> None:
    """Little prose on the page (a photo story): only many times more prose is a lost article."""
    two = "".join(_STORY.split("</p>")[:2]) + "</p>"
    result = finish(_draft(_CAPTION, two, page_prose=200))
    assert result is not None and result.text.startswith("The old ferry")


_WHOLE_ARTICLE_PAGE = f"""<html><head><title>Ferry</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article>{_PROSE}{_STORY}</article>
<footer><a href="/about">About us</a></footer></body></html>"""


def test_trafilatura_runs_only_when_readability_may_have_lost_the_article() -> None:
    """Its CPU time is spent only where some of the page's prose is outside readability's body."""
    draft = prepare(_WHOLE_ARTICLE_PAGE, "https://example.org/ferry")
    assert draft is not None and draft.readability and draft.trafilatura is None
    both = prepare(_WHOLE_ARTICLE_PAGE, "https://example.org/ferry", both=True)
    assert both is not None and both.trafilatura and "harbour board voted" in both.trafilatura
    assert finish(draft) == finish(both)
    page = (PAGES / "news-article.html").read_bytes()  # its comments are prose outside
    draft = prepare(page, ARTICLE_URL)
    assert draft is not None and draft.trafilatura is not None


def test_repeats_only_at_the_top_and_only_whole_blocks() -> None:
    title = "Harbour town votes to rebuild its tidal mill"
    later = "".join(
        f"<p>Paragraph {i} of the story, which goes on for a while.</p>" for i in range(8)
    )
    html = (
        f"<div><h1>{title}</h1><p>By Mara Ellison</p><p>Mara Ellison, 5 March 2024</p>"
        f"<p>{title}, the council said in 2024, after a decade of argument.</p>{later}"
        f"<h2>{title}</h2></div>"
    )
    root = lxml_html.fragment_fromstring(html)
    assert drop_repeats(root, title, "Mara Ellison", 2024)
    text = root.text_content()
    assert text.startswith(f"{title}, the council said in 2024")  # a sentence, not a repeat
    assert text.endswith(title)  # far from the top: the article's own heading
    assert "By Mara" not in text and "5 March" not in text


def test_a_byline_element_says_by_once() -> None:
    """A class="byline" element reads "By Ann Reeve": the author is "Ann Reeve" (the pane
    says "by" itself), and the line is not repeated at the top of the body."""
    paragraphs = "".join(
        f"<p>Paragraph {i}: the harbour wall, battered by three winter storms, was rebuilt "
        "stone by stone by a crew of twelve masons through the spring tides.</p>"
        for i in range(12)
    )
    page = (
        "<html><head><title>Harbour wall repaired</title></head><body><article>"
        "<h1>Harbour wall repaired</h1><p class='byline'>By Ann Reeve</p>"
        f"{paragraphs}</article></body></html>"
    )
    result = extract_article(page, ARTICLE_URL)
    assert result is not None and result.author == "Ann Reeve"
    assert "Ann Reeve" not in result.text and result.text.startswith("Paragraph 0")
    root = lxml_html.fragment_fromstring("<div><p>By: Byron Hale</p><p>Story text.</p></div>")
    assert drop_repeats(root, None, "By: Byron Hale", None)
    assert root.text_content() == "Story text."


@pytest.mark.parametrize(
    ("caption", "kept"),
    [
        ("Photo: Jane Doe / Harbour Press", False),
        ("Foto: dpa", False),
        ("© 2024 Harbour Press", False),
        ("The mill at low water, seen from the quay", True),  # describes the picture
        ("The mill at low water, seen from the quay. Photo: Jane Doe / Harbour Press", True),
        ("Photo: the councillors who voted for the plan, with the mayor, outside the mill", True),
    ],
)
def test_captions_that_only_credit_the_photo_are_dropped(caption: str, kept: bool) -> None:
    body = (
        f'<div>{_PROSE}<figure><img src="/mill.jpg" alt="The mill">'
        f"<figcaption>{caption}</figcaption></figure></div>"
    )
    root = lxml_html.fragment_fromstring(body)
    assert drop_credits(root) is not kept
    assert (caption in root.text_content()) is kept
    result = finish(_draft(body, None))
    assert result is not None and (caption in result.text) is kept
    assert "The ferry will run every hour" in result.text


def test_every_rule_can_be_measured_against_switching_it_off() -> None:
    shipped = Rules()
    for name in Rules.__slots__:
        assert name in RULE_GRID, name
        assert getattr(shipped, name) in RULE_GRID[name]


def test_the_other_library_is_used_when_the_chosen_body_shows_no_text() -> None:
    """readability-lxml sometimes returns the whole page, head and all: no visible text."""
    whole_page = (
        '<div><body id="readabilityBody"><title>Time to talk » Blog archive</title>'
        '<meta name="description" content="Cinemas"></body></div>'
    )
    assert body_of("readability", whole_page) is not None
    result = finish(_draft(whole_page, _PROSE))
    assert result is not None and result.text.startswith("The ferry will run every hour")


_AUTHOR_BOX = "<p>Jane Doe writes about the harbour, the ferries and the people who run them.</p>"


@pytest.mark.parametrize(
    "block",
    [
        f"<aside>{_AUTHOR_BOX}</aside>",
        f"<footer>{_AUTHOR_BOX}</footer>",
        f'<div role="navigation">{_AUTHOR_BOX}</div>',
        f'<div role="complementary">{_AUTHOR_BOX}</div>',
        f'<div class="sharedaddy sd-sharing"><h3>Share this:</h3>{_AUTHOR_BOX}</div>',
        f'<div class="jp-relatedposts">{_AUTHOR_BOX}</div>',
        f'<ul id="social-links"><li>{_AUTHOR_BOX}</li></ul>',
    ],
)
def test_what_reader_view_drops_from_readabilitys_body_is_dropped(block: str) -> None:
    """readability-lxml keeps asides, footers, share bars and related links that sit inside
    the article's container; Readability.js (Reader View) removes them."""
    draft = _draft(f"<div>{_PROSE}{_STORY}{block}</div>", None)
    result = finish(draft)
    assert result is not None and result.text.startswith("The ferry will run every hour")
    assert "Paragraph 7 of the story" in result.text
    assert "Jane Doe writes" not in result.text
    off = finish(draft, Rules(asides=False, widgets=False))
    assert off is not None and "Jane Doe writes" in off.text


def test_a_mislabelled_wrapper_of_most_of_the_body_is_kept() -> None:
    """An element holding half the body's text or more is the article, whatever its name."""
    for wrapper in ("<aside>", '<div class="post-content social-share">'):
        tag = wrapper[1:].split()[0].rstrip(">")
        draft = _draft(f"<div>{_LEAD}{wrapper}{_PROSE}{_STORY}</{tag}></div>", None)
        result = finish(draft)
        assert result is not None and "Paragraph 7 of the story" in result.text, wrapper


def test_a_body_of_asides_only_is_kept_rather_than_lost() -> None:
    """Several asides together may be all readability found: better them than nothing."""
    draft = _draft(
        f"<div><aside>{_PROSE}</aside><aside>{_LEAD}</aside><aside>{_CAPTION}</aside></div>", None
    )
    result = finish(draft)
    assert result is not None and "The ferry will run every hour" in result.text


def test_a_class_that_says_content_is_not_a_widget() -> None:
    """ "related" inside a name that also says the block is the content is not a widget
    (Readability's okMaybeItsACandidate)."""
    draft = _draft(f'<div>{_PROSE}<div class="related-content">{_LEAD}</div>{_STORY}</div>', None)
    result = finish(draft)
    assert result is not None and "The harbour board has settled" in result.text
    widget = finish(_draft(f'<div>{_PROSE}<div class="related">{_LEAD}</div>{_STORY}</div>', None))
    assert widget is not None and "The harbour board has settled" not in widget.text
