"""The clause bank and the address book beside the form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QInputDialog,
)

from app.core import vocabulary
from app.core.records import Clause as ClauseItem
from app.ui.addressees import label_of
from app.ui.clauses import ClauseBankPanel
from app.ui.controller import Collaborators, Part
from app.ui.reviewing import raise_dock
from app.ui.workers import describe_error

if TYPE_CHECKING:
    from app.services.desk import Desk


class ClauseBankAndAddressBook(QObject, Part):
    """The clause bank and the address book beside the form.

    Built from the desk (where clauses and addresses are kept), the database runner, the form on
    screen (a clause goes into its current paragraph, an addressee into its list), the clause bank
    panel it drives and the message port; its questions are asked over ``parent``."""

    status = Signal(str, int)  # a passing line for the status bar, and for how many ms

    def __init__(self, shared: Collaborators, panel: ClauseBankPanel) -> None:
        super().__init__(shared.parent)
        self.desk, self.db, self.form = shared.desk, shared.db, shared.form
        self.messages, self.dialog_parent = shared.messages, shared.parent
        self.panel = panel

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk

    def search_clauses(self, text: str, tag: str) -> None:
        desk = self.desk
        self.db.run(lambda: desk.clauses(text, tag), self._show_clauses)

    def _show_clauses(self, clauses: list[ClauseItem]) -> None:
        self.panel.show_clauses(clauses)

    def focus_clause_bank(self) -> None:
        raise_dock(self.panel)
        self.panel.search.setFocus()
        self.panel.search.selectAll()

    def insert_clause(self, clause: ClauseItem, at_cursor: bool) -> None:
        """``clause`` into the paragraph being edited (or as a new one); the bank counts the use, so the
        clauses a court reuses come first, and the list shows the new order."""
        form = self.form()
        section = form.current_section() if form is not None else None
        if section is None:
            self.messages.show_error(self.tr("This template has no paragraph sections to insert a clause into."))
            return
        if section.locked:
            return  # a letter this user may not edit takes nothing, and no use is counted
        section.insert_text(clause.text, at_cursor)
        desk = self.desk

        def not_counted(exc: BaseException) -> None:
            # The clause is in the letter all the same; only the bank's order missed this use.
            self.messages.show_error(self.tr("The clause was inserted, but the clause bank did not count its "
                                             "use: {error}").format(error=describe_error(exc)), error=False)
            self.panel.refresh()

        # Asked of the desk on the database's thread: an office desk still opening answers there.
        self.db.run(lambda: desk.clause_bank.use(clause.id), lambda _counted: self.panel.refresh(), not_counted)

    def save_paragraph_to_bank(self) -> None:
        form = self.form()
        section = form.current_section() if form is not None else None
        index = section.current_index if section is not None else -1
        if section is None or index < 0 or not section.values()[index].strip():
            self.messages.show_error(self.tr("Click into a paragraph first, then save it to the clause bank."))
            return
        text = section.values()[index].strip()
        title, ok = QInputDialog.getText(self.dialog_parent, self.tr("Save to clause bank"),
                                         self.tr("Title of the clause:"), text=" ".join(text.split()[:6]))
        if not ok or not title.strip():
            return
        tags = (vocabulary.section(section.key).singular,)  # "requested policy", as the starter clauses are tagged

        def added(_clause: object) -> None:
            self.status.emit(self.tr("Saved to the clause bank"), 4000)
            self.panel.refresh()

        desk = self.desk
        self.db.run(lambda: desk.add_clause(title.strip(), text, tags), added)

    def pick_addressee(self) -> None:
        def chosen(book: list[dict[str, Any]]) -> None:
            if not book:
                self.messages.show_error(self.tr("The address book is empty. Save an addressee to it first."),
                                         error=False)
                return
            labels = [label_of(e) for e in book]  # an entry may have no title (a private person)
            label, ok = QInputDialog.getItem(self.dialog_parent, self.tr("Address book"), self.tr("Addressee:"),
                                             labels, 0, False)
            form = self.form()
            if ok and form is not None:
                form.addressees.add(book[labels.index(label)])

        self.db.run(self.desk.address_book, chosen)

    def save_addressee(self, entry: dict[str, Any]) -> None:
        desk = self.desk
        name = str(entry.get("name") or "").strip() or self.tr("The addressee")

        def saved(new: object) -> None:
            message = (self.tr("{name} was added to the address book") if new is not False
                       else self.tr("{name} was updated in the address book")).format(name=name)
            self.status.emit(message, 6000)

        self.db.run(lambda: desk.add_address(entry), saved,
                    lambda exc: self.messages.show_error(self.tr("Not saved to the address book: {error}")
                                                         .format(error=describe_error(exc))))
