"""SVG icons from resources/icons, drawn in the palette's text colour (dark mode included)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.bootstrap import data_dir
from app.core import hostos
from app.core.files import atomic_write
from app.resources import shipped_file

ICONS = shipped_file("icons")
_SIZES = (16, 20, 24, 32, 48)


def _colour() -> str:
    app = QGuiApplication.instance()
    if app is None:
        return "#202020"
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.WindowText).name()


@cache
def _icon(name: str, colour: str) -> QIcon:
    """Qt's SVG icon engine draws the recoloured file at the size asked, when asked: drawing every size of
    every icon at start-up took 20 ms of it (21 icons x 10 pixmaps)."""
    path = ICONS / f"{name}.svg"
    try:
        svg = path.read_text(encoding="utf-8").replace("#000000", colour)
    except OSError:
        return QIcon()
    recoloured = _cache_folder(colour) / f"{name}.svg"
    try:
        if _kept(recoloured, svg) != svg.encode("utf-8"):
            recoloured.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(recoloured, svg.encode("utf-8"), durable=False)
    except OSError:
        return _drawn(svg)  # a read-only data folder: drawn now, as before
    return QIcon(str(recoloured))


def _kept(path: Path, svg: str) -> bytes | None:
    # Only a regular file is read (a FIFO there would block the window, a link lead elsewhere),
    # and no more of it than the icon could be.
    try:
        return hostos.read_regular(path, len(svg.encode("utf-8")))
    except OSError:
        return None


def _cache_folder(colour: str) -> Path:
    return data_dir() / "cache" / "icons" / colour.lstrip("#")


def _drawn(svg: str) -> QIcon:
    icon = QIcon()
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
