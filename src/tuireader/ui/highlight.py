"""A search's matches in what the app draws: the terms to look for, and styled spans.

Which words and phrases match is the query language's own rule
(:mod:`tuireader.query.highlight`); here they become styles on ``rich.text.Text`` (the
article list) and on Textual ``Content`` (the reading pane). Feed text stays plain text:
styles are spans laid over it, never markup parsed from it.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.style import Style as RichStyle
from rich.text import Text
from textual.content import Content
from textual.style import Style

from tuireader.query import QueryError, parse_query
from tuireader.query.highlight import Term, find_matches, highlight_terms

Terms = tuple[Term, ...]
Span = tuple[int, int]


def search_terms(query: str | None, prefix_last: bool = True) -> Terms:
    """What to highlight for ``query`` (none for a pure filter or a query that does not
    parse). With ``prefix_last`` the last word matches as a prefix, as a search typed in
    the app does."""
    if not query:
        return ()
    try:
        node = parse_query(query)
    except QueryError:
        return ()
    return highlight_terms(node, prefix_last=prefix_last)


def highlight_text(text: Text, terms: Terms, style: RichStyle) -> Text:
    """``text`` with every match of ``terms`` styled (in place; returned for chaining)."""
    for start, end in find_matches(text.plain, terms):
        text.stylize(style, start, end)
    return text


def highlight_content(
    content: Content,
    spans: list[Span],
    style: Style,
    *,
    current: Span | None = None,
    current_style: Style | None = None,
) -> Content:
    """``content`` with its match ``spans`` styled, ``current`` (``n``/``N``'s) apart."""
    for span in spans:
        chosen = current_style if span == current and current_style is not None else style
        content = content.stylize(chosen, *span)
    return content


def line_of(content: Content, offset: int, width: int) -> int:
    """The line (from 0) that character ``offset`` of ``content`` lands on once wrapped to
    ``width`` cells, as a Static draws it (wrapping drops the spaces it breaks at, so
    each line is found in the text again)."""
    plain = content.plain
    if width <= 0:
        return plain.count("\n", 0, offset)
    starts: list[int] = []
    position = 0
    for line in content.wrap(width):
        text = line.plain.strip()
        found = plain.find(text, position) if text else position
        starts.append(found if found >= 0 else position)
        position = starts[-1] + len(text)
    return max(0, bisect_right(starts, offset) - 1)
