"""Shared fixtures: every test gets its own config and data dirs."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test ever touches the user's real config or data."""
    monkeypatch.setenv("TUIREADER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TUIREADER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TUIREADER_CACHE_DIR", str(tmp_path / "cache"))
    yield tmp_path


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the project, or a skip when a user's clone does not have it."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} is absent (it is only beside the developers' checkout)")
    return SHARED_DIR


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB file system of its own: a disk that really fills up (root only)."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the max_page_count test covers SQLITE_FULL")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
    try:
        yield mount_point
    finally:
        # Lazily: a file a failed test left open must not keep the mount around.
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


from loopback import http_server  # noqa: E402, F401  (the loopback HTTP server fixture)
