"""Tests that need a program from the system: skip where it is absent, fail in CI."""

from __future__ import annotations

import os
import shutil

import pytest


def require_program(name: str, why: str) -> str:
    """The program's path; a skip with a reason when absent, a failure under ``CI=true``.

    ``.ci/run`` installs what the tests need, so a missing program in CI is a broken set-up,
    never a reason to pass quietly.
    """
    path = shutil.which(name)
    if path is not None:
        return path
    message = f"{name} is not installed ({why}); .ci/run installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
