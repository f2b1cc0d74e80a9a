"""The clause bank and the address book beside the form."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QInputDialog,
)

from app.core.records import Clause as ClauseItem
from app.ui.addressees import label_of
from app.ui.controller import Controller
from app.ui.workers import describe_error


class ClauseBankAndAddressBook(Controller):
    """The clause bank and the address book beside the form."""

    def _search_clauses(self, text: str, tag: str) -> None:
        backend = self.w.backend
        self.w.db.run(lambda: backend.clauses(text, tag), self._show_clauses)

    def _show_clauses(self, clauses: list[ClauseItem]) -> None:
        self.w.clause_bank.show_clauses(clauses)

    def focus_clause_bank(self) -> None:
        self.w.clause_dock.show()
        self.w.clause_dock.raise_()
        self.w.clause_bank.search.setFocus()
        self.w.clause_bank.search.selectAll()

    def insert_clause(self, text: str, at_cursor: bool) -> None:
        section = self.w.form.current_section() if self.w.form is not None else None
        if section is None:
            self.w.show_error(self.w.tr("This template has no paragraph sections to insert a clause into."))
            return
        section.insert_text(text, at_cursor)

    def save_paragraph_to_bank(self) -> None:
        section = self.w.form.current_section() if self.w.form is not None else None
        index = section.current_index if section is not None else -1
        if section is None or index < 0 or not section.values()[index].strip():
            self.w.show_error(self.w.tr("Click into a paragraph first, then save it to the clause bank."))
            return
        text = section.values()[index].strip()
        title, ok = QInputDialog.getText(self.w, self.w.tr("Save to clause bank"), self.w.tr("Title of the clause:"),
                                         text=" ".join(text.split()[:6]))
        if not ok or not title.strip():
            return
        tags = (section.key.replace("_", " ").rstrip("s"),)
        def added(_clause: object) -> None:
            self.w.statusBar().showMessage(self.w.tr("Saved to the clause bank"), 4000)
            self.w.clause_bank.refresh()

        backend = self.w.backend
        self.w.db.run(lambda: backend.add_clause(title.strip(), text, tags), added)

    def pick_addressee(self) -> None:
        def chosen(book: list[dict[str, Any]]) -> None:
            if not book:
                self.w.show_error(self.w.tr("The address book is empty. Save an addressee to it first."), error=False)
                return
            labels = [label_of(e) for e in book]  # an entry may have no title (a private person)
            label, ok = QInputDialog.getItem(self.w, self.w.tr("Address book"), self.w.tr("Addressee:"), labels,
                                             0, False)
            if ok and self.w.form is not None:
                self.w.form.addressees.add(book[labels.index(label)])

        self.w.db.run(self.w.backend.address_book, chosen)

    def save_addressee(self, entry: dict[str, Any]) -> None:
        backend = self.w.backend

        name = str(entry.get("name") or "").strip() or self.w.tr("The addressee")

        def saved(new: object) -> None:
            message = (self.w.tr("{name} was added to the address book") if new is not False
                       else self.w.tr("{name} was updated in the address book")).format(name=name)
            self.w.statusBar().showMessage(message, 6000)

        self.w.db.run(lambda: backend.add_address(entry), saved,
                    lambda exc: self.w.show_error(self.w.tr("Not saved to the address book: {error}")
                                                .format(error=describe_error(exc))))
