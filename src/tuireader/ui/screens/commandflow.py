"""The user's commands in the app: ``[commands]`` keys, ``!`` (run a typed command) and ``|``
(pipe the current or selected articles to a typed command).

What a command gets is read in a thread (:func:`commandrun.prepare`). A terminal command
then runs with the app suspended (``App.suspend()``: the program has the terminal, the
screen comes back after it); the event loop waits meanwhile, as Textual's own docs do,
since nothing is drawn while another program owns the terminal. A ``terminal = false``
command runs in a worker instead. Either way the outcome is one line in the status line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

from rich.text import Text
from textual.app import SuspendNotSupported
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tuireader.humanize import plural
from tuireader.sanitize import clean_line
from tuireader.ui import keymap
from tuireader.ui.commandrun import (
    BackgroundRuns,
    Outcome,
    Prepared,
    prepare,
    run_in_background,
    run_on_terminal,
)
from tuireader.ui.keyseq import key_name
from tuireader.ui.screens.prompts import Field, FormScreen
from tuireader.ui.screens.selectflow import SelectFlow
from tuireader.usercommands import CommandError, UserCommand, load_commands

#: Keys Textual and the app keep whatever the keymap says.
FIXED_KEYS = {
    "tab": "Focus next",
    "shift+tab": "Focus previous",
    "ctrl+p": "Command palette",
    "ctrl+q": "Quit",
    "ctrl+c": "Copy",
    "escape": "Back",
    **{str(n): f"Open link {n}" for n in range(1, 10)},
}


#: Actions whose keys no command may take: without them the app cannot be left or learnt.
NEEDED_ACTIONS = ("quit", "help")


def needed_keys(keys: Mapping[str, str]) -> set[str]:
    """Keys a command may not take: the fixed ones but the link digits (L picks links
    too), and the keys of quit and help as ``[keys]`` has them."""
    needed = {key for key in FIXED_KEYS if not key.isdigit()}
    for action in keymap.ACTIONS:
        if action.id in NEEDED_ACTIONS:
            for entry in keys.get(action.id, action.keys).split(","):
                if entry.strip():
                    needed.add(key_name(entry.split()[0]))
    return needed


def builtin_keys(keys: Mapping[str, str]) -> dict[str, str]:
    """Every key the reader answers to now (``[keys]`` applied) -> what it does."""
    taken = dict(FIXED_KEYS)
    for action in keymap.ACTIONS:
        for entry in keys.get(action.id, action.keys).split(","):
            parts = entry.split()
            if parts:
                taken.setdefault(key_name(parts[0]), action.description)
    for key, description in (("home", "First"), ("end", "Last")):
        taken.setdefault(key, description)
    return taken


def bind_commands(
    raw: Mapping[str, object], keys: Mapping[str, str]
) -> tuple[dict[str, UserCommand], list[str]]:
    """``[commands]`` by Textual key name, and the problem lines to show at start: one per
    broken entry, one naming the keys the app needs that commands asked for (not bound),
    and one naming every other built-in key a command replaces (never fatal)."""
    commands, problems = load_commands(raw)
    taken, needed = builtin_keys(keys), needed_keys(keys)
    refused = [f"{clean_line(k)} ({taken[key_name(k)]})" for k in commands if key_name(k) in needed]
    bound = {key_name(k): c for k, c in commands.items() if key_name(k) not in needed}
    replaced = [
        f"{clean_line(key)} ({taken[name]})"
        for name, key in ((key_name(k), k) for k in commands)
        if name in taken and name not in needed
    ]
    lines = list(problems)
    if refused:
        lines.append(
            "[commands] keys not bound, the app needs them: "
            + ", ".join(refused)
            + " (free one in [keys] first)"
        )
    if replaced:
        lines.append(
            "[commands] keys replace built-in keys: "
            + ", ".join(replaced)
            + " (rebind those in [keys] to keep them)"
        )
    return bound, lines


class CommandFlow(SelectFlow):
    _commands: dict[str, UserCommand] | None = None
    _command_problems: list[str]
    _background_runs: BackgroundRuns | None = None

    @property
    def background_runs(self) -> BackgroundRuns:
        """Background commands (``terminal = false``), ended when the app quits."""
        if self._background_runs is None:
            self._background_runs = BackgroundRuns()
        return self._background_runs

    @property
    def user_commands(self) -> dict[str, UserCommand]:
        """``[commands]`` by key, as Textual names keys."""
        if self._commands is None:
            self._commands, self._command_problems = bind_commands(
                self.reader.config.commands, self.ctx.keymap
            )
        return self._commands

    def on_mount(self) -> None:
        self.user_commands  # noqa: B018 (load them, with their problems)
        for problem in self._command_problems:
            self.notify(problem, severity="warning", timeout=10)

    def key_command(self, key: str) -> bool:
        command = self.user_commands.get(key)
        if command is None:
            return False
        self.run_user_command(command)
        return True

    def run_user_command(self, command: UserCommand) -> None:
        ids = self.target_ids()
        if not ids:
            self.notify(f"{clean_line(command.key)}: no article here to run the command on.")
            return
        self._run(command.run, ids, as_json=command.json, terminal=command.terminal)

    # --- ! and | ---

    def action_run_command(self) -> None:
        current = self.current_article_id()
        self._ask(
            "Run a command",
            "TUIREADER_URL, TUIREADER_TITLE... are the current article's.",
            lambda line: self._run(line, [current], stdin=False, wait=True),
        )

    def action_pipe_article(self) -> None:
        ids = self.target_ids()
        if not ids:
            self.notify("| pipes an article to a command: no article here.")
            return
        what = plural(len(ids), "selected article") if self.selection else "the current article"
        self._ask(
            f"Pipe {what} to",
            "The command gets the article's text on stdin.",
            lambda line: self._run(line, list(ids), wait=True),
        )

    def _ask(self, title: str, label: str, then: Callable[[str], None]) -> None:
        def done(values: dict[str, str] | None) -> None:
            line = (values or {}).get("command", "").strip()
            if line:
                then(line)

        self.app.push_screen(
            FormScreen(title, [Field("command", label, placeholder="less")], submit="Run"),
            done,
        )

    # --- running ---

    def _run(
        self,
        line: str,
        ids: list[int | None] | list[int],
        *,
        as_json: bool = False,
        terminal: bool = True,
        stdin: bool = True,
        wait: bool = False,
    ) -> None:
        reader = self.reader
        selected = bool(self.selection) and ids == list(self.selection)

        def job() -> list[Prepared] | CommandError:
            try:
                return [prepare(reader, line, i, as_json=as_json, stdin=stdin) for i in ids]
            except CommandError as error:  # the article went meanwhile
                return error

        def ready(prepared: list[Prepared] | CommandError) -> None:
            if isinstance(prepared, CommandError):
                self.status_line.command_done(str(prepared), failed=True)
            elif terminal:
                self._said(self._on_terminal(prepared, wait), line, selected)
            else:
                self.in_thread(
                    lambda: [run_in_background(p, self.background_runs) for p in prepared],
                    lambda outcomes: self._said(outcomes, line, selected),
                    group="command",
                )

        self.in_thread(job, ready, group="command")

    def _on_terminal(self, prepared: list[Prepared], wait: bool) -> list[Outcome]:
        """The programs have the terminal, one after the other, the app suspended once."""
        try:
            with self.app.suspend():
                return [
                    run_on_terminal(p, wait=wait, tty_in=sys.__stdin__, tty_out=sys.__stdout__)
                    for p in prepared
                ]
        except SuspendNotSupported:
            # No terminal to hand over (the tests' headless app, a web driver).
            return [run_on_terminal(p) for p in prepared]

    def _said(self, outcomes: list[Outcome], line: str, selected: bool) -> None:
        failures = [o for o in outcomes if o.failed]
        if failures:
            self.status_line.command_done(failures[0].line, failed=True)
        elif len(outcomes) > 1:
            name = repr(clean_line(line)[:60])
            self.status_line.command_done(
                f"{name} ran on {plural(len(outcomes), 'article')}", failed=False
            )
        elif outcomes:
            self.status_line.command_done(outcomes[0].line, failed=False)
        if selected and not failures:
            self.drop_selection()  # a failure keeps it, to try again


def command_rows(commands: Mapping[str, UserCommand]) -> list[tuple[str, Text]]:
    """The help screen's rows for ``[commands]``: key, and the command line as written."""
    return [
        (keymap.KEY_NAMES.get(key, key), Text(clean_line(c.run)[:60]))
        for key, c in sorted(commands.items())
    ]


class UserCommandsProvider(Provider):
    """The ``[commands]`` keys in the command palette: ``Command P: lp``."""

    def _commands(self) -> list[tuple[str, UserCommand]]:
        screen = self.screen
        commands = screen.user_commands if isinstance(screen, CommandFlow) else {}
        return [
            (f"Command {keymap.KEY_NAMES.get(key, key)}: {clean_line(c.run)[:60]}", c)
            for key, c in sorted(commands.items())
        ]

    async def _run(self, command: UserCommand) -> None:
        screen = self.screen
        if isinstance(screen, CommandFlow):
            screen.run_user_command(command)

    async def discover(self) -> Hits:
        for name, command in self._commands():
            yield DiscoveryHit(Content(name), lambda c=command: self._run(c), text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, command in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    lambda c=command: self._run(c),
                    text=name,
                )
