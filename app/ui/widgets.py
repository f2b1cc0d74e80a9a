"""Editors the letter form is made of: growing text boxes, paragraph lists, line lists, fields."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPalette, QResizeEvent, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.packs import PackField
from app.core.vocabulary import section
from app.ui.icons import icon
from app.ui.letter_models import ParagraphListModel

#: Called with every text editor the form creates, so spell checking can attach to it.
EditorHook = Callable[[QTextEdit | QPlainTextEdit | QLineEdit], None]


def tool_button(name: str, text: str, tip: str, slot: Callable[[], Any], parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setIcon(icon(name))
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(text)
    button.setAutoRaise(True)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    button.clicked.connect(slot)
    return button


class WrappedLabelHost(QWidget):
    """Holds a word-wrapped label whose text changes as the clerk types (an inside address, a
    salutation), so that a new text relays out the form only when it needs another height.

    A label in a layout asks its parent layout to be laid out again on every ``setText``, and Qt
    passes that up to the window (``QLayout::activate`` ends with ``updateGeometry`` "ideally only
    if sizeHint() has changed"); with a long letter that is the whole form, about 15 ms a key typed
    in a name. Here the label sits in a widget without a layout: its request stops at this host,
    which passes it on only when the height the text needs at this width, or the narrowest width
    it can wrap to, changed. The label keeps its word wrap, its text and its accessible name.
    """

    def __init__(self, label: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        label.setParent(self)
        self.setSizePolicy(label.sizePolicy())
        self._told: tuple[int, int] | None = None  # (narrowest width, height at this width) the layout knows

    def _needs(self, width: int) -> tuple[int, int]:
        return self.label.minimumSizeHint().width(), self.label.heightForWidth(max(width, 1))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.label.heightForWidth(max(width, 1))

    def sizeHint(self) -> QSize:
        # The label's preferred width grows with its longest line; the layout is told only what it
        # must hold (wrapped at the width it gives), so typing a longer name never widens the form.
        narrowest, _height = self._needs(self.width())
        return QSize(narrowest, self.heightForWidth(max(self.width(), narrowest)))

    def minimumSizeHint(self) -> QSize:
        narrowest, _height = self._needs(self.width())
        return QSize(narrowest, self.heightForWidth(max(self.width(), narrowest)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.label.setGeometry(self.rect())
        self._told = self._needs(self.width())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # the label's text or font changed
            needs = self._needs(self.width())
            if needs != self._told:
                self._told = needs
                self.updateGeometry()
            self.label.setGeometry(self.rect())
            return True
        return super().event(event)


class GrowingTextEdit(QTextEdit):
    """A plain-text editor as tall as its text, so a long paragraph never hides in a scroll box."""

    def __init__(self, parent: QWidget | None = None, min_lines: int = 2) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._min_lines = min_lines
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def _fit(self, *_: object) -> None:
        line = self.fontMetrics().lineSpacing()
        doc_height = int(self.document().size().height())
        margins = self.contentsMargins()
        height = max(doc_height, line * self._min_lines + 8) + margins.top() + margins.bottom() + 2
        if self.height() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def text(self) -> str:
        return self.toPlainText()

    def set_text(self, text: str) -> None:
        if text != self.toPlainText():
            self.setPlainText(text)




class _MoveKeys(QObject):
    """Alt+Up / Alt+Down on an item's editor move the item; Ctrl+Return adds one after it."""

    def __init__(self, owner: ParagraphListEditor) -> None:
        super().__init__(owner)
        self._owner = owner

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            mods = event.modifiers()
            key = event.key()
            if mods == Qt.KeyboardModifier.AltModifier and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._owner.move_editor(watched, -1 if key == Qt.Key.Key_Up else 1)
                return True
            if mods == Qt.KeyboardModifier.ControlModifier and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._owner.add_after(watched)
                return True
        if event.type() == QEvent.Type.FocusIn:
            self._owner.note_focus(watched)
        return False


class ParagraphListEditor(QWidget):
    """A section of the letter: an ordered list of paragraphs, each in its own editor.

    The paragraphs live in ``model`` (a ``ParagraphListModel``); the editors are its view: typing
    changes one row, a row changed elsewhere (Undo, a clause, a merge) is shown in its editor alone.
    Alt+Up / Alt+Down move the paragraph being edited; Ctrl+Return adds one after it.
    ``edited`` carries the path of what changed ("concerns[2]", or "concerns" for the order).
    """

    edited = Signal(str)

    def __init__(self, key: str, title: str, parent: QWidget | None = None,
                 editor_hook: EditorHook | None = None, numbered: bool = False) -> None:
        super().__init__(parent)
        self.key = key
        self.title = title
        self.numbered = numbered
        self._hook = editor_hook
        self._editors: list[GrowingTextEdit] = []
        self._frames: list[QFrame] = []
        self._current = -1
        self._keys = _MoveKeys(self)
        self.model = ParagraphListModel(self)
        self.model.dataChanged.connect(self._rows_changed)
        # A read-only letter: no key, button or clause changes the list (typing is stopped by read-only editors).
        self.locked = False
        # What the last change of the list was, for the Edit menu ("Move concern 2 up").
        self.last_action = ""
        self.setObjectName(f"section-{key}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        head = QHBoxLayout()
        label = QLabel(f"<b>{title}</b>", self)
        head.addWidget(label)
        head.addStretch(1)
        self.add_button = tool_button("add", self.tr("Add paragraph"),
                                      self.tr("Add a paragraph after the current one (Ctrl+Return)"),
                                      lambda: self.add_after(None), self)
        self.remove_button = tool_button("remove", self.tr("Remove paragraph"),
                                         self.tr("Remove the current paragraph"), self.remove_current, self)
        self.up_button = tool_button("up", self.tr("Move up"), self.tr("Move the current paragraph up (Alt+Up)"),
                                     lambda: self.move_current(-1), self)
        self.down_button = tool_button("down", self.tr("Move down"),
                                       self.tr("Move the current paragraph down (Alt+Down)"),
                                       lambda: self.move_current(1), self)
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            b.setAccessibleName(f"{b.text()} ({title})")
            head.addWidget(b)
        outer.addLayout(head)
        self._items = QVBoxLayout()
        self._items.setSpacing(4)
        outer.addLayout(self._items)
        self.empty_label = QLabel(self.tr("No paragraphs yet. Add one, or insert a clause from the bank."), self)
        self.empty_label.setEnabled(False)
        outer.addWidget(self.empty_label)

    # -- data ---------------------------------------------------------------------------------
    def values(self) -> list[str]:
        return self.model.values()

    def set_values(self, values: list[str]) -> None:
        count = len(self._editors)
        while len(self._editors) > len(values):
            self._drop(len(self._editors) - 1)
        while len(self._editors) < len(values):
            self._append_editor()
        self.model.set_values(values)  # the editors of the rows that changed follow (_rows_changed)
        for editor, value in zip(self._editors[count:], values[count:], strict=True):
            self._show_text(editor, value)
        if len(self._editors) != count:
            self._renumber()
            self._order_tabs()

    def _order_tabs(self) -> None:
        """Tab walks the section as it reads: its paragraphs, then its buttons. Editors made after the
        form was built would otherwise come last in the window's tab chain, after every other button."""
        before_section: QWidget | None = self.add_button.previousInFocusChain()
        while before_section is not None and before_section is not self.add_button and (
                before_section is self or self.isAncestorOf(before_section)
                or not before_section.focusPolicy() & Qt.FocusPolicy.TabFocus):
            before_section = before_section.previousInFocusChain()
        chain: list[QWidget] = [*self._editors, self.add_button, self.remove_button, self.up_button,
                                self.down_button]
        if before_section is not None and before_section is not self.add_button:
            chain.insert(0, before_section)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _rows_changed(self, top: QModelIndex, bottom: QModelIndex, *_: object) -> None:
        for row in range(top.row(), min(bottom.row() + 1, len(self._editors))):
            self._show_text(self._editors[row], self.model.text(row))

    @staticmethod
    def _show_text(editor: GrowingTextEdit, text: str) -> None:
        if editor.text() != text:
            editor.blockSignals(True)
            editor.set_text(text)
            editor.blockSignals(False)
            editor._fit()

    def editors(self) -> list[GrowingTextEdit]:
        return list(self._editors)

    @property
    def current_index(self) -> int:
        return self._current if 0 <= self._current < len(self._editors) else -1

    # -- structure ----------------------------------------------------------------------------
    def _append_editor(self) -> GrowingTextEdit:
        frame = QFrame(self)
        row = QHBoxLayout(frame)
        row.setContentsMargins(0, 0, 0, 0)
        number = QLabel(frame)
        number.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        number.setMinimumWidth(22)
        row.addWidget(number)
        editor = GrowingTextEdit(frame)
        editor.installEventFilter(self._keys)
        editor.textChanged.connect(lambda e=editor: self._text_changed(e))
        row.addWidget(editor, 1)
        self._items.addWidget(frame)
        frame.show()  # at once, not on the next event loop turn, so the new paragraph can take the focus
        self._editors.append(editor)
        self._frames.append(frame)
        if self._hook:
            self._hook(editor)
        return editor

    def _drop(self, index: int) -> None:
        editor = self._editors.pop(index)
        frame = self._frames.pop(index)
        editor.removeEventFilter(self._keys)
        self._items.removeWidget(frame)
        frame.hide()
        frame.deleteLater()

    def _renumber(self) -> None:
        singular = self.singular[:1].upper() + self.singular[1:]
        for i, (editor, frame) in enumerate(zip(self._editors, self._frames, strict=True)):
            label = frame.findChild(QLabel)
            if label is not None:
                label.setText(f"{i + 1}." if self.numbered else "¶")
            editor.setAccessibleName(self.tr("{section}, paragraph {n}").format(section=self.title, n=i + 1))
            editor.setToolTip(self.tr("{what} {n}: Alt+Up/Alt+Down to move, Ctrl+Return to add another")
                              .format(what=singular, n=i + 1))
        self.empty_label.setVisible(not self._editors)
        self.remove_button.setEnabled(bool(self._editors))
        self.up_button.setEnabled(len(self._editors) > 1)
        self.down_button.setEnabled(len(self._editors) > 1)

    def _text_changed(self, editor: GrowingTextEdit) -> None:
        # Only a change of the text is an edit: a spelling highlighter re-colouring the paragraph also
        # says "textChanged", and every paragraph is re-coloured when the letter's names change.
        if editor in self._editors:
            row = self._editors.index(editor)
            if row < self.model.rowCount() and self.model.set_text(row, editor.text()):
                self.edited.emit(f"{self.key}[{row}]")

    def note_focus(self, watched: QObject) -> None:
        if watched in self._editors:
            self._current = self._editors.index(watched)

    @property
    def singular(self) -> str:
        return section(self.key).singular

    def add_after(self, watched: QObject | None, text: str = "") -> GrowingTextEdit | None:
        if self.locked:
            return None
        index = self._editors.index(watched) if watched in self._editors else self.current_index
        values = self.values()
        at = index + 1 if index >= 0 else len(values)
        values.insert(at, text)
        self.set_values(values)
        editor = self._editors[at]
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        editor.moveCursor(QTextCursor.MoveOperation.End)
        self._current = at
        self.last_action = f"Add {self.singular} {at + 1}"
        self.edited.emit(self.key)
        return editor

    def remove_current(self) -> None:
        if self.locked:
            return
        index = self.current_index
        if index < 0:
            if not self._editors:
                return
            index = len(self._editors) - 1
        values = self.values()
        del values[index]
        self.set_values(values)
        self._current = min(index, len(values) - 1)
        if self._current >= 0:
            self._editors[self._current].setFocus()
        self.last_action = f"Remove {self.singular} {index + 1}"
        self.edited.emit(self.key)

    def move_editor(self, watched: QObject, step: int) -> None:
        if watched in self._editors:
            self._current = self._editors.index(watched)
            self.move_current(step)

    def move_current(self, step: int) -> None:
        index = self.current_index
        target = index + step
        if self.locked or index < 0 or not 0 <= target < len(self._editors):
            return
        position = self._editors[index].textCursor().position()
        values = self.values()
        values[index], values[target] = values[target], values[index]
        self.set_values(values)
        self._current = target
        editor = self._editors[target]
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        cursor = editor.textCursor()
        cursor.setPosition(min(position, len(editor.text())))
        editor.setTextCursor(cursor)
        self.last_action = f"Move {self.singular} {index + 1} {'up' if step < 0 else 'down'}"
        self.edited.emit(self.key)

    def insert_text(self, text: str, at_cursor: bool) -> None:
        """Insert a clause: at the cursor of the current paragraph, or as a new paragraph."""
        if self.locked:
            return
        index = self.current_index
        if at_cursor and index >= 0:
            self.last_action = f"Insert a clause into {self.singular} {index + 1}"
            self._editors[index].insertPlainText(text)
            self._editors[index].setFocus()
        else:
            self.add_after(None, text)

    def focus_item(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self._editors):
            self._current = index
            self._editors[index].setFocus(Qt.FocusReason.OtherFocusReason)
        elif self._editors:
            self._editors[0].setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)


class LineListEditor(QPlainTextEdit):
    """A short list edited one entry a line (cc, enclosures, address lines)."""

    def __init__(self, key: str, label: str, parent: QWidget | None = None, lines: int = 3) -> None:
        super().__init__(parent)
        self.key = key
        self.setTabChangesFocus(True)
        self.setAccessibleName(label)
        self.setPlaceholderText(self.tr("One entry a line"))
        self.setMaximumHeight(self.fontMetrics().lineSpacing() * lines + 14)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self.maximumHeight())

    def values(self) -> list[str]:
        return [line.strip() for line in self.toPlainText().split("\n") if line.strip()]

    def set_values(self, values: list[str]) -> None:
        if self.values() != list(values):
            self.setPlainText("\n".join(values))

    def focus_line(self, index: int | None) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        if index is None:
            return
        block = self.document().findBlockByNumber(index)
        if block.isValid():
            cursor = self.textCursor()
            cursor.setPosition(block.position())
            self.setTextCursor(cursor)


