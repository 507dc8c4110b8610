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
    #: page's prose (some prose is outside it); None: only when readability found no body
    #: or no prose at all. Costs CPU time: trafilatura runs only where this fires.
    recheck: float | None = 0.9
    #: ... and take its body when it has at least this many times readability's prose
    #: (readability lost the article: it kept a caption or a teaser); None: never.
    lost: float | None = 6.0
    #: ... or when it holds at least this share of readability's words and more besides
    #: (readability dropped a lead, a heading, a list or a last paragraph); None: never.
    #: Chosen by the bench's per-page analysis of where the two bodies disagree: where
    #: trafilatura's body contains readability's and is longer, it was the better one on
    #: both corpora and on each half of each; where readability's contains trafilatura's,
    #: the two corpora disagree, so that case keeps readability.
    contains: float | None = 0.9
    #: When a page is an index, not an article: "none"; "links" (the body is mostly link
    #: text); "prose" (the body is mostly link text and has no paragraph of prose).
    guard: str = "prose"
    #: Drop the body's first blocks when they only repeat the headline or the byline.
    repeats: bool = True
    #: Drop figure captions that are only a photo credit ("Photo: Jane Doe / Agency").
    credits: bool = True
    #: Drop ``<aside>``, ``<footer>`` and navigation roles (whatever their link density)
    #: from readability's body, as Reader View does (see :mod:`.boilerplate`).
    asides: bool = True
    #: Drop share bars, "related" and "social" blocks (by class or id) from readability's
    #: body, as Reader View does.
    widgets: bool = True


RULE_GRID: dict[str, tuple[Any, ...]] = {
    "recheck": (None, 0.2, 0.5, 0.7, 0.9, 1.0),
    "lost": (None, 2.0, 3.0, 4.0, 6.0, 10.0),
    "contains": (None, 0.7, 0.8, 0.9, 0.95),
    "guard": ("none", "links", "prose"),
    "repeats": (False, True),
    "credits": (False, True),
    "asides": (False, True),
    "widgets": (False, True),
}
