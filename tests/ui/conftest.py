"""GUI test set-up: QSettings in a temp folder, and no dialog may appear unless a test expects it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import shiboken6

pytest.importorskip("PySide6")

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from app.bootstrap import services, template_library
from app.core.workflow import Role
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.main_window import MainWindow
from app.ui.profile import CourtProfile, Preferences

DialogHandler = Callable[[Any], None]


class UnexpectedDialog(AssertionError):
    pass


class DialogScript:
    """Dialogs a test expects, in order, each with the code that fills it in and closes it."""

    def __init__(self) -> None:
        self.expected: list[tuple[type, DialogHandler]] = []
        self.shown: list[str] = []

    def expect(self, kind: type, handler: DialogHandler) -> None:
        self.expected.append((kind, handler))

    def take(self, dialog: QDialog) -> DialogHandler:
        if not self.expected or not isinstance(dialog, self.expected[0][0]):
            raise UnexpectedDialog(f"unexpected dialog {type(dialog).__name__}: {dialog.windowTitle()!r}")
        self.shown.append(type(dialog).__name__)
        return self.expected.pop(0)[1]


@pytest.fixture(autouse=True)
def dialog_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[DialogScript]:
    """Any QMessageBox/QFileDialog/QInputDialog static, or a dialog nobody expects, fails the test."""
    script = DialogScript()

    def refuse(name: str) -> Callable[..., Any]:
        def raiser(*args: Any, **kwargs: Any) -> Any:
            raise UnexpectedDialog(f"unexpected {name}{args[1:3]!r}")
        return raiser

    for cls, names in ((QMessageBox, ("question", "information", "warning", "critical", "about")),
                       (QFileDialog, ("getExistingDirectory", "getOpenFileName", "getSaveFileName")),
                       (QInputDialog, ("getText", "getItem", "getInt", "getMultiLineText"))):
        for name in names:
            monkeypatch.setattr(cls, name, staticmethod(refuse(f"{cls.__name__}.{name}")))
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True))

    original = QDialog.exec

    def exec_(self: QDialog) -> int:
        handler = script.take(self)

        def drive() -> None:
            handler(self)
            if self.isVisible():
                self.reject()

        QTimer.singleShot(0, drive)
        return int(original(self))

    monkeypatch.setattr(QDialog, "exec", exec_)
    script.opened_urls = opened  # type: ignore[attr-defined]
    yield script
    assert not script.expected, f"expected dialogs never shown: {[k.__name__ for k, _ in script.expected]}"


@pytest.fixture(autouse=True)
def first_start_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A window started on a database that is not there yet asks before making it: every test answers
    "Create it" here (the questions asked are listed), but tests/ui/test_first_start.py, which answers
    the real question itself."""
    import app.ui.app

    asked: list[str] = []

    def create(missing: Any) -> bool:
        asked.append(missing.question)
        return True

    monkeypatch.setattr(app.ui.app, "ask_create_database", create)
    return asked


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path) -> Iterator[None]:
    """QSettings (window geometry) go to a temp folder, never the user's."""
    QCoreApplication.setOrganizationName("ChambersTest")
    QCoreApplication.setApplicationName("ChambersTest")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    return


def flagship_profile() -> CourtProfile:
    from tests.conftest import sample_data

    return CourtProfile.from_letter(sample_data())


@pytest.fixture
def office(private_home: Path) -> Iterator[dict[str, str]]:
    """A drafts database with an admin, a clerk and a judge (the judge signs as the Chief Justice)."""
    admin = services(as_user="admin")
    admin.users.add("admin", Role.ADMIN)
    admin.users.add("clerk", Role.CLERK, "Court Clerk")
    admin.users.add("judge", Role.JUDGE, "Tani G. Cantil-Sakauye")
    admin.close()
    return {"clerk": "clerk", "judge": "judge"}


@pytest.fixture
def second_clerk(office: dict[str, str]) -> str:
    """Ann, a second clerk in the office: the other person at the other desk. Her user name."""
    with closing(services(as_user="admin")) as admin:
        admin.users.add("ann", Role.CLERK, "Ann Clerk")
    return "ann"


