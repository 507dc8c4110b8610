"""tuireader's one query language: the same in the app's ``/``, the CLI, saved searches
and rules. See the README's "Queries" section for the grammar."""

from __future__ import annotations

from datetime import datetime

from tuireader.query.ast import Node, has_free_text, mentions_hidden
from tuireader.query.compiler import CompiledQuery, compile_query
from tuireader.query.parser import QueryError, parse_query


def compile_text(text: str, now: datetime, *, prefix_last: bool = False) -> CompiledQuery:
    """Parse and compile in one step (raises :class:`QueryError`)."""
    return compile_query(parse_query(text), now, prefix_last=prefix_last)


__all__ = [
    "CompiledQuery",
    "Node",
    "QueryError",
    "compile_query",
    "compile_text",
    "has_free_text",
    "mentions_hidden",
    "parse_query",
]
