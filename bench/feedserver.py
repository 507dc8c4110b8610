"""A loopback feed server for the refresh benchmark (not for tests: see tests/loopback.py).

Serves ``--feeds`` generated feeds of ``--items`` items each at ``/feed/<n>.xml`` on
127.0.0.1, with:

* realistic items: 1-5 KB of HTML (paragraphs, links, an image) drawn from a Zipf-weighted
  vocabulary of pseudo-words, so gzip ratios resemble real prose (about 3-4x);
* the formats mixed in thirds by feed number: RSS 2.0 with ``content:encoded`` (n % 3 == 0),
  Atom 1.0 (n % 3 == 1) and RSS 1.0/RDF with ``content:encoded`` (n % 3 == 2);
* ETag and Last-Modified with conditional GET (304), gzip when the client asks for it;
* a per-request latency (default 50 ms) applied without blocking other requests: one asyncio
  event loop, the response scheduled with ``call_later`` and sent as headers + body in one
  write on a TCP_NODELAY socket;
* a generation counter: ``/_bench/generation?n=G`` rebuilds every feed so that it gains
  ``--new-per-generation`` items and a new ETag/Last-Modified; bodies (and their gzip) are
  built before the call returns, so serving is a dictionary lookup;
* counters of feed requests, statuses, bytes sent, conditional requests, peak concurrency
  and the server's own CPU time, at ``/_bench/stats`` (``/_bench/reset`` zeroes them).

Run alone: ``python bench/feedserver.py --feeds 200 --items 50`` prints ``PORT <n>`` and serves
until killed. ``bench/refresh_bench.py`` starts it as a subprocess so it never shares a GIL
with the client under test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import functools
import json
import random
import socket
import sys
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

BASE_TIME = 1_704_067_200  # 2024-01-01T00:00:00Z: item i is published i hours after this
_SYLLABLE_TEXT = (
    "ba be bi bo bu ca co cu da de di do fa fe fi fo ga ge go ha he hi ho ja jo ka ke ki "
    "ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se "
    "si so su ta te ti to tu va ve vi vo wa we wi ya yo za ze zi an en in on un ar er ir "
    "or ur st tr pl gr th sh ch str"
)
_SYLLABLES = tuple(_SYLLABLE_TEXT.split())


def _vocabulary(size: int = 6000, seed: int = 7) -> tuple[list[str], list[float]]:
    """Pseudo-words with Zipf weights (cumulative), like the word frequencies of prose."""
    rng = random.Random(seed)
    words: dict[str, None] = {}
    for short in ("the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "on", "with"):
        words[short] = None
    while len(words) < size:
        words["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))] = None
    vocab = list(words)
    cumulative: list[float] = []
    total = 0.0
    for rank in range(1, len(vocab) + 1):
        total += 1.0 / rank
        cumulative.append(total)
    return vocab, cumulative


WORDS, CUM_WEIGHTS = _vocabulary()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, cum_weights=CUM_WEIGHTS, k=rng.randint(6, 24))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice(".....?!")


@functools.cache
def item_html(feed: int, index: int) -> str:
    """1-5 KB of article HTML, the same for the same (feed, index) (cached: a new generation
    shares most items with the last)."""
    rng = random.Random(feed * 1_000_003 + index)
    target = rng.randint(1_000, 5_000)
    parts: list[str] = []
    size = 0
    image_at = rng.randint(0, 2)
    while size < target:
        sentences = [_sentence(rng) for _ in range(rng.randint(2, 6))]
        if rng.random() < 0.6:
            slug = "-".join(rng.choices(WORDS, cum_weights=CUM_WEIGHTS, k=3))
            pick = rng.randrange(len(sentences))
            sentences[pick] += f' See <a href="https://site{feed}.example/{slug}">{slug}</a>.'
        if rng.random() < 0.2:
            sentences[0] = f"<em>{sentences[0]}</em>"
        paragraph = "<p>" + " ".join(sentences) + "</p>"
        if len(parts) == image_at:
            paragraph += (
                f'<figure><img src="/images/{feed}/{index}.jpg" alt="{sentences[0][:30]}" '
                'width="800" height="450"></figure>'
            )
        parts.append(paragraph)
        size += len(paragraph)
    return "\n".join(parts)


def _title(feed: int, index: int) -> str:
    rng = random.Random(feed * 7_000_003 + index)
    return " ".join(rng.choices(WORDS, cum_weights=CUM_WEIGHTS, k=rng.randint(3, 9))).title()


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def feed_document(feed: int, items: int, first: int) -> bytes:
    """Feed ``feed`` holding items ``first .. first + items - 1``, newest first."""
    indexes = range(first + items - 1, first - 1, -1)
    site = f"https://site{feed}.example"
    kind = feed_format(feed)
    if kind == "atom":
        return _atom(feed, site, indexes)
    if kind == "rdf":
        return _rdf(feed, site, indexes)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>Bench feed {feed}</title>\n<link>{site}/</link>\n"
        f"<description>Generated feed number {feed}</description>\n<language>en</language>\n"
    ]
    for index in indexes:
        body = item_html(feed, index)
        stamp = email.utils.formatdate(BASE_TIME + index * 3600, usegmt=True)
        summary = _xml_escape(body[:280].rsplit(" ", 1)[0]) + "..."
        out.append(
            f"<item>\n<title>{_xml_escape(_title(feed, index))}</title>\n"
            f"<link>{site}/posts/{index}</link>\n"
            f'<guid isPermaLink="false">{site}/id/{index}</guid>\n'
            f"<pubDate>{stamp}</pubDate>\n<dc:creator>Author {index % 7}</dc:creator>\n"
            f"<category>topic{index % 9}</category>\n"
            f"<description>{summary}</description>\n"
            f"<content:encoded>{_cdata(body)}</content:encoded>\n</item>\n"
        )
    out.append("</channel>\n</rss>\n")
    return "".join(out).encode()


def feed_format(feed: int) -> str:
    """Which format feed number ``feed`` is served in: "rss", "atom" or "rdf" (RSS 1.0)."""
    return ("rss", "atom", "rdf")[feed % 3]


CONTENT_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "rdf": "application/rdf+xml",
}


def _rdf(feed: int, site: str, indexes: range) -> bytes:
    """RSS 1.0: channel and items are siblings under rdf:RDF; dates and authors are dc:."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<channel rdf:about="{site}/">\n<title>Bench feed {feed}</title>\n'
        f"<link>{site}/</link>\n<description>Generated feed number {feed}</description>\n"
        "<items><rdf:Seq>\n"
        + "".join(f'<rdf:li rdf:resource="{site}/posts/{index}"/>\n' for index in indexes)
        + "</rdf:Seq></items>\n</channel>\n"
    ]
    for index in indexes:
        body = item_html(feed, index)
        stamp = _iso(email.utils.formatdate(BASE_TIME + index * 3600, usegmt=True))
        summary = _xml_escape(body[:280].rsplit(" ", 1)[0]) + "..."
        out.append(
            f'<item rdf:about="{site}/posts/{index}">\n'
            f"<title>{_xml_escape(_title(feed, index))}</title>\n"
            f"<link>{site}/posts/{index}</link>\n"
            f"<dc:date>{stamp}</dc:date>\n<dc:creator>Author {index % 7}</dc:creator>\n"
            f"<dc:subject>topic{index % 9}</dc:subject>\n"
            f"<description>{summary}</description>\n"
            f"<content:encoded>{_cdata(body)}</content:encoded>\n</item>\n"
        )
    out.append("</rdf:RDF>\n")
    return "".join(out).encode()


