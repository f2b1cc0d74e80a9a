"""The Page view's geometry: every page whole at the chosen zoom, sized from the PDF's own page boxes."""

from __future__ import annotations

import io
from typing import Any

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication

from app.rendering.pages import PageSet, pdf_pages
from app.ui.page_view import CUSTOM, FIT_PAGE, FIT_WIDTH, PAGE_MARGIN, PageView

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

LETTER = (612.0, 792.0)
LEGAL = (612.0, 1008.0)
A4_LANDSCAPE = (841.89, 595.28)


def _pdf(sizes: list[tuple[float, float]]) -> bytes:
    document = pdfium.PdfDocument.new()
    for width, height in sizes:
        document.new_page(width, height)
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def _boxes(pdf: bytes) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


def _view(qtbot: Any, sizes: list[tuple[float, float]], width: int = 500, height: int = 700) -> tuple[PageView, bytes]:
    view = PageView()
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    pdf = _pdf(sizes)
    view.show_pages(PageSet(pdf_pages(pdf), 42.0, 1.0), source=pdf)
    QApplication.processEvents()
    return view, pdf


def _assert_sizes_follow_the_boxes(view: PageView, pdf: bytes) -> None:
    boxes = _boxes(pdf)
    sheets = view.page_sheets()
    assert len(sheets) == len(boxes)
    for sheet, (width, height) in zip(sheets, boxes, strict=True):
        assert abs(sheet.width() - width * view.zoom) <= 1, (sheet.width(), width, view.zoom)
        assert abs(sheet.height() - height * view.zoom) <= 1, (sheet.height(), height, view.zoom)
        assert sheet.pixmap().width() == pytest.approx(sheet.width() * sheet.devicePixelRatioF(), abs=1)


def test_fit_width_shows_every_page_whole_at_the_width_of_the_dock(qtbot: Any) -> None:
    view, pdf = _view(qtbot, [LETTER, LEGAL, LETTER])
    assert view.mode == FIT_WIDTH
    viewport = view.scroll_area.viewport()
    _assert_sizes_follow_the_boxes(view, pdf)
    widest = max(s.width() for s in view.page_sheets())
    assert viewport.width() - 2 * PAGE_MARGIN - 1 <= widest <= viewport.width() - 2 * PAGE_MARGIN
    assert view.scroll_area.horizontalScrollBar().maximum() == 0  # nothing cut at the side
    for sheet in view.page_sheets():  # laid out at their full height, none squeezed or cropped
        assert sheet.geometry().height() == sheet.height()
        assert sheet.x() >= 0
        assert sheet.x() + sheet.width() <= viewport.width()
    # A narrower dock refits: the pages follow, still whole.
    before = view.zoom
    view.resize(350, 700)
    QApplication.processEvents()
    QApplication.processEvents()
    assert view.zoom < before
    _assert_sizes_follow_the_boxes(view, pdf)
    assert view.scroll_area.horizontalScrollBar().maximum() == 0


def test_fit_page_shows_a_whole_page_in_the_viewport(qtbot: Any) -> None:
    view, pdf = _view(qtbot, [LETTER, A4_LANDSCAPE], width=700, height=500)
    view.fit_page_action.trigger()
    QApplication.processEvents()
    assert view.mode == FIT_PAGE
    viewport = view.scroll_area.viewport()
    _assert_sizes_follow_the_boxes(view, pdf)
    for sheet in view.page_sheets():
        assert sheet.height() <= viewport.height() - 2 * PAGE_MARGIN
        assert sheet.width() <= viewport.width() - 2 * PAGE_MARGIN
    assert view.page_sheets()[0].height() >= viewport.height() - 2 * PAGE_MARGIN - 1  # the page, not smaller


