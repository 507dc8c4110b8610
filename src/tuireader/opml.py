"""OPML import and export of subscriptions (the value types are in ``subscriptions``).

Pure functions: bytes in, values out; nothing here touches the store or the network.

Folder rule: nested outlines become one folder path joined with ``/`` (outline "Tech" inside
"News" gives folder ``"News/Tech"``), and :func:`write_opml` turns such a path back into nested
outlines, so a round trip keeps the tree. A ``/`` inside a single outline's own name is replaced
with ``-`` so that it cannot be mistaken for nesting.

Reading is lenient the way browsers are, and streamed (``iterparse``), so 100,000 outlines
are read in a fraction of a second and handed to ``on_new`` as they come:

- attribute names are matched case-insensitively (``xmlUrl``, ``xmlURL``, ``XMLURL``);
- a bare ``&`` (``?a=1&b=2``) is a literal ampersand and an HTML entity (``&eacute;``) is its
  character, so neither a URL nor a title is silently cut;
- element names that are not XML names (``<bad:/>``) and other malformations are reported
  with their line and the outlines around them are still read;
- documents concatenated into one file are each read.

Entities are never expanded: libxml2 substitutes internal entities in attribute values even
with ``resolve_entities=False``, so a document that declares any entity is refused outright
(an ``<!ENTITY`` inside a comment declares nothing and is allowed).
"""

from __future__ import annotations

import codecs
import html.entities
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Literal

from lxml import etree

from tuireader.sanitize import clean_line
from tuireader.subscriptions import (
    DECLARED_ENCODING,
    MAX_TITLE,
    ImportResult,
    Subscription,
    SubscriptionCollector,
    decode_document,
    feed_url_problem,
    normalise_feed_scheme,
    url_key,
)

__all__ = [
    "ImportResult",
    "Subscription",
    "SubscriptionCollector",
    "decode_document",
    "feed_url_problem",
    "normalise_feed_scheme",
    "parse_opml",
    "read_opml_bytes",
    "sniff_import_format",
    "url_key",
    "write_opml",
]

_MAX_XML_PROBLEMS = 5
#: Concatenated documents read from one file, at most.
_MAX_DOCUMENTS = 100
_FOLDER_SEPARATOR = "/"
#: Outline types that are never feeds, even with an xmlUrl: Liferea's node sources (a
#: remote service: its children are the feeds), search folders and news bins.
_NOT_FEED_TYPES = frozenset({"source", "vfolder", "newsbin"})
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]{0,300}?\?>")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY")
_COMMENT = re.compile(rb"<!--.*?(?:-->|\Z)", re.DOTALL)
_OPML_START = re.compile(rb"<(?:opml|OPML|Opml)\b")
_DECLARATION_BEFORE = re.compile(rb"<\?xml\b[^>]{0,300}?\?>\s*\Z")
# An ampersand that does not start one of XML's own references, with the name after it.
# A named reference XML does not define (&eacute;), then any & that starts no reference.
_HTML_REFERENCE = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos);)([A-Za-z][A-Za-z0-9]{0,31});")
_BARE_AMPERSAND = re.compile(
    rb"&(?!#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)"
)
ENTITIES_REFUSED = "refused: the document declares XML entities"


def sniff_import_format(data: bytes) -> Literal["opml", "urls"]:
    """``"opml"`` when the data looks like XML, else ``"urls"`` (a newsboat urls file)."""
    text = decode_document(data[:4096])
    return "opml" if text.lstrip().startswith("<") else "urls"


def parse_opml(
    data: bytes,
    *,
    on_new: Callable[[Subscription], None] | None = None,
    known: Iterable[str] = (),
) -> ImportResult:
    """Read subscriptions from an OPML 1.0/2.0 document, keeping what parses."""
    collector = SubscriptionCollector(on_new, known)
    read_opml_bytes(data, collector)
    return collector.result()


