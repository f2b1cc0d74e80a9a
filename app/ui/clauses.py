"""The clause bank beside the form: search by words and tags, insert, save a paragraph to it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.backend import ClauseItem


def listed(title: str, text: str) -> str:
    """A clause as the list shows it: its title, then its text without the title said twice (a clause
    named by its first sentence shows that sentence once)."""
    rest = text.strip()
    cut = title.endswith("\u2026")
    head = title.rstrip("\u2026")
    after = rest[len(head):len(head) + 1]
    if head and rest.startswith(head) and (cut or after in ("", ".", ";", ":")):
        rest = rest[len(head):].lstrip(" .;:")
        if cut and rest:
            rest = "\u2026" + rest
    return f"{title}\n{rest}" if rest else title


class ClauseBankPanel(QWidget):
    """Lists clauses matching the search; ``insert_requested(clause, at_cursor)`` inserts one."""

    insert_requested = Signal(object, bool)  # (ClauseItem, at_cursor): the clause whole, so its use is counted
    save_requested = Signal()
    search_changed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clause-bank")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("clause-search")
        self.search.setPlaceholderText(self.tr("Search clauses by words or tags"))
        self.search.setAccessibleName(self.tr("Search the clause bank"))
        self.search.setClearButtonEnabled(True)
        self.tag = QComboBox(self)
        self.tag.setAccessibleName(self.tr("Clause tag"))
        self.tag.addItem(self.tr("All tags"), "")
        row.addWidget(self.search, 1)
        row.addWidget(self.tag)
        layout.addLayout(row)
        self.list = QListWidget(self)
        self.list.setObjectName("clause-list")
        self.list.setAccessibleName(self.tr("Clauses"))
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        self.list.setToolTip(self.tr("Enter inserts the clause as a new paragraph"))
        self.list.itemActivated.connect(lambda _i: self._insert(False))
        layout.addWidget(self.list, 1)
        # Two rows: on one the three buttons would set the clause bank's narrowest width, and the form's room.
        buttons = QGridLayout()
        self.insert_new = QPushButton(self.tr("Insert as &new paragraph"), self)
        self.insert_at_cursor = QPushButton(self.tr("Insert at &cursor"), self)
        self.save = QPushButton(self.tr("Save paragraph to bank"), self)
        self.save.setToolTip(self.tr("Save the paragraph being edited as a new clause"))
        for b in (self.insert_new, self.insert_at_cursor, self.save):
            b.setAccessibleName(b.text().replace("&", ""))
        buttons.addWidget(self.insert_new, 0, 0)
        buttons.addWidget(self.insert_at_cursor, 0, 1)
        buttons.addWidget(self.save, 1, 0, 1, 2)
        layout.addLayout(buttons)
        self.insert_new.clicked.connect(lambda: self._insert(False))
        self.insert_at_cursor.clicked.connect(lambda: self._insert(True))
        self.save.clicked.connect(self.save_requested)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._emit_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.tag.currentIndexChanged.connect(lambda _i: self._emit_search())
        self._known_tags: set[str] = set()

    def _emit_search(self) -> None:
        self.search_changed.emit(self.search.text(), str(self.tag.currentData() or ""))

    def refresh(self) -> None:
        self._emit_search()

    def current_clause(self) -> ClauseItem | None:
        item = self.list.currentItem()
        clause = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return clause if isinstance(clause, ClauseItem) else None

    def show_clauses(self, clauses: list[ClauseItem]) -> None:
        """``clauses`` in the bank's order (the most used first); the clause that was current stays current
        when it is still listed, so a list reordered by an insert keeps the clerk's place."""
        shown = self.current_clause()
        self.list.clear()
        current = 0
        for row, clause in enumerate(clauses):
            if shown is not None and clause.id == shown.id:
                current = row
            tags = ", ".join(clause.tags)
            item = QListWidgetItem(listed(clause.title, clause.text))
            item.setData(Qt.ItemDataRole.UserRole, clause)
            item.setToolTip(self.tr("Tags: {tags}").format(tags=tags) if tags else clause.title)
            self.list.addItem(item)
            for tag in clause.tags:
                if tag not in self._known_tags:
                    self._known_tags.add(tag)
                    self.tag.addItem(tag, tag)
        if self.list.count():
            self.list.setCurrentRow(current)
        enabled = self.list.count() > 0
        self.insert_new.setEnabled(enabled)
        self.insert_at_cursor.setEnabled(enabled)

    def _insert(self, at_cursor: bool) -> None:
        clause = self.current_clause()
        if clause is not None:
            self.insert_requested.emit(clause, at_cursor)


SearchFn = Callable[[str, str], list[ClauseItem]]
