"""Field limits and cleaning shared by the XML and JSON Feed parsers.

Every string that leaves the parser goes through here: display text via
``sanitize.clean_line``, links via ``sanitize.safe_link``, HTML via ``sanitize.clean_text``,
each cut to a bound so one hostile entry cannot bloat the store or stall a later stage.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from tuireader import sanitize
from tuireader.models import Enclosure
from tuireader.parse.htmltext import html_to_text

MAX_TITLE = 1_000
MAX_AUTHOR = 200
MAX_CATEGORY = 200
MAX_CATEGORIES = 50
MAX_ENCLOSURES = 20
MAX_LINK = 4_000
MAX_GUID = 2_000
MAX_DESCRIPTION = 5_000
MAX_HTML = 1_000_000
MAX_ENTRIES = 10_000


def line(value: object, limit: int = MAX_TITLE) -> str:
    """One line of display text ("" for anything that is not a string)."""
    if not isinstance(value, str) or not value:
        return ""
    return sanitize.clean_line(value[: limit * 4])[:limit].rstrip()


def html_line(value: object, limit: int = MAX_TITLE) -> str:
    """A short HTML fragment (an HTML title) as one line of plain text."""
    if not isinstance(value, str) or not value:
        return ""
    return line(html_to_text(value[: limit * 8]), limit)


def optional_line(value: object, limit: int) -> str | None:
    return line(value, limit) or None


def html_field(value: object) -> str | None:
    """Untrusted HTML kept as HTML: controls removed, size bounded, never converted here."""
    if not isinstance(value, str) or not value.strip():
        return None
    return sanitize.clean_text(value[:MAX_HTML]) or None


def text_as_html(value: object) -> str | None:
    """Plain text (JSON Feed ``content_text``/``summary``) as escaped HTML paragraphs."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = sanitize.clean_text(value[:MAX_HTML]).strip()
    paragraphs = (p.strip() for p in re.split(r"\n\s*\n", text))
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p)


#: A quoted attribute value after "=": the scan starts at the rare "=" (found in C), not at
#: every space, and the attribute's name is checked behind it (``_URL_NAME``).
_QUOTED_VALUE = re.compile(r"""=\s*(?:"([^"]{0,4000})"|'([^']{0,4000})')""")
_URL_NAME = re.compile(r"\s(?:href|src|poster)\Z", re.IGNORECASE)
#: The longest space + name that _URL_NAME matches.
_URL_NAME_SPAN = 7
#: The characters _URL_NAME's last letter matches (checked against every one: f, c, r).
_URL_NAME_ENDS = frozenset("fFcCrR")
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}:")
_URL_IGNORED = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def resolve_relative_links(html_text: str, base: str) -> str:
    """Make href/src/poster attributes absolute against ``base``.

    A regex pass instead of feedparser's ``resolve_relative_uris`` (an sgmllib re-parse of
    every HTML field that roughly triples parse time, see bench/parse_bench.py). It only
    rewrites quoted attribute values that are relative; everything else is left as it is.
    It rewrites what a one-pass regex for ``href="value"`` (or src, poster; any case; space
    before the name, optional around "="; single or double quotes) would, inside other
    attributes' values too (tests/test_relative_links.py holds that regex).
    """
    if "=" not in html_text:
        return html_text
    pieces: list[str] = []
    done = pos = 0
    search = _QUOTED_VALUE.search
    while (match := search(html_text, pos)) is not None:
        equals = match.start()
        name_end = equals
        while name_end and html_text[name_end - 1].isspace():  # \s is str.isspace
            name_end -= 1
        # alt=, width=, class=...: most names are ruled out by their last letter, in O(1)
        # (IGNORECASE matches href/src/poster's last letters to no other characters).
        if html_text[name_end - 1 : name_end] not in _URL_NAME_ENDS or not _URL_NAME.search(
            html_text, max(0, name_end - _URL_NAME_SPAN), name_end
        ):
            pos = equals + 1
            continue
        double: str | None = match.group(1)
        group = 1 if double is not None else 2
        value: str = double if double is not None else match.group(2)
        pos = match.end()
        resolved = _absolute(value, base, '"' if group == 1 else "'")
        if resolved is not None:
            pieces += (html_text[done : match.start(group)], resolved)
            done = match.end(group)
    if not pieces:
        return html_text
    pieces.append(html_text[done:])
    return "".join(pieces)


#: A path-absolute reference that urljoin only appends to the base's scheme and host: no
#: dot or empty segments, no params, query or fragment, nothing urlsplit would strip.
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9_~!$&'()*+,=:@%-][A-Za-z0-9._~!$&'()*+,=:@%/-]*")


