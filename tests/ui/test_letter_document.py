"""The open letter's content has one owner: named edits, one Undo step per action, typing merged per field."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.ui.dialogs import TemplateGallery
from app.ui.document import LetterDocument
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, WindowFactory, activate

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

ALT = Qt.KeyboardModifier.AltModifier


def _with(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**data, **changes}


def test_the_document_changes_only_through_named_edits_and_its_undo_acts_on_it(qtbot: Any) -> None:
    document = LetterDocument()
    letter = sample_data()
    document.open(None, letter)
    assert document.undo_stack.count() == 0
    changed: list[str] = []
    document.content_changed.connect(changed.append)
    for typed in ("I", "Im", "Imm"):  # typing in one field: one step
        document.apply_edit("subject", _with(document.data, subject=typed), typing=True)
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Edit the subject"
    concerns = list(document.data["concerns"])
    moved = [concerns[1], concerns[0], *concerns[2:]]
    document.apply_edit("concerns", _with(document.data, concerns=moved), "Move concern 2 up")
    document.apply_edit("concerns", _with(document.data, concerns=moved[1:]), "Remove concern 1")
    assert document.undo_stack.count() == 3  # a move and a removal are two steps, each with its own label
    assert document.undo_stack.undoText() == "Remove concern 1"
    with qtbot.waitSignal(document.replaced):  # the view shows the document again
        document.undo_stack.undo()
    assert document.data["concerns"] == moved
    assert document.undo_stack.undoText() == "Move concern 2 up"
    document.undo_stack.undo()
    assert document.data["concerns"] == concerns
    document.undo_stack.undo()
    assert document.data["subject"] == letter["subject"]
    assert changed == ["subject"] * 3 + ["concerns"] * 4 + ["subject"]


def test_a_move_then_a_removal_in_the_window_are_two_undo_steps(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    form = clerk.form
    assert form is not None
    concerns = form.sections["concerns"]
    order = concerns.values()
    second = concerns.editors()[1]
    second.setFocus()
    qtbot.keyClick(second, Qt.Key.Key_Up, ALT)
    qtbot.mouseClick(concerns.remove_button, Qt.MouseButton.LeftButton)
    assert clerk.undo_action.text().startswith("&Undo Remove concern")
    clerk.undo_action.trigger()
    assert concerns.values() == [order[1], order[0], *order[2:]]
    assert clerk.undo_action.text() == "&Undo Move concern 2 up"
    clerk.undo_action.trigger()
    assert concerns.values() == order


def test_each_addressee_added_is_its_own_undo_step(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    form = clerk.form
    assert form is not None
    before = clerk.undo_stack.count()
    first = form.addressees.list.count()
    for _ in range(6):
        form.addressees.add()  # six additions in a row: six steps, not one
    for i in range(6):
        form.addressees.list.setCurrentRow(first + i)
        form.addressees.name.setFocus()
        qtbot.keyClicks(form.addressees.name, f"Judge {i}")
        form.addressees.title.setFocus()
        qtbot.keyClicks(form.addressees.title, "Judge")
    # Eighteen actions: six additions, and typing in six names and six titles (each field one step).
    assert clerk.undo_stack.count() - before == 18
    clerk.undo_action.trigger()
    assert form.addressees.title.text() == ""


def test_a_new_blank_letter_never_shows_the_previous_letters_preview(
        qtbot: Any, window: WindowFactory, dialog_guard: DialogScript) -> None:
    clerk = window()
    assert "Jeff Sessions" in clerk.preview.plain_text()

    def choose(gallery: TemplateGallery) -> None:
        gallery.choose("officials-concern")
        gallery.accept()

    dialog_guard.expect(TemplateGallery, choose)
    activate(qtbot, clerk)
    qtbot.keyClick(clerk, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # File > New letter…
    qtbot.waitUntil(lambda: clerk.form is not None and clerk.form.subject.text() == ""
                    and clerk.last_check is not None and clerk.previewer.idle, timeout=15_000)
    assert "Jeff Sessions" not in clerk.preview.plain_text()
