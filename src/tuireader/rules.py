"""Rules (filters, kill-file): ``[[rules]]`` in config.toml, checked into :class:`Rule` values.

Each rule is a query and an action, optionally limited to some feeds or folders::

    [[rules]]
    name = "no sponsored posts"        # optional; the query is the name otherwise
    query = 'title:sponsored OR tag:ads'
    action = "hide"                    # read | hide | star | tag:NAME | delete
    feeds = ["12", "https://example.org/feed.xml"]   # optional: id, URL or exact title
    folders = ["News"]                 # optional: the folder or any folder inside it

A rule that does not check out is reported in one line and skipped; the others still apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tuireader.models import Feed
from tuireader.query import Node, QueryError, parse_query
from tuireader.sanitize import clean_line

ACTIONS = ("read", "hide", "star", "tag", "delete")
_KEYS = {"name", "query", "action", "feeds", "folders"}


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    query: str
    node: Node
    #: One of :data:`ACTIONS`; a ``tag`` action carries ``tag``.
    action: str
    tag: str = ""
    feeds: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()

    @property
    def effect(self) -> str:
        """The action as written: ``read`` or ``tag:NAME``."""
        return f"tag:{self.tag}" if self.action == "tag" else self.action

    @property
    def scoped(self) -> bool:
        return bool(self.feeds or self.folders)


class RuleError(ValueError):
    """Why one rule cannot be used (one line)."""


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(f"{what} must be a list of names")
    return tuple(clean_line(v).strip() for v in value)


def make_rule(raw: Any) -> Rule:
    """One ``[[rules]]`` table as a :class:`Rule`, or :class:`RuleError`."""
    if not isinstance(raw, dict):
        raise RuleError("must be a table with query and action")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise RuleError(f"unknown key {unknown[0]!r} (use {', '.join(sorted(_KEYS))})")
    query, action = raw.get("query"), raw.get("action")
    if not isinstance(query, str) or not query.strip():
        raise RuleError("needs a query")
    if not isinstance(action, str):
        raise RuleError(f"needs an action: {', '.join(ACTIONS[:3])}, tag:NAME or delete")
    try:
        node = parse_query(query)
    except QueryError as error:
        raise RuleError(
            f"query {clean_line(query)!r}, column {error.column}: {error.message}"
        ) from None
    kind, _, tag = action.partition(":")
    kind, tag = kind.strip().lower(), clean_line(tag).strip()
    if kind not in ACTIONS or (kind == "tag") != bool(tag):
        raise RuleError(
            f"action {clean_line(action)!r} is not one of read, hide, star, tag:NAME, delete"
        )
    name = raw.get("name", query)
    if not isinstance(name, str) or not name.strip():
        raise RuleError("name must be a string")
    return Rule(
        name=clean_line(name).strip(),
        query=query,
        node=node,
        action=kind,
        tag=tag,
        feeds=_strings(raw.get("feeds", []), "feeds"),
        folders=tuple(f.strip("/") for f in _strings(raw.get("folders", []), "folders")),
    )


def load_rules(raws: Sequence[Any]) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """The usable rules, and one line per rule skipped."""
    rules: list[Rule] = []
    problems: list[str] = []
    for number, raw in enumerate(raws, start=1):
        named = raw.get("name") if isinstance(raw, dict) else None
        which = f"rule {number}" + (f" ({clean_line(named)})" if isinstance(named, str) else "")
        try:
            rule = make_rule(raw)
        except RuleError as error:
            problems.append(f"{which} skipped: {error}")
            continue
        if any(r.name == rule.name for r in rules):
            problems.append(f"{which} skipped: another rule is named {rule.name!r}")
            continue
        rules.append(rule)
    return tuple(rules), tuple(problems)


def rules_for_feed(rules: Sequence[Rule], feed: Feed) -> list[Rule]:
    """The rules that can act on ``feed``'s articles (unscoped ones act on every feed)."""

    def in_scope(rule: Rule) -> bool:
        if not rule.scoped:
            return True
        names = {str(feed.id), feed.url, feed.title.lower()}
        if any(f in names or f.lower() in names for f in rule.feeds):
            return True
        folder = (feed.folder or "").lower()
        return any(folder == f.lower() or folder.startswith(f.lower() + "/") for f in rule.folders)

    return [rule for rule in rules if in_scope(rule)]
