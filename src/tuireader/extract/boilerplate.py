"""Blocks Firefox Reader View drops from an article and readability-lxml keeps.

readability-lxml ports an older Arc90 Readability. Readability.js, which Reader View runs,
also removes from the article it picked (``_prepArticle``, ``_removeUnlikelyCandidates``):
``<aside>``, ``<footer>`` and navigation roles, share buttons, and blocks whose
class or id says "related" or "social". readability-lxml keeps them when they sit inside the
article's container: "Read more", "Share this", "About the author" end up in the body.

Both kinds are general page structure, not a site's markup, and each won on both corpora
and on each half of each (``bench/extract_bench.py --rules``). An element that holds half
of the body's text or more is never removed: then the markup is wrong, not the article.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from readability.readability import REGEXES

#: Elements and ARIA roles that are never the article itself (``<nav>`` never reaches the
#: reader: :mod:`tuireader.htmlmd` drops it, as it drops link-only asides and footers).
ASIDE_TAGS = frozenset(("aside", "footer"))
ASIDE_ROLES = frozenset(
    ("navigation", "complementary", "menu", "menubar", "dialog", "alert", "alertdialog")
)
#: Class or id of a share bar, a "related articles" list or social links (Readability.js's
#: ``shareElements``, and the two words of its ``unlikelyCandidates`` that readability-lxml
#: lacks and that won on both corpora; "banner" did not).
_WIDGET = re.compile(r"(?:\b|_)(?:share|sharedaddy)(?:\b|_)|related|social", re.IGNORECASE)
#: ... unless it also says it is the content (Readability's ``okMaybeItsACandidate``).
_CONTENT = REGEXES["okMaybeItsACandidateRe"]
#: An element with this share of the body's text or more is kept whatever it is called.
MAX_SHARE = 0.5


def drop_asides(root: etree._Element) -> bool:
    """Remove ``<aside>``, ``<footer>`` and navigation roles; whether any was."""
    return _drop(root, _is_aside)


def drop_widgets(root: etree._Element) -> bool:
    """Remove share bars, related-links and social blocks (by class or id); whether any was."""
    return _drop(root, _is_widget)


def _is_aside(el: etree._Element) -> bool:
    return el.tag in ASIDE_TAGS or (el.get("role") or "").strip().lower() in ASIDE_ROLES


def _is_widget(el: etree._Element) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    return _WIDGET.search(names) is not None and _CONTENT.search(names) is None


def _drop(root: etree._Element, matches: Callable[[etree._Element], bool]) -> bool:
    limit = MAX_SHARE * max(_length(root), 1)
    found = [
        el
        for el in root.iterdescendants()
        if isinstance(el.tag, str) and matches(el) and _length(el) < limit
    ]
    chosen = set(found)
    for el in found:
        if not any(a in chosen for a in el.iterancestors()):  # else it goes with its ancestor
            el.drop_tree()
    return bool(found)


def _length(el: etree._Element) -> int:
    return len(" ".join(el.text_content().split()))
