"""The letter's lists as Qt models: one keystroke changes one row, and the preview shows it.

With 100 addressees and 50 concerns a keystroke used to read the whole form back from its widgets
(and deep-copy the letter) several times over; these tests hold what replaced that: the models are
sound Qt models, an edit announces its own row alone, the rows nobody touched are the very same
objects the document already holds, and the preview still shows exactly the letter.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.core.stress import long_letter
from app.ui.addressees import label_of, tidy
from app.ui.letter_models import AddresseeListModel, ParagraphListModel
from tests.conftest import sample_data
from tests.ui.conftest import WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def test_the_addressee_model_is_a_sound_qt_model(qtmodeltester: Any) -> None:
    model = AddresseeListModel(label_of, tidy)
    model.set_values(long_letter(sample_data(), 5, 1)["addressees"])
    qtmodeltester.check(model)
    model.set_field(2, "name", "Kamala Harris")
    model.move(0, 3)
    model.insert(1, {"name": "Dianne Feinstein", "address": []})
    model.remove(4)
    qtmodeltester.check(model)
    assert [row["name"] for row in model.values()] == ["Jeff Sessions 2", "Dianne Feinstein", "Kamala Harris",
                                                       "Jeff Sessions 4", "Jeff Sessions 5"]


def test_the_paragraph_model_is_a_sound_qt_model(qtmodeltester: Any) -> None:
    model = ParagraphListModel()
    model.set_values(["One", "Two", "Three"])
    qtmodeltester.check(model)
    model.set_values(["One", "2", "Three", "Four"])
    qtmodeltester.check(model)
    assert model.values() == ["One", "2", "Three", "Four"]


def test_an_edit_of_one_addressee_changes_one_row_and_never_the_rows_handed_out(qtbot: Any) -> None:
    model = AddresseeListModel(label_of, tidy)
    model.set_values(long_letter(sample_data(), 100, 1)["addressees"])
    before = model.values()
    announced: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, _roles: announced.append((top.row(), bottom.row())))
    with qtbot.assertNotEmitted(model.modelReset):
        assert model.set_field(41, "name", "Jeff Sessions 42 Jr.")
    assert announced == [(41, 41)]
    after = model.values()
    assert before[41]["name"] == "Jeff Sessions 42"  # what was handed out keeps what it held
    assert after[41]["name"] == "Jeff Sessions 42 Jr."
    assert all(after[i] is before[i] for i in range(100) if i != 41)
    assert model.data(model.index(41), Qt.ItemDataRole.DisplayRole) == "Jeff Sessions 42 Jr. — Attorney General 42"


def test_typing_in_a_long_letter_touches_only_its_row_and_the_preview_shows_it(
        qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    clerk.opening.open_letter(long_letter(sample_data()))
    qtbot.waitUntil(lambda: clerk.form is not None and clerk.form.addressees.list.count() == 100
                    and clerk.last_check is not None and clerk.previewer.idle, timeout=30_000)
    form = clerk.form
    assert form is not None
    addressees = form.addressees
    addressees.list.setCurrentRow(49)
    addressees.name.setFocus()
    addressees.name.end(False)
    concerns = form.sections["concerns"]
    concern = concerns.editors()[24]
    before = clerk.document.data
    rows: list[tuple[str, int, int]] = []
    addressees.model.dataChanged.connect(lambda top, bottom, _r: rows.append(("addressees", top.row(), bottom.row())))
    concerns.model.dataChanged.connect(lambda top, bottom, _r: rows.append(("concerns", top.row(), bottom.row())))
    with qtbot.waitSignal(clerk.checked, timeout=15_000):
        qtbot.keyClick(addressees.name, "Q")
    assert rows == [("addressees", 49, 49)]
    assert "Jeff Sessions 50Q" in clerk.preview.plain_text()
    after = clerk.document.data
    assert after["addressees"][49]["name"] == "Jeff Sessions 50Q"
    # Neither the other addressees nor the paragraphs were read back or copied for the keystroke.
    assert all(after["addressees"][i] is before["addressees"][i] for i in range(100) if i != 49)

    concern.setFocus()
    concern.moveCursor(concern.textCursor().MoveOperation.End)
    rows.clear()
    with qtbot.waitSignal(clerk.checked, timeout=15_000):
        qtbot.keyClick(concern, "Z")
    assert rows == [("concerns", 24, 24)]
    assert clerk.document.data["concerns"][24].endswith("Z")
    assert clerk.document.data["concerns"][24][-40:] in clerk.preview.plain_text()
    assert clerk.undo_stack.undoText() == "Edit concern 25"
    clerk.undo_action.trigger()
    assert concern.text() == before["concerns"][24]


def test_a_highlighter_colouring_a_paragraph_is_not_an_edit(qtbot: Any, window: WindowFactory) -> None:
    """A spelling highlighter re-colours a paragraph when the letter's names change, and Qt says
    "textChanged" for it: that is no edit, and no reading of the whole form."""
    clerk = window()
    form = clerk.form
    assert form is not None
    concerns = form.sections["concerns"]
    edited: list[str] = []
    form.edited.connect(edited.append)
    steps = clerk.undo_stack.count()
    for editor in concerns.editors():
        editor.document().markContentsDirty(0, editor.document().characterCount())
        editor.textChanged.emit()
    assert edited == []
    assert clerk.undo_stack.count() == steps


def test_typing_a_name_recolours_only_the_paragraphs_that_hold_its_words(
        qtbot: Any, window: WindowFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The letter's names are never underlined, so each key typed in a name changes the names; only the
    paragraphs holding a word whose verdict changed are coloured again (all of them were, at each key)."""
    pytest.importorskip("spellchecker")
    from app.ui.spelling import SpellHighlighter

    clerk = window()
    qtbot.waitUntil(lambda: clerk.spelling.loaded, timeout=15_000)
    form = clerk.form
    assert form is not None
    closing = form.sections["closing"].editors()[0]
    closing.setFocus()
    closing.moveCursor(closing.textCursor().MoveOperation.End)
    qtbot.keyClicks(closing, " Copy to Xochitl.")
    coloured: list[str] = []
    original = SpellHighlighter.rehighlight

    def rehighlight(self: SpellHighlighter) -> None:
        coloured.append(self.document().toPlainText()[:40])
        original(self)

    monkeypatch.setattr(SpellHighlighter, "rehighlight", rehighlight)
    addressees = form.addressees
    addressees.list.setCurrentRow(1)
    addressees.name.setFocus()
    addressees.name.end(False)
    qtbot.keyClicks(addressees.name, " a")  # "a" is a word of the dictionary: no verdict changes
    assert coloured == []
    addressees.name.selectAll()
    qtbot.keyClicks(addressees.name, "Xochitl")
    assert coloured
    assert all(text == closing.toPlainText()[:40] for text in coloured)


