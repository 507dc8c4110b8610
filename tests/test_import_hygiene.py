"""The core never imports Textual or Rich: checked in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "tuireader.core",
    "tuireader.store",
    "tuireader.fetch",
    "tuireader.parse",
    "tuireader.refresh",
    "tuireader.discover",
    "tuireader.opml",
    "tuireader.urlsfile",
    "tuireader.htmlmd",
    "tuireader.extract",
    "tuireader.recommend",
    "tuireader.config",
    "tuireader.sanitize",
    "tuireader.cli",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual_or_rich(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'rich'})\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
