"""Autosave and conflicts: what the session saves, and what the clerk is asked when someone saved first."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from app.core.workflow import Conflict
from app.rendering.engine import CompiledPack
from app.services.conflicts import conflict_parts, take_parts
from app.ui.controller import Collaborators, Part
from app.ui.dialogs import (
    CloseUnsavedPrompt,
    ConflictDialog,
)
from app.ui.workers import describe_error

if TYPE_CHECKING:  # imported when first used, not at start-up
    from app.services.desk import Desk
    from app.services.drafts import LetterDetail


class Saving(QObject, Part):
    """Autosave and conflicts: what the session saves, and what the clerk is asked when someone saved first.

    Built from the session (it saves what ``save_source`` gives), the document (a merge or their
    version is one edit of it), the desk, the database runner, the form on screen, the autosave
    state label it owns (``save_state``, which the window puts in its status bar) and the message
    port; the conflict question is asked over ``parent``."""

    preview_wanted = Signal()    # the letter shows other text (their version, a merge): checked again
    reload_failed = Signal(object)  # BaseException: their version could not be read (the letter is read again)

    def __init__(self, shared: Collaborators) -> None:
        super().__init__(shared.parent)
        self.session, self.document, self.desk, self.db = shared.session, shared.document, shared.desk, shared.db
        self.form, self.messages, self.dialog_parent = shared.form, shared.messages, shared.parent
        session = self.session
        self.save_state = QLabel(self.tr("No changes"), shared.parent)
        self.save_state.setObjectName("autosave-state")
        self.save_state.setAccessibleName(self.tr("Autosave state"))
        session.set_source(self.save_source)
        session.save_state.connect(self.show_save_state)
        # Deferred: the conflict is met inside a save's callback, and the question opens its own loop.
        session.conflict.connect(lambda exc: QTimer.singleShot(0, lambda: self.resolve_conflict(exc)))

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk

    def may_close(self) -> bool:
        """Closing saves what was typed (waiting for a save under way first); the clerk is asked only when
        the edit cannot be saved anywhere. False: they chose to keep the window open."""
        self.session.timer.stop()
        if self.form() is None or not self.session.dirty:
            return True
        try:
            self.session.save_now_blocking()
        except Exception as exc:  # the prompt below tells the user; nothing else may crash here
            prompt = CloseUnsavedPrompt(describe_error(exc), self.dialog_parent)
            prompt.exec()
            return prompt.clickedButton() is prompt.discard
        return True

    def autosave(self) -> None:
        """Save now (File > Save, Ctrl+S): a history version, where typing pauses only amend the
        working copy; one save at a time."""
        self.session.save(save_point=True)

    def save_source(self) -> tuple[CompiledPack, dict[str, Any]] | None:
        """What a save takes, read on the GUI thread: the pack and the form's content (nothing for a
        reader, whose form is read-only)."""
        form = self.form()
        pack = self.document.pack
        if form is None or pack is None or not self.desk.may("edit")[0]:
            return None
        return pack, form.data()

    def show_save_state(self, text: str) -> None:
        now = dt.datetime.now().strftime("%H:%M")
        self.save_state.setText(text if text in (self.tr("Unsaved changes"), self.tr("Saving…"))
                                else self.tr("{state} at {time}").format(state=text, time=now))
        self.save_state.setToolTip(text)

    def resolve_conflict(self, conflict: Conflict) -> None:
        """Someone saved the letter first: reload theirs, keep mine on top, or take parts of theirs
        shown beside mine; never overwrite, never lose."""
        record = self.session.record
        if self.session.paused or conflict.letter_id != record.id or conflict.expected != record.version:
            return  # being answered, or answered already (a second save met the same newer version)
        self.session.paused = True
        workflow = self.desk.workflow
        if workflow is None:
            self._ask(conflict, None)
            return
        self.db.run(lambda: workflow.conflict_versions(conflict.letter_id, conflict.expected, conflict.current),
                    lambda versions: self._ask(conflict, versions), lambda _exc: self._ask(conflict, None))

    def _ask(self, conflict: Conflict, versions: tuple[dict[str, Any], dict[str, Any]] | None) -> None:
        form = self.form()
        try:
            mine = form.data() if form is not None else None
            parts = conflict_parts(versions[0], versions[1], mine) if versions and mine is not None else []
            dialog = ConflictDialog(conflict, self.dialog_parent, parts)
            dialog.exec()
            answer, taken = dialog.answer, dialog.taken()
            dialog.deleteLater()
        finally:
            self.session.paused = False
        if conflict.letter_id != self.session.record.id:
            return
        if answer == "merge" and versions is not None and mine is not None and self.form() is not None:
            merged = take_parts(mine, versions[1], taken, versions[0])
            label = self.tr("take {parts} from {author}").format(parts=", ".join(taken) or "nothing",
                                                                 author=conflict.author)
            self.document.replace(merged, "merge", label)
            self.preview_wanted.emit()
            self.session.rebase(conflict.current)  # mine, with their parts, on top of theirs
        elif answer == "keep":
            self.session.rebase(conflict.current)  # the next save goes on top of theirs
        elif answer == "reload":
            workflow = self.desk.workflow
            assert workflow is not None  # a reload is offered only with the drafts database
            letter_id = conflict.letter_id
            base = conflict.expected

            def fetch() -> LetterDetail:
                if mine is not None:
                    workflow.keep(letter_id, mine, base)
                return workflow.open(letter_id)

            self.db.run(fetch, self._take_theirs, self.reload_failed.emit)
        else:
            self.messages.show_error(self.tr("Not saved: {why} Save again (Ctrl+S) to choose.").format(
                why=str(conflict)))

    def _take_theirs(self, detail: LetterDetail) -> None:
        """Show the other version; mine stays one Undo away (and in my recovery journal)."""
        if self.form() is None or detail.summary.id != self.session.record.id:
            return
        self.document.replace(detail.current.data, "reload")  # mine stays one Undo away
        self.session.take_theirs(detail)
        self.save_state.setText(self.tr("Showing version {v} by {author}; Undo brings your edit back").format(
            v=detail.summary.version, author=detail.summary.updated_by))
        self.preview_wanted.emit()
