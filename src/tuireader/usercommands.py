"""User commands (newsboat's macros and pipe-to): run a program on an article.

``[commands]`` in config.toml binds a key to a command line::

    [commands]
    P = "lp"                                        # the article as text on stdin
    W = 'wallabag-add "$TUIREADER_URL"'             # the shell expands the variable
    J = { run = "jq .title", json = true }          # the article as JSON on stdin
    C = { run = "wc -w", terminal = false }         # no terminal: the output's last line

The article reaches the program on stdin and in ``TUIREADER_URL``, ``TUIREADER_TITLE``,
``TUIREADER_FEED``, ``TUIREADER_ENCLOSURE`` (its first attachment) and ``TUIREADER_ID``.
Feed text is never put into the command line: a command with no shell syntax runs directly
(``shlex.split``); one that uses ``$``, pipes or redirections runs under ``sh -c`` with
the command string exactly as the user wrote it, and the shell reads the values from the
environment. The app runs commands with itself suspended, so terminal programs work;
one with ``terminal = false`` runs in the background and its output's last line is shown.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuireader.models import Article
from tuireader.sanitize import clean_line
from tuireader.store.db import to_db_time

if TYPE_CHECKING:
    from tuireader.core import Reader

#: Characters that only mean something to a shell: a command holding any runs under sh -c.
_SHELL_SYNTAX = set("$`|&;<>(){}*?[]~#\n\\'\"")
STDERR_TAIL = 4096


class CommandError(Exception):
    """A command that could not run or failed (one line)."""


@dataclass(frozen=True, slots=True)
class UserCommand:
    key: str
    run: str
    json: bool = False
    #: Runs on the terminal (the app suspended); False: in the background, output captured.
    terminal: bool = True


def load_commands(raw: Mapping[str, Any]) -> tuple[dict[str, UserCommand], tuple[str, ...]]:
    """``[commands]`` as key -> command; a bad entry is one problem line and is skipped."""
    commands: dict[str, UserCommand] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if isinstance(value, str):
            value = {"run": value}
        if (
            not isinstance(value, dict)
            or not isinstance(value.get("run"), str)
            or not value["run"].strip()
            or not isinstance(value.get("json", False), bool)
            or not isinstance(value.get("terminal", True), bool)
            or set(value) - {"run", "json", "terminal"}
        ):
            problems.append(
                f"command {clean_line(key)!r} skipped: use a command line or "
                '{ run = "...", json = true, terminal = false }'
            )
            continue
        commands[key] = UserCommand(
            key, value["run"], value.get("json", False), value.get("terminal", True)
        )
    return commands, tuple(problems)


def command_argv(command: str) -> list[str]:
    """The argv to run: the words themselves when no shell is needed, else ``sh -c``."""
    if _SHELL_SYNTAX.isdisjoint(command):
        words = shlex.split(command)
        if words:
            return words
    return ["/bin/sh", "-c", command]


def article_env(article: Article) -> dict[str, str]:
    enclosure = article.enclosures[0].url if article.enclosures else ""
    return {
        "TUIREADER_ID": str(article.id),
        "TUIREADER_URL": article.link or "",
        "TUIREADER_TITLE": clean_line(article.title),
        "TUIREADER_FEED": clean_line(article.feed_title),
        "TUIREADER_ENCLOSURE": enclosure,
    }


def article_json_payload(article: Article, text: str, tags: list[str] | None = None) -> str:
    return json.dumps(
        {
            "id": article.id,
            "feed_id": article.feed_id,
            "feed_title": article.feed_title,
            "title": article.title,
            "link": article.link,
            "author": article.author,
            "published": to_db_time(article.published),
            "enclosures": [
                {"url": e.url, "type": e.type, "length": e.length, "duration": e.duration}
                for e in article.enclosures
            ],
            "tags": tags or [],
            "text": text,
        },
        ensure_ascii=False,
    )


def run_command(
    command: str,
    article: Article,
    stdin_text: str,
    *,
    capture_output: bool = False,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run ``command`` with the article on stdin; returns its output when captured.

    Blocking: the app calls it from a worker with the app suspended. Raises
    :class:`CommandError` with one line when the program is missing or fails.
    """
    argv = command_argv(command)
    environment = {**(env if env is not None else os.environ), **article_env(article)}
    try:
        done = subprocess.run(
            argv,
            input=stdin_text.encode("utf-8", "replace"),
            stdout=subprocess.PIPE if capture_output else None,
            stderr=subprocess.PIPE,
            env=environment,
            check=False,
        )
    except FileNotFoundError:
        raise CommandError(f"{clean_line(argv[0])}: command not found") from None
    except OSError as error:
        raise CommandError(f"{clean_line(argv[0])}: {error.strerror or error}") from None
    if done.returncode != 0:
        tail = done.stderr[-STDERR_TAIL:].decode("utf-8", "replace").strip().splitlines()
        why = f": {clean_line(tail[-1])}" if tail else ""
        name = clean_line(command)[:60]
        raise CommandError(f"{name!r} failed (exit status {done.returncode}){why}")
    return done.stdout.decode("utf-8", "replace") if capture_output else ""


def pipe_article(reader: Reader, article_id: int, command: str, *, as_json: bool = False) -> None:
    """Run a ``[commands]`` key's command, or a command line, on one article: what
    ``tuireader pipe`` does and what the app's bound keys, ``!`` and ``|`` will call (in a
    worker, with the app suspended). Raises :class:`CommandError` (one line)."""
    commands, _ = load_commands(reader.config.commands)
    bound = commands.get(command)
    line = bound.run if bound is not None else command
    article, text = article_input(
        reader, article_id, as_json=as_json or (bound is not None and bound.json)
    )
    run_command(line, article, text)


def article_input(reader: Reader, article_id: int, *, as_json: bool) -> tuple[Article, str]:
    """The article and what a command gets on stdin: its text, or JSON. Reads the store:
    call it off the event loop. Raises :class:`CommandError` when the article is gone."""
    from tuireader.articletext import article_as_text

    article = reader.article(article_id)
    if article is None:
        raise CommandError(f"no article with id {article_id}")
    text = article_as_text(reader, article)
    if as_json:
        text = article_json_payload(article, text, reader.store.article_tags(article.id))
    return article, text
