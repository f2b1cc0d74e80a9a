"""Autosave and conflicts: what the session saves, and what the clerk is asked when someone saved first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core.workflow import Conflict
from app.rendering.engine import CompiledPack
from app.services.drafts import LetterDetail
from app.ui.backend import ServiceBackend
from app.ui.controller import Controller
from app.ui.dialogs import (
    ConflictDialog,
)
from app.ui.editing import SnapshotCommand


class Saving(Controller):
    """Autosave and conflicts: what the session saves, and what the clerk is asked when someone saved first."""

    def autosave(self) -> None:
        """Save now (File > Save, Ctrl+S): a history version, where typing pauses only amend the
        working copy; one save at a time."""
        self.w.session.save(save_point=True)

    def _save_source(self) -> tuple[CompiledPack, dict[str, Any]] | None:
        if self.w.form is None or self.w.pack is None or not self.w.actions_table.editable[0]:
            return None
        return self.w.pack, self.w.form.data()

    def _show_save_state(self, text: str) -> None:
        now = dt.datetime.now().strftime("%H:%M")
        self.w.save_state.setText(text if text in (self.w.tr("Unsaved changes"), self.w.tr("Saving…"))
                                else self.w.tr("{state} at {time}").format(state=text, time=now))
        self.w.save_state.setToolTip(text)

    def resolve_conflict(self, conflict: Conflict) -> None:
        """Someone saved the letter first: reload theirs or keep mine on top; never overwrite, never lose."""
        record = self.w.session.record
        if self.w.session.paused or conflict.letter_id != record.id or conflict.expected != record.version:
            return  # being answered, or answered already (a second save met the same newer version)
        self.w.session.paused = True
        try:
            dialog = ConflictDialog(conflict, self.w)
            dialog.exec()
            answer = dialog.answer
        finally:
            self.w.session.paused = False
        if conflict.letter_id != self.w.session.record.id:
            return
        if answer == "keep":
            self.w.session.rebase(conflict.current)  # the next save goes on top of theirs
        elif answer == "reload":
            backend = self.w.backend
            assert isinstance(backend, ServiceBackend)
            mine = self.w.form.data() if self.w.form is not None else None
            letter_id = conflict.letter_id
            base = conflict.expected

            def fetch() -> LetterDetail:
                if mine is not None:
                    backend.keep(letter_id, mine, base)
                return backend.open(letter_id)

            self.w.db.run(fetch, self._take_theirs, self.w.reviewing._transition_failed)
        else:
            self.w.show_error(self.w.tr("Not saved: {why} Save again (Ctrl+S) to choose.").format(why=str(conflict)))

    def _take_theirs(self, detail: LetterDetail) -> None:
        """Show the other version; mine stays one Undo away (and in my recovery journal)."""
        if self.w.form is None or detail.summary.id != self.w.session.record.id:
            return
        mine = self.w.form.data()
        self.w.editing._put_back(detail.current.data)
        self.w._snapshot = self.w.form.data()
        self.w.undo_stack.push(SnapshotCommand(self.w, mine, self.w._snapshot, "reload"))
        self.w.session.take_theirs(detail)
        self.w.save_state.setText(self.w.tr("Showing version {v} by {author}; Undo brings your edit back").format(
            v=detail.summary.version, author=detail.summary.updated_by))
        self.w.previewing.request_check()
