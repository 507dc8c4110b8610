"""Import of newsboat's ``urls`` file: one feed per line, then its tags.

A line is a URL followed by space-separated tags; a tag with spaces is written in double
quotes (``\\"`` and ``\\\\`` escape inside them). ``"~My Title"`` renames the feed, and a tag
starting with ``!`` (newsboat's "hidden") is kept in ``tags`` as written but has no effect here.
The first plain tag becomes the folder; every plain and ``!`` tag is kept in ``tags``, in order
(the ``~`` title is in ``title`` instead). Lines starting with ``#`` and blank lines are
skipped, and an unquoted word starting with ``#`` starts a comment to the end of the line
(``https://x/feed tech # from work``). ``query:``,
``exec:`` and ``filter:`` feeds are reported as unsupported; other bad lines are reported with
their number and the good lines are still imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tuireader.sanitize import clean_line
from tuireader.subscriptions import (
    MAX_TITLE,
    ImportResult,
    Subscription,
    SubscriptionCollector,
    feed_url_problem,
    normalise_feed_scheme,
)

_UNSUPPORTED_KINDS = {"query:": "query feeds", "exec:": "exec feeds", "filter:": "filter feeds"}


class _UnterminatedQuoteError(ValueError):
    pass


def parse_urls_file(
    text: str,
    *,
    on_new: Callable[[Subscription], None] | None = None,
    known: Iterable[str] = (),
) -> ImportResult:
    """Read subscriptions from the text of a newsboat ``urls`` file."""
    collector = SubscriptionCollector(on_new, known)
    read_urls_text(text, collector)
    return collector.result()


def read_urls_text(text: str, collector: SubscriptionCollector) -> None:
    """Read every line of a newsboat ``urls`` file into ``collector``."""
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"line {number}"
        stripped = line.strip().lstrip("\ufeff")
        if not stripped or stripped.startswith("#"):
            continue
        try:
            words = _split_words(stripped)
        except _UnterminatedQuoteError:
            collector.problem(where, f"unterminated quote: {clean_line(stripped)!r}")
            continue
        if not words:
            continue
        url, tags = words[0], words[1:]
        unsupported = next(
            (name for prefix, name in _UNSUPPORTED_KINDS.items() if url.startswith(prefix)), None
        )
        if unsupported is not None:
            collector.problem(where, f"{unsupported} are not supported: {clean_line(url)!r}")
            continue
        url = normalise_feed_scheme(url)
        problem = feed_url_problem(url)
        if problem is not None:
            collector.problem(where, problem)
            continue
        collector.add(_subscription(url, tags), where, merge_folders=False)


def _subscription(url: str, words: list[str]) -> Subscription:
    title: str | None = None
    tags: list[str] = []
    for word in words:
        cleaned = clean_line(word)[:MAX_TITLE]
        if cleaned.startswith("~"):
            title = title or clean_line(cleaned[1:]) or None
        elif cleaned and cleaned not in tags:
            tags.append(cleaned)
    folder = next((tag for tag in tags if not tag.startswith("!")), None)
    return Subscription(url=url, title=title, folder=folder, tags=tuple(tags))


def _split_words(line: str) -> list[str]:
    """Split on whitespace; double quotes group words, backslash escapes inside quotes."""
    words: list[str] = []
    current: list[str] = []
    in_word = in_quotes = False
    chars = iter(line)
    for char in chars:
        if in_quotes:
            if char == '"':
                in_quotes = False
            elif char == "\\":
                current.append(next(chars, ""))
            else:
                current.append(char)
        elif char == '"':
            in_quotes = in_word = True
        elif char.isspace():
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        elif char == "#" and not in_word and words:
            break  # a trailing comment
        else:
            current.append(char)
            in_word = True
    if in_quotes:
        raise _UnterminatedQuoteError(line)
    if in_word:
        words.append("".join(current))
    return words
