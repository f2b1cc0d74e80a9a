"""The live preview: the rendered letter's text and layout, refreshed off the GUI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from app.ui.page_view import PageView

if TYPE_CHECKING:  # the start's first paint shows this pane before the renderer (lxml) is imported
    from app.rendering.preview import Preview

PAPER_CSS = """
body { font-family: 'Times New Roman', 'Liberation Serif', 'DejaVu Serif', serif; font-size: 12pt; }
p { margin-top: 0px; margin-bottom: 9px; }
div.letterhead p { margin-bottom: 2px; }
"""


class PreviewPane(QWidget):
    """A fast text view of the letter as rendered, and the printed pages (through LibreOffice)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview-pane")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setObjectName("preview-banner")
        self.banner.setAccessibleName(self.tr("Preview status"))
        self.banner.hide()
        layout.addWidget(self.banner)
        self.tabs = QTabWidget(self)
        self.text_view = QTextBrowser(self)
        self.text_view.setObjectName("fast-preview")
        self.text_view.setAccessibleName(self.tr("Letter preview"))
        self.text_view.setOpenLinks(False)
        self.text_view.document().setDefaultStyleSheet(PAPER_CSS)
        self.text_view.document().setDocumentMargin(36)
        self.text_view.setStyleSheet("QTextBrowser#fast-preview { background: #ffffff; color: #111111; }")
        font = QFont("Times New Roman")
        font.setStyleHint(QFont.StyleHint.Serif)
        self.text_view.document().setDefaultFont(font)
        self.tabs.addTab(self.text_view, self.tr("Text"))
        self.page_view = PageView(self)
        self.tabs.addTab(self.page_view, self.tr("Page"))
        self.tabs.setTabToolTip(1, self.tr("The letter exactly as printed (laid out by LibreOffice)"))
        layout.addWidget(self.tabs, 1)
        self.status = QLabel(self)
        self.status.setObjectName("preview-status")
        self.status.setEnabled(False)
        layout.addWidget(self.status)
        self.current: Preview | None = None

    def show_preview(self, preview: Preview, millis: float) -> None:
        if self.current is None or preview.html != self.current.html:
            # Laid out again only when it reads differently: a long letter's layout is the costliest part
            # of showing it, and the check that follows a pause in typing mostly renders the same text.
            bar = self.text_view.verticalScrollBar()
            position = bar.value()
            self.text_view.setHtml(preview.html)
            bar.setValue(position)
        self.current = preview
        self.status.setText(self.tr("Rendered from the template in {ms:.0f} ms").format(ms=millis))

    def clear(self) -> None:
        """Another letter: nothing of the one before stays on screen while this one is rendered."""
        self.text_view.clear()
        self.current = None
        self.status.setText(self.tr("Rendering…"))
        self.banner.hide()

    def set_stale(self, message: str | None) -> None:
        """Say the preview shows an earlier version (the letter as typed cannot be rendered)."""
        if message:
            self.banner.setText(message)
            self.banner.setStyleSheet("QLabel { background: #fff4ce; color: #4d3800; padding: 4px; }")
            self.banner.show()
        else:
            self.banner.hide()

    def plain_text(self) -> str:
        return self.text_view.toPlainText()

    def showing_pages(self) -> bool:
        return self.tabs.currentWidget() is self.page_view and self.page_view.isVisible()

    def show_page_tab(self) -> None:
        self.tabs.setCurrentWidget(self.page_view)
