"""OPML import and export of subscriptions, plus the value types every importer returns.

Pure functions: bytes in, values out; nothing here touches the store or the network.

Folder rule: nested outlines become one folder path joined with ``/`` (outline "Tech" inside
"News" gives folder ``"News/Tech"``), and :func:`write_opml` turns such a path back into nested
outlines, so a round trip keeps the tree. A ``/`` inside a single outline's own name is replaced
with ``-`` so that it cannot be mistaken for nesting.

Entities are never expanded: libxml2 substitutes internal entities in attribute values even
with ``resolve_entities=False``, so a document that declares any entity is refused outright.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Literal
from urllib.parse import urlsplit

from lxml import etree

from tuireader.sanitize import clean_line, is_safe_link

_MAX_XML_PROBLEMS = 5
_ENTITY_DECLARATIONS = tuple(
    "<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be")
)
_FOLDER_SEPARATOR = "/"


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed to subscribe to, as an import file describes it.

    ``site_url`` is the OPML ``htmlUrl``; it is last so the four documented fields keep
    their positions.
    """

    url: str
    title: str | None = None
    folder: str | None = None
    tags: tuple[str, ...] = ()
    site_url: str | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import file yielded: the good subscriptions and one line per problem."""

    subscriptions: tuple[Subscription, ...]
    problems: tuple[str, ...]


def feed_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be subscribed to, or None when it is a usable http(s) URL."""
    if not url or any(ch.isspace() for ch in url) or url != clean_line(url):
        return f"not a URL: {clean_line(url)!r}"
    if not is_safe_link(url):  # also rejects what urlsplit cannot split
        return f"not an http(s) URL: {url!r}"
    parts = urlsplit(url)
    if parts.scheme.lower() == "mailto" or not parts.netloc:
        return f"not an http(s) URL: {url!r}"
    return None


def normalise_feed_scheme(url: str) -> str:
    """Turn the old ``feed://host/...`` and ``feed:https://...`` forms into http(s)."""
    url = url.strip()
    lowered = url.lower()
    if lowered.startswith("feed:http://") or lowered.startswith("feed:https://"):
        return url[len("feed:") :]
    if lowered.startswith("feed://"):
        return "http://" + url[len("feed://") :]
    return url


