"""Preflight on forms of address and printing: advice with the fix offered, a substituted font named,
a character no font has listed as an error that stops export."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from app.core.letter import parse_letter
from app.rendering.fonts import any_font_has, print_check, resolved_family
from app.ui.main_window import MainWindow
from app.ui.preflight import PreflightList
from tests.ui.conftest import WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

HIEROGLYPH = "\U00013000"  # EGYPTIAN HIEROGLYPH A001: no font a court computer ships has it


def _retype(qtbot: Any, window: MainWindow, widget: QLineEdit, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    with qtbot.waitSignal(window.checked, timeout=10_000):
        qtbot.keyClicks(widget, text)


def test_honorable_without_the_is_fixed_from_preflight(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    editor = clerk.form.addressees  # type: ignore[union-attr]
    editor.list.setCurrentRow(0)
    line = editor.honorific.lineEdit()
    assert line is not None
    _retype(qtbot, clerk, line, "Honorable")
    _retype(qtbot, clerk, editor.organization, "U.S. Department of Justice")
    advice = clerk.preflight.advice_texts()
    assert any(text.startswith("Addressee 1, honorific: 'Honorable' needs 'The'") for text in advice), advice
    assert ("addressees[0].honorific", "The Honorable") in clerk.preflight.fixes()
    # Advice never stops export, and leaves the list of what does empty.
    assert clerk.preflight.paths() == []
    assert clerk.export_action.isEnabled()

    row = next(i for i, text in enumerate(advice) if "needs 'The'" in text)
    clerk.preflight.advice.setCurrentRow(row)
    button = clerk.preflight.fix_button
    assert button.isVisibleTo(clerk.preflight)
    assert "Write 'The Honorable'" in button.text()
    assert button.accessibleName() == button.text()
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert editor.honorific.currentText() == "The Honorable"
    assert clerk.form.data()["addressees"][0]["honorific"] == "The Honorable"  # type: ignore[union-attr]
    assert not any("needs 'The'" in text for text in clerk.preflight.advice_texts())
    # The fix is an edit of its own (the clerk went on to another field since typing): Undo takes it back.
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        clerk.undo_action.trigger()
    assert editor.honorific.currentText() == "Honorable"


def test_enter_on_advice_goes_to_its_field(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    editor = clerk.form.addressees  # type: ignore[union-attr]
    editor.list.setCurrentRow(1)
    _retype(qtbot, clerk, editor.title, "Neighbor")
    advice = clerk.preflight.advice
    row = next(i for i, text in enumerate(clerk.preflight.advice_texts()) if text.startswith("Addressee 2"))
    advice.setFocus()
    advice.setCurrentRow(row)
    qtbot.keyClick(advice, Qt.Key.Key_Return)
    assert editor.list.currentRow() == 1
    assert editor.salutation.hasFocus()


def test_a_character_no_font_has_stops_export(qtbot: Any, window: WindowFactory) -> None:
    if any_font_has(ord(HIEROGLYPH)) is not False:
        pytest.skip("this computer has a font with Egyptian hieroglyphs, or no fontconfig to ask")
    clerk = window()
    form = clerk.form
    assert form is not None
    form.subject.setFocus()
    form.subject.end(False)
    # Pasted, as such a character would come in: QTest cannot type beyond the Basic Multilingual Plane.
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        form.subject.insert(f" {HIEROGLYPH}")
    assert "subject" in clerk.preflight.paths()
    assert any("U+13000" in text and "cannot be printed" in text for text in clerk.preflight.texts())
    assert not clerk.export_action.isEnabled()
    assert clerk.last_check is not None
    assert clerk.last_check.blocking
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        qtbot.keyClick(form.subject, Qt.Key.Key_Backspace)
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        qtbot.keyClick(form.subject, Qt.Key.Key_Backspace)
    assert clerk.preflight.paths() == []
    assert clerk.export_action.isEnabled()


def test_a_substituted_font_is_named_as_a_warning(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    check = clerk.last_check
    assert check is not None
    assert check.docx is not None
    if resolved_family("Chambers Missing Serif") is None:
        pytest.skip("no fontconfig: the print check cannot say which font would be used")
    document = docx.Document(io.BytesIO(check.docx))
    for style in document.styles:
        font = getattr(style, "font", None)
        if font is not None and font.name:
            font.name = "Chambers Missing Serif"
    document.styles["Normal"].font.name = "Chambers Missing Serif"
    changed = io.BytesIO()
    document.save(changed)
    report = print_check(parse_letter(clerk.form.data()).letter, changed.getvalue())  # type: ignore[union-attr]
    assert report.warnings
    assert not report.errors
    preflight = PreflightList()
    qtbot.addWidget(preflight)
    preflight.set_entries([], [], [], report.warnings)
    texts = preflight.advice_texts()
    assert any(text.startswith("Printing: ") and "Chambers Missing Serif" in text for text in texts), texts
    assert preflight.paths() == []
    assert "export is not stopped" in preflight.advice_summary.text()


def test_honorable_typed_in_the_name_moves_to_the_honorific(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    editor = clerk.form.addressees  # type: ignore[union-attr]
    editor.list.setCurrentRow(0)
    line = editor.honorific.lineEdit()
    assert line is not None
    line.setFocus()
    line.selectAll()
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        qtbot.keyClick(line, Qt.Key.Key_Delete)
    _retype(qtbot, clerk, editor.name, "Honorable Jeff Sessions")
    assert ("addressees[0].name", "Jeff Sessions") in clerk.preflight.fixes()
    row = next(i for i, text in enumerate(clerk.preflight.advice_texts()) if text.startswith("Addressee 1, name"))
    clerk.preflight.advice.setCurrentRow(row)
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        qtbot.mouseClick(clerk.preflight.fix_button, Qt.MouseButton.LeftButton)
    first = clerk.form.data()["addressees"][0]  # type: ignore[union-attr]
    assert (first["honorific"], first["name"]) == ("The Honorable", "Jeff Sessions")
    assert editor.inside_address.text().splitlines()[0] == "The Honorable Jeff Sessions"
    assert not any(text.startswith("Addressee 1") for text in clerk.preflight.advice_texts())


def test_the_preview_shows_a_key_before_preflight_is_given_the_complete_check(
        qtbot: Any, window: WindowFactory) -> None:
    """The advice and the font check follow the preview: a long letter's key is shown sooner, and
    Preflight and the actions are given only complete checks."""
    clerk = window()
    form = clerk.form
    assert form is not None
    before = clerk.last_check
    assert before is not None
    assert before.complete
    seen: list[object] = []

    def shown() -> None:
        if "Fresno" in clerk.preview.plain_text() and not seen:
            seen.append(clerk.last_check)

    clerk.preview.text_view.textChanged.connect(shown)
    form.subject.setFocus()
    form.subject.end(False)
    with qtbot.waitSignal(clerk.checked, timeout=10_000) as blocker:
        form.subject.insert(" Fresno")
    qtbot.waitUntil(lambda: clerk.previewer.idle, timeout=10_000)
    assert seen == [before]  # shown while Preflight still had the check from before the key
    check = blocker.args[0] if blocker.args else None
    assert check is clerk.last_check
    assert check is not None
    assert check.complete
