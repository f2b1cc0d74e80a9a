"""A window that fits: messages readable in a dark palette, a first start sized to the screen, and
File > Open telling in words what is not a letter number."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.ui.dialogs import TextPrompt
from tests.ui.conftest import DialogScript, WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG's contrast ratio (4.5 is the floor for body text)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def dark_palette(qapp: Any) -> Iterator[QPalette]:
    before = QApplication.palette()
    dark = QPalette(before)
    for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.WindowText, "#e8eaed"),
                         (QPalette.ColorRole.Base, "#2b2c2f"), (QPalette.ColorRole.Text, "#e8eaed")):
        dark.setColor(role, QColor(colour))
    QApplication.setPalette(dark)
    yield dark
    QApplication.setPalette(before)


def _bar_contrast(window: Any) -> float:
    bar = window.messages
    background = bar.palette().color(bar.backgroundRole())
    text = bar.label.palette().color(bar.label.foregroundRole())
    return contrast(background, text)


@pytest.mark.parametrize("error", [True, False])
def test_messages_are_readable_in_a_dark_palette(
        qtbot: Any, window: WindowFactory, dark_palette: QPalette, error: bool) -> None:
    clerk = window()
    clerk.show_error("The template officials-concern cannot be used: its styles are missing", error=error)
    assert clerk.messages.isVisible()
    assert _bar_contrast(clerk) >= 4.5
    assert clerk.messages.autoFillBackground()


def test_messages_follow_the_palette_when_the_system_turns_dark(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    clerk.show_error("Not saved: the drafts database is busy")
    light = clerk.messages.palette().color(clerk.messages.backgroundRole())
    before = QApplication.palette()
    dark = QPalette(before)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    try:
        QApplication.setPalette(dark)
        qtbot.waitUntil(lambda: clerk.messages.palette().color(clerk.messages.backgroundRole()) != light,
                        timeout=30_000)
        assert _bar_contrast(clerk) >= 4.5
    finally:
        QApplication.setPalette(before)


def test_the_first_start_fits_the_screen(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    screen = clerk.screen() or QGuiApplication.primaryScreen()
    area = screen.availableGeometry()
    assert clerk.frameGeometry().width() <= area.width()
    assert clerk.frameGeometry().height() <= area.height()
    assert area.contains(clerk.frameGeometry().center())


@pytest.mark.parametrize(("typed", "said"), [
    ("²", "“²” is not a letter number"),
    ("12345678901234567890123", "There is no letter 12345678901234567890123"),
    ("0", "“0” is not a letter number"),
    ("seven", "“seven” is not a letter number"),
])
def test_file_open_says_in_words_what_is_not_a_letter_number(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript,
        typed: str, said: str) -> None:
    clerk = window("clerk")

    def answer(prompt: TextPrompt) -> None:
        prompt.text.setPlainText(typed)
        prompt.accept()

    dialog_guard.expect(TextPrompt, answer)
    clerk.open_action.trigger()
    assert said in clerk.messages.label.text()
    assert clerk.db.pending == 0 or clerk.letter_id is None
