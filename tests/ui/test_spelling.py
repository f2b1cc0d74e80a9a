"""Spell checking in the letter's fields: underlines, corrections, the court's dictionary, the letter's names."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLineEdit, QTextEdit

from app.bootstrap import data_dir
from app.ui.main_window import MainWindow
from tests.ui.conftest import close_window, make_window

pytest.importorskip("spellchecker")
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _ready_window(qtbot: Any) -> MainWindow:
    window = make_window(qtbot)
    qtbot.waitUntil(lambda: window.spelling.loaded, timeout=10_000)
    return window


def _underlined(editor: QTextEdit) -> list[str]:
    """The words a field's highlighter underlines as misspelt, in order."""
    found = []
    block = editor.document().begin()
    while block.isValid():
        for span in block.layout().formats():
            if span.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline:
                found.append(block.text()[span.start:span.start + span.length])
        block = block.next()
    return found


def _point_in_word(editor: QTextEdit, word: str) -> QPoint:
    cursor = QTextCursor(editor.document())
    cursor.setPosition(editor.toPlainText().index(word) + 2)
    return editor.cursorRect(cursor).center()


def _point_in_line(line: QLineEdit, word: str) -> QPoint:
    text = line.text()
    x = line.fontMetrics().horizontalAdvance(text[:text.index(word) + 2])
    return QPoint(line.cursorRect().x() + 5 - line.fontMetrics().horizontalAdvance(text[:line.cursorPosition()]) + x,
                  line.height() // 2)


def _red_pixels(image: QImage) -> list[tuple[int, int]]:
    found = []
    for x in range(image.width()):
        for y in range(image.height()):
            colour = image.pixelColor(x, y)
            if colour.red() > 150 and colour.green() < 110 and colour.blue() < 110:
                found.append((x, y))
    return found


def test_misspelt_words_are_underlined_and_corrected_from_the_menu(qtbot: Any) -> None:
    window = _ready_window(qtbot)
    form = window.form
    assert form is not None
    concern = form.sections["concerns"].editors()[0]
    assert _underlined(concern) == []  # the flagship letter is spelt right, legal terms included
    original = concern.toPlainText()
    concern.setFocus()
    concern.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(concern, " Witnesess are afraid to testfy.")
    qtbot.waitUntil(lambda: _underlined(concern) == ["Witnesess", "testfy"], timeout=30_000)

    menu = window.spelling.menu_for(concern, _point_in_word(concern, "testfy"))
    texts = [a.text() for a in menu.actions()]
    assert "testify" in texts[:5]
    assert "Add “testfy” to dictionary" in texts
    assert any(a.text() == "&Copy" or "Copy" in a.text() for a in menu.actions())  # the usual menu stays
    next(a for a in menu.actions() if a.text() == "testify").trigger()
    assert concern.toPlainText().endswith("Witnesess are afraid to testify.")
    qtbot.waitUntil(lambda: _underlined(concern) == ["Witnesess"], timeout=30_000)
    qtbot.waitUntil(lambda: "afraid to testify." in window.preview.plain_text(), timeout=30_000)
    window.undo_action.trigger()  # the correction is part of the typing in this paragraph: one step
    assert concern.toPlainText() == original

    menu = window.spelling.menu_for(concern, _point_in_word(concern, "have been"))
    assert not any("dictionary" in a.text() for a in menu.actions())  # a right word gets the plain menu
    close_window(qtbot, window)


def test_add_to_dictionary_keeps_the_word_in_the_courts_file(qtbot: Any) -> None:
    window = _ready_window(qtbot)
    form = window.form
    assert form is not None
    opening = form.sections["opening"].editors()[0]
    opening.setFocus()
    opening.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(opening, " The Tulare bench agrees.")
    qtbot.waitUntil(lambda: _underlined(opening) == ["Tulare"], timeout=30_000)
    menu = window.spelling.menu_for(opening, _point_in_word(opening, "Tulare"))
    next(a for a in menu.actions() if a.objectName() == "spell-add-to-dictionary").trigger()
    qtbot.waitUntil(lambda: _underlined(opening) == [], timeout=30_000)
    dictionary = data_dir() / "dictionary.txt"
    qtbot.waitUntil(dictionary.exists, timeout=30_000)
    assert dictionary.read_text(encoding="utf-8").splitlines() == ["Tulare"]
    close_window(qtbot, window)

    again = _ready_window(qtbot)  # a new session reads the court's dictionary back
    assert again.form is not None
    closing = again.form.sections["closing"].editors()[0]
    closing.setFocus()
    closing.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(closing, " Tulare and Fresno")
    qtbot.wait(50)
    assert _underlined(closing) == []
    close_window(qtbot, again)


def test_one_line_fields_get_the_underline_and_the_corrections(qtbot: Any) -> None:
    window = _ready_window(qtbot)
    form = window.form
    assert form is not None
    subject = form.subject
    clean = subject.grab().toImage()
    subject.setFocus()
    subject.selectAll()
    qtbot.keyClicks(subject, "Immigraton in courthouses")
    qtbot.keyClick(subject, Qt.Key.Key_Home)
    red = _red_pixels(subject.grab().toImage())
    assert red, "the misspelt word is not underlined"
    word_end = subject.fontMetrics().horizontalAdvance("Immigraton") + 12
    assert max(x for x, _y in red) <= word_end  # only under the misspelt word
    assert _red_pixels(clean) == []

    menu = window.spelling.menu_for(subject, _point_in_line(subject, "Immigraton"))
    assert menu.actions()[0].text() == "Immigration"
    menu.actions()[0].trigger()
    assert subject.text() == "Immigration in courthouses"
    qtbot.waitUntil(lambda: "Immigration in courthouses" in window.preview.plain_text(), timeout=30_000)
    close_window(qtbot, window)


def test_names_in_the_letter_are_not_flagged(qtbot: Any) -> None:
    window = _ready_window(qtbot)
    form = window.form
    assert form is not None
    closing = form.sections["closing"].editors()[0]
    closing.setFocus()
    closing.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(closing, " Signed, Cantil-Sakauye. Copy to Xochitl Ixtlahuaca.")
    qtbot.waitUntil(lambda: _underlined(closing) == ["Xochitl", "Ixtlahuaca"], timeout=30_000)
    addressees = form.addressees
    addressees.list.setCurrentRow(1)
    addressees.name.setFocus()
    addressees.name.selectAll()
    qtbot.keyClicks(addressees.name, "Xochitl Ixtlahuaca")
    qtbot.waitUntil(lambda: _underlined(closing) == [], timeout=30_000)
    close_window(qtbot, window)


def test_a_spanish_packs_letter_is_checked_in_spanish_and_back_in_english(qtbot: Any) -> None:
    """The Spanish pack's sample: a misspelt Spanish word is underlined, Spanish words are not, nor
    are English words counted right any more; the English letter opened again is English-checked."""
    from app.core import jsondata

    window = _ready_window(qtbot)
    english = window.spelling.speller
    sample = jsondata.loads(window.library.sample("officials-concern-es"), "the Spanish sample")
    window.opening.open_letter(sample)
    qtbot.waitUntil(lambda: window.pack is not None and window.pack.manifest.id == "officials-concern-es"
                    and window.form is not None, timeout=30_000)
    qtbot.waitUntil(lambda: window.spelling.loaded, timeout=30_000)
    assert window.spelling.speller is not english
    form = window.form
    assert form is not None
    concern = form.sections["concerns"].editors()[0]
    # The sample's own paragraph, its accents, plurals and verb forms among them, is spelt right.
    qtbot.waitUntil(lambda: "órdenes" in concern.toPlainText(), timeout=30_000)
    assert _underlined(concern) == []
    concern.setFocus()
    concern.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(concern, " La justicai de los tribunales. The courthouse.")  # typed: ASCII only
    qtbot.waitUntil(lambda: _underlined(concern) == ["justicai", "The", "courthouse"], timeout=30_000)
    menu = window.spelling.menu_for(concern, _point_in_word(concern, "justicai"))
    assert "justicia" in [a.text() for a in menu.actions()][:5]

    window.opening.open_sample()  # the flagship, in English: the English speller, kept, not read again
    qtbot.waitUntil(lambda: window.pack is not None and window.pack.manifest.id == "officials-concern",
                    timeout=30_000)
    assert window.spelling.speller is english
    assert window.form is not None
    opening = window.form.sections["opening"].editors()[0]
    opening.setFocus()
    opening.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(opening, " La justicia of the courthouse.")
    qtbot.waitUntil(lambda: _underlined(opening) == ["justicia"], timeout=30_000)
    close_window(qtbot, window)
