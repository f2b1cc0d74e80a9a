"""What every part of the window that owns one concern starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class Controller:
    """One concern of the window (preview, saving, review, export, ...), wired by ``MainWindow``."""

    def __init__(self, window: MainWindow) -> None:
        self.w = window
