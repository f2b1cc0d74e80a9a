"""The window's first paint: the last letter and its preview from the start card, before the window proper.

A clerk's every-day start has a start card (``app.services.startcard``): the letter that was on screen
at the last clean close, its fast preview as it was drawn, and who worked here. This module shows
those at once, needing only Qt and the card: the window proper (the letter models, the renderer, the
form, the drafts database) is imported and built behind it, and takes its place once its form and
preview are there. What the clerk types meanwhile is kept and given to the window, in order, as if it
had been typed there (``StartView.hand_over``).

A start that would not show the card's letter as it is (an edit left by a crash, a command-line
``--user`` or ``--role``, a screenshot, a card without a preview) has no first paint: the window
proper is the first thing on screen, as before.
"""

from __future__ import annotations

import argparse
import html
import json
import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QSettings, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import APP_NAME, data_dir, embedded_database_file, journal_folder, resolved_database_url
from app.rendering.pages import return_large_buffers
from app.services.journal import TYPING_LOG, user_folder
from app.services.startcard import FirstPaint, StartCard
from app.ui.profile import Preferences

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

SCENES = ("clerk", "judge", "withdraw", "users", "opening", "signing")
# The letter's sections in the order the form shows them, with the form's own titles.
SECTIONS = (("opening", "Opening"), ("concerns", "Concerns"), ("requested_policies", "Requested policies"),
            ("closing", "Closing"), ("cc", "cc"), ("enclosures", "Enclosures"))


