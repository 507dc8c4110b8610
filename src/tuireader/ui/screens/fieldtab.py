"""Tab between a form's fields, taken when the key is read.

Textual hands each key to the widget focused when the app reads it, and a field's tab
moves the focus only once the field has handled the keys before it. Keys typed in one
burst (a password manager's auto-type, tmux: ``alice TAB secret``) thus all landed in the
first field. A priority binding runs as the app reads the key, so the keys after it go to
the next field.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class FieldsScreen(ModalScreen[ResultT]):
    """A dialog of fields (and buttons) that tab moves through."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "next_field", "Next field", show=False, priority=True),
        Binding("shift+tab", "previous_field", "Previous field", show=False, priority=True),
    ]

    def action_next_field(self) -> None:
        complete = getattr(self.focused, "action_complete", None)
        if complete is not None:
            complete()  # a path field: tab completes the path
            return
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()
