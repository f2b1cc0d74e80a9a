"""What the desk allows shown: the drafts list, the review pane, the clause bank, and who works where.

A desk still opening says so in the drafts list and the review pane; the drafts database, once open,
fills them (and the review pane says what it can of a letter not saved yet, never "Opening…" again);
this computer alone says why there is no review. The status bar names the user, the role and the
database of the desk the window works on now (an admin who changed their own role included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDockWidget, QLabel

from app.services.desk import Desk
from app.ui.controller import Part
from app.ui.profile import Preferences
from app.ui.session import LetterRecord, LetterSession

if TYPE_CHECKING:
    from app.ui.clauses import ClauseBankPanel
    from app.ui.drafts_browser import DraftsBrowser
    from app.ui.form import LetterForm
    from app.ui.review_pane import ReviewPane


class WorkflowPanes(QObject, Part):
    """The drafts list, the review pane and the clause bank as the desk allows; ``review_wanted(record)``
    when the review pane should read that letter's status, comments and changes."""

    review_wanted = Signal(object)   # LetterRecord
    office_opened = Signal()         # the drafts database is open: what the office keeps is read again

    def __init__(self, session: LetterSession, desk: Desk, *, prefs: Callable[[], Preferences],
                 drafts: DraftsBrowser, review: ReviewPane, review_dock: QDockWidget, clause_bank: ClauseBankPanel,
                 user_label: QLabel, database_label: QLabel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.desk = desk
        self.prefs = prefs
        self.drafts = drafts
        self.review = review
        self.review_dock = review_dock
        self.clause_bank = clause_bank
        self.user_label = user_label
        self.database_label = database_label
        self._letter_on_screen = False
        session.opened.connect(self._record_shown)
        session.record_changed.connect(self._record_shown)

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk
        self.show_identity()
        self._show_workflow()
        if desk.workflow is None or desk.opening:
            return
        record = self.session.record
        if record.id is not None:
            self.review_wanted.emit(record)  # the pane said "Opening the drafts database…" until now
        elif self._letter_on_screen:
            self.review.clear(self.tr("This letter is not saved yet; it is saved as soon as it is complete."))

    def letter_replaced(self, _form: LetterForm) -> None:
        self._letter_on_screen = True

    def show_identity(self) -> None:
        """Who works, in which role, against which database (the desk's word first, then Preferences')."""
        prefs = self.prefs()
        user = self.desk.user or prefs.user or self.tr("unnamed user")
        role = self.desk.role or prefs.role
        self.user_label.setText(self.tr("{user} ({role})").format(user=user, role=role))
        self.database_label.setText(self.tr("Database: {db}").format(db=self.desk.database))

    def _show_workflow(self) -> None:
        desk = self.desk
        if desk.opening:
            self.drafts.show_unavailable(self.tr("Opening the drafts database…"))
            self.review.clear(self.tr("Opening the drafts database… the letter's status, comments and changes "
                                      "show here in a moment."))
            return
        self.clause_bank.refresh()
        if desk.has_workflow:
            self.drafts.setEnabled(True)
            self.drafts.refresh()
            self.office_opened.emit()
        else:
            why = desk.why_no_workflow
            self.drafts.show_unavailable(self.tr("Shared drafts need the drafts database: {why}").format(why=why))
            self.review.clear(self.tr("Review needs the drafts database: {why}").format(why=why))
            self.review_dock.hide()

    def _record_shown(self, record: LetterRecord) -> None:
        if record.id is None or self.desk.opening:
            return  # the review pane and drafts list are read once the database is open
        self.review_wanted.emit(record)
        self.drafts.refresh()
