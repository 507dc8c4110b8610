"""Title, byline, date and standfirst of a web page, the way Firefox Reader View reads them.

The rules follow Readability.js (``_getJSONLD``, ``_getArticleMetadata``, ``_getArticleTitle``)
so titles match what readers know from Reader View. This is much cheaper than trafilatura's
metadata pass (no date guessing over the whole page).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree

from tuireader.sanitize import clean_line

_JSONLD_ARTICLE_TYPES = re.compile(
    r"^(?:Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle"
    r"|BackgroundNewsArticle|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report"
    r"|SatiricalArticle|ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting|BlogPosting"
    r"|LiveBlogPosting|DiscussionForumPosting|TechArticle|APIReference)$"
)
_SCHEMA_ORG = re.compile(r"^https?://schema\.org/?$")
_PROPERTY = re.compile(
    r"\s*(article|dc|dcterm|og|twitter)\s*:\s*"
    r"(author|creator|description|published_time|title|site_name)\s*",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"^\s*(?:(dc|dcterm|og|twitter|parsely|weibo:(article|webpage))\s*[-.:]\s*)?"
    r"(author|creator|pub-date|description|title|site_name)\s*$",
    re.IGNORECASE,
)
_SEPARATORS = r"|\-–—\\/>»"
_SEPARATOR = re.compile(rf"\s[{_SEPARATORS}]\s")
_HIERARCHICAL_SEPARATOR = re.compile(r"\s[\\/>»]\s")
_FIRST_PART = re.compile(rf"^[^{_SEPARATORS}]*[{_SEPARATORS}]")
_WORD_SPLIT = re.compile(r"\s+")
_NON_WORD = re.compile(r"\W+")
_BYLINE_HINT = re.compile(r"byline|author|writtenby|p-author", re.IGNORECASE)
#: "By " or "By: " before a name (not "Byron").
_BY_PREFIX = re.compile(r"^\s*by\s*:?\s+(?=\S)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageMetadata:
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    standfirst: str | None = None


def read_metadata(root: etree._Element) -> PageMetadata:
    """Metadata of a parsed page: JSON-LD first, then meta tags, then the document itself."""
    jsonld = _jsonld(root)
    values = _meta_values(root)
    title = jsonld.get("title") or _first(
        values, "dc:title", "dcterm:title", "og:title", "weibo:article:title",
        "weibo:webpage:title", "title", "twitter:title", "parsely-title",
    ) or _article_title(root)  # fmt: skip
    author = jsonld.get("byline") or _first(
        values, "dc:creator", "dcterm:creator", "author", "parsely-author"
    )
    article_author = values.get("article:author", "")
    if not author and article_author and not article_author.startswith(("http", "/")):
        author = article_author
    if not author:
        author = _byline_from_document(root)
    if author:  # "By Jane Doe" from a byline element: the reading pane says "by" itself
        author = _BY_PREFIX.sub("", author)
    standfirst = jsonld.get("excerpt") or _first(
        values, "dc:description", "dcterm:description", "og:description",
        "weibo:article:description", "weibo:webpage:description", "description",
        "twitter:description",
    )  # fmt: skip
    published = _parse_date(
        jsonld.get("datePublished")
        or _first(values, "article:published_time", "parsely-pub-date")
        or _time_element(root)
    )
    return PageMetadata(
        title=clean_line(title) or None,
        author=clean_line(author) or None,
        published=published,
        standfirst=clean_line(standfirst) or None,
    )


def _first(values: dict[str, str], *keys: str) -> str | None:
    for key in keys:
        if values.get(key):
            return values[key]
    return None


def _meta_values(root: etree._Element) -> dict[str, str]:
    values: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        prop = meta.get("property")
        match = _PROPERTY.search(prop) if prop else None
        if match:
            values[re.sub(r"\s", "", match.group(0).lower())] = content
            continue
        name = meta.get("name")
        if name and _NAME.match(name):
            values[re.sub(r"\s", "", name.lower()).replace(".", ":")] = content
    return values


def _jsonld(root: etree._Element) -> dict[str, str]:
    """The first schema.org article in the page's JSON-LD, as title/byline/excerpt/date."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        source = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", script.text or "")
        try:
            parsed: Any = json.loads(source)
        except ValueError:
            continue
        article = _find_article(parsed)
        if article is not None:
            return _from_article(article, root)
    return {}


