"""An admin's user management: add users, change a role, set or remove a signature image, deactivate
and reactivate.

Every change goes through the Users service (``app.services.office``) on the database thread;
the list is read again from its result, so what is shown is what the database holds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.workflow import Role
from app.services.desk import ServiceDesk
from app.services.office import ROLE_SENTENCES
from app.services.views import UserRow
from app.ui.workers import OpRunner, describe_error

COLUMNS = ("User name", "Full name", "Role", "Signature image", "Active")


class UsersDialog(QDialog):
    """The office's users; ``changed`` carries what the last change did ("ann is now a judge")."""

    changed = Signal(str)
    listed = Signal(int)

    def __init__(self, desk: ServiceDesk, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.runner = runner
        self.rows: list[UserRow] = []
        self.setObjectName("users-dialog")
        self.setWindowTitle(self.tr("Users"))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Who may work in this office's letters. Clerks draft, judges review, approve and "
                               "export; admins manage users, the clause bank and template packs."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("users-table")
        self.table.setAccessibleName(self.tr("Users"))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)

        chosen = QHBoxLayout()
        self.role = _role_box(self)
        self.role.setAccessibleName(self.tr("Role of the selected user"))
        self.set_role_button = QPushButton(self.tr("Set &role"), self)
        self.signature_button = QPushButton(self.tr("Set &signature image…"), self)
        self.remove_signature_button = QPushButton(self.tr("Remove si&gnature"), self)
        self.deactivate_button = QPushButton(self.tr("&Deactivate"), self)
        self.activate_button = QPushButton(self.tr("Reac&tivate"), self)
        chosen.addWidget(QLabel(self.tr("Selected user:"), self))
        for w in (self.role, self.set_role_button, self.signature_button, self.remove_signature_button,
                  self.deactivate_button, self.activate_button):
            chosen.addWidget(w)
        chosen.addStretch(1)
        layout.addLayout(chosen)
        self.set_role_button.clicked.connect(self._set_role)
        self.signature_button.clicked.connect(self._set_signature)
        self.remove_signature_button.clicked.connect(lambda: self._run(
            lambda name: self.desk.set_signature(name, None)))
        self.deactivate_button.clicked.connect(lambda: self._run(self.desk.deactivate))
        self.activate_button.clicked.connect(lambda: self._run(self.desk.activate))

        add = QGroupBox(self.tr("Add a user"), self)
        form = QFormLayout(add)
        self.new_name = QLineEdit(add)
        self.new_name.setObjectName("new-user-name")
        self.new_name.setAccessibleName(self.tr("New user's name"))
        self.new_name.setPlaceholderText(self.tr("lower-case, e.g. ann or t.cantil-sakauye"))
        self.new_full_name = QLineEdit(add)
        self.new_full_name.setAccessibleName(self.tr("New user's full name"))
        self.new_full_name.setPlaceholderText(self.tr("As it is signed, e.g. Tani G. Cantil-Sakauye"))
        self.new_role = _role_box(add)
        self.new_role.setAccessibleName(self.tr("New user's role"))
        self.add_button = QPushButton(self.tr("&Add user"), add)
        form.addRow(self.tr("&User name"), self.new_name)
        form.addRow(self.tr("&Full name"), self.new_full_name)
        form.addRow(self.tr("R&ole"), self.new_role)
        form.addRow("", self.add_button)
        self.add_button.clicked.connect(self._add)
        layout.addWidget(add)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Result"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 560)
        self._selected()
        self.refresh()

    # -- the list ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.runner.run(self.desk.users, self._show, self._failed)

    def _show(self, rows: list[UserRow]) -> None:
        keep = self.selected_name()
        self.rows = list(rows)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            values = (row.name, row.full_name, row.role.value, self.tr("yes") if row.has_signature else "",
                      self.tr("yes") if row.active else self.tr("deactivated"))
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))
            if row.name == keep:
                self.table.selectRow(i)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self._selected()
        self.listed.emit(len(rows))

    def selected_name(self) -> str | None:
        items = self.table.selectedItems()
        return self.rows[items[0].row()].name if items and items[0].row() < len(self.rows) else None

    def select(self, name: str) -> None:
        names = [r.name for r in self.rows]
        self.table.selectRow(names.index(name))

    def _selected(self) -> None:
        name = self.selected_name()
        for button in (self.set_role_button, self.signature_button, self.remove_signature_button,
                       self.deactivate_button, self.activate_button, self.role):
            button.setEnabled(name is not None)
        if name is not None:
            row = next(r for r in self.rows if r.name == name)
            self.role.setCurrentIndex(self.role.findData(row.role.value))
            self.remove_signature_button.setEnabled(row.has_signature)
            self.deactivate_button.setEnabled(row.active and row.name != self.desk.user)
            self.deactivate_button.setToolTip(
                self.tr("You cannot deactivate your own account; another admin can") if row.name == self.desk.user
                else self.tr("They can no longer act; their letters, versions and approvals stay as they are"))
            self.activate_button.setEnabled(not row.active)

    # -- changes ----------------------------------------------------------------------------------
    def _run(self, change: Callable[[str], object]) -> None:
        name = self.selected_name()
        if name is None:
            return
        self.runner.run(lambda: change(name), self._done, self._failed)

    def _done(self, result: object) -> None:
        # The service's own words ("ann is now a judge"); a user name keeps its lower case.
        text = str(result) if isinstance(result, str) and result else ""
        self.message.setText(self.tr("Done: {what}.").format(what=text) if text else self.tr("Done."))
        self.changed.emit(text)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(self.tr("Nothing was changed: {error}").format(error=describe_error(exc)))
        self.changed.emit(self.message.text())

    def _set_role(self) -> None:
        role = Role(str(self.role.currentData()))
        self._run(lambda name: self.desk.set_role(name, role))

    def _set_signature(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Signature image"), "",
                                                    self.tr("PNG images (*.png)"))
        if not path:
            return
        try:
            png = Path(path).read_bytes()
        except OSError as exc:
            self._failed(exc)
            return
        self._run(lambda name: self.desk.set_signature(name, png))

    def _add(self) -> None:
        name, full = self.new_name.text().strip(), self.new_full_name.text().strip()
        role = Role(str(self.new_role.currentData()))
        self.runner.run(lambda: self.desk.add_user(name, role, full), self._added, self._failed)

    def _added(self, result: object) -> None:
        self.new_name.clear()
        self.new_full_name.clear()
        self._done(result)


def _role_box(parent: QWidget) -> QComboBox:
    box = QComboBox(parent)
    for role in Role:
        box.addItem(role.value.capitalize(), role.value)
        box.setItemData(box.count() - 1, ROLE_SENTENCES[role], Qt.ItemDataRole.ToolTipRole)
    return box
