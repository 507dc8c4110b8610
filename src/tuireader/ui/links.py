"""Number the links of an article so the keys 1..9 and the link picker can open them.

The reading pane renders Markdown with a parser made here: a core rule puts ``[n]`` after
every link that is safe to open (http, https, mailto), numbering each distinct target once,
in reading order. :func:`article_links` runs the same rule, so numbers always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from tuireader.sanitize import is_safe_link


@dataclass(frozen=True, slots=True)
class Link:
    number: int
    url: str
    label: str


def _number_links(
    found: list[Link], numbers: dict[str, int] | None = None
) -> Callable[[StateCore], None]:
    def rule(state: StateCore) -> None:
        nonlocal numbers
        if numbers is None:
            numbers = {}
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            children: list[Token] = []
            href: str | None = None
            label: list[str] = []
            for child in block.children:
                children.append(child)
                if child.type == "link_open":
                    href, label = str(child.attrs.get("href", "")), []
                elif child.type == "link_close" and href is not None:
                    children.extend(_marker(href, " ".join(label), numbers, found))
                    href = None
                elif child.type == "image":
                    alt = child.content or str(child.attrs.get("alt", ""))
                    children.extend(_marker(str(child.attrs.get("src", "")), alt, numbers, found))
                elif href is not None and child.type in ("text", "code_inline"):
                    label.append(child.content)
            block.children = children

    return rule


def _marker(href: str, label: str, numbers: dict[str, int], found: list[Link]) -> list[Token]:
    if not is_safe_link(href):
        return []
    number = numbers.get(href)
    if number is None:
        number = numbers[href] = len(numbers) + 1
        found.append(Link(number, href, " ".join(label.split()) or href))
    marker = Token("text", "", 0)
    marker.content = f" [{number}]"
    return [marker]


def make_parser(
    found: list[Link] | None = None, numbers: dict[str, int] | None = None
) -> MarkdownIt:
    """A GFM-like parser that numbers links (and collects them into ``found``).

    ``numbers`` (address -> number), shared by the parsers of one document's parts,
    carries the numbering on from one part to the next.
    """
    parser = MarkdownIt("gfm-like")
    rule = _number_links([] if found is None else found, numbers)
    parser.core.ruler.push("number_links", rule)
    return parser


def article_links(markdown: str) -> list[Link]:
    """The numbered links of a Markdown document, in the order the reader sees them."""
    found: list[Link] = []
    make_parser(found).parse(markdown)
    return found
