"""Every change of the form: the read-only gate, the withdraw-approval question, one Undo history."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from app.core.text import clean_text
from app.services.spelling import letter_names
from app.ui.controller import Controller
from app.ui.dialogs import (
    WithdrawApprovalPrompt,
)
from app.ui.document import edit_label

if TYPE_CHECKING:
    from app.services.drafts import LetterDetail

__all__ = ["Editing", "UndoKeys", "edit_label"]


NAME_PATHS = ("addressees", "signatory", "sender", "cc")


class UndoKeys(QObject):
    """Lets Undo and Redo shortcuts through a text field to the window's actions (a field would take them)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and (
                event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)):
            event.ignore()
            return True
        return False


class Editing(Controller):
    """Every change of the form: the read-only gate, the withdraw-approval question, one Undo history."""

    _asking = False  # the withdraw-approval question is on screen
    _gate_open = False  # the edit gate is reading the database's record (or asking)
    _before_gate: dict[str, Any] | None = None

    def _edited(self, path: str) -> None:
        """Every change of the form passes here: a reader's is put back, a withdrawing one asked first."""
        if self.w.form is None or self.w._restoring or self._asking:
            return  # while the clerk is asked, the prompt's own event loop delivers more signals: one answer
        after = self.w.form.data()
        before = self.w.document.data
        if after == before:
            return  # a signal that changed nothing (a highlighter re-colouring a paragraph): not an edit
        named = self.w.form.take_label()  # a move, an addition, a removal: never merged with typing
        label = named or edit_label(path)
        may_edit, why = self.w.actions_table.editable
        if not may_edit:
            self._put_back(before)
            self.w.statusBar().showMessage(why, 6000)
            return
        session = self.w.session
        if not session.gate_passed and session.desk.has_workflow and session.record.saved:
            self._through_gate(before)  # asks the database's record, then (maybe) the clerk
        else:
            question = session.edit_question()
            if question is not None:
                self._asking = True
                try:
                    confirmed = self._confirm_edit(question)
                finally:
                    self._asking = False
                if not confirmed:
                    self._put_back(before)
                    return
                session.consent()
                after = self.w.form.data()  # with whatever else changed while the prompt was open
        self.w.document.apply_edit(path, after, label, typing=not named)

    def _content_changed(self, path: str) -> None:
        """Every change of the document (an edit, an Undo, a Redo): saved, previewed, kept."""
        self._mark_dirty()
        data = self.w.document.data
        if path.startswith(NAME_PATHS) or path in ("merge", "reload", "clean", "letterhead"):
            self.w.spelling.set_names(letter_names(data))
        self.w.setWindowTitle(self.w.tr("{subject} — Chambers").format(subject=data.get("subject") or "…"))

    def _replaced(self) -> None:
        """The document's content changed other than by typing in the form: the form shows it."""
        if self.w.form is None:
            return
        self._put_back(self.w.document.data)
        self.w.document.settle(self.w.form.data())

    # -- the edit gate: the database's record, not the window's memory of it ---------------------------
    def _through_gate(self, before: dict[str, Any] | None = None) -> None:
        """The first edit of a letter (or a save that met an approval nobody agreed to withdraw): saves
        wait while the database's current record is read; the clerk is asked what the edit withdraws
        there (a judge may have approved since this window last looked), and the edit stays or goes."""
        session = self.w.session
        if self._gate_open:
            return
        self._gate_open = True
        self._before_gate = before
        session.hold()
        letter_id = session.record.id
        desk = session.desk
        if letter_id is None or not hasattr(desk, "open"):
            self._gate_open = False
            session.release()
            return

        def failed(exc: BaseException) -> None:
            self._gate_open = False
            if session.record.id == letter_id:
                session.release()  # the save says what went wrong; the database decides once more there

        self.w.db.run(lambda: desk.open(letter_id), lambda detail: self._gate_read(letter_id, detail), failed)

    def _gate_read(self, letter_id: int, detail: LetterDetail) -> None:
        session = self.w.session
        if session.record.id != letter_id or self.w.form is None:
            self._gate_open = False
            return
        if detail.summary.version != session.record.version:
            # Someone saved a newer version: the save meets it as a conflict, shown side by side (and a
            # save on top of an approved version meets the database's own refusal, which asks again).
            self._gate_open = False
            session.release()
            return
        session.apply(detail)  # the record as the database has it now: its status, its approval
        question = session.edit_question()
        if question is None:
            self._gate_open = False
            session.release()
            return
        self._asking = True
        try:
            confirmed = self._confirm_edit(question)
        finally:
            self._asking = False
            self._gate_open = False
        if confirmed:
            session.consent()
            # Whatever else changed while the prompt was open, as one more step.
            self.w.document.apply_edit("letter", self.w.form.data(), self.w.tr("Edit the letter"))
            session.release()
            return
        # Keep the approval (or the review): the letter shows what the database holds, nothing was saved.
        self.w.document.open(self.w.document.pack, detail.current.data)
        session.take_theirs(detail)
        session.release()
        self.w.previewing.request_check()

    def _confirm_edit(self, question: str) -> bool:
        dialog = WithdrawApprovalPrompt(question, self.w)
        dialog.exec()
        return dialog.clickedButton() is dialog.edit_anyway

    def _put_back(self, data: dict[str, Any]) -> None:
        """Show ``data`` again: an edit that may not happen leaves no trace (no save, no recovery file)."""
        assert self.w.form is not None
        self.w._restoring = True
        try:
            self.w.form.set_data(copy.deepcopy(data))
        finally:
            self.w._restoring = False

    def _mark_dirty(self) -> None:
        self.w.session.mark_edited()
        self.w._preview_timer.start()

    def focus_path(self, path: str) -> None:
        if self.w.form is not None and not self.w.form.focus_path(path):
            self.w.statusBar().showMessage(self.w.tr("That entry is not tied to one field"), 4000)

    def focus_form(self) -> None:
        if self.w.form is not None:
            self.w.form.subject.setFocus()

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.w.form is not None and new is not None:
            self.w.form.note_focus(new)

    def add_addressee(self) -> None:
        if self.w.form is not None:
            self.w.form.ensureWidgetVisible(self.w.form.addressees)
            self.w.form.addressees.add()

    def clean_text(self) -> None:
        """Take out what Word cannot hold, through the same cleaning the services use (one Undo step)."""
        if self.w.form is None or not self.w.actions_table.editable[0]:
            return

        def clean(value: Any) -> Any:
            if isinstance(value, str):
                return clean_text(value)[0]
            if isinstance(value, list):
                return [clean(v) for v in value]
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            return value

        self.change_letter(clean(self.w.form.data()), "clean")

    def change_letter(self, after: dict[str, Any], path: str, label: str = "") -> bool:
        """Show ``after`` as one edit of the whole letter (one Undo step, asked first when it
        withdraws an approval); whether the letter changed."""
        if self.w.form is None or not self.w.actions_table.editable[0]:
            return False
        before = self.w.form.data()
        if after == before:
            return False
        session = self.w.session
        if not session.gate_passed and session.desk.has_workflow and session.record.saved:
            self._through_gate(before)
        else:
            question = session.edit_question()
            if question is not None:
                if not self._confirm_edit(question):
                    return False
                session.consent()
        return self.w.document.replace(after, path, label)

    def _editor_created(self, editor: QWidget) -> None:
        """Every text field the form makes passes here (spell checking attaches to it)."""
        if isinstance(editor, QLineEdit | QTextEdit | QPlainTextEdit):
            self.w.spelling.attach(editor)
            self._take_undo_keys(editor)

    def _take_undo_keys(self, editor: QWidget) -> None:
        """Ctrl+Z goes to the letter's one Undo history (moves, removals, inserts too), never to a field's own."""
        if isinstance(editor, QTextEdit | QPlainTextEdit):
            editor.setUndoRedoEnabled(False)
        editor.installEventFilter(self.w._undo_keys)
