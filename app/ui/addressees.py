"""The addressee list: reorderable, each addressee edited in a sub-form with its inside address
and salutation shown as they will print."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QDropEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from app.core import address as forms
from app.core import protocol
from app.core.vocabulary import ADDRESSEE_FIELDS, ADDRESSEE_OPTIONAL, addressee_field
from app.ui.letter_models import AddresseeListModel
from app.ui.widgets import EditorHook, LineListEditor, WrappedLabelHost, tool_button

HONORIFICS = ("The Honorable", "Mr.", "Ms.", "Mrs.", "Dr.", "Professor", "The Reverend", "")
# The courtesy title a salutation uses when the honorific ("The Honorable") says nothing of it.
COURTESIES = ("", "Mr.", "Ms.", "Mrs.", "Mx.", "Dr.")
# Optional keys of an addressee, kept in the letter JSON only when filled in.
OPTIONAL_KEYS = ADDRESSEE_OPTIONAL
# The fields typed in a line edit (the honorific and courtesy title are chosen or typed in a combo box,
# the address is lines).
CHOSEN_KEYS = ("honorific", "courtesy")
TEXT_KEYS = tuple(f.key for f in ADDRESSEE_FIELDS if f.kind == "text" and f.key not in CHOSEN_KEYS)
# The form's order (not the JSON's: the names first, then where the letter goes), with each field's
# keyboard accelerator; the labels and hints are the vocabulary's.
FORM_ORDER = (("honorific", "H"), ("name", "N"), ("surname", "r"), ("given_name", "G"), ("courtesy", "C"),
              ("title", "T"), ("organization", "O"), ("address", "l"), ("salutation", "l"))


def with_accelerator(label: str, letter: str) -> str:
    """``label`` with ``&`` before the first ``letter`` in it ("Sa&lutation")."""
    at = label.find(letter)
    return label if at < 0 else f"{label[:at]}&{label[at:]}"


@dataclass
class AddresseeView:
    """An addressee as typed so far (possibly incomplete), for the forms of address."""

    honorific: str | None = None
    name: str = ""
    title: str | None = None
    organization: str | None = None
    address: Sequence[str] = field(default_factory=list)
    salutation: str | None = None
    surname: str | None = None
    given_name: str | None = None
    courtesy: str | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> AddresseeView:
        return cls(data.get("honorific"), data.get("name", ""), data.get("title"), data.get("organization"),
                   list(data.get("address", [])), data.get("salutation"), data.get("surname") or None,
                   data.get("given_name") or None, data.get("courtesy") or None)


def tidy(data: dict[str, Any]) -> dict[str, Any]:
    """An addressee dict with empty optional entries left out, as the letter JSON has it."""
    out: dict[str, Any] = {"name": data.get("name", "")}
    # Protocol has no title for a private person or a priest: an empty title is left out, not required.
    for key in OPTIONAL_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            out[key] = value
    out["address"] = [line for line in data.get("address", []) if line.strip()]
    return out


def label_of(data: dict[str, Any]) -> str:
    name = data.get("name", "").strip() or "(no name)"
    title = (data.get("title") or "").strip()
    return f"{name} — {title}" if title else name


class AddresseeListView(QListView):
    """The addressee list: a view of the ``AddresseeListModel``, with the row calls the list widget had."""

    currentRowChanged = Signal(int)
    moved = Signal(int, int)  # a row dragged from one place to another

    def __init__(self, model: AddresseeListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.addressees = model
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.selectionModel().currentRowChanged.connect(lambda now, _before: self.currentRowChanged.emit(now.row()))
        model.modelReset.connect(lambda: self.currentRowChanged.emit(self.currentRow()))

    def count(self) -> int:
        return self.addressees.rowCount()

    def currentRow(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def setCurrentRow(self, row: int) -> None:
        index = self.addressees.index(row) if 0 <= row < self.count() else QModelIndex()
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def dropEvent(self, event: QDropEvent) -> None:
        """A row dragged within the list is moved by the model (one move, one Undo step); Qt's own
        internal move would insert a copy and delete the original, two changes of the list."""
        row = self.currentRow()
        if event.source() is not self or row < 0:
            event.ignore()
            return
        target = self.indexAt(event.position().toPoint())
        to = target.row() if target.isValid() else self.count() - 1
        event.setDropAction(Qt.DropAction.IgnoreAction)  # nothing for the drag to delete afterwards
        event.accept()
        if self.addressees.move(row, to):
            self.setCurrentRow(to)
            self.moved.emit(row, to)


class _ListKeys(QObject):
    def __init__(self, owner: AddresseeListEditor) -> None:
        super().__init__(owner)
        self._owner = owner

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.modifiers() == Qt.KeyboardModifier.AltModifier and event.key() in (Qt.Key.Key_Up,
                                                                                      Qt.Key.Key_Down):
                self._owner.move_current(-1 if event.key() == Qt.Key.Key_Up else 1)
                return True
            if event.key() == Qt.Key.Key_Delete and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                self._owner.remove_current()
                return True
        return False


class AddresseeListEditor(QWidget):
    """Addressees in the order they are addressed; ``edited`` carries the path that changed."""

    edited = Signal(str)
    pick_requested = Signal()
    save_requested = Signal(dict)

    # Beside the list, the selected addressee's fields need about this many characters of room; where the
    # form is narrower (a 1024x768 screen, 200% scaling) the list goes above them, or the fields would
    # show a few letters of a name.
    SIDE_BY_SIDE_CHARS = 72

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._stack_when_narrow()

    @property
    def stacked(self) -> bool:
        """Whether the list stands above the selected addressee's fields (a narrow form)."""
        return self._body.direction() == QBoxLayout.Direction.TopToBottom

    def _stack_when_narrow(self) -> None:
        narrow = self.width() < self.fontMetrics().averageCharWidth() * self.SIDE_BY_SIDE_CHARS
        if narrow == self.stacked:
            return
        self._body.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        if narrow:  # a few rows of the list, the whole width to the fields
            self.list.setMaximumWidth(16_777_215)
            self.list.setMaximumHeight(self.fontMetrics().height() * 6)
        else:
            self.list.setMaximumWidth(300)
            self.list.setMaximumHeight(16_777_215)

    def __init__(self, parent: QWidget | None = None, editor_hook: EditorHook | None = None) -> None:
        super().__init__(parent)
        self.model = AddresseeListModel(label_of, tidy, self)
        self._loading = False
        self.locked = False  # a read-only letter: no key or button changes the list
        self.last_action = ""  # for the Edit menu: "Move addressee 2 up"
        self.setObjectName("section-addressees")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel(f"<b>{self.tr('Addressees')}</b>", self))
        head.addStretch(1)
        self.add_button = tool_button("add", self.tr("Add addressee"), self.tr("Add an addressee"), self.add, self)
        self.duplicate_button = tool_button("duplicate", self.tr("Duplicate addressee"),
                                            self.tr("Add a copy of the selected addressee"), self.duplicate, self)
        self.remove_button = tool_button("remove", self.tr("Remove addressee"),
                                         self.tr("Remove the selected addressee (Delete)"), self.remove_current, self)
        self.up_button = tool_button("up", self.tr("Move addressee up"), self.tr("Move up (Alt+Up, or drag)"),
                                     lambda: self.move_current(-1), self)
        self.down_button = tool_button("down", self.tr("Move addressee down"),
                                       self.tr("Move down (Alt+Down, or drag)"), lambda: self.move_current(1), self)
        self.pick_button = tool_button("address-book", self.tr("From address book"),
                                       self.tr("Add an addressee from the court's address book"),
                                       self.pick_requested.emit, self)
        self.save_button = tool_button("save", self.tr("Save to address book"),
                                       self.tr("Save the selected addressee to the address book"),
                                       self._save_current, self)
        for b in (self.add_button, self.duplicate_button, self.remove_button, self.up_button, self.down_button,
                  self.pick_button, self.save_button):
            head.addWidget(b)
        outer.addLayout(head)

        body = QHBoxLayout()
        self._body = body
        self.list = AddresseeListView(self.model, self)
        self.list.setObjectName("addressee-list")
        self.list.setAccessibleName(self.tr("Addressees"))
        self.list.setUniformItemSizes(True)  # one line a row: a keystroke lays out its own row, not all
        self.list.setMaximumWidth(300)
        self.list.setMinimumWidth(130)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setToolTip(self.tr("Drag, or Alt+Up/Alt+Down, to change the order; Delete removes"))
        self.list.installEventFilter(_ListKeys(self))
        self.list.currentRowChanged.connect(self._show)
        self.list.moved.connect(self._dropped)
        body.addWidget(self.list)

        box = QGroupBox(self.tr("Selected addressee"), self)
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.honorific = QComboBox(box)
        self.honorific.setEditable(True)
        self.honorific.addItems(list(HONORIFICS))
        self.name = QLineEdit(box)
        self.surname = QLineEdit(box)
        self.surname.setToolTip(self.tr("The family name the salutation uses: a two-word surname, or one "
                                        "written first"))
        self.given_name = QLineEdit(box)
        self.courtesy = QComboBox(box)
        self.courtesy.setEditable(True)
        self.courtesy.addItems(list(COURTESIES))
        self.courtesy.setToolTip(self.tr("Mr., Ms., Mrs., Mx. or Dr.: what the salutation says when the "
                                         "honorific is \"The Honorable\""))
        self.title = QLineEdit(box)
        self.organization = QLineEdit(box)
        self.address = LineListEditor("address", self.tr("Address lines"), box, lines=3)
        self.salutation = QLineEdit(box)
        self.inside_address = QLabel(box)
        self.inside_address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.inside_address.setAccessibleName(self.tr("Inside address as printed"))
        # Long lines wrap instead of widening the form past the window (text cut mid-word).
        self.inside_address.setWordWrap(True)
        self.salutation_preview = QLabel(box)
        self.salutation_preview.setAccessibleName(self.tr("Salutation as printed"))
        self.salutation_preview.setWordWrap(True)
        self.surname_used = QLabel(box)
        self.surname_used.setObjectName("addressee-surname-used")
        self.surname_used.setAccessibleName(self.tr("Surname the salutation uses"))
        self.surname_used.setWordWrap(True)
        self.guess_reason = QLabel(box)
        self.guess_reason.setObjectName("addressee-guess")
        self.guess_reason.setAccessibleName(self.tr("Why the salutation is a guess"))
        self.guess_reason.setWordWrap(True)
        self.guess_reason.hide()
        for key, accelerator in FORM_ORDER:
            spec = addressee_field(key)
            widget = getattr(self, key)
            widget.setObjectName(f"addressee-{key}")
            widget.setAccessibleName(spec.label)
            if spec.hint and isinstance(widget, QLineEdit):
                widget.setPlaceholderText(spec.hint)
            form.addRow(with_accelerator(spec.label, accelerator), widget)
        # What follows each key typed in a name: held so a new text relays out only this box (widgets.py).
        form.addRow(self.tr("Inside address:"), WrappedLabelHost(self.inside_address, box))
        form.addRow(self.tr("Salutation:"), WrappedLabelHost(self.salutation_preview, box))
        form.addRow("", WrappedLabelHost(self.surname_used, box))
        form.addRow("", self.guess_reason)
        self.joint_salutation = QLabel(self)
        self.joint_salutation.setAccessibleName(self.tr("Letter salutation"))
        self.joint_salutation.setWordWrap(True)
        form.addRow(self.tr("Letter opens:"), WrappedLabelHost(self.joint_salutation, box))
        body.addWidget(box, 1)
        outer.addLayout(body)
        self._stack_when_narrow()
        group_row = QFormLayout()
        # A letter-level field: it stands under the list, not in the selected addressee's box.
        self.group_salutation = QLineEdit(self)
        self.group_salutation.setObjectName("group_salutation")
        self.group_salutation.setAccessibleName(self.tr("Group salutation"))
        self.group_salutation.setPlaceholderText(self.tr("e.g. Dear Members of the Judicial Council: "
                                                         "(leave empty to name each addressee)"))
        self.group_salutation.setToolTip(self.tr("One salutation for the whole letter; above {n} addressees "
                                                 "the letter prints it and a Distribution list")
                                         .format(n=forms.DISTRIBUTION_THRESHOLD))
        group_label = QLabel(self.tr("Gro&up salutation"), self)
        group_label.setBuddy(self.group_salutation)
        group_row.addRow(group_label, self.group_salutation)
        outer.addLayout(group_row)
        self.group_salutation.textChanged.connect(self._group_changed)
        if editor_hook:
            editor_hook(self.group_salutation)
        self.box = box
        self.honorific.editTextChanged.connect(lambda _t: self._field_changed("honorific"))
        self.courtesy.editTextChanged.connect(lambda _t: self._field_changed("courtesy"))
        for key in TEXT_KEYS:
            widget = getattr(self, key)
            widget.textChanged.connect(lambda _t, k=key: self._field_changed(k))
            if editor_hook:
                editor_hook(widget)
        self.address.textChanged.connect(lambda: self._field_changed("address"))
        self._update_buttons()

    # -- data ---------------------------------------------------------------------------------
    def group_value(self) -> str:
        return self.group_salutation.text()

    def set_group_value(self, text: str | None) -> None:
        text = text or ""
        if self.group_salutation.text() != text:
            self._loading = True
            try:
                self.group_salutation.setText(text)
            finally:
                self._loading = False
            self._refresh_forms()

    def _group_changed(self) -> None:
        self._refresh_forms()
        if not self._loading:
            self.edited.emit("group_salutation")

    def values(self) -> list[dict[str, Any]]:
        return self.model.values()

    def set_values(self, values: list[dict[str, Any]]) -> None:
        if values == self.values():
            return
        row = max(self.list.currentRow(), 0)
        self._loading = True
        try:
            self.model.set_values([copy.deepcopy(value) for value in values])
        finally:
            self._loading = False
        self.list.setCurrentRow(min(row, self.list.count() - 1))
        self._show(self.list.currentRow())

    def _current(self) -> dict[str, Any] | None:
        return self.model.row(self.list.currentRow())

    # -- editing ------------------------------------------------------------------------------
    def _show(self, row: int) -> None:
        data = self._current()
        self._loading = True
        try:
            self.box.setEnabled(data is not None)
            data = data or {}
            honorific = data.get("honorific") or ""
            if self.honorific.currentText() != honorific:
                self.honorific.setEditText(honorific)
            courtesy = data.get("courtesy") or ""
            if self.courtesy.currentText() != courtesy:
                self.courtesy.setEditText(courtesy)
            for key in TEXT_KEYS:
                widget = getattr(self, key)
                text = data.get(key) or ""
                if widget.text() != text:
                    widget.setText(text)
                    widget.setCursorPosition(0)  # a long title shows its beginning, not its end
            self.address.set_values(list(data.get("address", [])))
        finally:
            self._loading = False
        self._refresh_forms()
        self._update_buttons()

    def _field_changed(self, key: str) -> None:
        if self._loading:
            return
        data = self._current()
        if data is None:
            return
        row = self.list.currentRow()
        value: Any
        if key == "address":
            value = self.address.values()
        elif key in ("honorific", "courtesy"):
            value = getattr(self, key).currentText().strip()
        else:
            value = getattr(self, key).text()
        if not self.model.set_field(row, key, value):
            return  # a highlighter re-colouring the field, or the same text again: not an edit
        self._refresh_forms()
        self.edited.emit(f"addressees[{row}].{key}")

    def _refresh_forms(self) -> None:
        data = self._current()
        if data is None:
            self.inside_address.clear()
            self.salutation_preview.clear()
            self.surname_used.clear()
            self.guess_reason.hide()
        else:
            view = AddresseeView.of(data)
            self.inside_address.setText("\n".join(forms.inside_address(view)))
            explained = forms.explain_salutation(view)
            self.salutation_preview.setText(explained.line)
            used = forms.surname_used(view)
            self.surname_used.setText(self.tr("Salutation uses: {surname}").format(surname=used) if used
                                      else self.tr("Salutation uses no surname"))
            self.guess_reason.setText(self.tr("A guess ({rule}): {reason}").format(
                rule=explained.rule, reason=explained.reason) if explained.guessed else "")
            self.guess_reason.setVisible(explained.guessed)
        views = [AddresseeView.of(row) for row in self.model.rows()]
        self.joint_salutation.setText(forms.joint_salutation(views, self.group_value() or None) if views else "")

    def _update_buttons(self) -> None:
        has = self.list.currentRow() >= 0
        count = self.list.count()
        self.duplicate_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.save_button.setEnabled(has)
        self.up_button.setEnabled(has and self.list.currentRow() > 0)
        self.down_button.setEnabled(has and self.list.currentRow() < count - 1)

    def _structure_changed(self) -> None:
        self._refresh_forms()
        self._update_buttons()
        self.edited.emit("addressees")

    def add(self, data: dict[str, Any] | None = None) -> None:
        if self.locked:
            return
        row = self.model.insert(self.model.rowCount(), copy.deepcopy(data) if data else {
            "honorific": "The Honorable", "name": "", "title": "", "address": []})
        self.list.setCurrentRow(row)
        self.last_action = f"Add addressee {row + 1}"
        self._structure_changed()
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def duplicate(self) -> None:
        if self.locked:
            return
        data = self._current()
        if data is None:
            return
        row = self.model.insert(self.list.currentRow() + 1, copy.deepcopy(data))
        self.list.setCurrentRow(row)
        self.last_action = f"Duplicate addressee {row}"
        self._structure_changed()

    def remove_current(self) -> None:
        if self.locked:
            return
        row = self.list.currentRow()
        if row < 0:
            return
        self.model.remove(row)
        self.list.setCurrentRow(min(row, self.list.count() - 1))
        self._show(self.list.currentRow())
        self.last_action = f"Remove addressee {row + 1}"
        self._structure_changed()

    def move_current(self, step: int) -> None:
        if self.locked:
            return
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        self.model.move(row, target)
        self.list.setCurrentRow(target)
        self.last_action = f"Move addressee {row + 1} {'up' if step < 0 else 'down'}"
        self._structure_changed()

    def _dropped(self, row: int, target: int) -> None:
        if not self._loading:
            self.last_action = f"Move addressee {row + 1} {'up' if target < row else 'down'}"
            self._structure_changed()

    def _save_current(self) -> None:
        data = self._current()
        if data is not None:
            self.save_requested.emit(tidy(data))

    def apply_fix(self, path: str, value: str) -> bool:
        """Put a preflight fix's ``value`` in the field ``path`` names ("addressees[0].honorific"),
        as if typed there (so Undo takes it back); False when the path is not one of these fields."""
        if self.locked:
            return False
        if path == "group_salutation":
            self.group_salutation.setText(value)
            return True
        head, _, key = path.partition(".")
        prefix, _, index = head.partition("[")
        if prefix != "addressees" or not index.rstrip("]").isdigit():
            return False
        row = int(index.rstrip("]"))
        if not 0 <= row < self.list.count() or key not in (*CHOSEN_KEYS, *TEXT_KEYS):
            return False
        self.list.setCurrentRow(row)
        data = self._current() or {}
        typed = (data.get("name") or "").split()
        if (key == "name" and not (data.get("honorific") or "").strip() and typed
                and forms.normal(typed[0]) in protocol.HONORABLE):
            # "Honorable Jane Doe" typed as the name: the fix moves the honorific to its own field
            # (with its "The") rather than dropping it.
            self.honorific.setEditText("The Honorable")
        widget = getattr(self, key)
        if isinstance(widget, QComboBox):
            widget.setEditText(value)
        else:
            widget.setText(value)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def focus_path(self, index: int | None, key: str | None) -> None:
        if index is not None and 0 <= index < self.list.count():
            self.list.setCurrentRow(index)
        widget: QWidget = self.list
        if index is None and key == "group_salutation":
            widget = self.group_salutation
        elif key in (*CHOSEN_KEYS, "address", *TEXT_KEYS):
            widget = getattr(self, key)
        elif self.list.count() == 0:
            widget = self.add_button
        widget.setFocus(Qt.FocusReason.OtherFocusReason)


PickCallback = Callable[[dict[str, Any]], None]
