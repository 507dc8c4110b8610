"""The ASCII shortcuts of clean_text and search_text give what their general paths give."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader import sanitize
from tuireader.searchtext import search_text

_ASCII = st.text(st.characters(max_codepoint=0x7F), max_size=60)
_SOME_TEXT = st.one_of(_ASCII, st.text(max_size=60))


def clean_text_reference(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return sanitize._UNSAFE_CHARS.sub("", sanitize._ESCAPE_SEQUENCE.sub("", value))


@settings(max_examples=500, deadline=None)
@given(_SOME_TEXT)
def test_clean_text_equals_the_regex_definition(value: str) -> None:
    assert sanitize.clean_text(value) == clean_text_reference(value)


def test_clean_text_on_ascii_drops_escapes_and_controls() -> None:
    assert sanitize.clean_text("a\x1b[31mred\x1b[0m\x07\tb\r\nc\x7f") == "ared\tb\nc"


def search_text_reference(value: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", value)).split())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_SOME_TEXT, st.sampled_from(["<p>", "&nbsp;", "&#10;", "\x1c"]))))
def test_search_text_folds_whitespace_like_str_split(parts: list[str]) -> None:
    value = "".join(parts)
    assert search_text(value) == search_text_reference(value)