def test_a_read_only_letter_cannot_reorder_its_addressees_by_drag(qtbot: Any) -> None:
    from app.bootstrap import template_library
    from app.ui.form import LetterForm

    form = LetterForm(template_library().get("officials-concern").manifest)
    qtbot.addWidget(form)
    form.set_data(long_letter(sample_data(), 3, 1))
    assert form.addressees.list.dragEnabled()
    form.set_read_only("A judge reads this letter; the clerk edits it")
    assert not form.addressees.list.dragEnabled()
    form.set_read_only(None)
    assert form.addressees.list.dragEnabled()


def test_an_addressee_dropped_lower_in_the_list_is_one_move(qtbot: Any) -> None:
    """Qt's own internal move inserts a copy and deletes the original (two changes of the list); the
    view has the model move the row instead, and the drag is told nothing is left to delete."""
    from PySide6.QtCore import QMimeData, QPointF
    from PySide6.QtGui import QDropEvent

    from app.ui.addressees import AddresseeListEditor

    editor = AddresseeListEditor()
    qtbot.addWidget(editor)
    editor.set_values(long_letter(sample_data(), 4, 1)["addressees"])
    editor.resize(900, 600)
    editor.show()
    view = editor.list
    view.setCurrentRow(0)
    target = view.visualRect(view.addressees.index(2)).center()
    mime = QMimeData()

    class Dropped(QDropEvent):
        def source(self) -> Any:  # what a drag that started in this list says
            return view

    event = Dropped(QPointF(target), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(editor.edited) as edited:
        view.dropEvent(event)
    assert edited.args == ["addressees"]
    assert [row["name"] for row in editor.values()] == ["Jeff Sessions 2", "Jeff Sessions 3", "Jeff Sessions 1",
                                                        "Jeff Sessions 4"]
    assert editor.last_action == "Move addressee 1 down"
    assert view.currentRow() == 2
    assert event.dropAction() == Qt.DropAction.IgnoreAction  # nothing for the drag to delete afterwards
