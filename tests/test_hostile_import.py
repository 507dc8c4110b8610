"""`tuireader import` of malformed OPML and urls files: bad lines reported, good ones imported."""

from __future__ import annotations

import io
from pathlib import Path

from hostile import UNSAFE, assert_one_line
from tuireader.cli import main
from tuireader.core import make_reader

MALFORMED_OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>Mine</title></head><body>
<outline text="Good one" type="rss" xmlUrl="https://good.example/one.xml"/>
<outline text="Script" type="rss" xmlUrl="javascript:alert(1)"/>
<outline text="Local" type="rss" xmlUrl="file:///etc/passwd"/>
<outline text="Data" type="rss" xmlUrl="data:application/rss+xml,&lt;rss/&gt;"/>
<outline text="Spaces" type="rss" xmlUrl="https://bad example/x"/>
<outline text="Escapes \x1b[2J" type="rss" xmlUrl="https://good.example/two\x1b[2J.xml"/>
<outline text="News"><outline text="Good \xe2\x80\xae two" type="rss"
  xmlUrl="https://good.example/three.xml"/>
<outline text="Unclosed" type="rss" xmlUrl="https://good.example/four.xml">
</body>
"""

MALFORMED_URLS = (
    "# my feeds\n"
    'https://good.example/a.xml tech "~A title"\n'
    "javascript:alert(1)\n"
    "file:///etc/passwd\n"
    'https://good.example/b.xml "unterminated\n'
    "https://good.example/\x1b]52;c;ZXZpbA==\x07c.xml\n"
    "not a url at all\n"
    "exec:rm -rf ~\n"
    "\xff\xfe garbage bytes\n"
    "https://good.example/d.xml news\n"
).encode("utf-8", "surrogateescape")


def _import(tmp_path: Path, name: str, data: bytes) -> tuple[int, str, Path]:
    path = tmp_path / name
    path.write_bytes(data)
    db = tmp_path / "import.db"
    out = io.StringIO()
    code = main(["--db", str(db), "import", str(path)], out=out)
    return code, out.getvalue(), db


def test_malformed_opml_imports_the_good_outlines_and_reports_the_rest(tmp_path: Path) -> None:
    code, text, db = _import(tmp_path, "subs.opml", MALFORMED_OPML)

    assert code == 0
    urls = {f.url: f for f in make_reader(db_path=db).feeds()}
    assert "https://good.example/one.xml" in urls
    assert urls["https://good.example/three.xml"].folder == "News"
    assert urls["https://good.example/three.xml"].title == "Good two"
    assert all(url.startswith("https://good.example/") for url in urls)
    assert not any("\x1b" in url for url in urls)
    problems = [line for line in text.splitlines() if line.startswith("skipped: ")]
    assert any("javascript:alert(1)" in p for p in problems)
    assert any("file:///etc/passwd" in p for p in problems)
    assert any("line " in p for p in problems)  # problems say where
    for line in text.splitlines():
        assert_one_line(line)


def test_malformed_urls_file_imports_the_good_lines_and_reports_the_rest(
    tmp_path: Path,
) -> None:
    code, text, db = _import(tmp_path, "urls", MALFORMED_URLS)

    assert code == 0
    feeds = {f.url: f for f in make_reader(db_path=db).feeds()}
    assert set(feeds) == {"https://good.example/a.xml", "https://good.example/d.xml"}
    assert (
        feeds["https://good.example/a.xml"].title,
        feeds["https://good.example/a.xml"].folder,
    ) == (
        "A title",
        "tech",
    )
    problems = [line for line in text.splitlines() if line.startswith("skipped: ")]
    numbers = {p.split(":")[1].strip() for p in problems}
    assert {"line 3", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9"} <= numbers
    assert not UNSAFE.search(text)
    for line in text.splitlines():
        assert_one_line(line)
