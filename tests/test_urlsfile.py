"""newsboat ``urls`` file import."""

from __future__ import annotations

from tuireader.opml import Subscription, parse_opml, sniff_import_format, write_opml
from tuireader.urlsfile import parse_urls_file

URLS = """\
# my feeds
https://harbour-gazette.example.org/feed.xml news local

https://signal.example.com/atom.xml tech "~Signal & Noise" "long reads"
  https://field-notes.example.net/feed.json "science"  !
"query:Unread Articles:unread = \\"yes\\"" reading
"exec:~/bin/make-feed.sh" scripts
"filter:~/bin/clean.py:https://example.org/rss" tech
not-a-url tag
ftp://files.example.org/feed.xml
javascript:alert(1)
mailto:editor@example.org
https://signal.example.com/atom.xml duplicate
https://podcast.example.org/long-wave.rss "unterminated tag
https://plain.example.org/rss
https://hidden.example.org/rss ! "~Hidden \\"one\\"" !news
feed://old.example.org/rss
"""


def test_good_lines_are_imported_with_tags_titles_and_folders() -> None:
    result = parse_urls_file(URLS)
    assert result.subscriptions == (
        Subscription(
            url="https://harbour-gazette.example.org/feed.xml",
            folder="news",
            tags=("news", "local"),
        ),
        Subscription(
            url="https://signal.example.com/atom.xml",
            title="Signal & Noise",
            folder="tech",
            tags=("tech", "long reads"),
        ),
        Subscription(
            url="https://field-notes.example.net/feed.json",
            folder="science",
            tags=("science", "!"),
        ),
        Subscription(url="https://plain.example.org/rss"),
        Subscription(
            url="https://hidden.example.org/rss",
            title='Hidden "one"',
            folder=None,
            tags=("!", "!news"),
        ),
        Subscription(url="http://old.example.org/rss"),
    )


def test_bad_lines_are_reported_with_their_numbers() -> None:
    problems = parse_urls_file(URLS).problems
    assert [p.split(":", 1)[0] for p in problems] == [
        f"line {n}" for n in (6, 7, 8, 9, 10, 11, 12, 13, 14)
    ]
    assert "query feeds are not supported" in problems[0]
    assert "exec feeds are not supported" in problems[1]
    assert "filter feeds are not supported" in problems[2]
    assert "not a" in problems[3] and "not-a-url" in problems[3]
    assert "ftp://" in problems[4]
    assert "javascript:" in problems[5]
    assert "mailto:" in problems[6]
    assert "duplicate" in problems[7]
    assert "unterminated quote" in problems[8]


def test_titles_and_tags_are_cleaned() -> None:
    text = 'https://a.example.org/rss "~\x1b[31mRed\x1b[0m  title\u202e" "\x1b]52;c;eA==\x07tag"\n'
    result = parse_urls_file(text)
    assert result.subscriptions == (
        Subscription(
            url="https://a.example.org/rss", title="Red title", folder="tag", tags=("tag",)
        ),
    )


def test_windows_line_endings_and_bom() -> None:
    result = parse_urls_file(
        "\ufeffhttps://a.example.org/rss x\r\n\r\n# c\r\nhttps://b.example.org/rss\r\n"
    )
    assert [s.url for s in result.subscriptions] == [
        "https://a.example.org/rss",
        "https://b.example.org/rss",
    ]
    assert result.problems == ()


def test_empty_and_comment_only_files_have_nothing_and_no_problems() -> None:
    assert parse_urls_file("").subscriptions == ()
    result = parse_urls_file("# only\n\n   \n# comments\n")
    assert result.subscriptions == () and result.problems == ()


def test_urls_file_converts_to_opml_and_back() -> None:
    imported = parse_urls_file(URLS).subscriptions
    data = write_opml(imported)
    assert sniff_import_format(data) == "opml"
    assert sniff_import_format(URLS.encode()) == "urls"
    restored = parse_opml(data)
    assert restored.problems == ()
    assert [(s.url, s.folder, s.tags) for s in restored.subscriptions] == [
        (s.url, s.folder, s.tags) for s in imported
    ]
