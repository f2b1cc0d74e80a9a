"""File > Save (Ctrl+S) makes a history version; the autosave after a typing pause only amends the
clerk's working copy. Driven through the real window, read back from ``drafts.history``."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import services
from app.core.records import LetterVersion
from app.ui.main_window import MainWindow
from tests.ui.conftest import WindowFactory, activate

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

CTRL = Qt.KeyboardModifier.ControlModifier


def _versions(letter_id: int) -> list[LetterVersion]:
    s = services(as_user="clerk")
    try:
        return s.drafts.history(letter_id)[1]
    finally:
        s.close()


def _ctrl_s(qtbot: Any, window: MainWindow) -> None:
    activate(qtbot, window)
    with qtbot.waitSignal(window.session.record_changed, timeout=10_000):
        qtbot.keyClick(window.form.subject, Qt.Key.Key_S, CTRL)  # type: ignore[union-attr]


def _type_and_wait_for_autosave(qtbot: Any, window: MainWindow, text: str) -> None:
    form = window.form
    assert form is not None
    form.subject.setFocus()
    with qtbot.waitSignal(window.session.record_changed, timeout=10_000):
        qtbot.keyClicks(form.subject, text)  # the save comes a moment after typing stops


def test_autosaves_amend_the_working_copy_and_ctrl_s_makes_a_history_version(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    clerk = window("clerk")
    _ctrl_s(qtbot, clerk)
    letter_id = clerk.letter_id
    assert letter_id is not None
    assert [(v.number, v.working) for v in _versions(letter_id)] == [(1, False)]

    _type_and_wait_for_autosave(qtbot, clerk, " one")
    _type_and_wait_for_autosave(qtbot, clerk, " two")
    versions = _versions(letter_id)
    assert [v.working for v in versions] == [False, True]  # two pauses, one working copy
    assert versions[-1].data["subject"].endswith(" one two")

    _ctrl_s(qtbot, clerk)  # nothing new typed: the working copy itself becomes a history version
    versions = _versions(letter_id)
    assert [v.working for v in versions] == [False, False]
    assert versions[-1].data["subject"].endswith(" one two")

    clerk.form.subject.setFocus()  # type: ignore[union-attr]
    qtbot.keyClicks(clerk.form.subject, " three")  # type: ignore[union-attr]
    _ctrl_s(qtbot, clerk)  # typed, then Ctrl+S before the pause ends: one save, a history version
    qtbot.waitUntil(lambda: clerk.db.pending == 0 and not clerk.session.saving, timeout=10_000)
    versions = _versions(letter_id)
    assert [v.working for v in versions] == [False, False, False]
    assert versions[-1].data["subject"].endswith(" one two three")
    assert not clerk.session.dirty

    _type_and_wait_for_autosave(qtbot, clerk, " four")  # the history version is left as it is
    versions = _versions(letter_id)
    assert [v.working for v in versions] == [False, False, False, True]
    assert versions[-2].data["subject"].endswith(" three")
