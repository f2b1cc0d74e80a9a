"""The letter form, generated from the letter's core sections plus the pack's manifest."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import vocabulary
from app.core.packs import Manifest
from app.core.vocabulary import LINE_SECTIONS, PARAGRAPH_SECTIONS
from app.ui.addressees import AddresseeListEditor
from app.ui.widgets import EditorHook, FieldEditor, LineListEditor, ParagraphListEditor

_PATH = re.compile(r"^(?P<key>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<sub>[a-z_]+))?")


def section_title(key: str) -> str:
    return vocabulary.section(key).label


class LetterForm(QScrollArea):
    """Edits one letter's data; ``edited`` carries the path of each change ("subject", "concerns[1]")."""

    edited = Signal(str)

    def __init__(self, manifest: Manifest, parent: QWidget | None = None,
                 editor_hook: EditorHook | None = None) -> None:
        super().__init__(parent)
        self.manifest = manifest
        self._base: dict[str, Any] = {}
        self._loading = False
        self.setWidgetResizable(True)
        self.setObjectName("letter-form")
        self.setAccessibleName(self.tr("Letter form"))
        page = QWidget(self)
        page.setObjectName("letter-form-page")
        layout = QVBoxLayout(page)
        layout.setSpacing(12)
        hook = editor_hook

        letter_box = QGroupBox(self.tr("Letter — {name}").format(name=manifest.name), page)
        form = QFormLayout(letter_box)
        self.date = QDateEdit(letter_box)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("MMMM d, yyyy")
        self.reference = QLineEdit(letter_box)
        self.subject = QLineEdit(letter_box)
        self.subject.setPlaceholderText(self.tr("What the letter is about"))
        for label, widget, key in ((self.tr("&Date"), self.date, "date"),
                                   (self.tr("&Reference"), self.reference, "reference"),
                                   (self.tr("&Subject"), self.subject, "subject")):
            widget.setObjectName(key)
            widget.setAccessibleName(label.replace("&", ""))
            form.addRow(label, widget)
        layout.addWidget(letter_box)

        self.addressees = AddresseeListEditor(page, hook)
        layout.addWidget(self.addressees)

        self.fields: dict[str, FieldEditor] = {}
        if manifest.fields:
            fields_box = QGroupBox(self.tr("{name}: details").format(name=manifest.name), page)
            fields_form = QFormLayout(fields_box)
            for spec in manifest.fields:
                editor = FieldEditor(spec, fields_box, hook)
                self.fields[spec.name] = editor
                label = "" if spec.type == "bool" else spec.label + (" *" if spec.required else "")
                fields_form.addRow(label, editor.widget)
                editor.changed.connect(lambda n=spec.name: self._changed(f"fields.{n}"))
            layout.addWidget(fields_box)

        self.sections: dict[str, ParagraphListEditor] = {}
        for key in PARAGRAPH_SECTIONS:
            if key in manifest.sections:
                section = ParagraphListEditor(key, section_title(key), page, hook,
                                              numbered=vocabulary.section(key).numbered)
                section.edited.connect(self._changed)
                self.sections[key] = section
                layout.addWidget(section)

        close_box = QGroupBox(self.tr("Signature and notations"), page)
        close_form = QFormLayout(close_box)
        self.complimentary_close = QLineEdit(close_box)
        self.complimentary_close.setObjectName("complimentary_close")
        self.complimentary_close.setAccessibleName(self.tr("Complimentary close"))
        close_form.addRow(self.tr("Complimentary &close"), self.complimentary_close)
        self.signatory_name = QLineEdit(close_box)
        self.signatory_title = QLineEdit(close_box)
        self.court = QLineEdit(close_box)
        self.court_chambers = QLineEdit(close_box)
        self.court_address = LineListEditor("sender.address", self.tr("Court address"), close_box, lines=3)
        self.court_phone = QLineEdit(close_box)
        self.court_email = QLineEdit(close_box)
        signature_rows: tuple[tuple[str, QWidget, str], ...] = (
                                    (self.tr("Si&gnatory"), self.signatory_name, "signatory.name"),
                                    (self.tr("Signatory's t&itle"), self.signatory_title, "signatory.title"),
                                    (self.tr("C&ourt"), self.court, "sender.court"),
                                    (self.tr("Chambers line"), self.court_chambers, "sender.chambers"),
                                    (self.tr("Court address"), self.court_address, "sender.address"),
                                    (self.tr("Phone"), self.court_phone, "sender.phone"),
                                    (self.tr("Email"), self.court_email, "sender.email"))
        for label, row_widget, path in signature_rows:
            row_widget.setObjectName(path)
            row_widget.setAccessibleName(label.replace("&", ""))
            row_widget.setToolTip(self.tr("Filled from the court profile (Office > Court profile, or Preferences "
                                          "on this computer alone)"))
            close_form.addRow(label, row_widget)
        self.lists: dict[str, LineListEditor] = {}
        for key in LINE_SECTIONS:
            if key in manifest.sections:
                editor_list = LineListEditor(key, section_title(key), close_box)
                editor_list.setObjectName(key)
                self.lists[key] = editor_list
                close_form.addRow(section_title(key), editor_list)
                editor_list.textChanged.connect(lambda k=key: self._changed(k))
        layout.addWidget(close_box)
        layout.addStretch(1)
        self.setWidget(page)

        for widget, path in ((self.reference, "reference"), (self.subject, "subject"),
                             (self.complimentary_close, "complimentary_close"),
                             (self.signatory_name, "signatory.name"), (self.signatory_title, "signatory.title"),
                             (self.court, "sender.court"), (self.court_chambers, "sender.chambers"),
                             (self.court_phone, "sender.phone"),
                             (self.court_email, "sender.email")):
            widget.textChanged.connect(lambda _t, p=path: self._changed(p))
            if hook and widget in (self.subject, self.complimentary_close, self.signatory_title, self.court):
                hook(widget)
        if hook:
            for editor_list in self.lists.values():
                hook(editor_list)
        self.court_address.textChanged.connect(lambda: self._changed("sender.address"))
        self.date.dateChanged.connect(lambda _d: self._changed("date"))
        self.addressees.edited.connect(self._changed)

    # -- data ---------------------------------------------------------------------------------
    def _changed(self, path: str) -> None:
        if not self._loading:
            self.edited.emit(path)

    def data(self) -> dict[str, Any]:
        """The letter as typed so far (not yet validated), in the letter's JSON shape.

        Read on every keystroke, so it copies references, not the letter: the lists come from their
        models, which never change a row in place, and what the form does not show (``_base``) is
        shared with the letter it was given. Nobody changes the letter's dicts or lists in place."""
        out = dict(self._base)
        out["template"] = self.manifest.id
        out["date"] = self.date.date().toString("yyyy-MM-dd")
        _put(out, "reference", self.reference.text())
        out["subject"] = self.subject.text()
        sender = dict(out.get("sender") or {})
        sender["court"] = self.court.text()
        sender["address"] = self.court_address.values()
        _put(sender, "chambers", self.court_chambers.text())
        _put(sender, "phone", self.court_phone.text())
        _put(sender, "email", self.court_email.text())
        out["sender"] = sender
        signatory = dict(out.get("signatory") or {})
        signatory["name"] = self.signatory_name.text()
        signatory["title"] = self.signatory_title.text()
        out["signatory"] = signatory
        out["addressees"] = self.addressees.values()
        _put(out, "group_salutation", self.addressees.group_value())
        for key, editor in self.sections.items():
            out[key] = editor.values()
        out["complimentary_close"] = self.complimentary_close.text()
        for key, line_editor in self.lists.items():
            out[key] = line_editor.values()
        fields = dict(out.get("fields") or {})
        for name, field_editor in self.fields.items():
            value = field_editor.value()
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
        out["fields"] = fields
        return out

    def set_data(self, data: dict[str, Any]) -> None:
        """Show ``data``; widgets whose value is unchanged are left alone (cursor and all)."""
        self._loading = True
        try:
            self._base = copy.deepcopy(data)
            try:
                day = dt.date.fromisoformat(str(data.get("date", "")))
            except ValueError:
                day = dt.date.today()
            self.date.setDate(QDate(day.year, day.month, day.day))
            _set(self.reference, data.get("reference"))
            _set(self.subject, data.get("subject"))
            sender = data.get("sender") or {}
            _set(self.court, sender.get("court"))
            _set(self.court_chambers, sender.get("chambers"))
            self.court_address.set_values(list(sender.get("address") or []))
            _set(self.court_phone, sender.get("phone"))
            _set(self.court_email, sender.get("email"))
            signatory = data.get("signatory") or {}
            _set(self.signatory_name, signatory.get("name"))
            _set(self.signatory_title, signatory.get("title"))
            self.addressees.set_values(list(data.get("addressees") or []))
            self.addressees.set_group_value(data.get("group_salutation"))
            for key, editor in self.sections.items():
                editor.set_values([str(p) for p in data.get(key) or []])
            _set(self.complimentary_close, data.get("complimentary_close", "Sincerely,"))
            for key, line_editor in self.lists.items():
                line_editor.set_values([str(v) for v in data.get(key) or []])
            fields = data.get("fields") or {}
            for name, field_editor in self.fields.items():
                field_editor.set_value(fields.get(name, field_editor.spec.default))
        finally:
            self._loading = False

    def set_read_only(self, why: str | None) -> None:
        """A role that may not edit still reads the whole form; every control says why it is locked."""
        from PySide6.QtWidgets import (
            QAbstractButton,
            QAbstractItemView,
            QAbstractSpinBox,
            QComboBox,
            QPlainTextEdit,
            QTextEdit,
        )

        locked = why is not None
        page = self.widget()
        for widget in page.findChildren(QWidget) if page is not None else []:
            if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit):
                if isinstance(widget.parent(), QComboBox):
                    continue
                widget.setReadOnly(locked)
            elif isinstance(widget, QAbstractButton | QComboBox | QAbstractSpinBox):
                widget.setEnabled(not locked)
            elif isinstance(widget, QAbstractItemView):  # the addressee list: no reordering by drag
                widget.setDragEnabled(not locked)
            else:
                continue
            if why is not None:
                widget.setToolTip(why)
        for section in self.sections.values():
            section.locked = locked
        self.addressees.locked = locked
        self.read_only = locked

    def take_label(self) -> str:
        """What the last change of a list was ("Move concern 2 up"), once; "" for typing."""
        label = self.addressees.last_action
        self.addressees.last_action = ""
        for section in self.sections.values():
            label = label or section.last_action
            section.last_action = ""
        return label

    read_only = False

    # -- navigation ---------------------------------------------------------------------------
    def current_section(self) -> ParagraphListEditor | None:
        """The paragraph section being edited (for inserting a clause), else the concerns."""
        focus = self.focusWidget() if self.focusWidget() else None
        for editor in self.sections.values():
            if focus is not None and editor.isAncestorOf(focus):
                return editor
        return self._last_section or self.sections.get("concerns") or next(iter(self.sections.values()), None)

    _last_section: ParagraphListEditor | None = None

    def note_focus(self, widget: QWidget | None) -> None:
        for editor in self.sections.values():
            if widget is not None and editor.isAncestorOf(widget):
                self._last_section = editor

    def focus_path(self, path: str) -> bool:
        """Put the keyboard focus on the field a problem's path names; False if none matches."""
        match = _PATH.match(path or "")
        if not match:
            return False
        key, sub = match["key"], match["sub"]
        index = int(match["index"]) if match["index"] is not None else None
        widget: QWidget | None = None
        if key == "addressees":
            self.addressees.focus_path(index, sub)
            self.ensureWidgetVisible(self.addressees)
            return True
        if key in self.sections:
            self.sections[key].focus_item(index)
            self.ensureWidgetVisible(self.sections[key])
            return True
        if key in self.lists:
            self.lists[key].focus_line(index)
            widget = self.lists[key]
        elif key == "fields" and sub in self.fields:
            widget = self.fields[sub].widget
        elif key in ("sender", "signatory"):
            widget = self.findChild(QWidget, f"{key}.{sub}") if sub else self.court
        else:
            widget = self.findChild(QWidget, key)
        if widget is None:
            return False
        self.ensureWidgetVisible(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True


def _put(target: dict[str, Any], key: str, text: str) -> None:
    if text.strip():
        target[key] = text
    else:
        target.pop(key, None)


def _set(widget: QLineEdit, value: Any) -> None:
    text = "" if value is None else str(value)
    if widget.text() != text:
        widget.setText(text)


__all__ = ["PARAGRAPH_SECTIONS", "LetterForm", "QLabel"]