def _atom(feed: int, site: str, indexes: range) -> bytes:
    newest = email.utils.formatdate(BASE_TIME + indexes[0] * 3600, usegmt=True)
    updated = _iso(newest)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<title>Bench feed {feed}</title>\n<id>{site}/</id>\n"
        f'<link rel="alternate" href="{site}/"/>\n<updated>{updated}</updated>\n'
    ]
    for index in indexes:
        body = item_html(feed, index)
        stamp = _iso(email.utils.formatdate(BASE_TIME + index * 3600, usegmt=True))
        out.append(
            f"<entry>\n<title>{_xml_escape(_title(feed, index))}</title>\n"
            f"<id>{site}/id/{index}</id>\n"
            f'<link rel="alternate" href="{site}/posts/{index}"/>\n'
            f"<updated>{stamp}</updated>\n<published>{stamp}</published>\n"
            f"<author><name>Author {index % 7}</name></author>\n"
            f'<category term="topic{index % 9}"/>\n'
            f'<content type="html">{_xml_escape(body)}</content>\n</entry>\n'
        )
    out.append("</feed>\n")
    return "".join(out).encode()


def _iso(http_date: str) -> str:
    parsed = email.utils.parsedate_to_datetime(http_date)
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Body:
    plain: bytes
    gzipped: bytes
    etag: str
    last_modified: str
    modified_at: float


@dataclass(slots=True)
class Stats:
    requests: int = 0
    bytes_sent: int = 0
    status: dict[str, int] = field(default_factory=dict)
    conditional: int = 0
    gzip: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    connections: int = 0
    cpu_at_reset: float = field(default_factory=time.process_time)

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "bytes_sent": self.bytes_sent,
            "status": dict(self.status),
            "conditional": self.conditional,
            "gzip": self.gzip,
            "peak_in_flight": self.peak_in_flight,
            "connections": self.connections,
            "server_cpu": round(time.process_time() - self.cpu_at_reset, 3),
        }


