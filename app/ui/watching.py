"""What others did, as it happens: the drafts list, the open letter's status and its actions follow.

The window reads the audit log's count once a second (one row) and, when it grew, the events others
made: the drafts list is read again, and when one of them is about the open letter its record is read
again, so the status, the enabled actions and the review pane follow, with a line saying who did what.
A newer version someone saved replaces the text only when nothing is typed here; otherwise the save
meets it as a conflict, shown side by side.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.records import AuditEvent
from app.core.workflow import Refused
from app.services.desk import Desk, ServiceDesk
from app.ui.session import LetterSession
from app.ui.workers import OpRunner

if TYPE_CHECKING:
    from app.services.drafts import LetterDetail

log = logging.getLogger(__name__)

# At most this long between someone's change and this window knowing of it (plus one read).
WATCH_EVERY_MS = 1000

DONE = {"submit": "submitted {letter} for review", "approve": "approved {letter}",
        "request_changes": "asked for changes to {letter}", "commented": "commented on {letter}",
        "edited": "saved a new version of {letter}", "created": "started {letter}",
        "approval_voided": "withdrew the approval of {letter}", "exported": "exported {letter}"}


def said(event: AuditEvent, name: str) -> str | None:
    """``event`` as a sentence ("Judge Tani G. Cantil-Sakauye approved letter 3, version 2"), or None."""
    what = DONE.get(event.action)
    if what is None or event.letter_id is None:
        return None
    letter = f"letter {event.letter_id}"
    try:
        version = json.loads(event.detail).get("version")
    except ValueError:
        version = None
    if isinstance(version, int):
        letter += f", version {version}"
    return f"{name} {what.format(letter=letter)}"


class Watcher(QObject):
    """Polls the desk for what others did; ``letter_changed(detail)`` when the open letter's record moved."""

    news = Signal(str)              # who did what, for the message bar
    letter_changed = Signal(object)  # LetterDetail: the open letter as the database has it now
    others_changed = Signal()        # something changed: the drafts list and review queue follow

    def __init__(self, session: LetterSession, db: OpRunner, desk: Callable[[], Desk],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.db = db
        self.desk = desk
        self._seen: int | None = None
        self._asking = False
        self.timer = QTimer(self)
        self.timer.setInterval(WATCH_EVERY_MS)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """The database is open: from now on (the first read only counts what is there)."""
        self._seen = None
        self.poll()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        if desk.workflow is None:
            self.stop()
        elif not desk.opening and not self.timer.isActive():
            self.start()

    def letter_replaced(self, _form: object) -> None:
        """The open letter is the session's record: what is read follows it already."""

    def shutting_down(self) -> None:
        self.stop()

    def poll(self) -> None:
        desk = self.desk().workflow
        if self._asking or desk is None or desk.opening:
            return
        if self._seen is not None and self.db.pending:
            return  # the database worker is busy with the window's own work: next time (the count waits)
        self._asking = True
        seen = self._seen
        self.db.run(lambda: desk.news(seen), lambda got: self._heard(desk, got), self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._asking = False
        if isinstance(exc, Refused):
            # This login may not read the audit log: others' changes show when the letter is read again
            # (a save's conflict, a refused step), not every second with a warning each time.
            self.timer.stop()
        log.warning("others' changes could not be read: %s", exc)

    def _heard(self, desk: ServiceDesk, got: tuple[int, list[AuditEvent]]) -> None:
        self._asking = False
        count, events = got
        self._seen = count
        if not events:
            return
        self.others_changed.emit()
        open_id = self.session.record.id
        sentences = [s for e in events if (s := said(e, desk.shown_name(e.actor))) is not None]
        if sentences:
            self.news.emit("; ".join(sentences[-3:]))
        if open_id is not None and any(e.letter_id == open_id for e in events):
            self.db.run(lambda: desk.open(open_id), self._read_again, self._failed)

    def _read_again(self, detail: LetterDetail) -> None:
        if detail.summary.id == self.session.record.id:
            self.letter_changed.emit(detail)
