"""A title for an untitled article, made from its text.

Lists show titles; an entry without one (microblogs, some podcasts) read "(untitled)"
everywhere. Its first sentence, or its first words, says far more. Pure functions.
"""

from __future__ import annotations

import re

from tuireader.sanitize import clean_line

#: Longest derived title, in characters (an ellipsis marks a cut).
TITLE_FROM_TEXT_LIMIT = 80
_FIRST_SENTENCE = re.compile(r"(.{8,}?[.!?…])(?:\s|$)")  # not "e.g."


def title_from_text(text: str | None, limit: int = TITLE_FROM_TEXT_LIMIT) -> str:
    """The first sentence when it is short, else the first words and an ellipsis."""
    line = clean_line(text)
    if not line:
        return ""
    sentence = _FIRST_SENTENCE.match(line[: limit + 1])
    if sentence:
        return sentence.group(1)
    if len(line) <= limit:
        return line
    words = line[: limit - 1]
    if " " in words[limit // 2 :]:
        words = words.rsplit(" ", 1)[0]
    return words.rstrip(" ,;:-") + "…"
