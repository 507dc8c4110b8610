"""The rules that turn the two libraries' bodies into our article, as one value.

Each field switches one rule (or sets its threshold). :data:`RULE_GRID` lists the settings
``bench/extract_bench.py --rules`` tries for each: the first is "rule off", and a rule is
kept only when the setting tuned on the other half of the corpora wins on each half.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Rules:
    #: Take trafilatura's body instead of readability's when it holds it and adds at least
    #: this much prose (relative to readability's body); None: never.
    switch: float | None = 0.1
    #: When a page is an index, not an article: "none"; "links" (the body is mostly link
    #: text); "prose" (the body is mostly link text and has no paragraph of prose).
    guard: str = "prose"
    #: Drop the body's first blocks when they only repeat the headline or the byline.
    repeats: bool = True


RULE_GRID: dict[str, tuple[Any, ...]] = {
    "switch": (None, 0.05, 0.1, 0.2, 0.3, 0.6, 1.0),
    "guard": ("none", "links", "prose"),
    "repeats": (False, True),
}
