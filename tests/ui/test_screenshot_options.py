"""``--screenshot --dark`` draws the window in a dark palette (the offscreen platform has no colour
scheme of its own), in which text reads as well as in the light one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from app.ui.app import dark_palette, run_gui

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

Role = QPalette.ColorRole


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def palette_kept(qapp: Any) -> Iterator[None]:
    before = QPalette(QApplication.palette())
    yield
    QApplication.setPalette(before)


def test_the_dark_palette_reads_as_well_as_wcag_asks() -> None:
    palette = dark_palette()
    for text, ground in ((Role.WindowText, Role.Window), (Role.Text, Role.Base), (Role.ButtonText, Role.Button),
                         (Role.HighlightedText, Role.Highlight), (Role.ToolTipText, Role.ToolTipBase)):
        ratio = _contrast(palette.color(text), palette.color(ground))
        assert ratio >= 4.5, f"{text.name} on {ground.name}: contrast {ratio:.1f}, below 4.5"
    assert _luminance(palette.color(Role.Window)) < 0.05  # dark, not the light palette recoloured


def test_a_dark_screenshot_is_drawn_in_the_dark_palette(qtbot: Any, tmp_path: Path, palette_kept: None) -> None:
    shot = tmp_path / "dark.png"
    assert run_gui(["--screenshot", str(shot), "--size", "1200x800", "--dark"]) == 0
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1200, 800)
    # The status bar's corner is the window's own background: dark, as the palette's Window role.
    corner = image.pixelColor(2, image.height() - 2)
    assert _luminance(corner) < 0.05, corner.name()
