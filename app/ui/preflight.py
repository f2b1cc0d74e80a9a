"""The preflight list: what stops export, each entry a link to the field it is about; below it the
advice that does not (forms of address a rule had to guess or a clerk typed wrong, a font the PDF
would substitute), with the fix offered where one fits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from app.core.address import Finding
from app.core.errors import Problem
from app.core.text import Removal
from app.ui.icons import icon

if TYPE_CHECKING:
    from app.services.checking import Check

_READABLE = {
    "addressees": "Addressee", "opening": "Opening", "concerns": "Concern", "requested_policies": "Requested policy",
    "closing": "Closing", "cc": "cc", "enclosures": "Enclosure", "fields": "Field", "sender": "Court",
    "signatory": "Signatory", "subject": "Subject", "date": "Date", "reference": "Reference",
    "group_salutation": "Group salutation",
}
_FIX = Qt.ItemDataRole.UserRole + 1       # the value a fix puts in the field, when one fits
_FIX_TEXT = Qt.ItemDataRole.UserRole + 2  # what the fix says ("Write 'The Honorable'.")
_KIND = Qt.ItemDataRole.UserRole + 3      # "error" stops export; "advice" does not


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
    fix_requested = Signal(str, str)  # field path, the value to put there
    title_changed = Signal(str)  # "Preflight (3)": what its dock's title says

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
        self.advice_summary = QLabel(self)
        self.advice_summary.setWordWrap(True)
        layout.addWidget(self.advice_summary)
        self.advice = QListWidget(self)
        self.advice.setObjectName("preflight-advice")
        self.advice.setAccessibleName(self.tr("Preflight advice: does not stop export"))
        self.advice.setToolTip(self.tr("Press Enter or double-click an entry to go to its field"))
        self.advice.itemActivated.connect(self._activated)
        self.advice.itemClicked.connect(self._activated)
        self.advice.currentItemChanged.connect(lambda _new, _old: self._show_fix())
        layout.addWidget(self.advice)
        self.fix_button = QPushButton(self.tr("Apply the fix"), self)
        self.fix_button.setObjectName("preflight-fix")
        self.fix_button.setAccessibleName(self.tr("Apply the fix offered for the selected advice"))
        self.fix_button.clicked.connect(self._apply_fix)
        self.fix_button.hide()
        layout.addWidget(self.fix_button)
        self._shown: tuple[list[Problem], list[Removal], list[Finding], list[Problem]] | None = None
        self.set_entries([], [])

    def show_check(self, check: Check) -> None:
        """What a check of the letter found, listed; the title counts what stops export."""
        self.set_entries(check.problems, check.removals, check.advice, check.print_warnings)
        count = len(check.problems) + len(check.removals)
        self.title_changed.emit(self.tr("Preflight ({n})").format(n=count) if count else self.tr("Preflight"))

    def set_entries(self, problems: list[Problem], removals: list[Removal],
                    findings: list[Finding] | None = None, warnings: list[Problem] | None = None) -> None:
        shown = (list(problems), list(removals), list(findings or []), list(warnings or []))
        if shown == self._shown:
            return  # asked after every keystroke: the lists are rebuilt only when what they say changed
        self._shown = shown
        self._set_advice(findings or [], warnings or [])
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

    def _set_advice(self, findings: list[Finding], warnings: list[Problem]) -> None:
        current = self.advice.currentItem()
        keep = (current.data(Qt.ItemDataRole.UserRole), current.text()) if current is not None else None
        self.advice.clear()
        for finding in findings:
            where = readable_path(finding.path)
            text = f"{finding.problem} {finding.fix}"
            item = QListWidgetItem(icon("comment") if finding.kind == "guess" else icon("warning"),
                                   f"{where}: {text}" if where else text)
            item.setData(Qt.ItemDataRole.UserRole, finding.path)
            item.setData(_KIND, "advice")
            if finding.value is not None:
                item.setData(_FIX, finding.value)
                item.setData(_FIX_TEXT, finding.fix)
            item.setToolTip(self.tr("Go to this field"))
            self.advice.addItem(item)
        for warning in warnings:
            item = QListWidgetItem(icon("warning"), self.tr("Printing: {what}").format(what=warning.message))
            item.setData(Qt.ItemDataRole.UserRole, warning.path)
            item.setData(_KIND, "advice")
            self.advice.addItem(item)
        count = self.advice.count()
        self.advice_summary.setText(self.tr("%n piece(s) of advice (export is not stopped):", "", count)
                                    if count else "")
        self.advice_summary.setVisible(bool(count))
        self.advice.setVisible(bool(count))
        if keep is not None:
            # The list is rebuilt on every keystroke: the clerk's place in it stays where it was.
            for i in range(self.advice.count()):
                item = self.advice.item(i)
                if (item.data(Qt.ItemDataRole.UserRole), item.text()) == keep:
                    self.advice.setCurrentItem(item)
                    break
        self._show_fix()

    def _show_fix(self) -> None:
        item = self.advice.currentItem()
        if item is None and self.advice.count():
            # With one fix on offer the button stands ready without choosing the entry first.
            fixable = [self.advice.item(i) for i in range(self.advice.count())
                       if self.advice.item(i).data(_FIX) is not None]
            item = fixable[0] if len(fixable) == 1 else None
        value = item.data(_FIX) if item is not None else None
        self._fix_item = item if value is not None else None
        if value is None:
            self.fix_button.hide()
            return
        where = readable_path(str(item.data(Qt.ItemDataRole.UserRole)))
        text = self.tr("Fix {where}: {fix}").format(where=where, fix=str(item.data(_FIX_TEXT)))
        self.fix_button.setText(text)
        self.fix_button.setAccessibleName(text)
        self.fix_button.show()

    _fix_item: QListWidgetItem | None = None

    def fixes(self) -> list[tuple[str, str]]:
        """(field path, value) of every fix on offer."""
        return [(str(self.advice.item(i).data(Qt.ItemDataRole.UserRole)), str(self.advice.item(i).data(_FIX)))
                for i in range(self.advice.count()) if self.advice.item(i).data(_FIX) is not None]

    def advice_texts(self) -> list[str]:
        return [self.advice.item(i).text() for i in range(self.advice.count())]

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _apply_fix(self) -> None:
        item = self._fix_item
        if item is not None and item.data(_FIX) is not None:
            self.fix_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)), str(item.data(_FIX)))

    def paths(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path is not None:
            self.focus_requested.emit(str(path))
