"""What a query's text terms match inside an article: for highlighting and ``n``/``N``.

The app highlights the matches in the list and the reading pane and moves between them as
``less`` does; this module finds them, headless. A plain word matches whole words (a word
written ``wor*``, or the last one when searching as you type, matches their starts), a
phrase its words in order with any whitespace between them, case-insensitively. Terms under
``-`` are not highlighted.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from tuireader.query.ast import MIN_TYPED_PREFIX, And, Node, Or, Text

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]
    #: The last word may be the start of a longer one.
    prefix: bool = False


def highlight_terms(node: Node, *, prefix_last: bool = False) -> tuple[Term, ...]:
    """The positive text terms of a query, in order (words of a phrase stay together)."""
    texts: list[Text] = []

    def visit(current: Node) -> None:
        if isinstance(current, Text):
            texts.append(current)
        elif isinstance(current, And | Or):
            for child in current.nodes:
                visit(child)
        # Not: what it names is absent from every match; nothing to highlight.

    visit(node)
    terms: list[Term] = []
    for index, text in enumerate(texts):
        words = tuple(_TOKEN.findall(text.text))
        if not words:
            continue
        if text.phrase:
            terms.append(Term(words))
            continue
        for position, word in enumerate(words):
            last = position == len(words) - 1
            typed = prefix_last and index == len(texts) - 1 and len(word) >= MIN_TYPED_PREFIX
            prefix = last and (text.text.endswith("*") or typed)
            terms.append(Term((word,), prefix))
    return tuple(dict.fromkeys(terms))


def _pattern(term: Term) -> str:
    body = r"[\W_]+".join(re.escape(word) for word in term.words)
    return rf"(?<![^\W_]){body}" + ("" if term.prefix else r"(?![^\W_])")


def find_matches(text: str, terms: tuple[Term, ...]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``terms`` in ``text``, in order."""
    if not terms or not text:
        return []
    # Longer terms first, so a phrase wins over one of its own words at the same place.
    ordered = sorted(terms, key=lambda t: -sum(len(w) for w in t.words))
    pattern = re.compile("|".join(_pattern(t) for t in ordered), re.IGNORECASE)
    return [match.span() for match in pattern.finditer(text) if match.end() > match.start()]


def next_match(
    spans: list[tuple[int, int]], offset: int, *, backwards: bool = False
) -> tuple[int, int] | None:
    """The first span starting after ``offset`` (``n``) or the last before it (``N``)."""
    starts = [start for start, _ in spans]
    if backwards:
        index = bisect_left(starts, offset) - 1
        return spans[index] if index >= 0 else None
    index = bisect_right(starts, offset)
    return spans[index] if index < len(spans) else None
