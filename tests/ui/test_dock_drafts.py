"""The Drafts dock: search, the status filter, and a clear count of the letters waiting for me."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import services
from tests.conftest import sample_data
from tests.ui.conftest import WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def test_a_judge_sees_how_many_letters_wait_and_finds_one_by_words(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    clerk = services(as_user="clerk")
    try:
        for subject in ("Courthouse arrests", "Evening hours", "Interpreters"):
            letter = clerk.drafts.create("officials-concern", {**sample_data(), "subject": subject})
            if subject != "Interpreters":
                clerk.drafts.submit(letter.id)
    finally:
        clerk.close()
    judge = window("judge", ready=False)
    drafts = judge.drafts
    qtbot.waitUntil(lambda: drafts.waiting_count == 2, timeout=10_000)
    assert "2 waiting for you" in drafts.note.text()
    assert drafts.status.currentData() == "mine"  # a judge's window opens on the letters waiting
    with qtbot.waitSignal(drafts.waiting_changed, timeout=10_000):
        drafts.search.setFocus()
        qtbot.keyClicks(drafts.search, "evening")
    qtbot.waitUntil(lambda: drafts.tree.topLevelItemCount() == 1, timeout=10_000)
    assert drafts.tree.topLevelItem(0).text(0) == "Evening hours"
    assert "★" in drafts.tree.topLevelItem(0).text(1)
    drafts.tree.setCurrentItem(drafts.tree.topLevelItem(0))
    drafts.tree.setFocus()
    qtbot.keyClick(drafts.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: judge.form is not None and judge.form.subject.text() == "Evening hours",
                    timeout=10_000)
