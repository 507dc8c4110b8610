"""User settings from ``config.toml`` in the config dir.

A missing file means defaults; a bad value is reported and replaced by its default,
so a typo never stops the reader from starting.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tuireader.models import FullTextMode

MARK_READ_MODES = ("on_open", "after_delay", "never")
NOTIFY_MODES = ("off", "all")
IMAGE_MODES = ("off", "on-demand", "auto")


@dataclass(frozen=True, slots=True)
class Config:
    #: Refresh all feeds after the first paint.
    refresh_on_start: bool = False
    #: "on_open", "after_delay" (mark_read_delay seconds) or "never".
    mark_read: str = "on_open"
    mark_read_delay: float = 3.0
    theme: str = "textual-dark"
    #: Minutes between automatic refreshes of a feed (a feed's own interval wins).
    refresh_interval_minutes: int = 60
    max_connections: int = 16
    per_host_connections: int = 4
    timeout_seconds: float = 20.0
    #: Overall limit on one download, redirects included (a dripping server is cut off).
    deadline_seconds: float = 60.0
    #: Overall limit on parsing one feed; past it the feed fails and its worker is killed.
    parse_timeout_seconds: float = 30.0
    full_text: FullTextMode = FullTextMode.AUTO
    #: Prefetch full text of new unread articles on refresh, within these budgets.
    prefetch_full_text: bool = False
    prefetch_max_articles: int = 50
    prefetch_max_bytes: int = 20 * 2**20
    #: Retention: 0 keeps forever. Starred, recommended and unread articles are kept.
    keep_days: int = 0
    keep_per_feed: int = 0
    #: Podcasts: the player command (``%f`` is the file or URL; empty: mpv when installed),
    #: the largest enclosure a download may fetch, and how long played downloads are kept.
    player: str = ""
    download_max_bytes: int = 1024 * 2**20
    keep_downloads_days: int = 7
    #: Images in the reading pane: "off", "on-demand" (a line per image, loaded when
    #: chosen) or "auto" (the images of the article being read). Never for a data-saver feed.
    images: str = "off"
    #: New-article notifications after a refresh: "off", "all", or a query of the query
    #: language naming the articles worth one ("tag:urgent or feed:Alerts").
    notify: str = "off"
    #: The app refreshes due feeds every this many minutes while it runs (0: never), as
    #: newsboat's auto-reload; feeds in back-off wait their turn.
    auto_refresh_minutes: int = 0
    #: The browser ``o`` runs: a command with ``%u`` for the address ("w3m %u"); empty:
    #: ``$BROWSER``, else the system's browser.
    browser: str = ""
    #: action name -> comma-separated keys, e.g. {"next_unread" = "n,ctrl+n"}.
    keys: dict[str, str] = field(default_factory=dict)
    #: ``[[rules]]`` tables, checked by ``tuireader.rules.load_rules`` (a bad one is skipped).
    rules: tuple[Any, ...] = ()
    #: ``[commands]``: key -> command line, checked by ``tuireader.usercommands``.
    commands: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    config: Config
    problems: tuple[str, ...] = ()


#: Upper bounds where a larger number would overflow a date (minutes ahead, days back).
_MAXIMA = {
    "refresh_interval_minutes": 9_999_999,
    "auto_refresh_minutes": 9_999_999,
    "keep_downloads_days": 36_500,
}


def _check(name: str, value: Any, default: Any) -> Any:
    if name == "full_text":
        return FullTextMode(value)
    if name == "mark_read" and value not in MARK_READ_MODES:
        raise ValueError(f"must be one of {', '.join(MARK_READ_MODES)}")
    if name == "images" and value not in IMAGE_MODES:
        raise ValueError(f"must be one of {', '.join(IMAGE_MODES)}")
    if name == "notify":
        return _check_notify(value)
    if name == "keys":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ValueError('must be a table of action = "keys"')
        return dict(value)
    if name == "rules":
        if not isinstance(value, list):
            raise ValueError("must be [[rules]] tables")
        return tuple(value)
    if name == "commands":
        if not isinstance(value, dict):
            raise ValueError('must be a table of KEY = "command"')
        return dict(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if isinstance(default, int) and not isinstance(default, bool):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError("must be a whole number >= 0")
        if value > _MAXIMA.get(name, value):
            raise ValueError(f"must be at most {_MAXIMA[name]:,}")
        return value
    if isinstance(default, float):
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ValueError("must be a number >= 0")
        return float(value)
    if isinstance(default, str) and not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _check_notify(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be one of {', '.join(NOTIFY_MODES)} or a query")
    if value in NOTIFY_MODES:
        return value
    from tuireader.query import QueryError, parse_query

    try:
        parse_query(value)
    except QueryError as error:
        raise ValueError(f"is not a query ({error})") from None
    return value


def load_config(path: Path) -> LoadedConfig:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return LoadedConfig(Config())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return LoadedConfig(Config(), (f"{path}: {error}; using defaults",))
    defaults = Config()
    known = {f.name for f in fields(Config)}
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in raw.items():
        if name not in known:
            problems.append(f"{path}: unknown setting {name!r} ignored")
            continue
        try:
            values[name] = _check(name, value, getattr(defaults, name))
        except ValueError as error:
            problems.append(f"{path}: {name} {error}; using the default")
    return LoadedConfig(replace(defaults, **values), tuple(problems))


def save_setting(path: Path, name: str, value: Any) -> None:
    """Change one setting in the file, keeping everything else as the user wrote it:
    comments, order, inline tables (tomlkit edits the document, it does not rewrite it)."""
    import tomlkit  # only the app's c and theme choice save settings

    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = tomlkit.document()
    document[name] = value.value if isinstance(value, FullTextMode) else value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    tmp.replace(path)
