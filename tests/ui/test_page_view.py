"""The Page tab: the letter as printed through LibreOffice, off the GUI thread, the newest edit winning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from tests.ui.conftest import close_window, make_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _ink(image: QImage) -> int:
    """Dark pixels on a page image, sampled (text is dark, paper is white)."""
    return sum(1 for y in range(0, image.height(), 6) for x in range(0, image.width(), 6)
               if image.pixelColor(x, y).lightness() < 100)


@pytest.mark.libreoffice
@pytest.mark.timeout(300)
def test_page_tab_shows_the_printed_pages_and_follows_typing(qtbot: Any, libreoffice: None) -> None:
    window = make_window(qtbot)
    pages = window.preview.page_view
    assert window.page_requests.idle  # nothing is laid out while the Page tab is not looked at
    qtbot.mouseClick(window.preview.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=window.preview.tabs.tabBar().tabRect(1).center())
    assert window.preview.showing_pages()
    qtbot.waitUntil(lambda: pages.page_count() >= 2, timeout=120_000)
    labels = pages.page_sheets()
    assert labels[0].accessibleName() == f"Page 1 of {len(labels)}"
    assert all(not label.pixmap().isNull() for label in labels)
    images = pages.images()
    assert images[0].width() / images[0].height() == pytest.approx(8.5 / 11, abs=0.01)  # US Letter
    assert _ink(images[0]) > 200
    assert "as printed" in pages.note.text()
    first_layout = pages.source
    assert first_layout == window.last_check.docx  # type: ignore[union-attr]

    # Typing goes on while LibreOffice works: the fast preview keeps up, and the pages catch up.
    form = window.form
    assert form is not None
    form.subject.setFocus()
    form.subject.end(False)
    qtbot.keyClicks(form.subject, " and elsewhere")
    # The timeouts are hang guards, not speed claims: no verdict depends on the machine's load.
    qtbot.waitUntil(lambda: "courthouses and elsewhere" in window.preview.plain_text(), timeout=30_000)
    qtbot.keyClicks(form.subject, " today")
    # The preview shows a key before Preflight's complete check of it arrives: wait for that check.
    qtbot.waitUntil(lambda: "elsewhere today" in window.preview.plain_text() and window.previewer.idle,
                    timeout=30_000)
    newest = window.last_check.docx  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: pages.source == newest and window.page_requests.idle, timeout=120_000)
    assert pages.page_count() >= 2
    assert pages.source != first_layout
    close_window(qtbot, window)


def test_page_tab_says_how_to_install_libreoffice_when_it_is_missing(
        qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHAMBERS_SOFFICE", str(tmp_path / "missing" / "soffice"))
    window = make_window(qtbot)
    window.preview.show_page_tab()
    pages = window.preview.page_view
    qtbot.waitUntil(lambda: "libreoffice-writer-nogui" in pages.note.text(), timeout=30_000)
    assert "sudo apt-get install libreoffice-writer-nogui" in pages.note.text()
    assert pages.note.isVisible()
    assert pages.page_count() == 0
    assert window.page_previewer is None
    form = window.form
    assert form is not None
    form.subject.setFocus()
    qtbot.keyClicks(form.subject, "!")
    qtbot.waitUntil(lambda: "courthouses!" in window.preview.plain_text(), timeout=30_000)
    qtbot.wait(700)
    assert "sudo apt-get install" in pages.note.text()
    close_window(qtbot, window)
