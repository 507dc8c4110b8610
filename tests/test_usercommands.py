"""User commands run real programs with the article on stdin and in the environment."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tuireader.cli import main
from tuireader.core import make_reader
from tuireader.models import Article, Enclosure, ParsedEntry, ParsedFeed
from tuireader.usercommands import CommandError, command_argv, load_commands, run_command

HOSTILE = 'Evil "$(touch pwned)" `touch pwned2`; rm -rf / \x1b[2J'


def article(tmp_path: Path) -> tuple[str, Article]:
    db = tmp_path / "t.db"
    reader = make_reader(db_path=db)
    feed = reader.store.add_feed("https://c.example/feed", title="Commands Weekly")
    entry = ParsedEntry(
        title=HOSTILE,
        guid="1",
        link="https://c.example/1",
        summary_html="<p>Hello from the body</p>",
        enclosures=(Enclosure("https://c.example/1.mp3", "audio/mpeg"),),
    )
    reader.store.store_feed(
        feed.id,
        ParsedFeed(title="c", entries=(entry,)),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    found = reader.article(reader.store.query_ids("")[0])
    assert found is not None
    reader.close()
    return str(db), found


def test_plain_commands_run_without_a_shell_and_shell_syntax_with_sh() -> None:
    assert command_argv("lp -d office") == ["lp", "-d", "office"]
    assert command_argv('mpv "$TUIREADER_ENCLOSURE"') == [
        "/bin/sh",
        "-c",
        'mpv "$TUIREADER_ENCLOSURE"',
    ]


def test_the_article_reaches_stdin_and_the_environment_never_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, found = article(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.txt"
    env_out = tmp_path / "env.txt"
    run_command(
        f'cat > {out}; printf \'%s|%s|%s|%s\' "$TUIREADER_URL" "$TUIREADER_TITLE" '
        f'"$TUIREADER_FEED" "$TUIREADER_ENCLOSURE" > {env_out}',
        found,
        "the text\n",
    )
    assert out.read_text() == "the text\n"
    url, title, feed, enclosure = env_out.read_text().split("|")
    assert (url, feed, enclosure) == (
        "https://c.example/1",
        "Commands Weekly",
        "https://c.example/1.mp3",
    )
    assert title == HOSTILE.replace("\x1b[2J", "").strip()
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_failures_are_one_line(tmp_path: Path) -> None:
    _, found = article(tmp_path)
    with pytest.raises(CommandError, match="no-such-program-xyz: command not found"):
        run_command("no-such-program-xyz --flag", found, "")
    with pytest.raises(CommandError) as caught:
        run_command("echo first >&2; echo 'it broke' >&2; exit 3", found, "")
    assert str(caught.value).endswith("failed (exit status 3): it broke")
    assert "\n" not in str(caught.value)


def test_config_commands_and_the_pipe_command(tmp_path: Path) -> None:
    commands, problems = load_commands(
        {"P": "lp", "J": {"run": "jq .", "json": True}, "X": {"run": 3}, "Y": ""}
    )
    assert sorted(commands) == ["J", "P"] and commands["J"].json
    assert len(problems) == 2 and all("\n" not in p for p in problems)

    db, found = article(tmp_path)
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    target = tmp_path / "piped.json"
    (config / "config.toml").write_text(
        f"[commands]\nS = {{ run = \"sh -c 'cat > {target}'\", json = true }}\n"
    )
    assert main(["--db", db, "pipe", str(found.id), "S"], out=io.StringIO()) == 0
    payload = json.loads(target.read_text())
    assert payload["title"] == found.title and "Hello from the body" in payload["text"]
    # The same shape as `list articles --json`, so one jq filter reads both.
    assert payload["enclosures"] == [
        {"url": "https://c.example/1.mp3", "type": "audio/mpeg", "length": None, "duration": None}
    ]

    text_target = tmp_path / "piped.txt"
    assert main(["--db", db, "pipe", str(found.id), f"tee {text_target}"], out=io.StringIO()) == 0
    assert "Hello from the body" in text_target.read_text()


def test_a_failing_pipe_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, found = article(tmp_path)
    assert main(["--db", db, "pipe", str(found.id), "false"], out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert err == "tuireader: 'false' failed (exit status 1)\n"
