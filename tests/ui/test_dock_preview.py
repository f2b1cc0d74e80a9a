"""The Preview dock: the letter as it prints, following each keystroke."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def test_the_preview_follows_typing_and_says_how_long_it_took(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    form = clerk.form
    assert form is not None
    form.subject.setFocus()
    form.subject.selectAll()
    with qtbot.waitSignal(clerk.checked, timeout=10_000,
                          check_params_cb=lambda check: check.preview is not None
                          and "Evening courthouse hours" in check.preview.text):
        qtbot.keyClicks(form.subject, "Evening courthouse hours")
    qtbot.waitUntil(lambda: "Evening courthouse hours" in clerk.preview.plain_text(), timeout=10_000)
    assert "Rendered from the template in" in clerk.preview.status.text()
