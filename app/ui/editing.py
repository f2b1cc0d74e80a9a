"""Every change of the form: the read-only gate, the withdraw-approval question, one Undo history."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
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
from app.ui.controller import Collaborators, Part
from app.ui.dialogs import (
    WithdrawApprovalPrompt,
)
from app.ui.document import edit_label
from app.ui.workers import SETTLE_MS

if TYPE_CHECKING:
    from app.services.desk import Desk
    from app.services.drafts import LetterDetail
    from app.ui.form import LetterForm
    from app.ui.spelling import SpellChecking

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


class Editing(QObject, Part):
    """Every change of the form: the read-only gate, the withdraw-approval question, one Undo history.

    Built from its collaborators: the session (the record and its saves), the document (the content
    and its Undo history), the desk (who may edit), the database runner (the edit gate reads the
    current record on it), the form on screen (``form``: the open letter's, or None between letters),
    the spell checker its text fields attach to, and the widget its questions are asked over. It tells
    the window what to show through its signals."""

    status = Signal(str, int)      # a passing line for the status bar, and for how many ms
    title_changed = Signal(str)    # the window's title follows the letter's subject
    preview_wanted = Signal()      # the content changed: the preview and preflight check it again

    def __init__(self, shared: Collaborators, spelling: SpellChecking) -> None:
        super().__init__(shared.parent)
        self.session, self.document, self.desk, self.db = shared.session, shared.document, shared.desk, shared.db
        self.form = shared.form
        self.spelling = spelling
        self.dialog_parent = shared.parent
        self.undo_keys = UndoKeys(self)
        self._restoring = False  # the form is shown something again: its signals are not edits
        self._asking = False  # the withdraw-approval question is on screen
        self._gate_open = False  # the edit gate is reading the database's record (or asking)
        shared.document.content_changed.connect(self._content_changed)
        shared.document.replaced.connect(self._replaced)
        # Deferred: the session asks from inside a save's callback, and the question opens its own loop.
        shared.session.gate_requested.connect(lambda: QTimer.singleShot(0, self.through_gate))

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk

    @property
    def editable(self) -> tuple[bool, str]:
        """Whether this desk's user may edit letters, and why not (the workflow's verdict)."""
        ok, why = self.desk.may("edit")
        return ok, why[:1].upper() + why[1:]

    def letter_replaced(self, form: LetterForm) -> None:
        """Another letter is open in ``form`` (the window's lifecycle, called before the document shows
        in it): its changes come here, its fields' Undo keys go to the document's one history."""
        for editor in form.findChildren(QLineEdit) + form.findChildren(QTextEdit) + form.findChildren(QPlainTextEdit):
            self.take_undo_keys(editor)
        form.edited.connect(self.form_edited)

    def form_edited(self, path: str) -> None:
        """Every change of the form passes here: a reader's is put back, a withdrawing one asked first."""
        form = self.form()
        if form is None or self._restoring or self._asking:
            return  # while the clerk is asked, the prompt's own event loop delivers more signals: one answer
        after = form.data()
        before = self.document.data
        if after == before:
            return  # a signal that changed nothing (a highlighter re-colouring a paragraph): not an edit
        named = form.take_label()  # a move, an addition, a removal: never merged with typing
        label = named or edit_label(path)
        may_edit, why = self.editable
        if not may_edit:
            self._put_back(before)
            self.status.emit(why, 6000)
            return
        session = self.session
        if not session.gate_passed and session.desk.has_workflow and session.record.saved:
            self.through_gate()  # asks the database's record, then (maybe) the clerk
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
                after = form.data()  # with whatever else changed while the prompt was open
        self.document.apply_edit(path, after, label, typing=not named)

    def _content_changed(self, path: str) -> None:
        """Every change of the document (an edit, an Undo, a Redo): saved, previewed, kept."""
        self.session.mark_edited()
        self.preview_wanted.emit()
        data = self.document.data
        if path.startswith(NAME_PATHS) or path in ("merge", "reload", "clean", "letterhead"):
            self.spelling.set_names(letter_names(data))
        self.title_changed.emit(self.tr("{subject} — Chambers").format(subject=data.get("subject") or "…"))

    def _replaced(self) -> None:
        """The document's content changed other than by typing in the form: the form shows it."""
        form = self.form()
        if form is None:
            return
        self._put_back(self.document.data)
        self.document.settle(form.data())

    # -- the edit gate: the database's record, not the window's memory of it ---------------------------
    def through_gate(self) -> None:
        """The first edit of a letter (or a save that met an approval nobody agreed to withdraw): saves
        wait while the database's current record is read; the clerk is asked what the edit withdraws
        there (a judge may have approved since this window last looked), and the edit stays or goes."""
        session = self.session
        if self._gate_open:
            return
        self._gate_open = True
        session.hold()
        letter_id = session.record.id
        desk = session.desk.workflow
        if letter_id is None or desk is None:
            self._gate_open = False
            session.release()
            return

        def failed(exc: BaseException) -> None:
            self._gate_open = False
            if session.record.id == letter_id:
                session.release()  # the save says what went wrong; the database decides once more there

        self.db.run(lambda: desk.open(letter_id), lambda detail: self._gate_read(letter_id, detail), failed)

    def _gate_read(self, letter_id: int, detail: LetterDetail) -> None:
        session = self.session
        form = self.form()
        if session.record.id != letter_id or form is None:
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
            self.document.apply_edit("letter", form.data(), self.tr("Edit the letter"))
            session.release()
            return
        # Keep the approval (or the review): the letter shows what the database holds, nothing was saved.
        self.document.open(self.document.pack, detail.current.data)
        session.take_theirs(detail)
        session.release()
        self.preview_wanted.emit()

    def _confirm_edit(self, question: str) -> bool:
        dialog = WithdrawApprovalPrompt(question, self.dialog_parent)
        dialog.exec()
        return dialog.clickedButton() is dialog.edit_anyway

    def _put_back(self, data: dict[str, Any]) -> None:
        """Show ``data`` again: an edit that may not happen leaves no trace (no save, no recovery file)."""
        form = self.form()
        assert form is not None
        self._restoring = True
        try:
            form.set_data(copy.deepcopy(data))
        finally:
            self._restoring = False

    def focus_path(self, path: str) -> None:
        form = self.form()
        if form is not None and not form.focus_path(path):
            self.status.emit(self.tr("That entry is not tied to one field"), 4000)

    def focus_form(self) -> None:
        form = self.form()
        if form is not None:
            form.subject.setFocus()

    def letter_checked(self, _check: object) -> None:
        """The word list is read once the first preview is on screen (and, at a start that opens the
        database behind the letter, once that is done: their loads' peaks of memory never add up)."""
        if not self.spelling.started and not self.desk.opening:
            QTimer.singleShot(SETTLE_MS, self.spelling.start)

    def focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        form = self.form()
        if form is not None and new is not None:
            form.note_focus(new)

    def add_addressee(self) -> None:
        form = self.form()
        if form is not None:
            form.ensureWidgetVisible(form.addressees)
            form.addressees.add()

    def clean_text(self) -> None:
        """Take out what Word cannot hold, through the same cleaning the services use (one Undo step)."""
        form = self.form()
        if form is None or not self.editable[0]:
            return

        def clean(value: Any) -> Any:
            if isinstance(value, str):
                return clean_text(value)[0]
            if isinstance(value, list):
                return [clean(v) for v in value]
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            return value

        self.change_letter(clean(form.data()), "clean")

    def change_letter(self, after: dict[str, Any], path: str, label: str = "") -> bool:
        """Show ``after`` as one edit of the whole letter (one Undo step, asked first when it
        withdraws an approval); whether the letter changed."""
        form = self.form()
        if form is None or not self.editable[0]:
            return False
        before = form.data()
        if after == before:
            return False
        session = self.session
        if not session.gate_passed and session.desk.has_workflow and session.record.saved:
            self.through_gate()
        else:
            question = session.edit_question()
            if question is not None:
                if not self._confirm_edit(question):
                    return False
                session.consent()
        return self.document.replace(after, path, label)

    def editor_created(self, editor: QWidget) -> None:
        """Every text field the form makes passes here (spell checking attaches to it)."""
        if isinstance(editor, QLineEdit | QTextEdit | QPlainTextEdit):
            self.spelling.attach(editor)
            self.take_undo_keys(editor)

    def take_undo_keys(self, editor: QWidget) -> None:
        """Ctrl+Z goes to the letter's one Undo history (moves, removals, inserts too), never to a field's own."""
        if isinstance(editor, QTextEdit | QPlainTextEdit):
            editor.setUndoRedoEnabled(False)
        editor.installEventFilter(self.undo_keys)
