"""Work off the GUI thread: one-shot operations, and the preview that the newest edit wins.

An operation is a plain function run on a thread pool; its result (or its error) comes back
on the GUI thread to a success (or failure) callback, as Anki's ``CollectionOp`` does. The
window never waits on the database, the renderer or LibreOffice.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.core.errors import ChambersError, LetterInvalid

log = logging.getLogger(__name__)

# After the first preview, start-up's background work (the database, the word list) waits this long
# for the window to paint: loading their extensions holds Python's lock for long stretches.
SETTLE_MS = 120


def describe_error(exc: BaseException) -> str:
    """A message for the clerk; a traceback only goes to the log."""
    if isinstance(exc, LetterInvalid):
        return "\n".join(str(p) for p in exc.problems[:12])
    if isinstance(exc, ChambersError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    log.error("unexpected error in an operation:\n%s",
              "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return f"Something went wrong ({type(exc).__name__}: {exc})."


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # every error goes back to the window, none kills a thread
            self._tell(self._signals.failed, exc)
        else:
            self._tell(self._signals.succeeded, result)

    @staticmethod
    def _tell(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the part that asked was closed meanwhile: nobody is left to tell
            log.debug("a job finished after its runner was deleted")


class _Op(QObject):
    """Receives a job's outcome on the GUI thread (it lives there) and calls back."""

    def __init__(self, runner: OpRunner, success: Callable[[Any], None] | None,
                 failure: Callable[[BaseException], None] | None) -> None:
        super().__init__(runner)
        self._runner = runner
        self._success = success
        self._failure = failure
        self.signals = _Signals(self)
        self.signals.succeeded.connect(self._on_success)
        self.signals.failed.connect(self._on_failure)

    @Slot(object)
    def _on_success(self, result: Any) -> None:
        try:
            if self._success is not None:
                self._success(result)
        finally:
            self._runner._finished(self)

    @Slot(object)
    def _on_failure(self, exc: BaseException) -> None:
        try:
            if self._failure is not None:
                self._failure(exc)
            else:
                self._runner.error.emit(describe_error(exc))
        finally:
            self._runner._finished(self)


class OpRunner(QObject):
    """Runs operations on its own thread pool; ``error`` carries failures nobody handled."""

    error = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        # Owned by Python, not a Qt child of this runner: Qt deletes its children inside whatever call
        # processes the deferred delete (QTest.qWaitForWindowActive and others hold the GIL there), and a
        # pool's destructor waits for its jobs, which need the GIL to finish: a deadlock, seen as a test
        # run that hung for good. Freed from Python, the wait releases the GIL (tests/ui/test_workers.py).
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(threads)
        self._ops: set[_Op] = set()

    @property
    def pending(self) -> int:
        return len(self._ops)

    def run(self, fn: Callable[[], Any], success: Callable[[Any], None] | None = None,
            failure: Callable[[BaseException], None] | None = None) -> None:
        op = _Op(self, success, failure)
        self._ops.add(op)
        if len(self._ops) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Job(fn, op.signals))

    def _finished(self, op: _Op) -> None:
        self._ops.discard(op)
        op.deleteLater()
        if not self._ops:
            self.busy_changed.emit(False)

    def shutdown(self, msecs: int = 30_000) -> None:
        self.pool.waitForDone(msecs)


class LatestWins(QObject):
    """Runs at most one job at a time; while it runs only the newest request is kept.

    Each request carries a generation number; a result is delivered only if no newer request
    was made meanwhile, so a slow render never overwrites the preview of a later edit.
    """

    delivered = Signal(int, object)

    def __init__(self, runner: OpRunner) -> None:
        super().__init__(runner)
        self._runner = runner
        self.generation = 0
        self._running = False
        self._queued: Callable[[], Any] | None = None
        self.delivered_generation = 0

    @property
    def idle(self) -> bool:
        return not self._running and self._queued is None

    def request(self, fn: Callable[[], Any]) -> int:
        self.generation += 1
        self._queued = fn
        self._start_next()
        return self.generation

    def _start_next(self) -> None:
        if self._running or self._queued is None:
            return
        fn, self._queued = self._queued, None
        generation = self.generation
        self._running = True

        def done(result: Any) -> None:
            self._running = False
            if generation == self.generation:
                self.delivered_generation = generation
                self.delivered.emit(generation, result)
            self._start_next()

        def failed(exc: BaseException) -> None:
            done(exc)

        self._runner.run(fn, done, failed)