@functools.lru_cache(maxsize=64)
def _origin(base: str) -> str | None:
    """``scheme://host`` of an http(s) ``base`` (what urljoin puts before a plain path)."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _absolute(value: str, base: str, quote: str) -> str | None:
    """``value`` resolved against ``base`` and escaped for ``quote``; None to keep it."""
    if value.startswith(("https://", "http://")):
        return None  # the common case, decided without the work below
    if (
        value.startswith("/")
        and "//" not in value
        and "/." not in value
        and _PLAIN_PATH.fullmatch(value)
        and (origin := _origin(base)) is not None
    ):
        # An image's "/images/1.jpg": urljoin's answer at a twentieth of its cost.
        return (origin + value).replace(quote, "%22" if quote == '"' else "%27")
    # Judge the URL the way a browser reads it: entities decoded, tabs/newlines removed,
    # so "&#106;avascript:" or "java&#x09;script:" is seen as having a scheme and left
    # for the HTML cleaner to drop, not turned into "https://site/javascript:...".
    probe = _URL_IGNORED.sub("", html.unescape(value)).strip(_C0_AND_SPACE)
    if not probe or probe.startswith("#") or _HAS_SCHEME.match(probe):
        return None
    try:
        resolved = urljoin(base, value.strip())
    except ValueError:
        return None
    return resolved.replace(quote, "%22" if quote == '"' else "%27")


#: An absolute http(s) URL that urljoin and safe_link give back unchanged: lower-case
#: scheme, a plain host, a path of plain characters; no query, fragment, params or spaces.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~!$&'()*+,=:@%/-]*)?"
)


def is_plain_url(value: str) -> bool:
    """Whether urljoin gives ``value`` back unchanged whatever the base (see _PLAIN_URL)."""
    return _PLAIN_URL.fullmatch(value) is not None


def link(value: object, base: str | None = None) -> str | None:
    """An http(s)/mailto link, resolved against ``base``; None for anything else."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_LINK:
        return None
    url = value.strip()
    if _PLAIN_URL.fullmatch(url) and (not base or _splits(base)):
        return url  # most links: what the work below would return, at a tenth of the cost
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    return sanitize.safe_link(url)


def _splits(base: str) -> bool:
    """Whether urljoin can use ``base`` (urlsplit caches its answers)."""
    try:
        urlsplit(base)
    except ValueError:
        return False
    return True


def guid(value: object) -> str | None:
    """Ids are compared, not shown, but they are still cleaned and bounded."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return sanitize.clean_line(value[:MAX_GUID]) or None


def categories(values: Iterable[object]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        cleaned = line(value, MAX_CATEGORY)
        if cleaned and cleaned.casefold() not in (s.casefold() for s in seen):
            seen[cleaned] = None
            if len(seen) >= MAX_CATEGORIES:
                break
    return tuple(seen)


def enclosure(
    url: object, type_: object, length: object, base: str | None, duration: object = None
) -> Enclosure | None:
    href = link(url, base)
    if href is None:
        return None
    return Enclosure(
        url=href,
        type=optional_line(type_, 100),
        length=_length(length),
        duration=seconds(duration),
    )


#: Longer than any real episode: a bigger figure is a feed's mistake, not a duration.
MAX_DURATION = 100 * 3600


def seconds(value: object) -> int | None:
    """A duration as podcast feeds write it: ``"1:02:03"``, ``"62:03"``, ``"3723"`` or a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        total = float(value)
    elif isinstance(value, str) and 0 < len(value) < 20:
        parts = value.strip().split(":")
        if len(parts) > 3 or not all(p.replace(".", "", 1).isdigit() for p in parts):
            return None
        total = 0.0
        for part in parts:
            total = total * 60 + float(part)
    else:
        return None
    if not 0 < total <= MAX_DURATION:
        return None
    return round(total)


def episode_duration(enclosures: Sequence[Enclosure], duration: object) -> tuple[Enclosure, ...]:
    """The entry's ``itunes:duration`` belongs to its episode: the first enclosure."""
    found = seconds(duration)
    if found is None or not enclosures or enclosures[0].duration is not None:
        return tuple(enclosures)
    return (replace(enclosures[0], duration=found), *enclosures[1:])


def _length(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number = int(value)
        except (ValueError, OverflowError):
            return None
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
        number = int(value.strip())
    else:
        return None
    return number if number > 0 else None


#: The position an XML (SAX) parser puts first: ``<unknown>:2:41: unclosed token``.
_SAX_POSITION = re.compile(r"^<[^<>]{0,40}>:(\d+):(\d+): ")


def one_line_reason(value: object, limit: int = 300) -> str:
    """An exception or message as one clean line, for FeedError and warnings (a parser's
    ``<unknown>:2:41:`` as ``line 2, column 41:``)."""
    text = _SAX_POSITION.sub(r"line \1, column \2: ", line(str(value), limit))
    return text or type(value).__name__
