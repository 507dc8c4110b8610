"""Playing enclosures: the player command is never a shell, and mpv's position is remembered."""

from __future__ import annotations

import io
import shlex
import sys
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpers.programs import require_program
from loopback import LoopbackServer, ranged
from tuireader.config import Config
from tuireader.core import make_reader
from tuireader.media.player import Playback, PlayerError, player_argv
from tuireader.models import Enclosure, ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def silent_wav(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(rate)
        wav.writeframes(b"\x80" * int(rate * seconds))
    return out.getvalue()


def test_the_target_is_one_argument_never_shell_text() -> None:
    hostile = "https://x/a b;touch /tmp/pwned;$(id)`id`.mp3"
    argv = player_argv("vlc --intf dummy %f", hostile)
    assert argv == ["vlc", "--intf", "dummy", hostile]
    assert player_argv("cvlc", hostile) == ["cvlc", hostile]
    assert player_argv("mpv --no-video %f", "f.mp3", start=12.34) == [
        "mpv",
        "--start=12.3",
        "--no-video",
        "f.mp3",
    ]
    with pytest.raises(PlayerError, match="not valid"):
        player_argv("mpv 'unclosed", "f.mp3")


def test_a_plain_player_gets_the_file_and_reports_its_exit(tmp_path: Path) -> None:
    out = tmp_path / "got"
    script = f"import sys; open({str(out)!r}, 'w').write(sys.argv[1])"
    template = f"{shlex.quote(sys.executable)} -c {shlex.quote(script)} %f"
    reader = make_reader(db_path=tmp_path / "t.db", config=Config(player=template))
    article_id = _episode(reader, "https://x/it's $(here).mp3")
    [state] = reader.episodes.states(article_id)
    playback = reader.episodes.play(state)
    assert playback == Playback(exit_code=0)
    assert out.read_text() == "https://x/it's $(here).mp3"


def test_mpv_remembers_the_position_and_resumes_there(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    require_program("mpv", "plays podcast episodes")
    http_server.add_handler("/ep.wav", ranged(silent_wav(3.0), "audio/wav"))
    reader = make_reader(db_path=tmp_path / "t.db", clock=lambda: T0)
    article_id = _episode(reader, http_server.url("/ep.wav"))
    [state] = reader.episodes.states(article_id)

    # The listener quits part-way: a script presses q once a second has played (by mpv's
    # own clock, so a slow start on a busy machine changes nothing).
    quit_later = tmp_path / "quit.lua"
    quit_later.write_text(
        'mp.observe_property("time-pos", "number", function(_, t)\n'
        '  if t and t >= 1.0 then mp.command("quit") end\n'
        "end)\n"
    )
    mpv = f"mpv --no-video --ao=null --script={quit_later} %f"
    first = reader.episodes.play(state, player=mpv)
    assert first.exit_code == 0
    assert first.position is not None and 0.5 <= first.position <= 1.5
    assert first.duration is not None and 2.9 <= first.duration <= 3.1
    assert not first.finished
    [state] = reader.episodes.states(article_id)
    assert state.position == pytest.approx(first.position) and not state.played
    assert not reader.article(article_id).read  # type: ignore[union-attr]

    # Next time it starts there and plays to the end: played, position back to the start.
    # mpv itself writes down where playback (re)started, seen from inside the player.
    starts = tmp_path / "starts.txt"
    record = tmp_path / "record.lua"
    record.write_text(
        'mp.register_event("playback-restart", function()\n'
        f'  local f = io.open("{starts}", "a")\n'
        '  f:write(tostring(mp.get_property_number("time-pos")) .. "\\n")\n'
        "  f:close()\n"
        "end)\n"
    )
    second = reader.episodes.play(state, player=f"mpv --no-video --ao=null --script={record} %f")
    first_start = float(starts.read_text().split()[0])
    assert first_start >= first.position - 0.2
    assert second.finished
    [state] = reader.episodes.states(article_id)
    assert state.played and state.position == 0.0


def test_a_missing_player_is_one_line(tmp_path: Path) -> None:
    reader = make_reader(db_path=tmp_path / "t.db", config=Config(player="no-such-player %f"))
    article_id = _episode(reader, "https://x/e.mp3")
    [state] = reader.episodes.states(article_id)
    with pytest.raises(PlayerError, match="player 'no-such-player' not found"):
        reader.episodes.play(state)


def _episode(reader, url: str) -> int:  # type: ignore[no-untyped-def]
    feed = reader.store.add_feed("https://pod.example/feed.xml")
    entry = ParsedEntry(
        title="Winter light", guid="ep", published=T0, enclosures=(Enclosure(url, "audio/wav"),)
    )
    reader.store.store_feed(
        feed.id,
        ParsedFeed(title="The Long Wave", entries=(entry,)),
        body_hash="1",
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    ids: list[int] = reader.store.article_ids(ArticleQuery(feed_id=feed.id))
    return ids[0]
