"""The preflight list: what stops export, each entry a link to the field it is about."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from app.core.errors import Problem
from app.core.text import Removal
from app.ui.icons import icon

_READABLE = {
    "addressees": "Addressee", "opening": "Opening", "concerns": "Concern", "requested_policies": "Requested policy",
    "closing": "Closing", "cc": "cc", "enclosures": "Enclosure", "fields": "Field", "sender": "Court",
    "signatory": "Signatory", "subject": "Subject", "date": "Date", "reference": "Reference",
}


def readable_path(path: str) -> str:
    """"concerns[1]" -> "Concern 2"; "addressees[0].name" -> "Addressee 1, name"."""
    if not path:
        return ""
    head, _, rest = path.partition(".")
    key, _, index = head.partition("[")
    text = _READABLE.get(key, key.replace("_", " ").capitalize())
    if index:
        text += f" {int(index.rstrip(']')) + 1}"
    if rest:
        text += f", {rest.replace('_', ' ')}"
    return text


class PreflightList(QWidget):
    """Shows problems and removals; activating an entry asks to focus that field."""

    focus_requested = Signal(str)
    clean_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.list = QListWidget(self)
        self.list.setObjectName("preflight")
        self.list.setAccessibleName(self.tr("Preflight: what stops export"))
        self.list.setToolTip(self.tr("Press Enter or double-click an entry to go to its field"))
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        layout.addWidget(self.list)
        self.clean_button = QPushButton(self.tr("Remove the characters Word cannot hold"), self)
        self.clean_button.setAccessibleName(self.clean_button.text())
        self.clean_button.clicked.connect(self.clean_requested)
        self.clean_button.hide()
        layout.addWidget(self.clean_button)
        self.set_entries([], [])

    def set_entries(self, problems: list[Problem], removals: list[Removal]) -> None:
        self.list.clear()
        for problem in problems:
            where = readable_path(problem.path)
            item = QListWidgetItem(icon("warning"), f"{where}: {problem.message}" if where else problem.message)
            item.setData(Qt.ItemDataRole.UserRole, problem.path)
            item.setToolTip(self.tr("Go to this field"))
            self.list.addItem(item)
        for removal in removals:
            where = readable_path(removal.path)
            times = self.tr("once") if removal.count == 1 else self.tr("{n} times").format(n=removal.count)
            item = QListWidgetItem(icon("warning"), self.tr("{where}: {what} will be removed ({times})")
                                   .format(where=where, what=removal.what, times=times))
            item.setData(Qt.ItemDataRole.UserRole, removal.path)
            self.list.addItem(item)
        count = len(problems) + len(removals)
        if count:
            self.summary.setText(self.tr("%n thing(s) to fix before export:", "", count))
        else:
            self.summary.setText(self.tr("Ready to export: nothing is missing."))
        self.clean_button.setVisible(bool(removals))

    def paths(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path is not None:
            self.focus_requested.emit(str(path))
