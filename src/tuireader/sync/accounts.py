"""Adding and removing the account, and changing subscriptions on the server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tuireader.sync.engine import auth_cache_path, make_client
from tuireader.sync.http import check_url
from tuireader.sync.secrets import remove_secret_file, run_password_command, write_secret_file
from tuireader.sync.types import SyncAccount, SyncError, SyncKind

if TYPE_CHECKING:
    from tuireader.models import Feed
    from tuireader.store import Store


def secret_path(store: Store) -> Path:
    """The password file of the library's account, beside the database."""
    return store.path.with_name(store.path.name + ".sync-password")


def add_account(
    store: Store,
    kind: SyncKind,
    url: str,
    user: str,
    *,
    password: str | None = None,
    password_command: str | None = None,
    insecure_http: bool = False,
) -> SyncAccount:
    """Check the URL and log in once; then keep the account (replacing any)."""
    if (password is None) == (password_command is None):
        raise SyncError("give the password on stdin or a command that prints it (not both)")
    if not user.strip():
        raise SyncError("the user name is empty")
    base = check_url(url, insecure_http=insecure_http)
    secret = run_password_command(password_command) if password_command else password
    if not secret:
        raise SyncError("the password is empty")
    account = SyncAccount(
        kind=kind,
        url=base,
        user=user.strip(),
        password_command=password_command,
        password_file=None if password_command else str(secret_path(store)),
        insecure_http=insecure_http,
    )
    client = make_client(account, password=secret)
    try:
        client.login()
    finally:
        client.close()
    if password is not None:
        write_secret_file(secret_path(store), password)
    else:
        remove_secret_file(secret_path(store))
    remove_secret_file(auth_cache_path(store))
    store.save_sync_account(account)
    return account


def remove_account(store: Store) -> int:
    """Back to a local library; returns how many queued changes were never sent."""
    dropped = store.remove_sync_account()
    remove_secret_file(secret_path(store))
    remove_secret_file(auth_cache_path(store))
    return dropped


def subscribe(store: Store, url: str, *, title: str | None, folder: str | None) -> str:
    """Subscribe on the server; the next sync brings the feed and its articles in."""
    account = store.sync_account()
    if account is None:
        raise SyncError("no sync account")
    client = make_client(account, auth_cache=auth_cache_path(store))
    try:
        return client.subscribe(url, title, folder)
    finally:
        client.close()


def unsubscribe(store: Store, feed_id: int) -> bool:
    """Unsubscribe on the server; False when the feed is not the server's (local only)."""
    account = store.sync_account()
    remote = store.sync_feed_ids().get(feed_id)
    if account is None or remote is None:
        return False
    client = make_client(account, auth_cache=auth_cache_path(store))
    try:
        client.unsubscribe(remote)
    finally:
        client.close()
    return True


def edit_feed(store: Store, feed_id: int, *, title: str | None, folder: str | None) -> bool:
    """Rename or move a feed on the server; False when the feed is local only."""
    account = store.sync_account()
    remote = store.sync_feed_ids().get(feed_id)
    if account is None or remote is None or (title is None and folder is None):
        return False
    old_folder = store.get_feed(feed_id).folder
    client = make_client(account, auth_cache=auth_cache_path(store))
    try:
        client.edit_feed(remote, title, folder, old_folder)
    finally:
        client.close()
    return True


def subscribe_and_sync(
    store: Store, url: str, *, title: str | None, folder: str | None
) -> tuple[Feed, int]:
    """Subscribe on the server, then sync: the feed as stored here and its new articles."""
    from tuireader.sync.engine import sync_now

    remote = subscribe(store, url, title=title, folder=folder)
    summary = sync_now(store)
    if summary.error is not None:
        raise SyncError(f"subscribed on the server, but the sync failed: {summary.error}")
    feed_id = next((f for f, r in store.sync_feed_ids().items() if r == remote), None)
    if feed_id is None:
        raise SyncError(f"the server took {url} but does not list it yet; sync later")
    return store.get_feed(feed_id), summary.new_articles
