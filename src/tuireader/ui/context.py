"""What the screens need from the app, passed in so no screen imports the app module."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from tuireader.core import Reader

if TYPE_CHECKING:
    from tuireader.foryou import ForYou
    from tuireader.notify import Notification


def _no_notification(note: Notification) -> None:
    return None


@dataclass(frozen=True, slots=True)
class AppContext:
    """The core's front door and the app's services, given to ``MainScreen``.

    ``monotonic`` times how long an article stays open (read signals); ``open_external``
    opens a link in the user's browser; ``first_view_shown`` is called once the first list
    is on screen; ``desktop_notify`` shows a new-articles notification outside the app
    (the desktop's service, or the terminal's own escape).
    """

    reader: Reader
    #: The app's one For you ranking, made when first asked for (its modules and model
    #: are not needed for the first paint).
    make_for_you: Callable[[], ForYou]
    tz: tzinfo | None
    keymap: Mapping[str, str]
    monotonic: Callable[[], float]
    open_external: Callable[[str], None]
    first_view_shown: Callable[[], None]
    desktop_notify: Callable[[Notification], None] = _no_notification

    @property
    def for_you(self) -> ForYou:
        return self.make_for_you()

    def now(self) -> datetime:
        return self.reader.now()
