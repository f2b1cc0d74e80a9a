"""The Preflight dock: what stops the letter, each entry one Enter from its field."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def test_an_emptied_field_is_listed_and_enter_goes_to_it(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    form = clerk.form
    assert form is not None
    form.subject.setFocus()
    form.subject.selectAll()
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        qtbot.keyClick(form.subject, Qt.Key.Key_Delete)
    assert "subject" in clerk.preflight.paths()
    assert clerk.preflight_dock.windowTitle().startswith("Preflight (")
    preflight = clerk.preflight.list
    preflight.setFocus()
    preflight.setCurrentRow(clerk.preflight.paths().index("subject"))
    qtbot.keyClick(preflight, Qt.Key.Key_Return)
    assert form.subject.hasFocus()
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        qtbot.keyClicks(form.subject, "Courthouse arrests")
    assert "subject" not in clerk.preflight.paths()
