"""Help > the guides: the Markdown files in docs/, shown by Qt's own Markdown support.

QTextBrowser reads a ``.md`` source as Markdown and resolves its relative links and images
against the file's folder, so the screenshots in the guides show and one guide links to another
without a converter of our own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget


class GuideWindow(QDialog):
    """One guide, readable beside the letter (not modal: the clerk reads and types at once)."""

    def __init__(self, title: str, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(False)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName(self.tr("Guide"))
        self.browser.setOpenExternalLinks(True)  # web links go to the browser; guide links stay here
        self.browser.setSource(QUrl.fromLocalFile(str(path)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width = min(900, screen.width() - 80) if screen is not None else 900
        height = min(760, screen.height() - 80) if screen is not None else 760
        self.resize(width, height)
