"""Our Markdown as plain text: no escapes, no emphasis marks, links as numbered references.

``tuireader show`` promises plain text. The reading pane's Markdown (from ``htmlmd``) is
parsed with markdown-it, the CommonMark parser Textual itself renders it with, so escapes
and nesting are undone exactly as the app undoes them; then each link's text is followed by
``[n]`` and the addresses are listed once at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@dataclass
class _Links:
    numbers: dict[str, int] = field(default_factory=dict)

    def number(self, url: str) -> int:
        """The reference number of ``url``: the same for each mention, in order of first."""
        return self.numbers.setdefault(url, len(self.numbers) + 1)


def _inline(children: list[Token] | None, links: _Links) -> str:
    parts: list[str] = []
    targets: list[str] = []  # the open links' addresses, innermost last
    for token in children or []:
        if token.type in ("text", "code_inline", "html_inline"):
            parts.append(token.content)
        elif token.type == "softbreak":
            parts.append(" ")
        elif token.type == "hardbreak":
            parts.append("\n")
        elif token.type == "link_open":
            targets.append(str(token.attrGet("href") or ""))
        elif token.type == "link_close":
            href = targets.pop() if targets else ""
            if href:
                parts.append(f"[{links.number(href)}]")
        elif token.type == "image":
            src = str(token.attrGet("src") or "")
            alt = token.content or "image"
            parts.append(f"{alt}[{links.number(src)}]" if src else alt)
    return "".join(parts)


def markdown_to_text(markdown: str) -> str:
    """Plain text for a terminal or a pipe, with a numbered list of the links at the end."""
    links = _Links()
    blocks: list[tuple[str, bool]] = []  # (text, joins the previous block without a blank)
    prefixes: list[str] = []  # one per open blockquote or list item, for nested lines
    lists: list[list[int | None]] = []  # per open list: [next number] or [None] for bullets
    marker: str | None = None  # a list item's marker, put before its first block
    row: list[str] = []
    in_list = False  # the last block was in a list (tight list items follow it directly)

    def emit(text: str, tight: bool = False) -> None:
        nonlocal marker, in_list
        lead = "".join(prefixes)
        lines = text.split("\n")
        first = lead[: len(lead) - len(marker)] + marker if marker else lead
        blocks.append(("\n".join([first + lines[0]] + [lead + x for x in lines[1:]]), tight))
        marker = None
        in_list = bool(lists)

    tokens = _PARSER.parse(markdown)
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "inline":
            before = tokens[i - 1] if i else None
            text = _inline(token.children, links)
            if before is not None and before.type in ("th_open", "td_open"):
                row.append(text)
            else:
                hidden = before is not None and before.hidden  # a tight list's paragraph
                emit(text, tight=hidden and in_list)
        elif kind in ("fence", "code_block"):
            emit("\n".join("    " + line for line in token.content.rstrip("\n").split("\n")))
        elif kind == "hr":
            emit("----")
        elif kind == "blockquote_open":
            prefixes.append("> ")
        elif kind in ("blockquote_close", "list_item_close"):
            prefixes.pop()
        elif kind in ("bullet_list_open", "ordered_list_open"):
            if not lists:
                in_list = False
            start = token.attrGet("start")
            lists.append([None] if kind == "bullet_list_open" else [int(start or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            number = lists[-1][0]
            marker = "- " if number is None else f"{number}. "
            if number is not None:
                lists[-1][0] = number + 1
            prefixes.append(" " * len(marker))
        elif kind == "tr_close":
            emit(" | ".join(row), tight=bool(blocks) and blocks[-1][0].count(" | ") > 0)
            row = []
    text = ""
    for number, (block, tight) in enumerate(blocks):
        text += ("" if number == 0 else "\n" if tight else "\n\n") + block
    if links.numbers:
        text += "\n\n" + "\n".join(f"[{n}] {url}" for url, n in links.numbers.items())
    return text
