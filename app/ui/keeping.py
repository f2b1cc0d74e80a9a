"""Every edit of the open letter to the typing log on disk at once, whether or not a save runs.

The autosave waits for a pause in typing and the database may be slow or away; a kill -9 must still
lose nothing that was on screen. ``TypingKeeper`` follows the session: a letter opened starts the log
again, each edit appends what changed (within ``KEEP_WITHIN_MS``, fsynced on the log's own thread, so
a keystroke never waits for the disk), and each time the database holds the letter the log says so;
a clean close removes the log.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

from app.services.journal import TypingLog
from app.ui.session import LetterRecord, LetterSession

# Edits made within this long go to disk together (one fsync): a fast typist's burst, not each key.
KEEP_WITHIN_MS = 50

Source = Callable[[], dict[str, Any] | None]


class TypingKeeper(QObject):
    """Keeps the typing log of the letter ``session`` has open; ``source`` is the text on screen."""

    def __init__(self, session: LetterSession, source: Source, path: Callable[[], Path],
                 user: Callable[[], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.source = source
        self.log = TypingLog(path, user)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(KEEP_WITHIN_MS)
        self.timer.timeout.connect(self.keep)
        session.opened.connect(self._opened)
        session.edited.connect(self._edited)
        session.record_changed.connect(self._saved)

    def _opened(self, record: LetterRecord) -> None:
        self.timer.stop()
        data = self.source()
        if data is not None:
            self.log.begin(record.id, record.version, data, unsaved=self.session.restored)

    def restart(self) -> None:
        """The desk changed (the database opened as someone, or could not): the log starts again there."""
        data = self.source()
        if data is not None:
            record = self.session.record
            self.log.begin(record.id, record.version, data, unsaved=self.session.dirty)

    def _edited(self) -> None:
        # Not restarted by each key: the first edit of a burst reaches the disk within KEEP_WITHIN_MS.
        if not self.timer.isActive():
            self.timer.start()

    def keep(self) -> None:
        """What is on screen now, to the log (what changed since the last time)."""
        self.timer.stop()
        data = self.source()
        if data is not None:
            self.log.edit(data)

    def _saved(self, record: LetterRecord) -> None:
        detail = record.detail
        if detail is None or record.id is None or record.version is None:
            return
        self.keep()
        # The form's own text where nothing is unsaved (the database may hold it spelled another way).
        shown = self.source() if not self.session.dirty else None
        self.log.saved(record.id, record.version, shown if shown is not None else dict(detail.current.data))

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, _desk: object) -> None:
        self.restart()

    def letter_replaced(self, _form: object) -> None:
        """The log begins again when the session opens the letter, not when its view is built."""

    def shutting_down(self) -> None:
        # What was on screen is saved, or kept in the journal: there is no crash to recover from.
        self.close(remove=True)

    def close(self, *, remove: bool) -> None:
        self.timer.stop()
        if not remove:
            self.keep()
        self.log.close(remove=remove)
