"""The letter's lists as Qt models: its addressees and the paragraphs of each section.

The editors are views of these models, as in Qt's address book example: one keystroke changes one
row (``dataChanged`` for that row alone), and reading the whole list is a copy of its references,
never a walk over the widgets. A row is never changed in place: an edit makes a new row, so a list
handed out earlier (the document's text before the edit, an Undo step, a save under way on another
thread) keeps what it held.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
Addressee = dict[str, Any]


class AddresseeListModel(QAbstractListModel):
    """The addressees in the order they are addressed: each row as typed, and as the letter keeps it.

    ``label`` names a row in the list ("Jeff Sessions — Attorney General"); ``tidy`` is the row as the
    letter's JSON has it (empty optional entries left out), made once per edit of that row.
    """

    def __init__(self, label: Callable[[Addressee], str], tidy: Callable[[Addressee], Addressee],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._label = label
        self._tidy_of = tidy
        self._rows: list[Addressee] = []
        self._tidy: list[Addressee] = []

    # -- the Qt model -------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._label(self._rows[index.row()])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    # -- the letter's side --------------------------------------------------------------------
    def row(self, row: int) -> Addressee | None:
        """The addressee at ``row`` as typed (read it, never change it in place)."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[Addressee]:
        return list(self._rows)

    def values(self) -> list[Addressee]:
        """The addressees as the letter keeps them: a new list of rows shared with earlier readings."""
        return list(self._tidy)

    def set_values(self, values: list[Addressee]) -> None:
        self.beginResetModel()
        self._rows = [dict(value) for value in values]
        self._tidy = [self._tidy_of(value) for value in self._rows]
        self.endResetModel()

    def set_field(self, row: int, key: str, value: Any) -> bool:
        """One field of one addressee; whether it changed (only that row is announced)."""
        current = self.row(row)
        if current is None or current.get(key) == value:
            return False
        changed = {**current, key: value}
        self._rows[row] = changed
        self._tidy[row] = self._tidy_of(changed)
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])
        return True

    def insert(self, row: int, value: Addressee) -> int:
        row = max(0, min(row, len(self._rows)))
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, dict(value))
        self._tidy.insert(row, self._tidy_of(self._rows[row]))
        self.endInsertRows()
        return row

    def remove(self, row: int) -> bool:
        if not 0 <= row < len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._tidy[row]
        self.endRemoveRows()
        return True

    def move(self, row: int, target: int) -> bool:
        """The addressee at ``row`` to stand at ``target`` (its index once moved)."""
        if not (0 <= row < len(self._rows) and 0 <= target < len(self._rows)) or row == target:
            return False
        # Qt counts the destination before the move: one further down when moving down.
        if not self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), target + 1 if target > row else target):
            return False
        self._rows.insert(target, self._rows.pop(row))
        self._tidy.insert(target, self._tidy.pop(row))
        self.endMoveRows()
        return True


class ParagraphListModel(QAbstractListModel):
    """A section's paragraphs (concerns, requested policies…), one row each, as plain text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[str] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._rows[index.row()]
        return None

    def values(self) -> list[str]:
        return list(self._rows)

    def text(self, row: int) -> str:
        return self._rows[row]

    def set_values(self, values: list[str]) -> None:
        """Another list: rows added or dropped at the end, and only the rows whose text differs announced."""
        values = [str(v) for v in values]
        if len(values) < len(self._rows):
            self.beginRemoveRows(QModelIndex(), len(values), len(self._rows) - 1)
            del self._rows[len(values):]
            self.endRemoveRows()
        for row, text in enumerate(values[:len(self._rows)]):
            self.set_text(row, text)
        if len(values) > len(self._rows):
            self.beginInsertRows(QModelIndex(), len(self._rows), len(values) - 1)
            self._rows.extend(values[len(self._rows):])
            self.endInsertRows()

    def set_text(self, row: int, text: str) -> bool:
        """One paragraph's text; whether it changed (only that row is announced)."""
        if not 0 <= row < len(self._rows) or self._rows[row] == text:
            return False
        self._rows[row] = text
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])
        return True

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        return self.set_text(index.row(), str(value))

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base
