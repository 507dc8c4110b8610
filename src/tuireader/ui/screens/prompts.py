"""Small modal dialogs: a form of text fields, a yes/no question, and the link picker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from tuireader.ui.links import Link


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""


class FormScreen(ModalScreen[dict[str, str] | None]):
    """A few labelled inputs; enter submits, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: Sequence[Field], *, submit: str = "OK") -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._fields = tuple(fields)
        self._submit = submit

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = self._title
            for field in self._fields:
                yield Label(Text(field.label))
                yield Input(field.value, placeholder=field.placeholder, id=f"field-{field.name}")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._submit, variant="primary", id="submit")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self._done()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _done(self) -> None:
        self.dismiss(
            {f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self._fields}
        )


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: y or enter says yes, n or escape says no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: Text) -> None:
        super().__init__(classes="dialog")
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = "Confirm"
            yield Label(self._question)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class LinkPicker(ModalScreen[str | None]):
    """The numbered links of the article; choosing one opens it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "cancel", "Cancel")]

    def __init__(self, links: Sequence[Link]) -> None:
        super().__init__(classes="dialog")
        self._links = tuple(links)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide") as box:
            box.border_title = "Links"
            options = []
            for link in self._links:
                prompt = Text(f"{link.number:>2}  ", style="bold")
                prompt.append(link.label + "\n    ")
                prompt.append(link.url, style="dim")
                options.append(Option(prompt, id=str(link.number)))
            yield OptionList(*options, id="links")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        number = int(event.option.id or 0)
        self.dismiss(next((link.url for link in self._links if link.number == number), None))

    def action_cancel(self) -> None:
        self.dismiss(None)
