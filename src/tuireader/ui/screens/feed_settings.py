"""The feed form: every per-feed setting in one dialog (what ``tuireader edit`` changes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from tuireader.feedsettings import FeedDefaults, FeedSettings
from tuireader.humanize import plural
from tuireader.models import FullTextMode
from tuireader.sanitize import clean_line
from tuireader.ui.screens.fieldtab import FieldsScreen

FULL_TEXT_CHOICES: tuple[tuple[str, FullTextMode], ...] = (
    ("auto: fetch the page when the feed has a teaser", FullTextMode.AUTO),
    ("always fetch the page", FullTextMode.ALWAYS),
    ("never: the feed's text only", FullTextMode.NEVER),
)


class SettingsProblem(ValueError):
    """Why the form's values will not do (one line, shown under the fields)."""


def parse_count(text: str, what: str) -> int | None:
    """A whole number from a field; empty means "follow config.toml" (None)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 7:
        raise SettingsProblem(f"{what}: a whole number, or empty for config.toml's")
    return int(text)


def parse_tags(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


class FeedSettingsScreen(FieldsScreen[FeedSettings | None]):
    """A feed's settings; ctrl+s or enter in a field saves, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(
        self,
        feed_name: str | None,
        settings: FeedSettings,
        defaults: FeedDefaults,
        rules: Sequence[str],
    ) -> None:
        super().__init__(classes="dialog")
        self._name = clean_line(feed_name)
        self._settings = settings
        self._defaults = defaults
        self._rules = tuple(rules)

    def compose(self) -> ComposeResult:
        s, d = self._settings, self._defaults
        with Vertical(classes="dialog-box wide feed-settings") as box:
            box.border_title = Text(f"Settings of {self._name}")  # Text: never markup
            box.border_subtitle = "ctrl+s saves · escape cancels"
            with VerticalScroll(classes="settings-fields"):
                yield from self._row("Title", "title", s.title, "empty: the feed's own")
                yield from self._row("Folder", "folder", s.folder, "empty: none")
                yield from self._row("Tags", "tags", ", ".join(s.tags), "comma-separated")
                yield from self._row(
                    "Refresh every (min)",
                    "interval",
                    _count(s.interval_minutes),
                    f"empty: config.toml's {d.interval_minutes}",
                )
                yield from self._row(
                    "Keep for (days)",
                    "keep_days",
                    _count(s.keep_days),
                    "empty: config.toml's "
                    + (plural(d.keep_days, "day") if d.keep_days else "forever"),
                )
                yield from self._row(
                    "Keep the newest",
                    "keep",
                    _count(s.keep),
                    "empty: config.toml's " + (str(d.keep) if d.keep else "all"),
                )
                with Horizontal(classes="settings-row"):
                    yield Label("Full text", classes="settings-label")
                    yield Select(
                        FULL_TEXT_CHOICES,
                        value=s.full_text,
                        allow_blank=False,
                        compact=True,
                        id="full_text",
                    )
                yield Checkbox("Mute: keep out of For you", s.muted, compact=True, id="muted")
                yield Checkbox(
                    "Data saver: no images, no automatic downloads",
                    s.data_saver,
                    compact=True,
                    id="data_saver",
                )
                yield Checkbox(
                    "Download new episodes after each refresh",
                    s.auto_download,
                    compact=True,
                    id="auto_download",
                )
                yield Label("Rules that apply ([[rules]] in config.toml)", classes="settings-head")
                rules = Text("\n".join(clean_line(r) for r in self._rules) or "none")
                yield Static(rules, classes="settings-rules")
            yield Label("", id="form-problem", classes="problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", compact=True, id="submit")
                yield Button("Cancel", compact=True, id="cancel")

    def _row(self, label: str, name: str, value: str, placeholder: str) -> ComposeResult:
        with Horizontal(classes="settings-row"):
            yield Label(label, classes="settings-label")
            yield Input(value, placeholder=placeholder, compact=True, id=name)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            settings = self.values()
        except SettingsProblem as problem:
            self.query_one("#form-problem", Label).update(Text(str(problem)))
            return
        self.dismiss(settings)

    def values(self) -> FeedSettings:
        def text(name: str) -> str:
            return self.query_one(f"#{name}", Input).value.strip()

        def checked(name: str) -> bool:
            return self.query_one(f"#{name}", Checkbox).value

        full_text = self.query_one("#full_text", Select).value
        interval = parse_count(text("interval"), "Refresh every")
        if interval == 0:
            interval = None  # 0 minutes would mean "always due": follow config.toml
        return FeedSettings(
            title=text("title"),
            folder=text("folder"),
            full_text=full_text if isinstance(full_text, FullTextMode) else FullTextMode.AUTO,
            muted=checked("muted"),
            interval_minutes=interval,
            auto_download=checked("auto_download"),
            data_saver=checked("data_saver"),
            keep_days=parse_count(text("keep_days"), "Keep for"),
            keep=parse_count(text("keep"), "Keep the newest"),
            tags=parse_tags(text("tags")),
        )


def _count(value: int | None) -> str:
    return "" if value is None else str(value)