_NO_DATE = QDate(1900, 1, 1)


class FieldEditor(QObject):
    """One extra field of a template pack, as a widget of the right kind."""

    changed = Signal()

    def __init__(self, spec: PackField, parent: QWidget, editor_hook: EditorHook | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.widget: QWidget
        if spec.type == "multiline":
            edit = GrowingTextEdit(parent)
            edit.textChanged.connect(self.changed)
            if editor_hook:
                editor_hook(edit)
            self.widget = edit
        elif spec.type == "date":
            date = QDateEdit(parent)
            date.setCalendarPopup(True)
            date.setDisplayFormat("MMMM d, yyyy")
            date.setMinimumDate(_NO_DATE)
            date.setSpecialValueText(self.tr("(no date)"))
            date.setDate(_NO_DATE)
            date.dateChanged.connect(self.changed)
            self.widget = date
        elif spec.type == "choice":
            combo = QComboBox(parent)
            if not spec.required:
                combo.addItem(self.tr("(none)"), None)
            for choice in spec.choices:
                combo.addItem(choice, choice)
            combo.currentIndexChanged.connect(self.changed)
            self.widget = combo
        elif spec.type == "bool":
            box = QCheckBox(spec.label, parent)
            box.toggled.connect(self.changed)
            self.widget = box
        elif spec.type == "number":
            spin = QDoubleSpinBox(parent)
            spin.setRange(-1e12, 1e12)
            spin.setDecimals(0 if isinstance(spec.default, int) or spec.default is None else 2)
            spin.valueChanged.connect(self.changed)
            self.widget = spin
        else:
            line = QLineEdit(parent)
            line.textChanged.connect(self.changed)
            if editor_hook:
                editor_hook(line)
            self.widget = line
        self.widget.setObjectName(f"field-{spec.name}")
        self.widget.setAccessibleName(spec.label)
        tip = spec.help or spec.label
        if spec.required:
            tip += " " + self.tr("(required)")
        self.widget.setToolTip(tip)
        self.set_value(spec.default)

    def value(self) -> str | bool | int | float | None:
        w = self.widget
        if isinstance(w, GrowingTextEdit):
            return w.text() or None
        if isinstance(w, QDateEdit):
            return None if w.date() == _NO_DATE else w.date().toString("yyyy-MM-dd")
        if isinstance(w, QComboBox):
            data = w.currentData()
            return str(data) if data is not None else None
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QDoubleSpinBox):
            number = w.value()
            return int(number) if w.decimals() == 0 else number
        assert isinstance(w, QLineEdit)
        return w.text() or None

    def set_value(self, value: Any) -> None:
        w = self.widget
        w.blockSignals(True)
        try:
            if isinstance(w, GrowingTextEdit):
                w.set_text("" if value is None else str(value))
            elif isinstance(w, QDateEdit):
                try:
                    day = dt.date.fromisoformat(str(value)) if value else None
                except ValueError:
                    day = None
                w.setDate(QDate(day.year, day.month, day.day) if day else _NO_DATE)
            elif isinstance(w, QComboBox):
                index = w.findData(value)
                w.setCurrentIndex(max(index, 0))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QDoubleSpinBox):
                w.setValue(float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0)
            elif isinstance(w, QLineEdit):
                text = "" if value is None else str(value)
                if text != w.text():
                    w.setText(text)
        finally:
            w.blockSignals(False)


