"""The Clause bank dock: search by words, insert as a paragraph, and Undo takes it out again."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def test_a_clause_found_by_words_is_inserted_and_undone(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    form = clerk.form
    assert form is not None
    closing = form.sections["closing"]
    before = closing.values()
    closing.editors()[0].setFocus()
    bank = clerk.clause_bank
    bank.search.setFocus()
    qtbot.keyClicks(bank.search, "discuss")
    qtbot.waitUntil(lambda: bank.list.count() == 1, timeout=10_000)
    bank.list.setCurrentRow(0)
    qtbot.mouseClick(bank.insert_new, Qt.MouseButton.LeftButton)
    assert len(closing.values()) == len(before) + 1
    assert "discuss these concerns" in closing.values()[1]
    assert clerk.undo_action.text() == "&Undo Add closing paragraph 2"
    clerk.undo_action.trigger()
    assert closing.values() == before


def test_a_clause_named_by_its_first_sentence_shows_that_sentence_once() -> None:
    from app.ui.clauses import listed

    text = "Most people who enter a courthouse do not come by choice. They have been summoned."
    assert listed("Most people who enter a courthouse do not come by choice", text) == (
        "Most people who enter a courthouse do not come by choice\nThey have been summoned.")
    assert listed("Thank you", "Thank you for your attention.") == "Thank you\nThank you for your attention."
    assert listed("Most people who enter\u2026", "Most people who enter a courthouse.") == (
        "Most people who enter\u2026\n\u2026a courthouse.")
    assert listed("Welcome a discussion", "I would welcome it.") == "Welcome a discussion\nI would welcome it."
    assert listed("Courts must remain open", "Courts must remain open.") == "Courts must remain open"
