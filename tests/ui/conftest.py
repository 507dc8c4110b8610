"""Fixtures for the TUI tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from uihelpers import build_reader

from tuireader.core import Reader
from tuireader.ui.app import TuiReaderApp, make_app


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return build_reader(tmp_path / "t.db")


@pytest.fixture
def opened() -> list[str]:
    """URLs the app asked the browser to open."""
    return []


@pytest.fixture
def app_factory(opened: list[str]) -> Callable[..., TuiReaderApp]:
    def factory(reader: Reader, **options: Any) -> TuiReaderApp:
        # one gc.freeze per app would pin every earlier test's leftovers: off unless asked
        options.setdefault("freeze_gc", False)
        return make_app(reader, tz=UTC, open_url=opened.append, **options)

    return factory
