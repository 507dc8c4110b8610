"""A small library of original sample feeds, so a fresh install has something to show offline.

The four publications are fictional and every article was written for tuireader; links point
at example.org/.com/.net. Stories overlap on purpose (a subsea cable, seagrass, heat pumps,
local-first software) so that recommendations and duplicate grouping have material to work on.
Bodies are read with ``importlib.resources``, so this works from an installed wheel or zip.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class DemoFeed:
    """One bundled feed: the URL it pretends to live at and the package file holding it."""

    url: str
    title: str
    folder: str
    filename: str


DEMO_FEEDS: tuple[DemoFeed, ...] = (
    DemoFeed(
        url="https://harbour-gazette.example.org/feed.xml",
        title="The Harbour Gazette",
        folder="News",
        filename="harbour-gazette.xml",
    ),
    DemoFeed(
        url="https://signal-noise.example.com/atom.xml",
        title="Signal & Noise",
        folder="Technology",
        filename="signal-and-noise.xml",
    ),
    DemoFeed(
        url="https://field-notes.example.net/feed.json",
        title="Field Notes",
        folder="Science",
        filename="field-notes.json",
    ),
    DemoFeed(
        url="https://long-wave.example.net/podcast.rss",
        title="The Long Wave",
        folder="Podcasts",
        filename="long-wave.xml",
    ),
)


def demo_feed_body(feed: DemoFeed) -> bytes:
    """The raw document of a bundled feed, exactly as a server would send it."""
    return resources.files(__name__).joinpath(feed.filename).read_bytes()
