"""newsboat's ``query:`` feeds and filter expressions in tuireader's query language.

A urls-file line ``"query:Unread news:unread = \\"yes\\" and tags # \\"news\\""`` becomes the
query feed "Unread news" with the query ``is:unread tag:news``. What converts:

- ``unread = "yes"`` / ``"no"`` (and ``!=``)      -> ``is:unread`` / ``is:read``
- ``tags # "x"`` / ``tags !# "x"``                -> ``tag:x`` / ``-tag:x``
- ``title``, ``author``, ``content``, ``feedtitle``, ``rssurl`` with ``=~``, ``!~``, ``=``, ``!=``
  and a plain-word value -> ``title:``, ``author:``, words, ``feed:`` (``-`` for the negations);
  newsboat matches a regex anywhere in the text, tuireader matches whole words
- ``age < N`` / ``age > N`` (days)                 -> ``age:<Nd`` / ``age:>Nd``
- ``enclosure_url != ""``                          -> ``has:enclosure``
- ``and``, ``or`` and parentheses

What does not: regular expressions beyond plain words (anchors, classes, alternation),
``date``/``pubDate``, ``link``, ``guid``, ``between``, ``flags``, numeric comparisons of
other attributes, and ``feedindex``/``article_index``. Those lines are reported, not guessed.
"""

from __future__ import annotations

import re
import shlex

from tuireader.sanitize import clean_line

_TOKEN = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>=~|!~|!=|!#|<=|>=|[=<>#])'
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<num>-?\d+))"
)
_PLAIN = re.compile(r"[\w .'-]+", re.UNICODE)
_TEXT_FIELDS = {"title": "title:", "author": "author:", "content": "", "feedtitle": "feed:"}


class NotConvertibleError(ValueError):
    """Why a newsboat filter cannot be written in tuireader's query language."""


def _value(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def _quoted(value: str) -> str:
    return f'"{value}"' if " " in value else value


def _tokens(expr: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    expr = expr.rstrip()
    while pos < len(expr):
        match = _TOKEN.match(expr, pos)
        if match is None or match.end() == pos:
            raise NotConvertibleError(f"cannot read the filter from {expr[pos:][:20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _comparison(attribute: str, op: str, kind: str, raw: str) -> str:
    value = _value(raw) if kind == "str" else raw
    negate = op in ("!=", "!~", "!#")
    sign = "-" if negate else ""
    if attribute == "unread" and op in ("=", "!=") and value in ("yes", "no"):
        return "is:unread" if (value == "yes") != negate else "is:read"
    if attribute == "tags" and op in ("#", "!#"):
        return f"{sign}tag:{_quoted(value)}"
    if attribute == "age" and op in ("<", ">", "<=", ">=") and value.isdigit():
        return f"age:{op[0]}{value}d"
    if attribute == "enclosure_url" and op in ("=", "!=") and value == "":
        return "-has:enclosure" if op == "=" else "has:enclosure"
    if attribute in (*_TEXT_FIELDS, "rssurl") and op in ("=", "!=", "=~", "!~"):
        if not value or not _PLAIN.fullmatch(value):
            raise NotConvertibleError(f"{attribute} {op} {raw}: only plain words convert")
        prefix = "feed:" if attribute == "rssurl" else _TEXT_FIELDS[attribute]
        if prefix == "" and " " in value:
            return f'{sign}"{value}"'
        return f"{sign}{prefix}{_quoted(value)}"
    raise NotConvertibleError(f"{attribute} {op} {raw} has no equivalent")


def convert_filter(expr: str) -> str:
    """A newsboat filter expression as a tuireader query, or :class:`NotConvertibleError`."""
    tokens = _tokens(expr)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "lp":
            out.append("(")
        elif kind == "rp":
            out.append(")")
        elif kind == "word" and text in ("and", "or"):
            if text == "or":
                out.append("OR")
        elif kind == "word" and i + 2 < len(tokens) and tokens[i + 1][0] == "op":
            value_kind, value = tokens[i + 2]
            if value_kind not in ("str", "num"):
                raise NotConvertibleError(f"{text} {tokens[i + 1][1]} needs a value")
            out.append(_comparison(text, tokens[i + 1][1], value_kind, value))
            i += 2
        else:
            raise NotConvertibleError(f"{text!r} is not a comparison")
        i += 1
    query = " ".join(out).replace("( ", "(").replace(" )", ")")
    from tuireader.query import QueryError, parse_query

    try:
        parse_query(query)
    except QueryError as error:
        raise NotConvertibleError(f"gives a query that does not parse: {error}") from None
    return query


def query_feed_line(url: str) -> tuple[str, str]:
    """``query:NAME:FILTER`` (the urls file's first word) as (name, query)."""
    _, _, rest = url.partition(":")
    name, colon, expr = rest.partition(":")
    if not colon or not name.strip() or not expr.strip():
        raise NotConvertibleError("a query feed is query:NAME:FILTER")
    return name.strip(), convert_filter(expr)


def query_feeds_in_urls(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The ``query:`` lines of a urls file: converted (name, query) pairs, and one line per
    query feed that cannot be converted (with its line number)."""
    converted: list[tuple[str, str]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped.lstrip('"').startswith("query:"):
            continue
        try:
            first = shlex.split(stripped)[0]
            converted.append(query_feed_line(first))
        except (ValueError, IndexError) as error:
            problems.append(f"line {number}: query feed not converted: {clean_line(str(error))}")
    return converted, problems
