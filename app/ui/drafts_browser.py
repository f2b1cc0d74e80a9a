"""The drafts browser: my letters and those waiting for my review; search as you type."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.backend import Row

STATUSES = (("mine", "Mine and awaiting my review"), ("", "All letters"), ("draft", "Draft"),
            ("in_review", "In review"), ("changes_requested", "Changes requested"), ("approved", "Approved"),
            ("exported", "Exported"))


class DraftsBrowser(QWidget):
    """Emits ``query_changed(search, status)`` to be answered with ``show_rows``; ``open_requested(id)``."""

    query_changed = Signal(str, str)
    open_requested = Signal(int)
    new_requested = Signal()
    waiting_changed = Signal(int)  # how many letters wait for this person's review

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drafts-browser")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("drafts-search")
        self.search.setPlaceholderText(self.tr("Search letters"))
        self.search.setAccessibleName(self.tr("Search letters"))
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox(self)
        self.status.setAccessibleName(self.tr("Filter by status"))
        for value, label in STATUSES:
            self.status.addItem(self.tr(label), value)
        row.addWidget(self.search, 1)
        row.addWidget(self.status)
        layout.addLayout(row)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("drafts-list")
        self.tree.setAccessibleName(self.tr("Letters"))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels([self.tr("Subject"), self.tr("Status"), self.tr("Template"), self.tr("Addressees"),
                                   self.tr("Date"), self.tr("Last edited by")])
        self.tree.itemActivated.connect(self._activated)
        layout.addWidget(self.tree, 1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        layout.addWidget(self.note)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.status.currentIndexChanged.connect(lambda _i: self.refresh())

    def refresh(self) -> None:
        self.query_changed.emit(self.search.text(), str(self.status.currentData()))

    def show_rows(self, rows: list[Row]) -> None:
        current = self.tree.currentItem()
        keep = current.data(0, Qt.ItemDataRole.UserRole) if current else None
        self.tree.clear()
        for r in rows:
            status = r.status.replace("_", " ")
            if r.waiting_for_me:
                status += " ★"
            item = QTreeWidgetItem([r.subject, status, r.template, r.addressees, r.date,
                                    f"{r.updated_by}, {r.updated_at}"])
            item.setData(0, Qt.ItemDataRole.UserRole, r.id)
            item.setToolTip(0, r.subject)
            if r.waiting_for_me:
                item.setToolTip(1, self.tr("Waiting for your review"))
            self.tree.addTopLevelItem(item)
            if r.id == keep:
                self.tree.setCurrentItem(item)
        for column in range(1, 6):
            self.tree.resizeColumnToContents(column)
        self.tree.setColumnWidth(0, max(self.tree.columnWidth(0), 220))
        waiting = sum(1 for r in rows if r.waiting_for_me)
        self.waiting_count = waiting
        text = self.tr("%n letter(s)", "", len(rows))
        if waiting:
            text += " — <b>" + self.tr("%n waiting for you", "", waiting) + "</b>"
        self.note.setText(text)
        self.note.setEnabled(True)
        self.waiting_changed.emit(waiting)

    waiting_count = 0

    def show_waiting(self) -> None:
        """Show the letters waiting for this person ("Mine and waiting for me")."""
        index = self.status.findData("mine")
        if index >= 0 and self.status.currentIndex() != index:
            self.status.setCurrentIndex(index)

    def show_unavailable(self, why: str) -> None:
        self.tree.clear()
        self.setEnabled(False)
        self.note.setText(why)

    def _activated(self, item: QTreeWidgetItem) -> None:
        self.open_requested.emit(int(item.data(0, Qt.ItemDataRole.UserRole)))

    def ids(self) -> list[int]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [int(item.data(0, Qt.ItemDataRole.UserRole)) for item in items if item is not None]
