"""What every importer returns, and the rules all of them share.

``Subscription`` and ``ImportResult`` are the values; ``SubscriptionCollector`` gathers them
in order, merging duplicates matched by :func:`url_key`; :func:`feed_url_problem` decides what
may be subscribed to; :func:`decode_document` turns an import file's bytes into text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit, urlunsplit

from tuireader.sanitize import clean_line, is_safe_link

#: Titles and folder names are capped like feed titles (parse.fields.MAX_TITLE).
MAX_TITLE = 1_000
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_NUL_PATTERNS = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
DECLARED_ENCODING = re.compile(
    rb"""\A\s*<\?xml\b[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})"""
)
# An http(s) URL already in the form url_key gives and that feed_url_problem accepts.
_PLAIN_URL = re.compile(r"https?://[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?/[!#-~]*\Z")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed to subscribe to, as an import file describes it.

    ``site_url`` is the OPML ``htmlUrl``; ``tags`` are the OPML ``category`` values or the
    newsboat tags (every one, in order, ``!`` hidden tags as written); ``other_folders`` are
    the folders beyond ``folder`` that the file also lists the feed in. New fields go last so
    the documented ones keep their positions.
    """

    url: str
    title: str | None = None
    folder: str | None = None
    tags: tuple[str, ...] = ()
    site_url: str | None = None
    other_folders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import file yielded: the good subscriptions and one line per problem.

    ``already`` are the URLs of ``subscriptions`` that were known before (already subscribed).
    """

    subscriptions: tuple[Subscription, ...]
    problems: tuple[str, ...]
    already: tuple[str, ...] = ()


def feed_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be subscribed to, or None when it is a usable http(s) URL."""
    if _PLAIN_URL.match(url):
        return None
    if not url or any(ch.isspace() for ch in url) or url != clean_line(url):
        return f"not a URL: {clean_line(url)[:200]!r}"
    if not is_safe_link(url):  # also rejects what urlsplit cannot split
        return f"not an http(s) URL: {url[:200]!r}"
    parts = urlsplit(url)
    if parts.scheme.lower() == "mailto" or not parts.netloc:
        return f"not an http(s) URL: {url[:200]!r}"
    return None


def normalise_feed_scheme(url: str) -> str:
    """Turn the old ``feed://host/...`` and ``feed:https://...`` forms into http(s)."""
    if url.startswith("http"):
        return url.strip()
    url = url.strip()
    lowered = url.lower()
    if lowered.startswith("feed:http://") or lowered.startswith("feed:https://"):
        return url[len("feed:") :]
    if lowered.startswith("feed://"):
        return "http://" + url[len("feed://") :]
    return url


def url_key(url: str) -> str:
    """``url`` as compared for duplicates: scheme and host lower-cased, default port and an
    empty path made explicit the one way (RFC 3986 6.2.3). Path and query keep their case."""
    if _PLAIN_URL.match(url):
        return url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{userinfo}@{host}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, parts.fragment))


class SubscriptionCollector:
    """Gathers subscriptions in order, merging duplicates (matched by :func:`url_key`).

    A feed listed again in another OPML folder keeps the first folder and gains the other
    in ``other_folders``; any other repeat (and every repeat in a urls file, where the
    "folder" is only the first tag) is reported. ``on_new`` sees each new feed at once (as
    first read: later folders are merged into the kept record only), so an importer can
    store while it reads. URLs in ``known`` (already subscribed) are counted in ``already``
    instead. With ``keep=False`` the records are not kept for :meth:`result` (a big import
    that stores through ``on_new`` then needs a third of the memory). ``on_folder`` hears of
    each later listing of a feed already seen in another folder (an importer that stored
    the feed at once can still record that folder and its tags).
    """

    def __init__(
        self,
        on_new: Callable[[Subscription], None] | None = None,
        known: Iterable[str] = (),
        *,
        keep: bool = True,
        on_folder: Callable[[Subscription], None] | None = None,
    ) -> None:
        self._subscriptions: dict[str, Subscription] = {}
        self._folders: dict[str, tuple[str | None, ...]] = {}
        self._known = {url_key(url) for url in known}
        self._keep = keep
        self.problems: list[str] = []
        self.already: list[str] = []
        self._on_new = on_new
        self._on_folder = on_folder

    @property
    def count(self) -> int:
        """How many distinct feeds were read."""
        return len(self._folders)

    def add(self, subscription: Subscription, where: str, *, merge_folders: bool = True) -> None:
        key = url_key(subscription.url)
        folders = self._folders.get(key)
        if folders is None:
            self._folders[key] = (subscription.folder,)
            if self._keep:
                self._subscriptions[key] = subscription
            if key in self._known:
                self.already.append(subscription.url)
            elif self._on_new is not None:
                self._on_new(subscription)
            return
        if merge_folders and subscription.folder is not None and subscription.folder not in folders:
            self._folders[key] = (*folders, subscription.folder)
            if self._on_folder is not None and key not in self._known:
                self._on_folder(subscription)
            first = self._subscriptions.get(key)
            if first is not None:
                tags = tuple(dict.fromkeys((*first.tags, *subscription.tags)))
                other = (*first.other_folders, subscription.folder)
                self._subscriptions[key] = replace(first, tags=tags, other_folders=other)
            return
        self.problems.append(f"{where}: duplicate, kept the first: {subscription.url}")

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def result(self) -> ImportResult:
        subscriptions = tuple(self._subscriptions.values())
        return ImportResult(subscriptions, tuple(self.problems), tuple(self.already))


def decode_document(data: bytes) -> str:
    """Text of an import file: by its BOM, its NUL pattern (UTF-16/32), its XML declaration,
    else UTF-8, else Windows-1252. Undecodable bytes become U+FFFD, never an error."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    for pattern, codec in _NUL_PATTERNS:
        if data.startswith(pattern):
            return data.decode(codec, "replace")
    declared = DECLARED_ENCODING.match(data)
    if declared is not None:
        try:
            return data.decode(declared.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")
