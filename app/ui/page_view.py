"""The Page tab: the letter exactly as printed, as page images from LibreOffice and pdfium."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from app.rendering.pages import PageImage, PageSet

PAGE_GAP = 12
PAGE_MARGIN = 12


def page_qimage(page: PageImage) -> QImage:
    """A QImage that owns its pixels (the bytes handed over may go away)."""
    if page.format != "BGR":
        raise ValueError(f"unexpected page format {page.format}")
    return QImage(page.data, page.width, page.height, page.stride, QImage.Format.Format_BGR888).copy()


class PageView(QWidget):
    """Pages stacked in a scroll area, as wide as the dock; a note above says what is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-view")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.note = QLabel(self)
        self.note.setObjectName("page-view-note")
        self.note.setWordWrap(True)
        self.note.setAccessibleName(self.tr("Page view status"))
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.note)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("page-scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setAccessibleName(self.tr("Printed pages"))
        self.scroll_area.setStyleSheet("QScrollArea#page-scroll, QWidget#page-strip { background: #7a7a7a; }")
        self.strip = QWidget(self.scroll_area)
        self.strip.setObjectName("page-strip")
        self._pages_layout = QVBoxLayout(self.strip)
        self._pages_layout.setContentsMargins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self._pages_layout.setSpacing(PAGE_GAP)
        self._pages_layout.addStretch(1)
        self.scroll_area.setWidget(self.strip)
        layout.addWidget(self.scroll_area, 1)
        self._images: list[QImage] = []
        self._labels: list[QLabel] = []
        self.source: Any = None  # what the shown pages were made from (the .docx bytes)
        self.set_note(self.tr("The printed pages appear here when the letter has been laid out by LibreOffice."))

    # -- what is shown ------------------------------------------------------------------------
    def set_note(self, text: str, warning: bool = False) -> None:
        self.note.setText(text)
        self.note.setStyleSheet("QLabel { background: #fff4ce; color: #4d3800; }" if warning else "")
        self.note.setVisible(bool(text))

    def show_unavailable(self, hint: str) -> None:
        """No LibreOffice: no pages, only how to get them."""
        self._clear()
        self.source = None
        self.set_note(hint, warning=True)
        self.note.setAccessibleName(self.tr("Page view unavailable"))

    def show_busy(self) -> None:
        self.set_note(self.tr("Laying out the pages…") if not self._labels
                      else self.tr("Updating the pages… (showing the previous layout)"))

    def show_failure(self, message: str) -> None:
        self.set_note(self.tr("The pages could not be laid out: {error}").format(error=message), warning=True)

    def show_pages(self, pages: PageSet, source: Any = None) -> None:
        position = self.scroll_area.verticalScrollBar().value()
        self._clear()
        self._images = [page_qimage(p) for p in pages.pages]
        total = len(self._images)
        for number in range(1, total + 1):
            label = QLabel(self.strip)
            label.setObjectName(f"page-{number}")
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            label.setAccessibleName(self.tr("Page {n} of {total}").format(n=number, total=total))
            self._pages_layout.insertWidget(number - 1, label)
            self._labels.append(label)
        self.source = source
        self._fit()
        self.scroll_area.verticalScrollBar().setValue(position)
        self.note.setAccessibleName(self.tr("Page view status"))
        self.set_note(self.tr("{n} page(s) as printed — laid out by LibreOffice in {s:.1f} s")
                      .format(n=total, s=pages.convert_ms / 1000))

    def page_count(self) -> int:
        return len(self._labels)

    def page_labels(self) -> list[QLabel]:
        return list(self._labels)

    def images(self) -> list[QImage]:
        return list(self._images)

    # -- layout -------------------------------------------------------------------------------
    def _clear(self) -> None:
        for label in self._labels:
            self._pages_layout.removeWidget(label)
            label.deleteLater()
        self._labels = []
        self._images = []

    def _fit(self) -> None:
        width = max(120, self.scroll_area.viewport().width() - 2 * PAGE_MARGIN)
        ratio = self.devicePixelRatioF()
        for label, image in zip(self._labels, self._images, strict=True):
            target = int(width * ratio)
            pixmap = QPixmap.fromImage(image.scaledToWidth(target, Qt.TransformationMode.SmoothTransformation))
            pixmap.setDevicePixelRatio(ratio)
            label.setPixmap(pixmap)
            label.setFixedHeight(int(pixmap.height() / ratio))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._labels:
            self._fit()
