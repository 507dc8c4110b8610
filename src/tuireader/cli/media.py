"""Commands for enclosures and the reader's own numbers: download, play, played, stats.

Also what a refresh does afterwards for them: download new episodes of auto-download feeds
and send one notification for what arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any, TextIO

from tuireader.cli.output import CliError, print_json
from tuireader.core import Reader
from tuireader.humanize import format_bytes, plural
from tuireader.media.player import PlayerError
from tuireader.store import EnclosureState

if TYPE_CHECKING:  # imported where used: it brings httpx, which `refresh --due` may not need
    from tuireader.media.episodes import DownloadOutcome


def cmd_download(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    if args.list:
        write_downloads(reader.store.downloads(), args.json, out)
        return 0
    for article_id in args.ids:
        if reader.article(article_id) is None:
            raise CliError(f"no article with id {article_id}")
    queued = reader.episodes.queue(args.ids) if args.ids else reader.store.requeue_failed()
    if args.ids and not queued:
        out.write("nothing to download: those articles have no enclosures not already here\n")
        return 0
    outcomes = run_downloads(reader, out)
    if not outcomes:
        out.write("nothing waits in the download queue\n")
        return 0
    failed = [o for o in outcomes if o.error]
    for outcome in outcomes:
        name = outcome.path.name if outcome.path else outcome.state.url
        if outcome.error:
            out.write(f"failed: {outcome.state.article_title}: {outcome.error}\n")
        else:
            how = "resumed" if outcome.resumed else "downloaded"
            out.write(f"{how}: {name} ({format_bytes(outcome.transferred)} fetched)\n")
    if failed:
        out.write("run `tuireader download` again to resume what failed\n")
    return 1 if len(failed) == len(outcomes) else 0


def run_downloads(reader: Reader, out: TextIO) -> list[DownloadOutcome]:
    """Download the queue, with a Rich bar per episode on a terminal."""
    if not out.isatty():
        return asyncio.run(reader.episodes.download_queued())
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=Console(file=out),
        transient=True,
    ) as progress:
        tasks: dict[tuple[int, str], Any] = {}

        def advance(state: EnclosureState, done: int, total: int | None) -> None:
            key = (state.article_id, state.url)
            if key not in tasks:
                # Titles are shown as plain text: Rich markup in a feed title stays literal.
                from rich.markup import escape

                tasks[key] = progress.add_task(escape(state.article_title[:40]), total=total)
            progress.update(tasks[key], completed=done, total=total)

        return asyncio.run(reader.episodes.download_queued(on_progress=advance))


def write_downloads(states: list[EnclosureState], as_json: bool, out: TextIO) -> None:
    if as_json:
        print_json([enclosure_json(s) for s in states], out)
        return
    if not states:
        out.write("no downloads yet: `tuireader download ID` queues an article's enclosures\n")
        return
    for s in states:
        size = format_bytes(s.total or s.length or s.bytes) if (s.total or s.length) else "?"
        played = "played" if s.played else (f"at {s.position:.0f}s" if s.position else "new")
        out.write(f"{s.article_id:>6} {s.download:<7} {size:>8} {played:<8} {s.article_title}\n")
        if s.error:
            out.write(f"{'':>8}{s.error}\n")


def enclosure_json(state: EnclosureState) -> dict[str, Any]:
    return {
        "article_id": state.article_id,
        "url": state.url,
        "type": state.type,
        "length": state.length,
        "download": state.download,
        "path": state.path,
        "bytes": state.bytes,
        "error": state.error,
        "position": state.position,
        "duration": state.duration,
        "played": state.played,
    }


def _enclosure(reader: Reader, article_id: int, number: int) -> EnclosureState:
    if reader.article(article_id) is None:
        raise CliError(f"no article with id {article_id}")
    states = reader.episodes.states(article_id)
    if not states:
        raise CliError(f"article {article_id} has no enclosure to play")
    if not 1 <= number <= len(states):
        raise CliError(f"article {article_id} has {plural(len(states), 'enclosure')}")
    return states[number - 1]


def cmd_play(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    state = _enclosure(reader, args.id, args.enclosure)
    try:
        playback = reader.episodes.play(state)
    except PlayerError as error:
        raise CliError(str(error)) from None
    if playback.finished:
        out.write(f"played: {state.article_title}\n")
    elif playback.position is not None:
        out.write(f"stopped at {playback.position:.0f} s: `tuireader play {args.id}` resumes\n")
    return 0 if playback.exit_code == 0 else 1


def cmd_played(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    state = _enclosure(reader, args.id, args.enclosure)
    reader.store.set_played(state.article_id, state.url, not args.undo)
    out.write(f"{'unplayed' if args.undo else 'played'}: {state.article_title}\n")
    return 0


def cmd_stats(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    from tuireader.stats import reading_stats

    stats = reading_stats(reader.store, days=args.days)
    if args.json:
        print_json(
            {
                "days": [
                    {
                        "day": d.day.isoformat(),
                        "opened": d.opened,
                        "minutes": round(d.minutes, 1),
                        "bytes_downloaded": d.bytes_downloaded,
                        "not_modified": d.not_modified,
                    }
                    for d in stats.days
                ],
                "feeds": [{"title": t, "opened": n} for t, n in stats.feeds],
                "opened": stats.opened,
                "minutes": round(stats.minutes, 1),
                "bytes_downloaded": stats.bytes_downloaded,
                "not_modified": stats.not_modified,
                "bytes_saved_estimate": stats.bytes_saved_estimate,
            },
            out,
        )
        return 0
    from tuireader.statsplot import stats_report

    out.write(stats_report(stats, width=args.width, color=out.isatty()))
    return 0


def after_refresh(reader: Reader, last_id: int, args: argparse.Namespace, out: TextIO) -> None:
    """Auto-download new episodes, then one notification for what the refresh brought.

    ``last_id`` is the largest article id before the refresh: what is above it is new.
    """
    episodes = reader.store.new_episode_ids(after_id=last_id)
    if episodes and reader.episodes.queue(episodes):
        outcomes = run_downloads(reader, out)
        fetched = [o for o in outcomes if not o.error]
        out.write(
            f"episodes: {plural(len(fetched), 'download')}, {len(outcomes) - len(fetched)} failed\n"
        )
    rule = reader.config.notify
    if getattr(args, "notify", False) or rule != "off":
        from tuireader.notify import new_articles, send, summarise

        note = summarise(new_articles(reader.store, last_id, "all" if rule == "off" else rule))
        if note is not None:
            send(note, sys.stderr if sys.stderr.isatty() else None)
