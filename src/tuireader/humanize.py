"""Numbers for people: byte sizes, counts and plurals, the same in the CLI and the app."""

from __future__ import annotations

_UNITS = ("KB", "MB", "GB", "TB")


def format_bytes(count: int) -> str:
    """``812 B``, ``48 KB``, ``3.2 MB``, ``5 GB``: binary units, one decimal from MB up."""
    if count < 1024:
        return f"{count} B"
    size = count / 1024
    if size < 1024:
        return f"{round(size)} KB"
    for unit in _UNITS[1:]:
        size /= 1024
        if size < 1024 or unit == _UNITS[-1]:
            return f"{size:.1f}".removesuffix(".0") + f" {unit}"
    raise AssertionError("unreachable")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 feed``, ``2 feeds``, ``0 feeds``; ``many`` for irregular plurals."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
