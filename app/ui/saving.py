"""Autosave and conflicts: what the session saves, and what the clerk is asked when someone saved first."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from app.core.workflow import Conflict
from app.rendering.engine import CompiledPack
from app.services.conflicts import conflict_parts, take_parts
from app.ui.controller import Controller
from app.ui.dialogs import (
    ConflictDialog,
)

if TYPE_CHECKING:  # imported when first used, not at start-up
    from app.services.drafts import LetterDetail


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
        """Someone saved the letter first: reload theirs, keep mine on top, or take parts of theirs
        shown beside mine; never overwrite, never lose."""
        record = self.w.session.record
        if self.w.session.paused or conflict.letter_id != record.id or conflict.expected != record.version:
            return  # being answered, or answered already (a second save met the same newer version)
        self.w.session.paused = True
        backend = self.w.backend.workflow
        if backend is None:
            self._ask(conflict, None)
            return
        self.w.db.run(lambda: backend.conflict_versions(conflict.letter_id, conflict.expected, conflict.current),
                      lambda versions: self._ask(conflict, versions), lambda _exc: self._ask(conflict, None))

    def _ask(self, conflict: Conflict, versions: tuple[dict[str, Any], dict[str, Any]] | None) -> None:
        try:
            mine = self.w.form.data() if self.w.form is not None else None
            parts = conflict_parts(versions[0], versions[1], mine) if versions and mine is not None else []
            dialog = ConflictDialog(conflict, self.w, parts)
            dialog.exec()
            answer, taken = dialog.answer, dialog.taken()
            dialog.deleteLater()
        finally:
            self.w.session.paused = False
        if conflict.letter_id != self.w.session.record.id:
            return
        if answer == "merge" and versions is not None and mine is not None and self.w.form is not None:
            merged = take_parts(mine, versions[1], taken)
            label = self.w.tr("take {parts} from {author}").format(parts=", ".join(taken) or "nothing",
                                                                   author=conflict.author)
            self.w.document.replace(merged, "merge", label)
            self.w.previewing.request_check()
            self.w.session.rebase(conflict.current)  # mine, with their parts, on top of theirs
        elif answer == "keep":
            self.w.session.rebase(conflict.current)  # the next save goes on top of theirs
        elif answer == "reload":
            backend = self.w.backend.workflow
            assert backend is not None  # a reload is offered only with the drafts database
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
        self.w.document.replace(detail.current.data, "reload")  # mine stays one Undo away
        self.w.session.take_theirs(detail)
        self.w.save_state.setText(self.w.tr("Showing version {v} by {author}; Undo brings your edit back").format(
            v=detail.summary.version, author=detail.summary.updated_by))
        self.w.previewing.request_check()
