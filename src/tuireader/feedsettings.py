"""Everything a reader sets per feed, in one place: what the app's feed form and
``tuireader edit`` show and change.

A form hands back the whole :class:`FeedSettings`; :func:`change_feed_settings` applies
only what differs, so an unchanged title is never sent to a sync server again.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuireader.core import Reader
from tuireader.models import Feed, FullTextMode
from tuireader.rules import rules_for_feed
from tuireader.store.tags import tag_name


@dataclass(frozen=True, slots=True)
class FeedSettings:
    title: str
    folder: str
    full_text: FullTextMode
    #: Kept out of For you.
    muted: bool
    #: Minutes between refreshes; None follows config.toml.
    interval_minutes: int | None
    #: Download new episodes after each refresh.
    auto_download: bool
    #: No images and no automatic downloads.
    data_saver: bool
    #: Retention: days to keep (0 forever) and newest articles to keep (0 all); None
    #: follows config.toml.
    keep_days: int | None
    keep: int | None
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FeedDefaults:
    """config.toml's values, shown where a feed follows them."""

    interval_minutes: int
    keep_days: int
    keep: int


def feed_settings(reader: Reader, feed_id: int) -> FeedSettings:
    feed = reader.feed(feed_id)
    keep_days, keep = reader.store.feed_retention(feed_id)
    return FeedSettings(
        title=feed.title,
        folder=feed.folder or "",
        full_text=feed.full_text,
        muted=feed.muted,
        interval_minutes=feed.refresh_interval // 60 if feed.refresh_interval else None,
        auto_download=reader.store.auto_download(feed_id),
        data_saver=reader.store.data_saver(feed_id),
        keep_days=keep_days,
        keep=keep,
        tags=tuple(reader.store.feed_tags(feed_id)),
    )


def feed_defaults(reader: Reader) -> FeedDefaults:
    config = reader.config
    return FeedDefaults(config.refresh_interval_minutes, config.keep_days, config.keep_per_feed)


def rules_that_apply(reader: Reader, feed: Feed) -> list[str]:
    """One line per ``[[rules]]`` entry that acts on this feed's articles."""
    return [
        f"{rule.name}: {rule.effect} where {rule.query}"
        for rule in rules_for_feed(reader.store.rules, feed)
    ]


def change_feed_settings(reader: Reader, feed_id: int, new: FeedSettings) -> Feed:
    """Apply what differs from the stored settings; returns the feed as it now is."""
    old = feed_settings(reader, feed_id)
    feed = reader.update_feed(
        feed_id,
        title=new.title if new.title != old.title else None,
        folder=new.folder if new.folder != old.folder else None,
        full_text=new.full_text if new.full_text != old.full_text else None,
        muted=new.muted if new.muted != old.muted else None,
        # 0 tells the store to follow config.toml again.
        refresh_interval=(new.interval_minutes or 0) * 60
        if new.interval_minutes != old.interval_minutes
        else None,
    )
    if new.auto_download != old.auto_download:
        reader.store.set_auto_download(feed_id, new.auto_download)
    if new.data_saver != old.data_saver:
        reader.store.set_data_saver(feed_id, new.data_saver)
    if (new.keep_days, new.keep) != (old.keep_days, old.keep):
        reader.store.set_feed_retention(feed_id, keep_days=new.keep_days, keep_per_feed=new.keep)
    wanted = {tag_name(t) for t in new.tags if t.strip()}
    for tag in set(old.tags) - wanted:
        reader.store.tag_feed(feed_id, tag, remove=True)
    for tag in wanted - set(old.tags):
        reader.store.tag_feed(feed_id, tag)
    return feed
