"""The Clause bank dock: search by words, insert as a paragraph, and Undo takes it out again."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.ui.backend import ClauseItem
from app.ui.clauses import ClauseBankPanel
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


def _listed(bank: ClauseBankPanel) -> list[int]:
    ids = []
    for row in range(bank.list.count()):
        clause = bank.list.item(row).data(Qt.ItemDataRole.UserRole)
        assert isinstance(clause, ClauseItem)
        ids.append(clause.id)
    return ids


@pytest.mark.parametrize("where", ["this computer", "the office"])
def test_the_clauses_a_clerk_inserts_rise_in_the_bank_by_use(qtbot: Any, window: WindowFactory,
                                                             request: pytest.FixtureRequest, where: str) -> None:
    if where == "the office":
        request.getfixturevalue("office")
    clerk = window("clerk" if where == "the office" else None)
    form = clerk.form
    assert form is not None
    oldest_first = clerk.backend.clauses()
    assert len(oldest_first) > 2
    bank = clerk.clause_bank
    qtbot.waitUntil(lambda: _listed(bank) == [c.id for c in oldest_first], timeout=10_000)
    form.sections["concerns"].editors()[0].setFocus()
    before = form.sections["concerns"].values()
    # The oldest-but-one twice and the newest once, each chosen with the keyboard and inserted with Enter.
    for clause in (oldest_first[-1], oldest_first[1], oldest_first[1]):
        bank.list.setFocus()
        bank.list.setCurrentRow(_listed(bank).index(clause.id))
        qtbot.keyClick(bank.list, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: clerk.db.pending == 0, timeout=10_000)
    expected = [oldest_first[1].id, oldest_first[-1].id] + [c.id for c in oldest_first
                                                            if c.id not in (oldest_first[1].id, oldest_first[-1].id)]
    qtbot.waitUntil(lambda: [(c.id, c.use_count) for c in clerk.backend.clauses()[:3]] == [
        (oldest_first[1].id, 2), (oldest_first[-1].id, 1), (oldest_first[0].id, 0)], timeout=10_000)
    qtbot.waitUntil(lambda: clerk.db.pending == 0, timeout=10_000)
    assert _listed(bank) == expected
    after = form.sections["concerns"].values()
    assert len(after) == len(before) + 3  # each insert a new paragraph, each counted once
    assert after.count(oldest_first[1].text) == before.count(oldest_first[1].text) + 2
    assert after.count(oldest_first[-1].text) == before.count(oldest_first[-1].text) + 1
