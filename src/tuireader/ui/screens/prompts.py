"""Small modal dialogs: a form of text fields, a yes/no question, and the link picker."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from tuireader.ui.screens.fieldtab import FieldsScreen

if TYPE_CHECKING:
    from tuireader.ui.links import Link  # markdown-it: not before the first paint


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    #: A file path: tab completes it.
    paths: bool = False


#: A form's check: why its values will not do (one line), or None when they will.
FormCheck = Callable[[dict[str, str]], str | None]


def complete_path(text: str) -> str:
    """``text`` completed as far as the files it can name agree (``~`` understood)."""
    typed = Path(text).expanduser() if text else Path(".")
    folder, stem = (
        (typed, "")
        if text.endswith(("/", os.sep)) or not text
        else (
            typed.parent,
            typed.name,
        )
    )
    try:
        names = sorted(entry.name for entry in folder.iterdir() if entry.name.startswith(stem))
    except OSError:
        return text
    if not names:
        return text
    common = os.path.commonprefix(names)
    done = text + common[len(stem) :]
    if len(names) == 1 and (folder / names[0]).is_dir():
        done += "/"
    return done


class PathInput(Input):
    """An input for a file path: tab completes it instead of moving the focus."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("tab", "complete", "Complete", show=False)]

    def action_complete(self) -> None:
        self.value = complete_path(self.value)
        self.cursor_position = len(self.value)


class FormScreen(FieldsScreen[dict[str, str] | None]):
    """A few labelled inputs; enter submits, escape cancels.

    With a ``check``, values it refuses keep the dialog open, with the text as typed and
    the reason under the fields.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        *,
        submit: str = "OK",
        check: FormCheck | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._fields = tuple(fields)
        self._submit = submit
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = self._title
            for field in self._fields:
                yield Label(Text(field.label))
                kind = PathInput if field.paths else Input
                yield kind(field.value, placeholder=field.placeholder, id=f"field-{field.name}")
            yield Label("", id="form-problem", classes="problem")
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
        values = {
            f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self._fields
        }
        problem = self._check(values) if self._check is not None else None
        if problem:
            self.query_one("#form-problem", Label).update(Text(problem))
            return
        self.dismiss(values)


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
    """The numbered links of the article: j/k move, enter or a digit opens, y copies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "cancel", "Cancel"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
        Binding("y", "copy", "Copy link"),
        *(Binding(str(n), f"number({n})", f"Open {n}", show=False) for n in range(1, 10)),
    ]

    def __init__(self, links: Sequence[Link]) -> None:
        super().__init__(classes="dialog")
        self._links = tuple(links)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_number(self, number: int) -> None:
        url = next((link.url for link in self._links if link.number == number), None)
        if url is None:
            self.notify(f"There is no link {number}.", severity="warning", markup=False)
            return
        self.dismiss(url)

    def action_copy(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        number = int(option.id or 0) if option is not None else 0
        url = next((link.url for link in self._links if link.number == number), None)
        if url is not None:
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {url}", markup=False)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide") as box:
            box.border_title = "Links · j/k move · enter or 1-9 opens · y copies"
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
