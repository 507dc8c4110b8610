"""Commands about sync: sync, sync add/remove/status, and the hooks refresh/add/edit use."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from tuireader.cli.output import CliError, iso, print_json
from tuireader.core import Reader
from tuireader.humanize import format_bytes, plural
from tuireader.sync.types import SyncError, SyncKind, SyncSummary


def cmd_sync(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    action = getattr(args, "sync_command", None)
    if action == "add":
        return _add(reader, args, out)
    if action == "remove":
        return _remove(reader, out)
    if action == "status":
        return _status(reader, args.json, out)
    if reader.store.sync_account() is None:
        raise CliError("no sync account: add one with `tuireader sync add greader|fever URL ...`")
    summary = run_sync(reader)
    if args.json:
        print_json(summary_json(summary), out)
    else:
        write_summary(summary, out)
    return 0 if summary.ok else 1


def run_sync(reader: Reader) -> SyncSummary:
    from tuireader.sync.engine import sync_now

    try:
        return sync_now(reader.store)
    except SyncError as error:
        raise CliError(str(error)) from error


def summary_json(summary: SyncSummary) -> dict[str, Any]:
    return {
        "ok": summary.ok,
        "pushed": summary.pushed,
        "dropped": summary.dropped,
        "new_articles": summary.new_articles,
        "state_changes": summary.state_changes,
        "feeds": {
            "added": summary.feeds_added,
            "removed": summary.feeds_removed,
            "changed": summary.feeds_changed,
        },
        "queued": summary.queued,
        "requests": summary.requests,
        "bytes_received": summary.bytes_received,
        "error": summary.error,
        "notes": list(summary.notes),
    }


def write_summary(summary: SyncSummary, out: TextIO) -> None:
    for note in summary.notes:
        out.write(f"note: {note}\n")
    if not summary.ok:
        print(
            f"tuireader: sync failed: {summary.error}; "
            f"{plural(summary.queued, 'change')} kept for the next sync",
            file=sys.stderr,
        )
        return
    feeds = [
        f"{n} {what}"
        for n, what in (
            (summary.feeds_added, "added"),
            (summary.feeds_removed, "removed"),
            (summary.feeds_changed, "changed"),
        )
        if n
    ]
    out.write(
        f"synced: sent {plural(summary.pushed, 'change')}, "
        f"{plural(summary.new_articles, 'new article')}, "
        f"{plural(summary.state_changes, 'state change')} from the server"
        + (f", feeds {', '.join(feeds)}" if feeds else "")
        + f"; {summary.queued} queued ({plural(summary.requests, 'request')}, "
        f"{format_bytes(summary.bytes_received)})\n"
    )


def _add(reader: Reader, args: argparse.Namespace, out: TextIO) -> int:
    from tuireader.sync.accounts import add_account

    password = None
    if args.password_stdin:
        lines = sys.stdin.read().splitlines()
        password = lines[0] if lines else ""
    try:
        account = add_account(
            reader.store,
            SyncKind(args.kind),
            args.url,
            args.user,
            password=password,
            password_command=args.password_command,
            insecure_http=args.insecure_http,
        )
    except SyncError as error:
        raise CliError(str(error)) from error
    if args.insecure_http and account.url.startswith("http://"):
        print(
            "tuireader: warning: --insecure-http: the password and your reading cross the "
            "network unencrypted",
            file=sys.stderr,
        )
    out.write(
        f"added {account.kind.value} account {account.user} at {account.url}; "
        "run `tuireader sync` to bring in its feeds and articles\n"
    )
    return 0


def _remove(reader: Reader, out: TextIO) -> int:
    from tuireader.sync.accounts import remove_account

    if reader.store.sync_account() is None:
        raise CliError("no sync account to remove")
    dropped = remove_account(reader.store)
    out.write(
        "removed the sync account: the library is local again and keeps every article"
        + (f" ({plural(dropped, 'change')} never sent)" if dropped else "")
        + "\n"
    )
    return 0


def _status(reader: Reader, as_json: bool, out: TextIO) -> int:
    account = reader.store.sync_account()
    queued = reader.store.queued_count() if account else 0
    if as_json:
        print_json(
            {
                "kind": account.kind.value if account else None,
                "url": account.url if account else None,
                "user": account.user if account else None,
                "last_sync": iso(account.last_sync) if account else None,
                "queued": queued,
                "last_error": account.last_error if account else None,
            },
            out,
        )
        return 0
    if account is None:
        out.write("no sync account: a local library (`tuireader sync add` to join a server)\n")
        return 0
    last = f"{account.last_sync:%Y-%m-%d %H:%M} UTC" if account.last_sync else "never"
    out.write(
        f"{account.kind.value} {account.user} at {account.url}\n"
        f"last sync: {last}; {plural(queued, 'change')} queued\n"
    )
    if account.last_error:
        out.write(f"last error: {account.last_error}\n")
    return 0


def sync_instead_of_fetching(reader: Reader, out: TextIO) -> tuple[list[int], bool]:
    """`refresh` with an account: sync; returns the local-only feeds to fetch, and success."""
    summary = run_sync(reader)
    write_summary(summary, out)
    synced = reader.store.sync_feed_ids()
    return [f.id for f in reader.feeds() if f.id not in synced], summary.ok
