"""The Page tab: the letter exactly as printed, as page images from LibreOffice and pdfium.

Each page is drawn at its own size in points times the zoom (device-independent pixels per
point), so a page always shows whole: "fit width" and "fit page" recompute the zoom whenever the
dock's viewport changes size, and the vertical scroll bar is always there so that fitting the
width never makes it appear and crop the page it was fitted for.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QImage,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the window's first paint shows this tab empty, before LibreOffice's side is imported
    from app.rendering.pages import PageImage, PageSet

PAGE_GAP = 12
PAGE_MARGIN = 12
ZOOM_STEP = 1.25
MIN_ZOOM = 0.1  # pixels per point: a page a sixth of its printed size
MAX_ZOOM = 8.0
FIT_WIDTH = "fit-width"
FIT_PAGE = "fit-page"
CUSTOM = "custom"


def page_qimage(page: PageImage) -> QImage:
    """A QImage over the page's unpacked pixels, not a copy of them (a page is 4 MB): PySide6 holds a
    reference to the bytes for as long as the image lives (checked: their reference count goes up by one)."""
    if page.format != "BGRX" or sys.byteorder != "little":
        raise ValueError(f"unexpected page format {page.format} on a {sys.byteorder}-endian machine")
    return QImage(page.pixels(), page.width, page.height, page.stride, QImage.Format.Format_RGB32)


class PageSheet(QWidget):
    """One printed page, drawn at exactly its fixed size (the image scaled once per size).

    The sheet keeps the page packed and the pixmap at the size shown, never the full-size pixels:
    those are unpacked for the moment a new size is drawn (a zoom, a resized dock)."""

    def __init__(self, page: PageImage, points: tuple[float, float], number: int, total: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.points = points
        self.setObjectName(f"page-{number}")
        self.setAccessibleName(self.tr("Page {n} of {total}").format(n=number, total=total))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._cached: QPixmap | None = None

    @property
    def image(self) -> QImage:
        """The page at full size (unpacked on each call)."""
        return page_qimage(self.page)

    def set_zoom(self, zoom: float) -> None:
        size = QSize(max(1, round(self.points[0] * zoom)), max(1, round(self.points[1] * zoom)))
        if size != self.size():
            self._cached = None
        self.setFixedSize(size)

    def pixmap(self) -> QPixmap:
        """The page as drawn at the current size (sharp on high-density screens)."""
        ratio = self.devicePixelRatioF()
        wanted = QSize(round(self.width() * ratio), round(self.height() * ratio))
        if self._cached is None or self._cached.size() != wanted:
            scaled = self.image.scaled(wanted, Qt.AspectRatioMode.IgnoreAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            self._cached = QPixmap.fromImage(scaled)
            self._cached.setDevicePixelRatio(ratio)
        return self._cached

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(QRect(0, 0, self.width(), self.height()), self.pixmap())
        painter.end()


class PageView(QWidget):
    """Pages stacked in a scroll area, zoomed to fit or as the clerk chose; a note above says what is shown."""

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
        layout.addLayout(self._build_bar())
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("page-scroll")
        # The strip is sized here, not by the scroll area, so the scroll range and the pages'
        # places are right at once after a zoom or a new layout (a restored place is not clamped).
        self.scroll_area.setWidgetResizable(False)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
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
        self.scroll_area.viewport().installEventFilter(self)
        self.scroll_area.verticalScrollBar().valueChanged.connect(lambda _v: self._follow_scroll())
        self.scroll_area.verticalScrollBar().rangeChanged.connect(lambda _a, _b: self._follow_scroll())
        self._sheets: list[PageSheet] = []
        self.mode = FIT_WIDTH
        self.zoom = 1.0
        self.source: Any = None  # what the shown pages were made from (the .docx bytes)
        self.set_note(self.tr("The printed pages appear here when the letter has been laid out by LibreOffice."))
        self._update_bar()

    def _build_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        self.fit_width_action = QAction(self.tr("Fit &width"), self)
        self.fit_page_action = QAction(self.tr("Fit &page"), self)
        self.zoom_in_action = QAction(self.tr("Zoom &in"), self)
        self.zoom_out_action = QAction(self.tr("Zoom &out"), self)
        for action in (self.fit_width_action, self.fit_page_action):
            action.setCheckable(True)
        # Ctrl+= is what most keyboards type for "+" without Shift; the platform's own keys work too.
        for action, standard, typed in ((self.zoom_in_action, QKeySequence.StandardKey.ZoomIn, "Ctrl+="),
                                        (self.zoom_out_action, QKeySequence.StandardKey.ZoomOut, "Ctrl+-")):
            keys = QKeySequence.keyBindings(standard)
            if QKeySequence(typed) not in keys:  # the same key twice would make the shortcut ambiguous
                keys.append(QKeySequence(typed))
            action.setShortcuts(keys)
        self.fit_width_action.triggered.connect(lambda: self.set_mode(FIT_WIDTH))
        self.fit_page_action.triggered.connect(lambda: self.set_mode(FIT_PAGE))
        self.zoom_in_action.triggered.connect(lambda: self.zoom_by(ZOOM_STEP))
        self.zoom_out_action.triggered.connect(lambda: self.zoom_by(1 / ZOOM_STEP))
        for action in (self.zoom_out_action, self.zoom_in_action, self.fit_width_action, self.fit_page_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            bar.addWidget(button)
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("page-zoom")
        self.zoom_label.setAccessibleName(self.tr("Zoom"))
        bar.addWidget(self.zoom_label)
        bar.addStretch(1)
        self.page_indicator = QLabel(self)
        self.page_indicator.setObjectName("page-indicator")
        self.page_indicator.setAccessibleName(self.tr("Current page"))
        bar.addWidget(self.page_indicator)
        return bar

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
        self._update_bar()

    def show_busy(self) -> None:
        self.set_note(self.tr("Laying out the pages…") if not self._sheets
                      else self.tr("Updating the pages… (showing the previous layout)"))

    def show_failure(self, message: str) -> None:
        self.set_note(self.tr("The pages could not be laid out: {error}").format(error=message), warning=True)

    def show_pages(self, pages: PageSet, source: Any = None, note: str = "") -> None:
        """``note``: said once beside the timing (how the pages were made, when it is the slow way)."""
        from app.rendering.pages import DEFAULT_SCALE

        position = self.scroll_area.verticalScrollBar().value()
        self._clear()
        total = len(pages.pages)
        for number, page in enumerate(pages.pages, start=1):
            # pdfium drew the page at DEFAULT_SCALE pixels per point: its printed size follows.
            points = (page.width / DEFAULT_SCALE, page.height / DEFAULT_SCALE)
            sheet = PageSheet(page, points, number, total, self.strip)
            self._pages_layout.insertWidget(number - 1, sheet, 0, Qt.AlignmentFlag.AlignHCenter)
            self._sheets.append(sheet)
        self.source = source
        self._apply_zoom()
        self.scroll_area.verticalScrollBar().setValue(position)
        self.note.setAccessibleName(self.tr("Page view status"))
        made = (self.tr("{n} page(s) as printed — laid out by LibreOffice in {ms:.0f} ms")
                .format(n=total, ms=pages.convert_ms))
        self.set_note(made + (" " + note if note else ""), warning=bool(note))
        self._update_bar()

    def page_count(self) -> int:
        return len(self._sheets)

    def page_sheets(self) -> list[PageSheet]:
        return list(self._sheets)

    def images(self) -> list[QImage]:
        return [sheet.image for sheet in self._sheets]

    def current_page(self) -> int:
        """The page at the middle of the viewport (1-based; 0 without pages)."""
        if not self._sheets:
            return 0
        middle = self.scroll_area.verticalScrollBar().value() + self.scroll_area.viewport().height() / 2
        # From the fixed page sizes rather than the widgets' positions, which lag a relayout.
        current, top = 1, PAGE_MARGIN
        for number, sheet in enumerate(self._sheets, start=1):
            if top - PAGE_GAP / 2 <= middle:
                current = number
            top += sheet.height() + PAGE_GAP
        return current

    # -- zoom ---------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._apply_zoom()
        self._update_bar()

    def set_zoom(self, zoom: float) -> None:
        """A chosen zoom in pixels per point (1.0 = 72 pixels an inch); the page stops following the dock."""
        middle_page = self.current_page()
        self.mode = CUSTOM
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self._apply_zoom()
        self._update_bar()
        if middle_page:  # keep the page the clerk was reading in sight
            self.scroll_area.ensureWidgetVisible(self._sheets[middle_page - 1], 0, 0)

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom * factor)

    def fitted_zoom(self, mode: str) -> float:
        if not self._sheets:
            return self.zoom
        viewport = self.scroll_area.viewport()
        widest = max(sheet.points[0] for sheet in self._sheets)
        tallest = max(sheet.points[1] for sheet in self._sheets)
        width_zoom = (viewport.width() - 2 * PAGE_MARGIN) / widest
        if mode == FIT_PAGE:
            width_zoom = min(width_zoom, (viewport.height() - 2 * PAGE_MARGIN) / tallest)
        return min(MAX_ZOOM, max(MIN_ZOOM, width_zoom))

    def _apply_zoom(self) -> None:
        if self.mode != CUSTOM:
            self.zoom = self.fitted_zoom(self.mode)
        for sheet in self._sheets:
            sheet.set_zoom(self.zoom)
        viewport = self.scroll_area.viewport()
        width = max([viewport.width()] + [sheet.width() + 2 * PAGE_MARGIN for sheet in self._sheets])
        height = (sum(sheet.height() for sheet in self._sheets) + PAGE_GAP * max(0, len(self._sheets) - 1)
                  + 2 * PAGE_MARGIN)
        self.strip.resize(width, max(viewport.height(), height))
        self._pages_layout.activate()
        self._follow_scroll()

    def _update_bar(self) -> None:
        self.fit_width_action.setChecked(self.mode == FIT_WIDTH)
        self.fit_page_action.setChecked(self.mode == FIT_PAGE)
        has_pages = bool(self._sheets)
        for action in (self.fit_width_action, self.fit_page_action, self.zoom_in_action, self.zoom_out_action):
            action.setEnabled(has_pages)
        # 100 % is the page at its printed size on this screen.
        actual = self.logicalDpiX() / 72
        self.zoom_label.setText(f"{self.zoom / actual:.0%}" if has_pages else "")
        self._follow_scroll()

    def _follow_scroll(self) -> None:
        current = self.current_page()
        self.page_indicator.setText(self.tr("Page {n} of {total}").format(n=current, total=len(self._sheets))
                                    if current else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll_area.viewport():
            if event.type() == QEvent.Type.Resize:
                self._apply_zoom()
                self._update_bar()
            elif (event.type() == QEvent.Type.Wheel and isinstance(event, QWheelEvent)
                  and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
                steps = event.angleDelta().y() / 120
                if steps:
                    self.zoom_by(ZOOM_STEP ** steps)
                return True
        return super().eventFilter(watched, event)

    # -- layout -------------------------------------------------------------------------------
    def _clear(self) -> None:
        for sheet in self._sheets:
            self._pages_layout.removeWidget(sheet)
            sheet.deleteLater()
        self._sheets = []