def make_window(qtbot: Any, user: str | None = None, *, fresh: bool = True, ready: bool = True) -> MainWindow:
    prefs = Preferences(user=user or "", role="clerk", profile=flagship_profile())
    if not fresh:  # a restart: what the last session saved (the recent letters) is there again
        saved = Preferences.load()
        prefs.recent = saved.recent
    backend: LocalBackend | ServiceBackend
    backend = ServiceBackend(services(as_user=user)) if user else LocalBackend()
    if fresh:
        backend.restore = lambda: None  # type: ignore[method-assign]
    return show_window(qtbot, MainWindow(template_library(), prefs, backend, QSettings()), ready=ready)


def show_window(qtbot: Any, window: MainWindow, *, ready: bool = True) -> MainWindow:
    """Show ``window`` as a user would see it, and wait until its letter and preview are ready. At the
    test's end it is closed as a user closes it, its database with it, before pytest-qt deletes it."""
    qtbot.addWidget(window, before_close_func=lambda shown: close_window(qtbot, shown))
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    window.start()
    if ready:
        wait_ready(qtbot, window)
    return window


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def window(qtbot: Any) -> Iterator[WindowFactory]:
    """Opens windows (``window(user)``, as make_window); at the end closes every one of them, which waits
    for their thread pools, and closes their databases."""
    opened: list[tuple[MainWindow, Any]] = []

    def open_window(user: str | None = None, **options: Any) -> MainWindow:
        made = make_window(qtbot, user, **options)
        opened.append((made, made.backend))
        return made

    yield open_window
    import shiboken6

    for made, backend in opened:
        if shiboken6.isValid(made) and made.isVisible():
            close_window(qtbot, made)  # closing waits for the window's thread pools
        elif not getattr(backend, "closed", False):
            backend.close()  # pytest-qt closed the window (and waited) already; the database is ours


def user_journal(user: str) -> Any:
    """The recovery journal of ``user`` (per user: one person's edit is never offered to another)."""
    from app.services.journal import Journal

    s = services(as_user=user)
    try:
        return Journal(s.journal.root, user)
    finally:
        s.close()


def activate(qtbot: Any, window: MainWindow) -> None:
    """Give the window back the activation a dialog took (the offscreen platform does not, a desktop does):
    shortcuts only reach the active window."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    # A dialog deleted later would take the activation with it after the check below.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    focus = QApplication.focusWidget()
    if not window.isActiveWindow() or focus is None or focus.window() is not window:
        with qtbot.waitActive(window):
            window.activateWindow()


def wait_ready(qtbot: Any, window: MainWindow) -> None:
    activate(qtbot, window)
    qtbot.waitUntil(lambda: window.form is not None and window.last_check is not None and window.previewer.idle,
                    timeout=15_000)


def close_window(qtbot: Any, window: MainWindow) -> None:
    """Close ``window`` as a user would and close its database. From a fixture's teardown the window may
    be gone already (pytest-qt closes and deletes the widgets it was given before fixtures end; when
    that deletion is processed depends on the load): its desk is closed all the same."""
    if shiboken6.isValid(window):
        qtbot.waitUntil(lambda: window.runner.pending == 0 and window.db.pending == 0, timeout=15_000)
        if window.isVisible():
            window.close()
        qtbot.waitUntil(lambda: window.db.pending == 0, timeout=15_000)
    backend = window.backend
    if isinstance(backend, ServiceBackend) and not getattr(backend, "closed", False):
        backend.close()
        backend.closed = True  # type: ignore[attr-defined]


def saved(qtbot: Any, window: MainWindow, version: int) -> int:
    """Save (Ctrl+S's action) and wait until the window shows ``version`` saved: the letter's id."""
    window.save_action.trigger()
    qtbot.waitUntil(lambda: window.letter_id is not None and window.version == version and not window.dirty,
                    timeout=15_000)
    assert window.letter_id is not None
    return window.letter_id


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Said:
    """The ``Messages`` port of a part built without a window: what it told the clerk, in order."""

    lines: list[tuple[str, bool]] = field(default_factory=list)

    def show_error(self, text: str, error: bool = True) -> None:
        self.lines.append((text, error))
