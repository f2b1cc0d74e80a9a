"""On a 1024x768 screen the selected addressee's fields get the form's width (the list stands above
them), not the few letters of a name they had beside the list; on a wide screen they stay beside it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _room(window: Any) -> tuple[int, int]:
    """The addressee name field's width in average characters, and how far its top is below the list's
    bottom (negative: the list stands beside the fields)."""
    editor = window.form.addressees
    chars = editor.name.width() // editor.name.fontMetrics().averageCharWidth()
    below = editor.name.mapTo(editor, editor.name.rect().topLeft()).y() - editor.list.mapTo(
        editor, editor.list.rect().bottomLeft()).y()
    return chars, below


def _settled(qtbot: Any, window: Any, width: int, height: int, fits: Any) -> None:
    """Resize ``window`` and wait for its layouts to settle as ``fits`` wants (a hang guard, not a
    speed claim); on a timeout the message says what the room was."""
    window.resize(width, height)
    try:
        qtbot.waitUntil(lambda: fits(*_room(window)), timeout=30_000)
    except Exception:
        chars, below = _room(window)
        raise AssertionError(f"at {width}x{height} the addressee's name field shows about {chars} characters, "
                             f"{below} px below the list") from None


def test_the_addressee_fields_keep_room_for_a_name_at_1024x768(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    assert clerk.form is not None
    _settled(qtbot, clerk, 1600, 1000, lambda chars, below: chars >= 30 and below < 0)  # beside the list
    _settled(qtbot, clerk, 1024, 768, lambda chars, below: chars >= 30 and below > 0)  # the list above
    assert clerk.preview_dock.isVisible()
    assert clerk.preview.width() > 200
    _settled(qtbot, clerk, 1600, 1000, lambda chars, below: chars >= 30 and below < 0)  # beside it again
