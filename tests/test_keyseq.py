"""Key sequences (gg, zz): what each key typed means, with a clock moved by hand."""

from __future__ import annotations

from tuireader.ui.keymap import ACTIONS
from tuireader.ui.keyseq import KeySequencer, Outcome, key_name, sequences_from


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def sequencer(clock: Clock | None = None) -> KeySequencer:
    table = sequences_from([("top", "g g", "top"), ("centre", "z z,Z", "centre")])
    table[("g", "o", "x")] = "three"
    return KeySequencer(table, clock or Clock(), timeout=1.5)


def test_a_sequence_waits_for_its_next_key_then_runs() -> None:
    keys = sequencer()
    first = keys.press("g")
    assert first.outcome is Outcome.PENDING and first.keys == ("g",)
    assert keys.endings(("g",)) == {"g": "top", "o": ""}
    done = keys.press("g")
    assert done.outcome is Outcome.RUN and done.action == "top"
    assert keys.pending == ()
    # A single key alternative is not a sequence: Textual's own binding handles it.
    assert keys.press("Z").outcome is Outcome.PASS
    three = [keys.press(k) for k in ("g", "o", "x")]
    assert [s.outcome for s in three] == [Outcome.PENDING, Outcome.PENDING, Outcome.RUN]
    assert three[-1].action == "three"


def test_another_key_cancels_and_does_its_own_thing_escape_only_cancels() -> None:
    keys = sequencer()
    keys.press("g")
    step = keys.press("j")
    assert step.outcome is Outcome.PASS and step.keys == ("g",)
    assert keys.pending == ()
    keys.press("g")
    assert keys.press("escape").outcome is Outcome.CANCELLED
    assert keys.press("escape").outcome is Outcome.PASS  # nothing pending: escape is back
    # A key that cancels one sequence may begin another.
    keys.press("g")
    step = keys.press("z")
    assert step.outcome is Outcome.PENDING and step.keys == ("z",)
    assert keys.press("z").action == "centre"


def test_the_first_key_times_out() -> None:
    clock = Clock()
    keys = sequencer(clock)
    keys.press("g")
    clock.now += 1.4
    assert keys.pending == ("g",)
    clock.now += 0.2
    assert keys.pending == ()
    # Too late: this g begins a new sequence instead of finishing the old one.
    assert keys.press("g").outcome is Outcome.PENDING
    assert keys.press("g").outcome is Outcome.RUN


def test_the_keymap_names_sequences_as_textual_names_keys() -> None:
    assert key_name("!") == "exclamation_mark" and key_name("ctrl+d") == "ctrl+d"
    table = sequences_from((a.id, a.keys, a.action) for a in ACTIONS)
    assert table == {("g", "g"): "top", ("z", "z"): "centre"}
    assert sequences_from([("top", "! !", "top")]) == {
        ("exclamation_mark", "exclamation_mark"): "top"
    }
