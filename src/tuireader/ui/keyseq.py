"""Multi-key sequences (vim's ``gg``, ``zz``): which keys are typed so far, and what they mean.

Textual binds single keys only. A sequence is written with spaces in the keymap (``"g g"``,
rebindable under ``[keys]`` like any key); its first key waits for the next one, for at
most :data:`SEQUENCE_TIMEOUT` seconds. A key that does not go on with the sequence cancels
it and then does what it always does; escape only cancels. Pure: the screen feeds it keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from textual.binding import Binding

#: Seconds the first key of a sequence waits for the next (vim's ``timeoutlen`` is 1 s).
SEQUENCE_TIMEOUT = 1.5


class Outcome(Enum):
    #: Not part of a sequence: the key does what it always does.
    PASS = "pass"
    #: The key began or went on with a sequence: wait for the next one.
    PENDING = "pending"
    #: The sequence is complete: run its action.
    RUN = "run"
    #: Escape cancelled the pending sequence (and does nothing else).
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Step:
    outcome: Outcome
    #: The action to run (RUN).
    action: str = ""
    #: The keys typed so far (PENDING), or those the key cancelled (PASS after a pending).
    keys: tuple[str, ...] = ()


def key_name(key: str) -> str:
    """A key as Textual names it: ``!`` is ``exclamation_mark``, ``g`` stays ``g``."""
    if len(key) != 1:
        return key
    return next(iter(Binding.make_bindings([Binding(key, "none")]))).key


def sequences_from(actions: Iterable[tuple[str, str, str]]) -> dict[tuple[str, ...], str]:
    """``(id, keys, action)`` triples -> {sequence: action}, for the entries with spaces."""
    table: dict[tuple[str, ...], str] = {}
    for _id, keys, action in actions:
        for entry in keys.split(","):
            parts = tuple(key_name(part) for part in entry.split())
            if len(parts) > 1:
                table[parts] = action
    return table


class KeySequencer:
    """Follows the keys typed so far against a table of sequences."""

    def __init__(
        self,
        table: Mapping[tuple[str, ...], str],
        clock: Callable[[], float],
        timeout: float = SEQUENCE_TIMEOUT,
    ) -> None:
        self._table = dict(table)
        self._prefixes = {seq[:n] for seq in self._table for n in range(1, len(seq))}
        self._clock = clock
        self._timeout = timeout
        self._pending: tuple[str, ...] = ()
        self._since = 0.0

    @property
    def pending(self) -> tuple[str, ...]:
        """The keys typed so far of an unfinished sequence (() when none or timed out)."""
        if self._pending and self._clock() - self._since > self._timeout:
            self._pending = ()
        return self._pending

    @property
    def prefixes(self) -> set[str]:
        """The keys that begin a sequence (they do nothing alone)."""
        return {prefix[0] for prefix in self._prefixes}

    def endings(self, keys: tuple[str, ...]) -> dict[str, str]:
        """The keys that can follow ``keys``, with the action each completes ("" : more keys)."""
        done: dict[str, str] = {}
        for seq, action in self._table.items():
            if seq[: len(keys)] == keys and len(seq) > len(keys):
                done[seq[len(keys)]] = action if len(seq) == len(keys) + 1 else ""
        return done

    def cancel(self) -> tuple[str, ...]:
        keys, self._pending = self.pending, ()
        return keys

    def press(self, key: str) -> Step:
        before = self.pending
        if before and key == "escape":
            self._pending = ()
            return Step(Outcome.CANCELLED, keys=before)
        typed = (*before, key)
        if typed in self._table:
            self._pending = ()
            return Step(Outcome.RUN, action=self._table[typed])
        if typed in self._prefixes:
            self._pending, self._since = typed, self._clock()
            return Step(Outcome.PENDING, keys=typed)
        self._pending = ()
        if before:
            # The key does not go on with the sequence: it cancels it, then may begin another.
            again = self.press(key)
            return again if again.outcome is not Outcome.PASS else Step(Outcome.PASS, keys=before)
        return Step(Outcome.PASS)
