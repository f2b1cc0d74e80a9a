"""The form fits a laptop's screen: nothing clipped on the right, every button in view, long text wrapped."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings

from app.bootstrap import template_library
from app.ui.backend import LocalBackend
from app.ui.main_window import MainWindow
from app.ui.profile import Preferences
from tests.ui.conftest import flagship_profile, wait_ready

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@pytest.mark.parametrize("size", [(1366, 768), (1500, 940)])
def test_the_form_fits_without_a_horizontal_scroll_bar(qtbot: Any, size: tuple[int, int]) -> None:
    backend = LocalBackend()
    backend.restore = lambda: None  # type: ignore[method-assign]
    window = MainWindow(template_library(), Preferences(profile=flagship_profile()), backend, QSettings())
    qtbot.addWidget(window)
    window.resize(*size)
    with qtbot.waitSignal(window.layout_settled, timeout=10_000):
        window.show()
    window.start()
    wait_ready(qtbot, window)
    form = window.form
    assert form is not None
    # the layout settles over a few turns of the event loop; a scroll bar that stays is a form that does not fit
    qtbot.waitUntil(lambda: form.widget().width() <= form.viewport().width()
                    and not form.horizontalScrollBar().isVisible(), timeout=30_000)
    right = form.viewport().width()
    buttons = [form.addressees.down_button, form.addressees.save_button,
               *(s.down_button for s in form.sections.values())]
    for button in buttons:
        edge = button.mapTo(form.viewport(), QPoint(button.width(), 0)).x()
        assert edge <= right, f"{button.accessibleName()} is cut off ({edge} > {right})"
    inside = form.addressees.inside_address
    assert inside.wordWrap()
    assert inside.width() <= right
    window.close()