def utf8_document(data: bytes) -> bytes:
    """The document as UTF-8 bytes: the input itself when it already is (no copy of a big
    file), else decoded as :func:`decode_document` does and re-encoded."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00")) or data[1:2] == b"\x00":
        return _transcoded(decode_document(data))
    declared = DECLARED_ENCODING.match(data)
    if declared is not None:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            name = "utf-8"
        if name != "utf-8":
            return _transcoded(decode_document(data))
    if data.isascii():
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _transcoded(decode_document(data))
    return data


def _transcoded(text: str) -> bytes:
    """``text`` as UTF-8, its XML declaration (whose encoding no longer holds) replaced by
    as many newlines so that line numbers stay true."""
    declaration = _XML_DECLARATION.match(text)
    if declaration is not None:
        text = "\n" * declaration.group(0).count("\n") + text[declaration.end() :]
    return text.encode("utf-8", "replace")


def read_opml_bytes(data: bytes, collector: SubscriptionCollector) -> None:
    """Read every OPML document in ``data`` into ``collector``."""
    data = utf8_document(data)
    if _ENTITY_DECLARATION.search(data) and _ENTITY_DECLARATION.search(_COMMENT.sub(b"", data)):
        collector.problems.append(ENTITIES_REFUSED)
        return
    if _HTML_REFERENCE.search(data):
        data = _HTML_REFERENCE.sub(_html_reference, data)
    if _BARE_AMPERSAND.search(data):
        data = _BARE_AMPERSAND.sub(b"&amp;", data)  # no Python call per match
    starts = [0]
    matches = _OPML_START.finditer(data)
    next(matches, None)  # the first document's own root
    for match in matches:  # each later <opml> (with its declaration) starts a document
        if len(starts) >= _MAX_DOCUMENTS:
            break
        before = _DECLARATION_BEFORE.search(data, max(0, match.start() - 400), match.start())
        starts.append(before.start() if before else match.start())
    line = 1
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        chunk = data if (start, end) == (0, len(data)) else data[start:end]
        _read_document(chunk, line - 1, collector)
        line += data.count(b"\n", start, end)
    if not collector.count and not collector.problems:
        collector.problems.append("the OPML document lists no feeds")


def _html_reference(match: re.Match[bytes]) -> bytes:
    """``&eacute;`` as the character HTML gives it; an unknown name as literal text."""
    name = match.group(1)
    character = html.entities.html5.get(name.decode("ascii") + ";")
    if character is None:
        return b"&amp;" + name + b";"
    return "".join(f"&#{ord(c)};" for c in character).encode("ascii")


@dataclass(slots=True)
class _Frame:
    """An open outline: the folder path it makes (its parents' and its own), or a feed."""

    path: str | None
    feed: bool = False
    children: int = 0
    kind: str = ""
    attributes: dict[str, str] | None = None


_PLAIN_NAMES = frozenset({"outline", "body", "head", "opml"})


def _read_document(data: bytes, line_offset: int, collector: SubscriptionCollector) -> None:
    if not data.strip():
        collector.problems.append("nothing could be parsed as OPML (empty or not XML)")
        return
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        recover=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    frames: list[_Frame] = []
    seen_root = in_body = seen_body = False
    try:
        for event, element in events:
            tag = element.tag
            name = tag if tag in _PLAIN_NAMES else _local_name(element)
            if not seen_root:
                seen_root = True
                if _declares_entities(element):
                    collector.problems.append(ENTITIES_REFUSED)
                    return
                if name != "opml":
                    collector.problems.append(f"not an OPML document (root element <{name}>)")
                    return
                continue
            if name == "body" and not frames:
                in_body = event == "start"
                seen_body = True
                continue
            if not in_body or name != "outline":
                if event == "end" and not frames and name not in ("head", "opml"):
                    element.clear()
                continue
            line = (element.sourceline or 0) + line_offset
            if event == "start":
                _open_outline(element, frames, line, collector)
            else:
                _close_outline(frames.pop(), line, collector)
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as error:
        collector.problem(
            f"line {(error.lineno or 0) + line_offset}", f"malformed XML: {error.msg}"
        )
    _report_xml_errors(events.error_log, line_offset, collector)
    if not seen_root:
        collector.problems.append("nothing could be parsed as OPML (empty or not XML)")
    elif not seen_body:
        collector.problems.append("the OPML document has no <body>")


def _declares_entities(root: etree._Element) -> bool:
    dtd = root.getroottree().docinfo.internalDTD
    return dtd is not None and any(True for _ in dtd.iterentities())


def _report_xml_errors(
    log: etree._ListErrorLog, offset: int, collector: SubscriptionCollector
) -> None:
    entries = list(log)
    for entry in entries[:_MAX_XML_PROBLEMS]:
        collector.problem(
            f"line {entry.line + offset}", f"malformed XML: {clean_line(entry.message)}"
        )
    if len(entries) > _MAX_XML_PROBLEMS:
        collector.problems.append(f"... and {len(entries) - _MAX_XML_PROBLEMS} more XML errors")


def _local_name(element: etree._Element) -> str:
    """The element's name without namespace or prefix; never raises on odd names."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _attributes(element: etree._Element) -> dict[str, str]:
    """Attribute names lower-cased (``xmlUrl``, ``xmlURL`` and ``XMLURL`` are one name)."""
    # lxml gives attribute names and values as str already: no conversion per attribute.
    return {key.lower(): value for key, value in reversed(element.attrib.items())}


def _capped(value: str | None) -> str:
    if not value:
        return ""
    return clean_line(value[: MAX_TITLE * 4])[:MAX_TITLE].rstrip()


def _outline_name(attributes: dict[str, str]) -> str:
    return _capped(attributes.get("text")) or _capped(attributes.get("title"))


def _open_outline(
    element: etree._Element, frames: list[_Frame], line: int, collector: SubscriptionCollector
) -> None:
    parent = frames[-1] if frames else None
    path = parent.path if parent is not None else None
    if parent is not None:
        parent.children += 1
        if parent.feed:  # inside a feed: reported once when the feed closes
            frames.append(_Frame(None, feed=True, kind="nested"))
            return
    attributes = _attributes(element)
    kind = attributes.get("type", "").strip().lower()
    xml_url = attributes.get("xmlurl")
    if xml_url is not None and kind not in _NOT_FEED_TYPES:
        _collect_feed(attributes, xml_url, path, line, collector)
        frames.append(_Frame(path, feed=True, kind=kind))
        return
    where = f"line {line}"
    if kind == "include":
        collector.problem(where, f"include outlines are not followed: {attributes.get('url')!r}")
        frames.append(_Frame(path, feed=True, kind="include"))
        return
    if kind in _NOT_FEED_TYPES and xml_url is not None:
        collector.problem(where, f"a {kind} outline is not a feed: {_outline_name(attributes)!r}")
    name = _outline_name(attributes).replace(_FOLDER_SEPARATOR, "-")
    if name:
        path = f"{path}{_FOLDER_SEPARATOR}{name}" if path else name
    frames.append(_Frame(path, kind=kind, attributes=attributes))


def _close_outline(frame: _Frame, line: int, collector: SubscriptionCollector) -> None:
    where = f"line {line}"
    if frame.feed:
        if frame.children and frame.kind not in ("nested", "include"):
            collector.problem(where, "outlines nested inside a feed were skipped")
        return
    if frame.children == 0 and frame.attributes is not None:
        if frame.kind in ("rss", "atom"):
            collector.problem(where, f"feed without xmlUrl: {_outline_name(frame.attributes)!r}")
        elif frame.kind == "link":
            collector.problem(where, f"a link, not a feed: {frame.attributes.get('url')!r}")


def _collect_feed(
    attributes: dict[str, str],
    xml_url: str,
    folder: str | None,
    line: int,
    collector: SubscriptionCollector,
) -> None:
    url = normalise_feed_scheme(xml_url)
    problem = feed_url_problem(url)
    if problem is not None:
        collector.problem(f"line {line}", problem)
        return
    html_url = attributes.get("htmlurl")
    html_url = normalise_feed_scheme(html_url) if html_url else None
    category = attributes.get("category")
    tags: tuple[str, ...] = ()
    if category:
        parts = (_capped(part).strip("/") for part in category.split(","))
        tags = tuple(dict.fromkeys(tag for tag in parts if tag))
    title = _outline_name(attributes)
    if ":" in title and url_key(normalise_feed_scheme(title)) == url_key(url):
        title = ""  # an export's stand-in for "untitled", not a title the user chose
    collector.add(
        Subscription(
            url=url,
            title=title or None,
            folder=folder,
            tags=tags,
            site_url=html_url if html_url and feed_url_problem(html_url) is None else None,
        ),
        f"line {line}",
    )


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
        for folder in (sub.folder, *sub.other_folders):  # a feed in two folders is in both
            _write_feed(_folder_outline(folder_outlines, _folder_path(folder)), sub)
    etree.indent(root, space="  ")
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document + b"\n"


def _write_feed(parent: etree._Element, sub: Subscription) -> None:
    # An untitled feed gets an empty text, not its URL: a reader that imports the file
    # would take the URL for a title the user chose and never show the feed's own.
    name = _capped(sub.title)
    attributes = {"type": "rss", "text": name}
    if name:
        attributes["title"] = name
    attributes["xmlUrl"] = sub.url
    if sub.site_url:
        attributes["htmlUrl"] = sub.site_url
    tags = [clean_line(tag).replace(",", " ") for tag in sub.tags]
    if any(tags):
        attributes["category"] = ",".join(tag for tag in tags if tag)
    etree.SubElement(parent, "outline", attributes)


def _folder_path(folder: str | None) -> tuple[str, ...]:
    return tuple(part for part in (clean_line(p) for p in (folder or "").split("/")) if part)


def _folder_outline(
    outlines: dict[tuple[str, ...], etree._Element], path: tuple[str, ...]
) -> etree._Element:
    if path not in outlines:
        parent = _folder_outline(outlines, path[:-1])
        outlines[path] = etree.SubElement(parent, "outline", text=path[-1], title=path[-1])
    return outlines[path]
