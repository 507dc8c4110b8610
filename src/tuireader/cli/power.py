"""Power users' commands: tags, rules, saved searches (query feeds) and piping an article."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from tuireader.cli.output import CliError, find_feed, write_articles
from tuireader.core import Reader
from tuireader.humanize import plural
from tuireader.query import QueryError
from tuireader.rules import Rule


def query_error(error: QueryError) -> CliError:
    return CliError(f"query error at column {error.column}: {error.message}")


def cmd_tag(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    store = reader.store
    if args.feed:
        feed = find_feed(reader, args.id)
        changed = store.tag_feed(feed.id, args.name, remove=args.remove)
        what = f"feed {feed.id} ({feed.title})"
    else:
        if not args.id.isdigit() or reader.article(int(args.id)) is None:
            raise CliError(f"no article with id {args.id} (use --feed to tag a feed)")
        changed = store.tag_article(int(args.id), args.name, remove=args.remove)
        what = f"article {args.id}"
    verb = "untagged" if args.remove else "tagged"
    if not changed:
        state = "does not have" if args.remove else "already has"
        out.write(f"{what} {state} tag {args.name!r}\n")
    else:
        out.write(f"{verb} {what} {'from' if args.remove else 'with'} {args.name!r}\n")
    return 0


def cmd_star(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    if not reader.store.set_starred(args.id, not args.undo):
        raise CliError(f"no article with id {args.id}")
    out.write(f"{'unstarred' if args.undo else 'starred'} article {args.id}\n")
    return 0


def cmd_tags(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    tags = reader.store.tag_counts()
    if not tags:
        out.write("no tags yet: tuireader tag ID NAME, or a rule with action tag:NAME\n")
    for tag in tags:
        out.write(
            f"{tag.unread:>6}/{tag.articles:<6} {tag.name}"
            + (f"  ({plural(tag.feeds, 'feed')})" if tag.feeds else "")
            + "\n"
        )
    return 0


def _chosen_rules(reader: Reader, name: str | None) -> tuple[Rule, ...]:
    rules = reader.store.rules
    if name is not None:
        rules = tuple(r for r in rules if r.name == name)
        if not rules:
            raise CliError(f"no rule named {name!r} in config.toml")
    return rules


def cmd_rules(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    store = reader.store
    if args.action == "undo":
        undone = store.undo_rules(args.name)
        out.write(f"undid {plural(undone, 'change')}" + " (deletions cannot be undone)\n")
        return 0
    rules = _chosen_rules(reader, args.name)
    if not rules:
        out.write("no rules: add [[rules]] to config.toml (see the README)\n")
        return 0
    if args.action == "list":
        effects = store.rule_effect_counts()
        for rule in rules:
            scope = ", ".join([*rule.feeds, *(f"folder {f}" for f in rule.folders)])
            out.write(
                f"{rule.name}: {rule.effect} where {rule.query}"
                + (f" (only {scope})" if scope else "")
                + f"; {plural(effects.get(rule.name, 0), 'change')} to undo\n"
            )
        return 0
    if args.action == "test":
        for outcome in store.test_rules(rules):
            out.write(
                f"{outcome.rule.name}: would {outcome.rule.effect} "
                f"{plural(len(outcome.article_ids), 'article')}\n"
            )
            if args.verbose and outcome.article_ids:
                write_articles(store.summaries(list(outcome.article_ids[:20])), False, out)
        return 0
    for outcome in store.apply_rules(rules):
        out.write(
            f"{outcome.rule.name}: {outcome.rule.effect} "
            f"{plural(len(outcome.article_ids), 'article')}\n"
        )
    return 0


def cmd_pipe(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    from tuireader.usercommands import CommandError, pipe_article

    out.flush()
    sys.stdout.flush()
    try:
        pipe_article(reader, args.id, args.command, as_json=args.json)
    except CommandError as error:
        raise CliError(str(error)) from error
    return 0
