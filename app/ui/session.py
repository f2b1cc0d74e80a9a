"""The open letter: one owner of its record and of the order of its saves.

Background callbacks used to change a dozen loose attributes of the window in whatever order
they returned, so Submit could act on a version that was no longer the one shown, and two saves
in flight conflicted with each other. ``LetterSession`` holds the record (id, version, status,
detail) as one frozen value, runs at most one save at a time (a request made meanwhile is merged
and runs on the result of the one before), and runs ``after_saved`` work only once the form's
content is saved and shown, on exactly that version. A workflow step replaces the record; it
never touches the form or its Undo history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.records import Approval
from app.core.workflow import Conflict, Status
from app.rendering.engine import CompiledPack
from app.services.checking import LetterData
from app.services.desk import Desk
from app.ui.workers import OpRunner, describe_error

if TYPE_CHECKING:  # imported when first used, not at start-up
    from app.services.drafts import LetterDetail

AUTOSAVE_DELAY_MS = 1500

# The form's content at the moment a save starts, read on the GUI thread.
Source = Callable[[], tuple[CompiledPack, LetterData] | None]
AfterSaved = Callable[["LetterRecord"], None]


@dataclass(frozen=True)
class LetterRecord:
    """What the database holds of the open letter, as last read (never changed in place)."""

    id: int | None = None
    version: int | None = None
    status: Status | None = None
    detail: LetterDetail | None = None

    @classmethod
    def of(cls, detail: LetterDetail | None) -> LetterRecord:
        if detail is None:
            return cls()
        s = detail.summary
        return cls(s.id, s.version, s.status, detail)

    @property
    def approval(self) -> Approval | None:
        approval = self.detail.approval if self.detail is not None else None
        return approval if approval is not None and approval.voided_at is None else None

    @property
    def saved(self) -> bool:
        return self.id is not None


class LetterSession(QObject):
    """The single owner of the open letter's record and of its saves."""

    opened = Signal(object)          # LetterRecord: another letter (or a new one) is open
    record_changed = Signal(object)  # LetterRecord: the same letter, at a new version or status
    dirty_changed = Signal(bool)
    save_state = Signal(str)
    conflict = Signal(object)        # Conflict: someone saved the letter first
    refused = Signal(str)            # work waiting on a save that could not happen, and why
    edited = Signal()                # the form's content changed (typing, undo, a merge...)
    # The edit must be weighed against the database's current record first (the first edit of a letter,
    # or a save that met an approval nobody agreed to withdraw): the edit gate reads it and asks.
    gate_requested = Signal()

    def __init__(self, desk: Desk, db: OpRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.db = db
        self._record = LetterRecord()
        self._generation = 0
        self._edits = 0
        self._saved_edits = 0
        self._in_flight = False
        self._again = False
        self._save_point = False  # an explicit save (Ctrl+S) is asked for: it makes a history version
        self._waiting: list[AfterSaved] = []
        self._source: Source = lambda: None
        self._consent: tuple[object, ...] | None = None
        self._withdraws: int | None = None  # the approval the clerk agreed to withdraw
        self._held = False       # saves wait while the edit gate reads the database and asks
        self._held_save = False  # a save was asked for meanwhile
        self.gate_passed = False  # the database's record was read since the first edit of this letter
        self._note = ""
        self.kept_only = False  # the last save only reached this computer (the letter is not complete)
        self.restored = False   # the open letter's text is a restored edit, not what the database holds
        self.paused = False     # while the clerk answers a conflict nothing is saved
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_DELAY_MS)
        self.timer.timeout.connect(self.save)

    # -- state ----------------------------------------------------------------------------------
    @property
    def record(self) -> LetterRecord:
        return self._record

    @property
    def dirty(self) -> bool:
        return self._edits != self._saved_edits

    @property
    def saving(self) -> bool:
        return self._in_flight

    def set_source(self, source: Source) -> None:
        self._source = source

    def open(self, record: LetterRecord, *, dirty: bool = False) -> None:
        """Another letter is open: its record; nothing of the one before carries over."""
        self.timer.stop()
        was_dirty = self.dirty
        self._generation += 1
        self._record = record
        self._edits = self._saved_edits = 0
        self._again = False
        self._save_point = False
        self._waiting.clear()
        self._consent = None
        self._withdraws = None
        self._held = self._held_save = False
        self.gate_passed = not record.saved or not self.desk.has_workflow
        self._note = ""
        self.kept_only = False
        self.restored = dirty
        self.opened.emit(record)
        if was_dirty:
            self.dirty_changed.emit(False)
        self.save_state.emit(self.tr("Saved") if record.saved else self.tr("Not saved yet"))
        if dirty:
            self.mark_edited()

    def apply(self, detail: LetterDetail) -> None:
        """A workflow step (or a reload) read the letter again: the record follows, the form stays."""
        if detail.summary.id != self._record.id:
            return  # the window moved on to another letter meanwhile
        if self._record.version is not None and detail.summary.version < self._record.version:
            return  # an older read that returned late
        self._record = LetterRecord.of(detail)
        self.record_changed.emit(self._record)

    def take_theirs(self, detail: LetterDetail) -> None:
        """The form now shows the other person's version: that is what is saved, nothing is dirty."""
        was_dirty = self.dirty
        self.timer.stop()
        self._saved_edits = self._edits
        self._record = LetterRecord.of(detail)
        self.record_changed.emit(self._record)
        if was_dirty:
            self.dirty_changed.emit(False)

    def rebase(self, version: int) -> None:
        """Keep mine: the next save goes on top of ``version`` (someone else's)."""
        self._record = replace(self._record, version=version)
        self.save()

    # -- edits ----------------------------------------------------------------------------------
    @staticmethod
    def _consent_key(record: LetterRecord) -> tuple[object, ...]:
        # What an answer agreed to: this status of this version, and this approval (a judge who approved
        # since is asked about anew, even at the same version).
        approval = record.approval
        return record.id, record.version, record.status, approval.id if approval is not None else None

    def edit_question(self) -> str | None:
        """The question to ask before the first edit withdraws an approval or a review, else None."""
        record = self._record
        if record.status not in (Status.APPROVED, Status.EXPORTED, Status.IN_REVIEW):
            return None
        if self._consent == self._consent_key(record):
            return None
        approval = record.approval
        if record.status is Status.IN_REVIEW:
            return self.tr("Letter {id} is in review at version {v}. Editing it takes it out of review; "
                           "it must be submitted again. Edit anyway?").format(id=record.id, v=record.version)
        if approval is None:
            return self.tr("Letter {id} was approved. Editing it withdraws the approval. Edit anyway?").format(
                id=record.id)
        return self.tr("This withdraws the approval of version {v} by Judge {judge}. Edit anyway?").format(
            v=approval.version, judge=self.desk.shown_name(approval.approver))

    def consent(self) -> None:
        """The clerk chose to edit anyway: not asked again, and the next save says why in the history."""
        record = self._record
        self._consent = self._consent_key(record)
        approval = record.approval
        self._withdraws = approval.id if approval is not None else None
        if record.status is Status.IN_REVIEW:
            self._note = f"edited while in review (version {record.version}): taken out of review"
        elif approval is not None:
            self._note = (f"edited after approval: withdrew the approval of version {approval.version} "
                          f"by {approval.approver}")
        else:
            self._note = "edited after approval: approval withdrawn"

    def mark_edited(self) -> None:
        was_dirty = self.dirty
        self._edits += 1
        self.edited.emit()
        self.save_state.emit(self.tr("Unsaved changes"))
        if not was_dirty:
            self.dirty_changed.emit(True)
        if not self.paused and not self._held:
            self.timer.start()

    def hold(self) -> None:
        """No save starts until ``release``: the edit gate is reading the database's record and asking."""
        self._held = True
        self.timer.stop()

    def release(self) -> None:
        """The gate answered: the saves asked for meanwhile (and typing since) go ahead."""
        if not self._held:
            return
        self._held = False
        self.gate_passed = True
        if self._held_save or self._waiting or self.dirty:
            self._held_save = False
            self.save()

    # -- saves ----------------------------------------------------------------------------------
    def save(self, save_point: bool = False) -> None:
        """Save now; while a save is in flight the request is merged and runs on its result.

        ``save_point`` (File > Save): the result is a history version that later autosaves leave
        as it is; an autosave only amends the author's working copy.
        """
        self.timer.stop()
        if self.paused:
            return
        self._save_point = self._save_point or save_point
        if self._held:
            self._held_save = True
            return
        if self._in_flight:
            self._again = True
            return
        if not self.dirty and self._save_point and self._working_copy():
            self._start()  # nothing new typed: the working copy itself becomes a history version
            return
        self._save_point = self._save_point and self.dirty
        if not self.dirty and (self._record.saved or not self.desk.has_workflow):
            self._settle()
            return
        self._start()  # an edit, or a letter never saved (Save now puts it in the drafts database)

    def _working_copy(self) -> bool:
        detail = self._record.detail
        return self._record.saved and detail is not None and detail.current.working \
            and detail.current.author == self.desk.user and self.desk.may("edit").allowed

    def after_saved(self, fn: AfterSaved) -> None:
        """Run ``fn(record)`` once the form's content is saved, on the version that holds it."""
        self._waiting.append(fn)
        if self._in_flight or self.dirty or not self._record.saved:
            self.save()
        else:
            self._settle()

    def _start(self) -> None:
        got = self._source()
        if got is None:
            return
        pack, data = got
        edits, record, generation, note = self._edits, self._record, self._generation, self._note
        withdraws = self._withdraws
        save_point, self._save_point = self._save_point, False
        desk = self.desk
        self._in_flight = True
        self.save_state.emit(self.tr("Saving…"))

        def work() -> LetterDetail | None:
            summary = desk.save_draft(pack, record.id, data, record.version, note, save_point=save_point,
                                      withdraws=withdraws)
            workflow = desk.workflow
            if summary is None or workflow is None:
                return None
            return workflow.open(summary.id)

        self.db.run(work, lambda detail: self._saved(generation, edits, detail),
                    lambda exc: self._failed(generation, exc))

    def _saved(self, generation: int, edits: int, detail: LetterDetail | None) -> None:
        self._in_flight = False
        if generation != self._generation:
            return  # saved, but the window has another letter open now
        was_dirty = self.dirty
        self._saved_edits = max(self._saved_edits, edits)
        if detail is not None:
            self._note = ""
            self.kept_only = False
            self._record = LetterRecord.of(detail)
            self.save_state.emit(self.tr("Saved as version {v}").format(v=detail.summary.version))
            self.record_changed.emit(self._record)
        elif self.desk.has_workflow and self.desk.may("edit").allowed:
            self.kept_only = True
            self.save_state.emit(self.tr("Kept on this computer (saved once complete)"))
        else:
            self.save_state.emit(self.tr("Saved"))
        if was_dirty and not self.dirty:
            self.dirty_changed.emit(False)
        if self._again or (self._waiting and self.dirty):
            self._again = False
            if self.dirty or (self._save_point and self._working_copy()):
                self._start()
                return
        self._settle()

    def _failed(self, generation: int, exc: BaseException) -> None:
        from app.services.drafts import ApprovalNotWithdrawn

        self._in_flight = False
        self._again = False
        save_point, self._save_point = self._save_point, False
        if generation != self._generation:
            return
        if isinstance(exc, ApprovalNotWithdrawn):
            # A judge approved since this window last looked: nothing is saved until the clerk is asked
            # about that approval; what waits on the save (a submit) waits on the answer.
            self.hold()
            self._held_save = True
            self._save_point = save_point
            self.gate_passed = False
            self.save_state.emit(self.tr("Not saved yet: the letter was approved meanwhile"))
            self.gate_requested.emit()
            return
        waiting, self._waiting = self._waiting, []
        if isinstance(exc, Conflict):
            self.save_state.emit(self.tr("Not saved: {author} saved this letter first").format(author=exc.author))
            self.conflict.emit(exc)
        else:
            self.save_state.emit(self.tr("Not saved: {error}").format(error=describe_error(exc)))
        if waiting:
            self.refused.emit(self.tr("Nothing was sent: the letter could not be saved first ({error})")
                              .format(error=describe_error(exc)))

    def _settle(self) -> None:
        if self._in_flight or self.dirty or not self._waiting:
            return
        waiting, self._waiting = self._waiting, []
        if not self._record.saved:
            self.refused.emit(self.tr("The letter is not saved in the drafts database yet: complete what "
                                      "Preflight lists first"))
            return
        for fn in waiting:
            fn(self._record)

    def save_now_blocking(self) -> bool:
        """At close: the edit saved on this thread (the worker pool is idle by then); whether it reached
        the database (False: it is only kept on this computer, because the letter is not complete)."""
        self.timer.stop()
        got = self._source()
        if got is None or not self.dirty:
            return not self.kept_only
        pack, data = got
        summary = self.desk.save_draft(pack, self._record.id, data, self._record.version, self._note,
                                       withdraws=self._withdraws)
        self._saved_edits = self._edits
        if summary is not None:  # what the start card of the next start remembers
            self._record = replace(self._record, id=summary.id, version=summary.version, status=summary.status)
        return summary is not None or not self.desk.has_workflow