def test_zoom_keys_and_ctrl_wheel_change_the_scale(qtbot: Any) -> None:
    view, pdf = _view(qtbot, [LETTER, LETTER])
    view.scroll_area.setFocus()
    fitted = view.zoom
    for keys in (QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")):
        before = view.zoom
        qtbot.keySequence(view.scroll_area, keys)
        assert view.zoom == pytest.approx(before * 1.25)
    assert view.mode == CUSTOM
    QApplication.processEvents()
    _assert_sizes_follow_the_boxes(view, pdf)
    assert view.scroll_area.horizontalScrollBar().maximum() > 0  # wider than the dock: it scrolls
    for keys in (QKeySequence(QKeySequence.StandardKey.ZoomOut), QKeySequence("Ctrl+-")):
        before = view.zoom
        qtbot.keySequence(view.scroll_area, keys)
        assert view.zoom == pytest.approx(before / 1.25)
    assert view.zoom == pytest.approx(fitted)
    # Ctrl+wheel zooms; a plain wheel only scrolls.
    viewport = view.scroll_area.viewport()
    before = view.zoom
    for modifiers, expect in ((Qt.KeyboardModifier.ControlModifier, before * 1.25),
                              (Qt.KeyboardModifier.NoModifier, before * 1.25)):
        event = QWheelEvent(QPointF(50, 50), QPointF(viewport.mapToGlobal(QPoint(50, 50))), QPoint(0, 0),
                            QPoint(0, 120), Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(viewport, event)
        assert view.zoom == pytest.approx(expect)
    _assert_sizes_follow_the_boxes(view, pdf)
    assert view.zoom_label.text() == f"{view.zoom / (view.logicalDpiX() / 72):.0%}"
    # Back to fitting: the width of the dock again.
    view.fit_width_action.trigger()
    assert view.zoom == pytest.approx(fitted)


def test_the_page_indicator_follows_scrolling(qtbot: Any) -> None:
    view, _pdf_bytes = _view(qtbot, [LETTER, LETTER, LETTER])
    bar = view.scroll_area.verticalScrollBar()
    QApplication.processEvents()
    assert view.page_indicator.text() == "Page 1 of 3"
    second = view.page_sheets()[1]
    assert bar.maximum() > second.y() > 0
    bar.setValue(second.y())
    assert view.page_indicator.text() == "Page 2 of 3"
    bar.setValue(bar.maximum())
    assert view.page_indicator.text() == "Page 3 of 3"
    bar.setValue(0)
    assert view.page_indicator.text() == "Page 1 of 3"


def test_a_new_layout_keeps_the_zoom_and_the_place(qtbot: Any) -> None:
    view, _pdf_bytes = _view(qtbot, [LETTER, LETTER, LETTER])
    view.zoom_in_action.trigger()
    zoom = view.zoom
    bar = view.scroll_area.verticalScrollBar()
    QApplication.processEvents()
    bar.setValue(view.page_sheets()[1].y())
    pdf = _pdf([LETTER, LETTER, LETTER])
    view.show_pages(PageSet(pdf_pages(pdf), 40.0, 1.0), source=pdf, note="")
    QApplication.processEvents()
    assert view.zoom == zoom
    assert view.page_indicator.text() == "Page 2 of 3"
    assert view.source == pdf


@pytest.mark.libreoffice
@pytest.mark.timeout(300)
def test_the_window_lays_out_the_letter_whole_and_says_the_slow_way_once(
        qtbot: Any, libreoffice: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.rendering.pdf import PdfConverter, conversion_mode
    from tests.ui.conftest import close_window, make_window

    mode, _why = conversion_mode()
    window = make_window(qtbot)
    window.preview_dock.show()
    window.preview.show_page_tab()
    pages = window.preview.page_view
    qtbot.waitUntil(lambda: pages.page_count() >= 1 and window.page_requests.idle, timeout=120_000)
    with PdfConverter() as converter:
        pdf = converter.convert(pages.source)
    _assert_sizes_follow_the_boxes(pages, pdf)
    viewport = pages.scroll_area.viewport()
    assert max(s.width() for s in pages.page_sheets()) <= viewport.width() - 2 * PAGE_MARGIN
    assert ("python3-uno" in pages.note.text()) == (mode == "one-shot")
    # The next layout does not repeat the note.
    form = window.form
    assert form is not None
    form.subject.setFocus()
    form.subject.end(False)
    qtbot.keyClicks(form.subject, " again")
    qtbot.waitUntil(lambda: pages.source == window.last_check.docx and window.page_requests.idle  # type: ignore[union-attr]
                    and not window._page_timer.isActive() and "as printed" in pages.note.text(), timeout=120_000)
    assert "python3-uno" not in pages.note.text()
    close_window(qtbot, window)


def test_a_sheet_keeps_its_page_packed_and_only_the_pixmap_it_draws(qtbot: Any) -> None:
    view, _pdf_bytes = _view(qtbot, [LETTER, LETTER])
    for sheet in view.page_sheets():
        drawn = sheet.pixmap()
        assert drawn.size() == sheet.size() * sheet.devicePixelRatioF()  # the size shown, not the page's
        assert len(sheet.page.packed) < sheet.page.stride * sheet.page.height // 50
        # The full-size pixels are unpacked only to draw: no image of them stays with the sheet.
        assert not any(isinstance(v, QImage) for v in vars(sheet).values())
    view.zoom_by(2.0)  # a new size: drawn again from the packed page
    sheet = view.page_sheets()[0]
    assert sheet.pixmap().size() == sheet.size() * sheet.devicePixelRatioF()
    assert sheet.image.size().width() == sheet.page.width  # and the page at full size is still there to unpack
