"""The addressee editor as a clerk uses it: surname, given name and courtesy title typed in, the
salutation shown as it will print, and the exported letter read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QLineEdit

from app.bootstrap import services
from app.services.office import addresses
from app.ui.dialogs import ExportDialog
from app.ui.main_window import MainWindow
from tests.ui.conftest import DialogScript, WindowFactory, close_window, make_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _retype(qtbot: Any, window: MainWindow, widget: QLineEdit, text: str) -> None:
    """Select what the field holds and type ``text`` over it, waiting for the check that follows."""
    widget.setFocus()
    widget.selectAll()
    if widget.text() == text:
        return
    with qtbot.waitSignal(window.checked, timeout=10_000):
        if text:
            qtbot.keyClicks(widget, text)
        else:
            qtbot.keyClick(widget, Qt.Key.Key_Delete)


def _choose(qtbot: Any, window: MainWindow, combo: QComboBox, text: str) -> None:
    line = combo.lineEdit()
    assert line is not None
    _retype(qtbot, window, line, text)


def _add(qtbot: Any, window: MainWindow) -> None:
    editor = window.form.addressees  # type: ignore[union-attr]
    with qtbot.waitSignal(window.checked, timeout=10_000):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_every_new_control_has_an_accessible_name(window: WindowFactory) -> None:
    editor = window().form.addressees  # type: ignore[union-attr]
    for widget in (editor.surname, editor.given_name, editor.courtesy, editor.group_salutation,
                   editor.surname_used, editor.guess_reason):
        assert widget.accessibleName(), widget.objectName()
    labels = {w.text().replace("&", "") for w in editor.findChildren(QLabel)}
    assert {"Surname", "Given name", "Courtesy title", "Group salutation"} <= labels


def test_a_two_word_surname_is_guessed_then_typed_and_the_export_uses_it(
        qtbot: Any, window: WindowFactory, dialog_guard: DialogScript, tmp_path: Path) -> None:
    clerk = window()
    editor = clerk.form.addressees  # type: ignore[union-attr]
    _add(qtbot, clerk)
    _retype(qtbot, clerk, editor.name, "Catherine Cortez Masto")
    _retype(qtbot, clerk, editor.title, "United States Senator")
    # Issue 18: read as a Spanish double surname, and the other reading ("Masto") offered.
    assert editor.salutation_preview.text() == "Dear Senator Cortez Masto:"
    assert editor.surname_used.text() == "Salutation uses: Cortez Masto"
    assert editor.guess_reason.isVisibleTo(editor)
    assert "fill in the surname" in editor.guess_reason.text()
    # Preflight explains the reading, as advice: export is not stopped by it.
    assert any("Addressee 3" in text and "two readings" in text for text in clerk.preflight.advice_texts())
    assert clerk.export_action.isEnabled()

    _retype(qtbot, clerk, editor.surname, "Cortez Masto")
    _retype(qtbot, clerk, editor.given_name, "Catherine")
    assert editor.salutation_preview.text() == "Dear Senator Cortez Masto:"
    assert editor.surname_used.text() == "Salutation uses: Cortez Masto"
    assert not editor.guess_reason.isVisibleTo(editor)
    assert not any("Addressee 3" in text for text in clerk.preflight.advice_texts())
    data = clerk.form.data()  # type: ignore[union-attr]
    assert data["addressees"][2]["surname"] == "Cortez Masto"
    assert data["addressees"][2]["given_name"] == "Catherine"
    assert "Senator Cortez Masto" in editor.joint_salutation.text()

    out = tmp_path / "letters"

    def fill(dialog: ExportDialog) -> None:
        dialog.folder.setText(str(out))
        dialog.pdf.setChecked(False)
        dialog.per_addressee.setChecked(True)
        dialog.accept()

    dialog_guard.expect(ExportDialog, fill)
    clerk.export_action.trigger()
    exported = out / "2017-03-16 Letter to Senator Cortez Masto.docx"
    qtbot.waitUntil(exported.exists, timeout=15_000)
    paragraphs = _paragraphs(exported)
    assert "Dear Senator Cortez Masto:" in paragraphs
    assert "The Honorable Catherine Cortez Masto" in "\n".join(paragraphs)


def test_courtesy_title_and_a_person_with_no_title(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    editor = clerk.form.addressees  # type: ignore[union-attr]
    _add(qtbot, clerk)
    _choose(qtbot, clerk, editor.honorific, "")
    _retype(qtbot, clerk, editor.name, "Pat Smith")
    _retype(qtbot, clerk, editor.title, "")
    # Issue 18: never the full name; the safe form, and the courtesy title asked for.
    assert editor.salutation_preview.text() == "Dear Sir or Madam:"
    assert "courtesy title" in editor.guess_reason.text()
    _choose(qtbot, clerk, editor.honorific, "Mx.")
    assert editor.salutation_preview.text() == "Dear Mx. Smith:"
    data = clerk.form.data()  # type: ignore[union-attr]
    assert "title" not in data["addressees"][2]  # no title is required, and none is stored
    assert "addressees[2].title" not in clerk.preflight.paths()

    _retype(qtbot, clerk, editor.name, "Nancy Pelosi")
    _choose(qtbot, clerk, editor.honorific, "The Honorable")
    _retype(qtbot, clerk, editor.title, "Speaker of the House")
    _choose(qtbot, clerk, editor.courtesy, "Ms.")
    assert editor.salutation_preview.text() == "Dear Madam Speaker:"
    assert clerk.form.data()["addressees"][2]["courtesy"] == "Ms."  # type: ignore[union-attr]


def test_the_group_salutation_opens_the_letter(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    form = clerk.form
    assert form is not None
    editor = form.addressees
    _retype(qtbot, clerk, editor.group_salutation, "Dear Members of the Judicial Council:")
    assert form.data()["group_salutation"] == "Dear Members of the Judicial Council:"
    assert editor.joint_salutation.text() == "Dear Members of the Judicial Council:"
    assert "Dear Members of the Judicial Council:" in clerk.preview.plain_text()
    _retype(qtbot, clerk, editor.group_salutation, "")
    assert "group_salutation" not in form.data()
    assert "Dear Attorney General Sessions and Secretary Kelly:" in clerk.preview.plain_text()


def test_surname_and_courtesy_go_to_the_address_book_and_come_back(
        qtbot: Any, office: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    clerk = make_window(qtbot, "clerk")
    editor = clerk.form.addressees  # type: ignore[union-attr]
    _add(qtbot, clerk)
    _retype(qtbot, clerk, editor.name, "Catherine Cortez Masto")
    _retype(qtbot, clerk, editor.surname, "Cortez Masto")
    _choose(qtbot, clerk, editor.courtesy, "Ms.")
    _retype(qtbot, clerk, editor.title, "United States Senator")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "added to the address book" in clerk.statusBar().currentMessage(), timeout=10_000)
    held = services(as_user="clerk")
    try:
        saved = next(e for e in addresses(held.store) if e.name == "Catherine Cortez Masto")
    finally:
        held.close()
    assert (saved.surname, saved.courtesy, saved.title) == ("Cortez Masto", "Ms.", "United States Senator")

    editor.remove_current()

    def get_item(_parent: Any, _title: str, _label: str, labels: list[str], *args: Any) -> tuple[str, bool]:
        return next(label for label in labels if label.startswith("Catherine Cortez Masto")), True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    before = len(clerk.letter_data()["addressees"])
    clerk.pick_addressee_action.trigger()
    qtbot.waitUntil(lambda: len(clerk.letter_data()["addressees"]) == before + 1, timeout=10_000)
    picked = clerk.letter_data()["addressees"][-1]
    assert (picked["surname"], picked["courtesy"]) == ("Cortez Masto", "Ms.")
    assert editor.surname.text() == "Cortez Masto"
    assert editor.salutation_preview.text() == "Dear Senator Cortez Masto:"
    assert editor.surname_used.text() == "Salutation uses: Cortez Masto"
    close_window(qtbot, clerk)


def test_above_six_addressees_preflight_asks_for_the_group_salutation_and_the_export_has_it(
        qtbot: Any, window: WindowFactory, dialog_guard: DialogScript, tmp_path: Path) -> None:
    clerk = window()
    editor = clerk.form.addressees  # type: ignore[union-attr]
    editor.list.setCurrentRow(1)
    for _ in range(5):
        with qtbot.waitSignal(clerk.checked, timeout=10_000):
            qtbot.mouseClick(editor.duplicate_button, Qt.MouseButton.LeftButton)
    assert editor.list.count() == 7
    advice = clerk.preflight.advice_texts()
    row = next(i for i, text in enumerate(advice) if text.startswith("Group salutation: "))
    assert "7 addressees" in advice[row]
    clerk.preflight.advice.setFocus()
    clerk.preflight.advice.setCurrentRow(row)
    qtbot.keyClick(clerk.preflight.advice, Qt.Key.Key_Return)
    assert editor.group_salutation.hasFocus()
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        qtbot.keyClicks(editor.group_salutation, "Dear Members of the Judicial Council:")
    assert not any(text.startswith("Group salutation: ") for text in clerk.preflight.advice_texts())

    out = tmp_path / "letters"

    def fill(dialog: ExportDialog) -> None:
        dialog.folder.setText(str(out))
        dialog.pdf.setChecked(False)
        dialog.per_addressee.setChecked(False)
        dialog.accept()

    dialog_guard.expect(ExportDialog, fill)
    clerk.export_action.trigger()
    qtbot.waitUntil(lambda: out.exists() and any(out.glob("*.docx")), timeout=15_000)
    (exported,) = out.glob("*.docx")
    qtbot.waitUntil(lambda: exported.stat().st_size > 0, timeout=30_000)
    paragraphs = _paragraphs(exported)
    assert "Dear Members of the Judicial Council:" in paragraphs
    assert any(p.strip().startswith("Distribution") for p in paragraphs), paragraphs
