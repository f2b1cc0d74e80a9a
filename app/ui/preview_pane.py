"""The live preview: the rendered letter's text and layout, refreshed off the GUI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont, QTextBlock, QTextCursor, QTextDocument, QTextDocumentFragment
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
        # Paragraphs are replaced in place after each key (``_patch``): no Undo history of that may grow
        # all day (QTextBrowser turns it off already; said here because the patching depends on it).
        self.text_view.document().setUndoRedoEnabled(False)
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
            if self.current is None or not self._patch(preview.html):
                self.text_view.setHtml(preview.html)
            bar.setValue(position)
        self.current = preview
        self.status.setText(self.tr("Rendered from the template in {ms:.0f} ms").format(ms=millis))

    def _patch(self, html: str) -> bool:
        """Show ``html`` by replacing only the paragraphs that read differently; whether it did.

        A key typed changes one or two paragraphs of the letter, and ``setHtml`` lays the whole
        letter out again (most of the time the window spends showing a long letter's preview).
        The HTML is parsed into a document of its own (parsing is cheap, laying out is not), the
        run of paragraphs that differ is replaced in the shown document, and the result is compared
        again, paragraph by paragraph, formats included: anything not identical is shown whole.
        """
        shown = self.text_view.document()
        fresh = QTextDocument()
        fresh.setDefaultStyleSheet(shown.defaultStyleSheet())
        fresh.setDefaultFont(shown.defaultFont())
        fresh.setHtml(html)
        old, new = _blocks(shown), _blocks(fresh)
        if not old or not new:
            return False
        keys_old, keys_new = [_key(b) for b in old], [_key(b) for b in new]
        head = 0
        while head < min(len(old), len(new)) and keys_old[head] == keys_new[head]:
            head += 1
        if head == len(old) == len(new):
            return True  # reads the same
        tail = 0
        while (tail < min(len(old), len(new)) - head
               and keys_old[len(old) - 1 - tail] == keys_new[len(new) - 1 - tail]):
            tail += 1
        if head == 0 or tail == 0 or head + tail >= min(len(old), len(new)):
            return False  # the first or last paragraph, or a paragraph added or removed: lay it out whole
        source = QTextCursor(fresh)
        source.setPosition(new[head].position())
        source.setPosition(new[len(new) - 1 - tail].position() + new[len(new) - 1 - tail].length() - 1,
                           QTextCursor.MoveMode.KeepAnchor)
        target = QTextCursor(shown)
        target.setPosition(old[head].position())
        target.setPosition(old[len(old) - 1 - tail].position() + old[len(old) - 1 - tail].length() - 1,
                           QTextCursor.MoveMode.KeepAnchor)
        target.beginEditBlock()
        target.insertFragment(QTextDocumentFragment(source))
        # a fragment's first paragraph takes the format of the one it is pasted into: set it as written
        target.setPosition(old[head].position())
        target.setBlockFormat(new[head].blockFormat())
        target.endEditBlock()
        return [_key(b) for b in _blocks(shown)] == keys_new

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


def _blocks(document: QTextDocument) -> list[QTextBlock]:
    blocks = []
    block = document.begin()
    while block.isValid():
        blocks.append(block)
        block = block.next()
    return blocks


def _key(block: QTextBlock) -> tuple[object, ...]:
    """A paragraph as shown: its text, its format and each run's format."""
    runs: list[object] = [block.text(), block.blockFormat(), block.charFormat()]
    it = block.begin()
    while not it.atEnd():
        fragment = it.fragment()
        runs.append((fragment.text(), fragment.charFormat()))
        it += 1
    return tuple(runs)