class FeedSite:
    """The feeds of one generation, prebuilt, and the counters."""

    def __init__(self, feeds: int, items: int, latency: float, new_per_generation: int) -> None:
        self.feeds = feeds
        self.items = items
        self.latency = latency
        self.new_per_generation = new_per_generation
        self.generation = -1
        self.bodies: list[Body] = []
        self.stats = Stats()

    def build(self, generation: int) -> float:
        """Rebuild every feed for ``generation``; returns the seconds it took."""
        started = time.perf_counter()
        first = generation * self.new_per_generation
        modified_at = float(BASE_TIME + (first + self.items) * 3600)
        last_modified = email.utils.formatdate(modified_at, usegmt=True)
        bodies = []
        for feed in range(self.feeds):
            plain = feed_document(feed, self.items, first)
            packer = zlib.compressobj(6, zlib.DEFLATED, 31)
            gzipped = packer.compress(plain) + packer.flush()
            etag = f'"f{feed}-g{generation}"'
            bodies.append(Body(plain, gzipped, etag, last_modified, modified_at))
        self.bodies = bodies
        self.generation = generation
        return time.perf_counter() - started

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(path)
        if parts.path.startswith("/_bench/"):
            return self._control(parts.path, parse_qs(parts.query))
        stats = self.stats
        stats.requests += 1
        name = parts.path.rsplit("/", 1)[-1]
        number = name.removesuffix(".xml")
        if not (parts.path.startswith("/feed/") and number.isdigit()) or int(number) >= self.feeds:
            return 404, {"Content-Type": "text/plain"}, b"no such feed\n"
        feed = int(number)
        body = self.bodies[feed]
        kind = CONTENT_TYPES[feed_format(feed)]
        validators = {"ETag": body.etag, "Last-Modified": body.last_modified}
        none_match = headers.get("if-none-match")
        since = headers.get("if-modified-since")
        if none_match or since:
            stats.conditional += 1
        if none_match is not None:
            if body.etag in (tag.strip() for tag in none_match.split(",")) or none_match == "*":
                return 304, validators, b""
        elif since is not None and _not_modified_since(since, body.modified_at):
            return 304, validators, b""
        if "gzip" in headers.get("accept-encoding", ""):
            stats.gzip += 1
            return (
                200,
                {"Content-Type": kind, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
                | validators,
                body.gzipped,
            )
        return 200, {"Content-Type": kind, "Vary": "Accept-Encoding"} | validators, body.plain

    def _control(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if path == "/_bench/stats":
            payload: dict[str, object] = self.stats.as_dict() | {"generation": self.generation}
        elif path == "/_bench/reset":
            self.stats = Stats()
            payload = {"ok": True}
        elif path == "/_bench/generation":
            seconds = self.build(int(query.get("n", ["0"])[0]))
            payload = {"generation": self.generation, "build_seconds": round(seconds, 2)}
        else:
            return 404, {"Content-Type": "text/plain"}, b"unknown control\n"
        return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def _not_modified_since(value: str, modified_at: float) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    return since >= modified_at


_REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found"}


class HttpConnection(asyncio.Protocol):
    """HTTP/1.1 keep-alive, GET only, one request at a time per connection."""

    def __init__(self, site: FeedSite) -> None:
        self.site = site
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.busy = False
        self.closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.site.stats.connections += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def _next(self) -> None:
        if self.busy or self.closing or b"\r\n\r\n" not in self.buffer:
            return
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, path, version = lines[0].split(" ", 2)
        except ValueError:
            self._send(400, {"Content-Type": "text/plain"}, b"bad request\n", close=True)
            return
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
        status, response_headers, body = self.site.respond(path, headers)
        if method == "HEAD":
            body = b""
        self.busy = True
        control = path.startswith("/_bench/")
        stats = self.site.stats
        if not control:
            stats.in_flight += 1
            stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
        delay = 0.0 if control else self.site.latency
        asyncio.get_running_loop().call_later(
            delay, self._finish, status, response_headers, body, close, control
        )

    def _finish(
        self, status: int, headers: dict[str, str], body: bytes, close: bool, control: bool
    ) -> None:
        self.busy = False
        if not control:
            self.site.stats.in_flight -= 1
        sent = self._send(status, headers, body, close=close)
        if not control:
            stats = self.site.stats
            stats.bytes_sent += sent
            stats.status[str(status)] = stats.status.get(str(status), 0) + 1
        self._next()

    def _send(self, status: int, headers: dict[str, str], body: bytes, *, close: bool) -> int:
        if self.transport is None:
            return 0
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if status != 304:
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: close" if close else "Connection: keep-alive")
        message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        self.transport.write(message)  # one write: head and body leave in the same segment
        if close:
            self.closing = True
            self.transport.close()
        return len(message)


async def serve(site: FeedSite, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: HttpConnection(site), "127.0.0.1", port, backlog=1024, reuse_address=True
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--new-per-generation", type=int, default=5)
    parser.add_argument("--generation", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    site = FeedSite(args.feeds, args.items, args.latency_ms / 1000, args.new_per_generation)
    seconds = site.build(args.generation)
    plain = sum(len(b.plain) for b in site.bodies)
    packed = sum(len(b.gzipped) for b in site.bodies)
    print(
        f"built {args.feeds} feeds x {args.items} items in {seconds:.1f} s: "
        f"{plain / 2**20:.1f} MB, gzip {packed / 2**20:.1f} MB ({plain / max(packed, 1):.1f}x)",
        file=sys.stderr,
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(site, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
