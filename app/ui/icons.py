"""SVG icons from resources/icons, drawn in the palette's text colour (dark mode included)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
_SIZES = (16, 20, 24, 32, 48)


def _colour() -> str:
    app = QGuiApplication.instance()
    if app is None:
        return "#202020"
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.WindowText).name()


@cache
def _icon(name: str, colour: str) -> QIcon:
    path = ICONS / f"{name}.svg"
    icon = QIcon()
    try:
        svg = path.read_text(encoding="utf-8").replace("#000000", colour)
    except OSError:
        return icon
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    for size in _SIZES:
        for ratio in (1.0, 2.0):
            pixmap = QPixmap(int(size * ratio), int(size * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            renderer.render(painter, QRectF(0, 0, size, size))
            painter.end()
            icon.addPixmap(pixmap)
    return icon


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``, recoloured for the current palette."""
    return _icon(name, _colour())
