"""XML entities in feeds and OPML files: never expanded, never read.

feedparser keeps "safe" internal entities (a plain string value) and, when expat refuses a
document for its entity amplification, re-parses it with its lenient parser, which expands
them without limit: a 100 KB document gives a 30 MB title. External entities are dropped by
feedparser's DOCTYPE rewrite today, but we refuse any document that declares entities
rather than rely on it.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from hostile import assert_failed, hostile_reader, refresh_one, seed_good_feed
from loopback import LoopbackServer
from tuireader.cli import main
from tuireader.core import Reader, make_reader
from tuireader.parse.xmlfeed import DTD_REFUSED

MARKER = "MARKER-XXE-5b1e"

RSS_TAIL = (
    '<rss version="2.0"><channel><title>Harbour Gazette</title>'
    "<item><title>{ref}</title><guid>urn:x:1</guid><description>{ref}</description></item>"
    "</channel></rss>"
)


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return hostile_reader(tmp_path)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(MARKER)
    return path


def billion_laughs() -> bytes:
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(levels) + "\n]>\n"
    ).encode() + RSS_TAIL.format(ref="&l9;").encode()


def safe_entity_amplification() -> bytes:
    """One plain 100 KB entity used 300 times: feedparser's lenient parser expands it."""
    head = '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + "A" * 100_000 + '">\n]>\n'
    return (head + RSS_TAIL.format(ref="&a;" * 300) + "<!-- < -->").encode()


def external_entity(secret: Path) -> bytes:
    head = f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY x SYSTEM "{secret.as_uri()}">\n]>\n'
    return (head + RSS_TAIL.format(ref="&x;")).encode()


def parameter_entity(secret: Path) -> bytes:
    head = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "{secret.as_uri()}">\n'
        "%p;\n]>\n"
    )
    return (head + RSS_TAIL.format(ref="x")).encode()


def utf16_external_entity(secret: Path) -> bytes:
    text = external_entity(secret).decode().replace('<?xml version="1.0"?>', "")
    return ('<?xml version="1.0" encoding="utf-16"?>' + text).encode("utf-16")


def _database_text(path: Path) -> str:
    """Every text value in the SQLite file, to look for the marker anywhere."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        parts: list[str] = []
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                parts.extend(str(v) for v in row if isinstance(v, str | bytes))
    return "\n".join(parts)


@pytest.mark.parametrize(
    "make", [billion_laughs, safe_entity_amplification], ids=["billion-laughs", "safe-entity"]
)
async def test_entity_expansion_is_refused(
    reader: Reader, http_server: LoopbackServer, make: object
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    assert callable(make)
    http_server.add("/feed.xml", make())

    outcome = await refresh_one(reader)

    assert_failed(reader, seeded, outcome, DTD_REFUSED)


@pytest.mark.parametrize(
    "make",
    [external_entity, parameter_entity, utf16_external_entity],
    ids=["external", "parameter", "utf-16"],
)
async def test_external_entities_are_refused_and_never_read(
    reader: Reader, http_server: LoopbackServer, secret: Path, make: object, tmp_path: Path
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    assert callable(make)
    http_server.add("/feed.xml", make(secret))

    outcome = await refresh_one(reader)

    assert_failed(reader, seeded, outcome, DTD_REFUSED)
    assert MARKER not in _database_text(tmp_path / "tuireader.db")


async def test_external_dtd_is_never_loaded(
    reader: Reader, http_server: LoopbackServer, secret: Path, tmp_path: Path
) -> None:
    # No internal subset, so nothing to refuse; the parser must simply not load it.
    seeded = await seed_good_feed(reader, http_server)
    body = f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{secret.as_uri()}">\n'
    http_server.add("/feed.xml", (body + RSS_TAIL.format(ref="plain")).encode())

    outcome = await refresh_one(reader)

    assert outcome.reason is None and outcome.new_articles == 1
    assert MARKER not in _database_text(tmp_path / "tuireader.db")
    assert reader.store.get_feed(seeded.feed_id).title == seeded.title


# --- OPML through `tuireader import` ----------------------------------------------------------


def _opml(doctype: str, title: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<opml version="2.0"><head><title>{title}</title>'
        '</head><body><outline text="Evil" title="Evil" type="rss" '
        f'xmlUrl="https://evil.example/{title}"/></body></opml>'
    ).encode()


def _import(path: Path, db: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--db", str(db), "import", str(path)], out=out)
    return code, out.getvalue()


@pytest.mark.parametrize("kind", ["billion-laughs", "external", "parameter"])
def test_import_refuses_opml_with_entities(tmp_path: Path, secret: Path, kind: str) -> None:
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)
    ]
    doctypes = {
        "billion-laughs": ("<!DOCTYPE opml [\n" + "\n".join(levels) + "\n]>", "&l9;"),
        "external": (f'<!DOCTYPE opml [\n<!ENTITY x SYSTEM "{secret.as_uri()}">\n]>', "&x;"),
        "parameter": (f'<!DOCTYPE opml [\n<!ENTITY % p SYSTEM "{secret.as_uri()}">\n%p;\n]>', "t"),
    }
    doctype, ref = doctypes[kind]
    path = tmp_path / "subs.opml"
    path.write_bytes(_opml(doctype, ref))
    db = tmp_path / "import.db"

    code, text = _import(path, db)

    assert code == 1
    assert "refused: the document declares XML entities" in text
    assert MARKER not in text and "lollol" not in text
    assert MARKER not in _database_text(db)
    assert make_reader(db_path=db).feeds() == []