def shortcut(parent: QWidget, keys: str | QKeySequence, slot: Callable[[], Any]) -> QShortcut:
    sc = QShortcut(QKeySequence(keys), parent)
    sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    sc.activated.connect(slot)
    return sc


class MessageBar(QWidget):
    """Errors and notices shown in the window, never as a traceback or a crash."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message-bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAccessibleName(self.tr("Message"))
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        close = QToolButton(self)
        close.setText("×")
        close.setAccessibleName(self.tr("Dismiss message"))
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        if parent is not None:
            parent.installEventFilter(self)
        self.hide()

    def show_message(self, text: str, error: bool = True) -> None:
        self.error = error
        self._colour()
        self.label.setText(text)
        self.show()

    error = True

    def _colour(self) -> None:
        """The palette's own text on its own window colour tinted red (an error) or green (a notice): as
        readable in a dark or high-contrast palette as the rest of the window (fixed colours were black
        on black there), and still told apart by more than colour (the text says what happened)."""
        parent = self.parentWidget()
        palette = QPalette(parent.palette() if parent is not None else QApplication.palette())
        base = palette.color(QPalette.ColorRole.Window)
        tint = QColor(220, 50, 60) if self.error else QColor(40, 160, 70)
        share = 0.22
        mixed = QColor.fromRgbF(base.redF() * (1 - share) + tint.redF() * share,
                                base.greenF() * (1 - share) + tint.greenF() * share,
                                base.blueF() * (1 - share) + tint.blueF() * share)
        palette.setColor(QPalette.ColorRole.Window, mixed)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.label.setPalette(palette)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A widget with a palette of its own hears nothing when the system turns dark; its parent does.
        if watched is self.parentWidget() and event.type() == QEvent.Type.PaletteChange:
            self._colour()
        return False
