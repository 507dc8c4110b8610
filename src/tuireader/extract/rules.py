"""The rules that turn the libraries' bodies into our article, as one value.

Each field switches one rule (or sets its threshold). :data:`RULE_GRID` lists the settings
``bench/extract_bench.py --rules`` tries for each: the first is "rule off", and a rule is
kept only when the setting tuned on the other parts of the corpora wins on each corpus half.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Rules:
    #: Give trafilatura a look when readability's body holds less than this share of the
    #: page's prose; None: only when readability found no body or no prose at all.
    recheck: float | None = 0.2
    #: ... and take its body when it has at least this many times readability's prose
    #: (readability lost the article: it kept a caption or a teaser); None: never.
    lost: float | None = 6.0
    #: When a page is an index, not an article: "none"; "links" (the body is mostly link
    #: text); "prose" (the body is mostly link text and has no paragraph of prose).
    guard: str = "prose"
    #: Drop the body's first blocks when they only repeat the headline or the byline.
    repeats: bool = True
    #: Drop figure captions that are only a photo credit ("Photo: Jane Doe / Agency").
    credits: bool = True


RULE_GRID: dict[str, tuple[Any, ...]] = {
    "recheck": (None, 0.1, 0.2, 0.3, 0.5, 1.0),
    "lost": (None, 2.0, 3.0, 4.0, 6.0, 10.0),
    "guard": ("none", "links", "prose"),
    "repeats": (False, True),
    "credits": (False, True),
}
