"""The drafting window, offscreen, for the benches that time it inside their own process.

A private data folder (removed afterwards), Qt's settings inside it, the local backend with no
database, and no offer to recover an earlier run's typing: each bench meets the same fresh window.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


@contextmanager
def offscreen_window(prefix: str, size: tuple[int, int] | None = None) -> Iterator[MainWindow]:
    """The started window in a data folder of its own; closed and deleted, and the folder removed, after."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    before = os.environ.get("CHAMBERS_HOME")
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        home = Path(folder)
        os.environ["CHAMBERS_HOME"] = str(home)
        from PySide6.QtCore import QEvent, QSettings
        from PySide6.QtWidgets import QApplication

        from app.bootstrap import template_library
        from app.ui.backend import LocalBackend
        from app.ui.main_window import MainWindow
        from app.ui.profile import Preferences

        app = QApplication.instance() or QApplication([])
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(home / "qsettings"))
        backend = LocalBackend()
        backend.restore = lambda: None  # type: ignore[method-assign]
        window = MainWindow(template_library(), Preferences(), backend, QSettings())
        if size is not None:
            window.resize(*size)
        window.show()
        window.start()
        try:
            yield window
        finally:
            window.close()
            window.deleteLater()
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            app.processEvents()
            if before is None:
                os.environ.pop("CHAMBERS_HOME", None)
            else:
                os.environ["CHAMBERS_HOME"] = before


def wait_for(condition: Callable[[], bool], *signals: Any, timeout_ms: int = 30_000,
             what: str = "the preview did not follow the keystroke") -> None:
    """Sleep in Qt's event loop until ``condition`` holds, woken by ``signals`` or every 50 ms. No busy
    polling, which would take the CPU the worker threads need; ``RuntimeError(what)`` past the timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.perf_counter() + timeout_ms / 1000
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{what} within {timeout_ms / 1000:g} s")
        loop = QEventLoop()
        for signal in signals:
            signal.connect(loop.quit)
        QTimer.singleShot(50, loop.quit)
        loop.exec()
        for signal in signals:
            signal.disconnect(loop.quit)
