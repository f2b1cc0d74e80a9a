"""What others did, as it happens: the drafts list, the open letter's status and its actions follow.

The database says when it changed: on PostgreSQL the commit that writes an audit event notifies
(migration 0009), on SQLite the file's ``data_version`` moves (``app.storage.news``). A thread of
the watcher's own waits on that feed, so the window asks the database nothing while nothing
happens; when the feed wakes it, the window reads the audit events after the last one it saw (by
the log's key, on the database worker, between the window's own work): the drafts list is read
again, and when one of the events is about the open letter its record is read again, so the status,
the enabled actions and the review pane follow, with a line saying who did what. A newer version
someone saved replaces the text only when nothing is typed here; otherwise the save meets it as a
conflict, shown side by side.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

from app.core.records import AuditEvent
from app.core.workflow import Refused
from app.services.desk import Desk, ServiceDesk
from app.ui.session import LetterSession
from app.ui.workers import OpRunner

if TYPE_CHECKING:
    from app.services.drafts import LetterDetail
    from app.storage.news import NewsFeed

log = logging.getLogger(__name__)

# News that came while the database worker was busy with the window's own work is read at the next
# look, at most this long after; and a database with no feed (one in memory) is asked this often.
WATCH_EVERY_MS = 1000
# How long the listening thread waits on the feed at a time: the longest a stop waits for it.
LISTEN_FOR_S = 1.0

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


class Listening(QObject):
    """Waits on the database's news feed on a thread of its own; ``changed`` (on the GUI thread) each
    time it wakes.

    The feed is opened on that thread, not on the GUI thread (reaching a server may take seconds),
    used only there, and closed there when the thread ends. A plain daemon thread rather than a
    QThread: a window freed without its shutdown (a crash, a test that drops it) must not take the
    process down with "QThread destroyed while running"; a signal emitted after the window is gone
    only ends the thread."""

    changed = Signal()
    unfollowable = Signal()  # this database has no feed: the watcher asks it every second instead

    def __init__(self, open_feed: Callable[[], NewsFeed | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.open_feed = open_feed
        self.feed: NewsFeed | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chambers-news", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            feed = self.open_feed()
        except Exception as exc:  # any failure to open it: the window falls back to asking
            log.warning("others' changes cannot be heard from this database: %s", exc)
            feed = None
        if feed is None:
            self._emit(self.unfollowable)
            return
        self.feed = feed
        try:
            while not self._stopped.is_set():
                if feed.wait(LISTEN_FOR_S) and not self._stopped.is_set():
                    self._emit(self.changed)
        except Exception:  # never silently: the window goes on without news, and the log says why
            log.exception("others' changes can no longer be heard")
        finally:
            feed.close()

    def _emit(self, signal: SignalInstance) -> None:
        try:
            signal.emit()
        except RuntimeError:  # the window (and this object) is gone: nobody to tell
            self._stopped.set()

    def stop(self) -> None:
        """Ask the thread to end (from the GUI thread); it ends within ``LISTEN_FOR_S``."""
        self._stopped.set()
        feed = self.feed
        if feed is not None:
            feed.stop()

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)


class Watcher(QObject):
    """Follows the database's news for the window; ``letter_changed(detail)`` when the open letter's record moved."""

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
        self._owed = False      # the feed woke us and the audit log has not been read since
        self._polling = False   # no feed for this database: read the log at every look
        self.listening: Listening | None = None
        self._following: object | None = None  # the desk whose database the listener hears
        self._ending: list[Listening] = []  # stopped listeners whose threads may still be ending
        self.timer = QTimer(self)
        self.timer.setInterval(WATCH_EVERY_MS)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """The database is open: from now on (the first read only finds where the audit log is)."""
        self._seen = None
        self._owed = True
        self._polling = False
        self._listen()
        self.poll()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        for ended in [t for t in self._ending if not t.is_running()]:
            self._ending.remove(ended)
            ended.deleteLater()
        if self.listening is not None:
            self.listening.stop()
            self._ending.append(self.listening)
            self.listening = None

    def _listen(self) -> None:
        self.stop()
        workflow = self.desk().workflow
        if workflow is None:
            return
        self._following = workflow
        listening = Listening(workflow.news_feed, self)
        listening.changed.connect(self._woken)
        listening.unfollowable.connect(self._poll_instead)
        self.listening = listening
        listening.start()

    def _woken(self) -> None:
        if self.sender() is self.listening:
            self._owed = True
            self.poll()

    def _poll_instead(self) -> None:
        if self.sender() is self.listening:
            self._polling = True

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        if desk.workflow is None:
            self.stop()
        elif not desk.opening and (not self.timer.isActive() or desk.workflow is not self._following):
            self.start()  # a desk on another database (or the same, opened anew) is heard from its own

    def letter_replaced(self, _form: object) -> None:
        """The open letter is the session's record: what is read follows it already."""

    def shutting_down(self) -> None:
        self.stop()
        for thread in self._ending:
            # Each ends within LISTEN_FOR_S of its stop and closes its connection; the bound is for a
            # server that stopped answering mid-wait.
            thread.wait(LISTEN_FOR_S * 5)
        self._ending.clear()

    def poll(self) -> None:
        desk = self.desk().workflow
        if self._asking or desk is None or desk.opening or not (self._owed or self._polling):
            return
        if self._seen is not None and self.db.pending:
            return  # the database worker is busy with the window's own work: the next look reads it
        self._asking = True
        self._owed = False
        seen = self._seen
        self.db.run(lambda: desk.news(seen), lambda got: self._heard(desk, got), self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._asking = False
        if isinstance(exc, Refused):
            # This login may not read the audit log: others' changes show when the letter is read again
            # (a save's conflict, a refused step), not at every news with a warning each time.
            self.stop()
        else:
            self._owed = True  # the database could not be reached: read it again at the next look
        log.warning("others' changes could not be read: %s", exc)

    def _heard(self, desk: ServiceDesk, got: tuple[int, list[AuditEvent]]) -> None:
        self._asking = False
        newest, events = got
        self._seen = newest
        if self._owed:
            QTimer.singleShot(0, self.poll)  # more news came while this was read
        if not events:
            return
        self.others_changed.emit()
        open_id = self.session.record.id
        sentences = [s for e in events if (s := said(e, desk.shown_name(e.actor))) is not None]
        if sentences:
            self.news.emit("; ".join(sentences[-3:]))
        if open_id is not None and any(e.letter_id == open_id for e in events):
            self.db.run(lambda: desk.open(open_id), self._read_again,
                        lambda exc: log.warning("letter %s could not be read again: %s", open_id, exc))

    def _read_again(self, detail: LetterDetail) -> None:
        if detail.summary.id == self.session.record.id:
            self.letter_changed.emit(detail)