class SubscriptionCollector:
    """Gathers subscriptions in order, keeping the first of duplicate URLs and noting the rest."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, Subscription] = {}
        self.problems: list[str] = []

    def add(self, subscription: Subscription, where: str) -> None:
        if subscription.url in self._subscriptions:
            self.problems.append(f"{where}: duplicate, kept the first: {subscription.url}")
            return
        self._subscriptions[subscription.url] = subscription

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def result(self) -> ImportResult:
        return ImportResult(tuple(self._subscriptions.values()), tuple(self.problems))


def sniff_import_format(data: bytes) -> Literal["opml", "urls"]:
    """``"opml"`` when the data looks like XML, else ``"urls"`` (a newsboat urls file)."""
    head = data[:4096]
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            text = head[len(bom) :].decode(codec, errors="ignore")
            break
    else:
        text = head.decode("utf-8", errors="ignore")
    return "opml" if text.lstrip().startswith("<") else "urls"


def parse_opml(data: bytes) -> ImportResult:
    """Read subscriptions from an OPML 1.0/2.0 document, keeping what parses."""
    if any(declaration in data for declaration in _ENTITY_DECLARATIONS):
        return ImportResult((), ("refused: the document declares XML entities",))
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, recover=True, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:  # recover mode still raises on some input
        root = None
        first_error = str(error)
    else:
        first_error = ""
    collector = SubscriptionCollector()
    for entry in list(parser.error_log)[:_MAX_XML_PROBLEMS]:
        collector.problem(f"line {entry.line}", f"malformed XML: {entry.message}")
    if len(parser.error_log) > _MAX_XML_PROBLEMS:
        collector.problems.append(
            f"... and {len(parser.error_log) - _MAX_XML_PROBLEMS} more XML errors"
        )
    if root is None:
        reason = first_error or "empty or not XML"
        collector.problems.append(f"nothing could be parsed as OPML ({reason})")
        return collector.result()
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return ImportResult((), ("refused: the document declares XML entities",))
    if _local_name(root) != "opml":
        collector.problems.append(f"not an OPML document (root element <{_local_name(root)}>)")
        return collector.result()
    body = next((child for child in root if _local_name(child) == "body"), None)
    if body is None:
        collector.problems.append("the OPML document has no <body>")
        return collector.result()
    _collect_outlines(body, (), collector)
    if not collector.result().subscriptions and not collector.problems:
        collector.problems.append("the OPML document lists no feeds")
    return collector.result()


def _local_name(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _outline_name(outline: etree._Element) -> str:
    return clean_line(outline.get("text") or outline.get("title"))


def _collect_outlines(
    parent: etree._Element, folders: tuple[str, ...], collector: SubscriptionCollector
) -> None:
    for outline in parent:
        if _local_name(outline) != "outline":
            continue
        where = f"line {outline.sourceline}"
        xml_url = outline.get("xmlUrl") or outline.get("xmlurl")
        if xml_url is not None:
            _collect_feed(outline, xml_url, folders, where, collector)
            continue
        kind = (outline.get("type") or "").lower()
        if kind == "include":
            collector.problem(where, f"include outlines are not followed: {outline.get('url')!r}")
            continue
        if len(outline) == 0:
            if kind in ("rss", "atom"):
                collector.problem(where, f"feed without xmlUrl: {_outline_name(outline)!r}")
            elif kind == "link":
                collector.problem(where, f"a link, not a feed: {outline.get('url')!r}")
            continue  # an empty folder: nothing to subscribe to
        name = _outline_name(outline).replace(_FOLDER_SEPARATOR, "-")
        _collect_outlines(outline, (*folders, name) if name else folders, collector)


def _collect_feed(
    outline: etree._Element,
    xml_url: str,
    folders: tuple[str, ...],
    where: str,
    collector: SubscriptionCollector,
) -> None:
    url = normalise_feed_scheme(xml_url)
    problem = feed_url_problem(url)
    if problem is not None:
        collector.problem(where, problem)
        return
    html_url = normalise_feed_scheme(outline.get("htmlUrl") or outline.get("htmlurl") or "")
    tags = tuple(
        tag
        for tag in (
            clean_line(part).strip("/") for part in (outline.get("category") or "").split(",")
        )
        if tag
    )
    collector.add(
        Subscription(
            url=url,
            title=_outline_name(outline) or None,
            folder=_FOLDER_SEPARATOR.join(folders) or None,
            tags=tags,
            site_url=html_url if html_url and feed_url_problem(html_url) is None else None,
        ),
        where,
    )
    if len(outline) > 0:
        collector.problem(where, "outlines nested inside a feed were skipped")


def write_opml(
    subs: Iterable[Subscription],
    *,
    title: str = "tuireader subscriptions",
    created: datetime | None = None,
) -> bytes:
    """An OPML 2.0 document that newsboat, Miniflux and NetNewsWire can import.

    Folders become parent outlines (``"A/B"`` nests B inside A); folders and feeds keep the
    order in which they first appear. ``created`` defaults to now.
    """
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = clean_line(title)
    when = created or datetime.now(UTC)
    etree.SubElement(head, "dateCreated").text = format_datetime(when.astimezone(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    folder_outlines: dict[tuple[str, ...], etree._Element] = {(): body}
    for sub in subs:
        parent = _folder_outline(folder_outlines, _folder_path(sub.folder))
        name = clean_line(sub.title) or sub.url
        attributes = {"type": "rss", "text": name, "title": name, "xmlUrl": sub.url}
        if sub.site_url:
            attributes["htmlUrl"] = sub.site_url
        tags = [clean_line(tag).replace(",", " ") for tag in sub.tags]
        if any(tags):
            attributes["category"] = ",".join(tag for tag in tags if tag)
        etree.SubElement(parent, "outline", attributes)
    etree.indent(root, space="  ")
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document + b"\n"


def _folder_path(folder: str | None) -> tuple[str, ...]:
    return tuple(part for part in (clean_line(p) for p in (folder or "").split("/")) if part)


def _folder_outline(
    outlines: dict[tuple[str, ...], etree._Element], path: tuple[str, ...]
) -> etree._Element:
    if path not in outlines:
        parent = _folder_outline(outlines, path[:-1])
        outlines[path] = etree.SubElement(parent, "outline", text=path[-1], title=path[-1])
    return outlines[path]