def _find_article(parsed: Any) -> dict[str, Any] | None:
    if isinstance(parsed, list):
        parsed = next((p for p in parsed if isinstance(p, dict) and _is_article(p)), None)
        if parsed is None:
            return None
    if not isinstance(parsed, dict):
        return None
    context = parsed.get("@context")
    vocab = context.get("@vocab") if isinstance(context, dict) else context
    if not isinstance(vocab, str) or not _SCHEMA_ORG.match(vocab):
        return None
    if "@type" not in parsed and isinstance(parsed.get("@graph"), list):
        parsed = next((p for p in parsed["@graph"] if isinstance(p, dict) and _is_article(p)), {})
    return parsed if _is_article(parsed) else None


def _is_article(item: dict[str, Any]) -> bool:
    kind = item.get("@type")
    return isinstance(kind, str) and bool(_JSONLD_ARTICLE_TYPES.match(kind))


def _from_article(article: dict[str, Any], root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    name, headline = article.get("name"), article.get("headline")
    if isinstance(name, str) and isinstance(headline, str) and name != headline:
        title = _article_title(root)
        name_matches = _similarity(name, title) > 0.75
        headline_matches = _similarity(headline, title) > 0.75
        out["title"] = headline if headline_matches and not name_matches else name
    elif isinstance(name, str):
        out["title"] = name.strip()
    elif isinstance(headline, str):
        out["title"] = headline.strip()
    author = article.get("author")
    if isinstance(author, dict) and isinstance(author.get("name"), str):
        out["byline"] = author["name"].strip()
    elif isinstance(author, list):
        names = [a["name"].strip() for a in author if isinstance(a, dict) and a.get("name")]
        if names:
            out["byline"] = ", ".join(names)
    if isinstance(article.get("description"), str):
        out["excerpt"] = article["description"].strip()
    if isinstance(article.get("datePublished"), str):
        out["datePublished"] = article["datePublished"].strip()
    return out


def _similarity(a: str, b: str) -> float:
    tokens_a = [t for t in _NON_WORD.split(a.lower()) if t]
    tokens_b = [t for t in _NON_WORD.split(b.lower()) if t]
    if not tokens_a or not tokens_b:
        return 0.0
    unique_b = [t for t in tokens_b if t not in tokens_a]
    return 1 - len(" ".join(unique_b)) / len(" ".join(tokens_b))


def _words(text: str) -> int:
    return len(_WORD_SPLIT.split(text))


def _article_title(root: etree._Element) -> str:
    """Readability.js's title heuristic: the <title> without its site-name part."""
    title_el = root.find(".//title")
    original = " ".join("".join(title_el.itertext()).split()) if title_el is not None else ""
    current = original
    hierarchical = False
    separators = list(_SEPARATOR.finditer(original))
    if separators:
        hierarchical = bool(_HIERARCHICAL_SEPARATOR.search(original))
        current = original[: separators[-1].start()]
        if _words(current) < 3:
            current = _FIRST_PART.sub("", original, count=1)
    elif ": " in current:
        headings = (*root.iter("h1"), *root.iter("h2"))
        if not any("".join(h.itertext()).strip() == current.strip() for h in headings):
            current = original[original.rfind(":") + 1 :]
            if _words(current) < 3:
                current = original[original.find(":") + 1 :]
            elif _words(original[: original.find(":")]) > 5:
                current = original
    elif len(current) > 150 or len(current) < 15:
        h1s = list(root.iter("h1"))
        if len(h1s) == 1:
            current = "".join(h1s[0].itertext())
    current = " ".join(current.split())
    count = _words(current)
    if count <= 4 and (not hierarchical or count != _words(_SEPARATOR.sub("", original)) - 1):
        current = original
    return current


def _byline_from_document(root: etree._Element) -> str | None:
    """A short element marked as the author (rel=author, itemprop=author, class byline)."""
    for el in root.iter("a", "span", "div", "p", "address"):
        marker = f"{el.get('rel') or ''} {el.get('itemprop') or ''} {el.get('class') or ''}"
        if el.get("rel") == "author" or "author" in (el.get("itemprop") or ""):
            pass
        elif not _BYLINE_HINT.search(marker):
            continue
        text = " ".join("".join(el.itertext()).split())
        if 0 < len(text) < 100:
            return text
    return None


def _time_element(root: etree._Element) -> str | None:
    """A publication time marked up in the page: a published <time>, itemprop, any <time>."""
    for el in root.iter("time"):
        stamp: str = el.get("datetime") or ""
        marker = f"{el.get('itemprop') or ''} {el.get('class') or ''}".lower()
        if stamp and ("published" in marker or el.get("pubdate") is not None):
            return stamp
    for el in root.iter("meta"):
        content: str = el.get("content") or ""
        if el.get("itemprop") == "datePublished" and content:
            return content
    first = next(root.iter("time"), None)
    fallback: str = first.get("datetime") or "" if first is not None else ""
    return fallback or None


def _parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 or RFC 822 text; naive times are taken as UTC."""
    if not value:
        return None
    value = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
