"""Where tuireader keeps its files. Nothing is created at import; callers create on use."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "tuireader"
DB_FILENAME = "tuireader.db"


@dataclass(frozen=True, slots=True)
class Dirs:
    config: Path
    data: Path
    cache: Path

    @property
    def config_file(self) -> Path:
        return self.config / "config.toml"

    @property
    def database(self) -> Path:
        return self.data / DB_FILENAME


def resolve_dirs(environ: dict[str, str] | None = None) -> Dirs:
    """The platformdirs locations, each overridable by an environment variable."""
    env = os.environ if environ is None else environ
    return Dirs(
        config=Path(env.get("TUIREADER_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME)),
        data=Path(env.get("TUIREADER_DATA_DIR") or platformdirs.user_data_dir(APP_NAME)),
        cache=Path(env.get("TUIREADER_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME)),
    )