def parse_args(args: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="chambers", description="Chambers: the letter window.")
    parser.add_argument("--gui", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--screenshot", metavar="FILE", type=Path,
                        help="render the main window with the sample letter to a PNG and exit")
    parser.add_argument("--size", default="1600x1000", help="window size for --screenshot (WIDTHxHEIGHT)")
    parser.add_argument("--role", choices=("clerk", "judge", "admin"), help="act as this role for this session")
    parser.add_argument("--user", help="act as this user for this session")
    parser.add_argument("--tab", choices=("text", "page"), default="text",
                        help="for --screenshot: the preview tab to show (page waits for LibreOffice's pages)")
    parser.add_argument("--scene", choices=SCENES, default="clerk",
                        help="for --screenshot: what to show (judge, withdraw, users, opening and signing use a "
                             "throwaway office database with sample letters)")
    parser.add_argument("--dark", action="store_true",
                        help="for --screenshot: draw the window in a dark palette, as a system in dark mode gives it")
    parser.add_argument("--bench-startup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bench-pages", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(list(args))


def application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication, made once, following the system's colour scheme and scaling."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional scaling passed through as the system gives it: Qt 6's default, not set again here (the
    # Qt namespace it is spelt in costs the first paint a tenth of its time).
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app = QApplication([sys.argv[0] if sys.argv else "chambers", *argv])
    app.setApplicationDisplayName(APP_NAME)
    app.setStyle("Fusion")  # Fusion follows the system's light or dark scheme on every platform
    return app


def bench_line(what: str) -> None:
    """One line of ``--bench-startup``'s report (bench/gui_bench.py times the process to each)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_ms = round((usage.ru_utime + usage.ru_stime) * 1000)
    print(json.dumps({what: True, "maxrss_kb": usage.ru_maxrss, "cpu_ms": cpu_ms}), flush=True)


def first_paint_for(args: argparse.Namespace, prefs: Preferences) -> FirstPaint | None:
    """What this start can paint from the card, or None when the window proper must be the first paint."""
    if args.screenshot is not None or args.role or (args.user and args.user != prefs.user):
        return None  # a picture of a fresh window, or someone else than the preferences' user: the full start
    url = prefs.database_url or None
    embedded = embedded_database_file(url)
    if embedded is not None and not embedded.exists():
        return None  # the database is gone: the full start asks before making one
    resolved = resolved_database_url(url)
    paint = StartCard.first_paint(data_dir(), resolved)
    if paint is None or paint.user != prefs.user:
        return None
    folder = user_folder(journal_folder(resolved), paint.user)
    if (folder / TYPING_LOG).exists() or (folder.is_dir() and any(folder.glob("*.json"))):
        return None  # an edit the last session left (a crash, a save that failed) is offered first
    return paint


class StartView(QMainWindow):
    """The card's letter and preview, read-only, while the window proper is built; keeps what is typed."""

    def __init__(self, paint: FirstPaint, settings: QSettings) -> None:
        super().__init__()
        self.setObjectName("start-view")
        self.setWindowTitle(APP_NAME)
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 820)
        # The window proper's layout in outline: the letter on the left, its preview on the right. No dock
        # and no Qt namespace: its enums alone cost a tenth of this paint (they load with the window).
        split = QSplitter(self)
        column = QWidget(split)
        rows = QVBoxLayout(column)
        rows.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel(self.tr("Opening the letter…"), column)
        self.status.setObjectName("start-status")
        self.status.setAccessibleName(self.tr("Start status"))
        rows.addWidget(self.status)
        self.letter_text = QTextBrowser(column)
        self.letter_text.setObjectName("start-letter")
        self.letter_text.setAccessibleName(self.tr("The letter, as last saved"))
        self.letter_text.setHtml(letter_outline(paint.letter.data))
        rows.addWidget(self.letter_text, 1)
        tabs = QTabWidget(split)
        self.preview_text = paper_view(tabs)
        self.preview_text.setHtml(paint.preview.html)
        tabs.addTab(self.preview_text, self.tr("Text"))
        tabs.addTab(QLabel(self.tr("The printed pages appear here when the letter has been laid out by "
                                   "LibreOffice."), tabs), self.tr("Page"))
        split.addWidget(column)
        split.addWidget(tabs)
        split.setSizes([self.width() * 60 // 100, self.width() * 40 // 100])
        self.setCentralWidget(split)
        self.typed: list[QKeyEvent] = []
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Every key pressed in this view is kept for the window proper instead of acting here."""
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride) \
                and isinstance(watched, QWidget) and (watched is self or self.isAncestorOf(watched)):
            if kind != QEvent.Type.ShortcutOverride:
                assert isinstance(event, QKeyEvent)
                self.typed.append(QKeyEvent(kind, event.key(), event.modifiers(), event.nativeScanCode(),
                                            event.nativeVirtualKey(), event.nativeModifiers(), event.text(),
                                            event.isAutoRepeat(), event.count()))
            return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The window proper is a moment away and closes as it always does (it asks about what is unsaved).
        event.ignore()
        self.status.setText(self.tr("Opening the letter… close the window once it is open."))

    def hand_over(self, window: MainWindow) -> None:
        """The window proper in this view's place, given what was typed here as if typed there."""
        app = QApplication.instance()
        assert app is not None
        app.removeEventFilter(self)
        self._let_go()  # first: the two windows' pixels are never held at once (some 4 MB each)
        window.show()  # in the same turn of the event loop, so the screen never shows neither
        window.activateWindow()
        if window.focusWidget() is None and window.form is not None:
            window.form.subject.setFocus()  # as a click into the letter would
        for event in self.typed:
            # The window's own focus, asked again after each key (a Tab moves it): the application's may
            # still be in this view until the window manager activates the window.
            receiver = window.focusWidget()
            if receiver is None:
                break
            QApplication.sendEvent(receiver, event)
        self.typed.clear()

    def close_now(self) -> None:
        """The window proper cannot open (it said why): nothing of this start stays on screen."""
        app = QApplication.instance()
        assert app is not None
        app.removeEventFilter(self)
        self._let_go()

    def _let_go(self) -> None:
        self.hide()
        self.destroy()  # its platform window and backing store now, not at the next turn of the loop
        self.deleteLater()


# The fast preview's paper, as app/ui/preview_pane.py draws it (kept apart: that pane brings the Page
# view, and with it the Qt namespace's enums, which the first paint does without).
PAPER_CSS = """
body { font-family: 'Times New Roman', 'Liberation Serif', 'DejaVu Serif', serif; font-size: 12pt; }
p { margin-top: 0px; margin-bottom: 9px; }
div.letterhead p { margin-bottom: 2px; }
"""


def paper_view(parent: QWidget) -> QTextBrowser:
    view = QTextBrowser(parent)
    view.setObjectName("fast-preview")
    view.setAccessibleName(parent.tr("Letter preview"))
    view.document().setDefaultStyleSheet(PAPER_CSS)
    view.document().setDocumentMargin(36)
    view.setStyleSheet("QTextBrowser#fast-preview { background: #ffffff; color: #111111; }")
    font = QFont("Times New Roman")
    font.setStyleHint(QFont.StyleHint.Serif)
    view.document().setDefaultFont(font)
    return view


def letter_outline(data: dict[str, Any]) -> str:
    """The letter's text as the form holds it, section by section, as simple HTML (read-only)."""

    def text(value: object) -> str:
        return html.escape(value) if isinstance(value, str) else ""

    parts: list[str] = []
    for key, title in (("date", "Date"), ("reference", "Reference"), ("subject", "Subject")):
        if data.get(key):
            parts.append(f"<p><b>{title}:</b> {text(data[key])}</p>")
    addressees = data.get("addressees")
    if isinstance(addressees, list) and addressees:
        parts.append("<h3>Addressees</h3>")
        for person in addressees:
            if isinstance(person, dict):
                lines = [person.get(k) for k in ("honorific", "name", "title", "organization")]
                address = person.get("address")
                lines += address if isinstance(address, list) else []
                parts.append("<p>" + "<br>".join(text(line) for line in lines if line) + "</p>")
    for key, title in SECTIONS:
        items = data.get(key)
        if isinstance(items, list) and items:
            parts.append(f"<h3>{title}</h3>")
            parts.extend(f"<p>{text(item)}</p>" for item in items)
    if data.get("complimentary_close"):
        parts.append(f"<p>{text(data['complimentary_close'])}</p>")
    return "".join(parts)


_private_settings: list[str] = []


def private_settings(args: argparse.Namespace) -> None:
    """A screenshot or a benchmark shows the default layout and leaves the user's saved layout alone."""
    if (args.screenshot is None and not args.bench_startup) or _private_settings:
        return
    import atexit
    import shutil
    import tempfile

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    throwaway = tempfile.mkdtemp(prefix="chambers-screenshot-")
    atexit.register(shutil.rmtree, throwaway, ignore_errors=True)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, throwaway)
    _private_settings.append(throwaway)


def run_window(argv: Sequence[str]) -> int:
    """The window: painted from the start card when it can be, then the window proper behind it."""
    args = parse_args(argv)
    return_large_buffers()  # before the start's own buffers (files read whole, pages later)
    application()
    private_settings(args)
    paint = first_paint_for(args, Preferences.load())
    view = None
    if paint is not None:
        view = StartView(paint, QSettings())
        view.show()
        painted = QEventLoop()
        QTimer.singleShot(0, painted.quit)  # one turn of the loop: the view is exposed and drawn
        painted.exec()
        if args.bench_startup:
            bench_line("shown")
    from app.ui.app import run_gui  # the window proper: the letter models, the renderer, the database

    return run_gui(args, first=view)
