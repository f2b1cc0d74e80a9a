"""What every part of the window that owns one concern starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.services.desk import Desk
    from app.ui.main_window import MainWindow


class Lifecycle(Protocol):
    """What the window tells each part that is built from its collaborators (never the window), in a
    loop, as calibre's actions hear ``library_changed`` and ``shutting_down``."""

    def desk_changed(self, desk: Desk) -> None:
        """The window works on ``desk`` from now on (the database opened, or could not)."""

    def shutting_down(self) -> None:
        """The window closes: what the part holds is finished or put away."""


class Controller:
    """One concern of the window (preview, saving, review, export, ...), wired by ``MainWindow``."""

    def __init__(self, window: MainWindow) -> None:
        self.w = window
