"""The dialogs: the template gallery, the export dialog, preferences, and simple text prompts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.templates import PackInfo
from app.ui.letter_ops import ExportRequest
from app.ui.profile import Preferences


class TemplateGallery(QDialog):
    """Choose the template pack of a new letter; each pack shows its name and description."""

    def __init__(self, packs: list[PackInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New letter from a template"))
        self.setObjectName("template-gallery")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Choose the kind of letter to write:"), self))
        self.list = QListWidget(self)
        self.list.setObjectName("template-list")
        self.list.setAccessibleName(self.tr("Template packs"))
        self.list.setWordWrap(True)
        self.list.setSpacing(4)
        for info in packs:
            text = f"{info.name}\n{info.description}" if not info.problem else f"{info.name}\n{info.problem}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            item.setToolTip(info.description or info.name)
            if info.problem:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _i: self.accept())
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Create letter"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def choose(self, pack_id: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == pack_id:
                self.list.setCurrentRow(i)


def default_export_folder() -> str:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return str(Path(docs or Path.home()) / "Chambers letters")


class ExportDialog(QDialog):
    """Where and how to export: .docx and/or PDF, one file or one per addressee."""

    def __init__(self, stem: str, folder: str, *, pdf_available: bool, approved: bool, addressees: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export letter"))
        self.setObjectName("export-dialog")
        layout = QVBoxLayout(self)
        state = (self.tr("This letter is approved: the exact approved document is exported.") if approved
                 else self.tr("This letter is not approved: it is exported as a draft, marked DRAFT."))
        note = QLabel(state, self)
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        row = QHBoxLayout()
        self.folder = QLineEdit(folder or default_export_folder(), self)
        self.folder.setAccessibleName(self.tr("Folder"))
        browse = QPushButton(self.tr("&Browse…"), self)
        browse.setAccessibleName(self.tr("Choose the folder"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        folder_label = QLabel(self.tr("&Folder"), self)
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, row)
        self.name = QLineEdit(stem, self)
        self.name.setAccessibleName(self.tr("File name"))
        self.name.setMinimumWidth(460)
        self.name.setToolTip(self.tr(".docx and .pdf are added to the name"))
        form.addRow(self.tr("File &name"), self.name)
        self.docx = QCheckBox(self.tr("Word document (.docx)"), self)
        self.docx.setChecked(True)
        self.pdf = QCheckBox(self.tr("PDF"), self)
        if not pdf_available:
            self.pdf.setEnabled(False)
            self.pdf.setToolTip(self.tr("PDF needs LibreOffice, which is not installed"))
        self.per_addressee = QCheckBox(self.tr("One letter per addressee"), self)
        self.per_addressee.setEnabled(addressees > 1)
        if addressees <= 1:
            self.per_addressee.setToolTip(self.tr("The letter has one addressee"))
        elif approved:
            self.per_addressee.setToolTip(self.tr("Each letter is rendered again from the approved version"))
        self.open_folder = QCheckBox(self.tr("Open the folder afterwards"), self)
        self.open_folder.setChecked(True)
        for box in (self.docx, self.pdf, self.per_addressee, self.open_folder):
            box.setAccessibleName(box.text())
            form.addRow("", box)
        self.per_addressee.toggled.connect(lambda on: self.name.setEnabled(not on))
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Export"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for box in (self.docx, self.pdf):
            box.toggled.connect(self._update)
        self.name.textChanged.connect(self._update)

    def _update(self) -> None:
        self.ok.setEnabled((self.docx.isChecked() or self.pdf.isChecked()) and bool(self.name.text().strip()))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export to folder"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def request(self) -> ExportRequest:
        return ExportRequest(Path(self.folder.text()).expanduser(), self.name.text().strip(),
                             docx=self.docx.isChecked(), pdf=self.pdf.isChecked(),
                             per_addressee=self.per_addressee.isChecked())


class PreferencesDialog(QDialog):
    """Court profile, who I am, the database, the templates folder, the court's dictionary."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.setObjectName("preferences")
        self.prefs = prefs
        tabs = QTabWidget(self)
        court = QWidget(tabs)
        court_form = QFormLayout(court)
        p = prefs.profile
        self.court = QLineEdit(p.court, court)
        self.address = QPlainTextEdit("\n".join(p.address), court)
        self.address.setTabChangesFocus(True)
        self.phone = QLineEdit(p.phone, court)
        self.email = QLineEdit(p.email, court)
        self.signatory_name = QLineEdit(p.signatory_name, court)
        self.signatory_title = QLineEdit(p.signatory_title, court)
        for label, widget in ((self.tr("Court"), self.court), (self.tr("Address lines"), self.address),
                              (self.tr("Phone"), self.phone), (self.tr("Email"), self.email),
                              (self.tr("Signing judge"), self.signatory_name),
                              (self.tr("Judge's title"), self.signatory_title)):
            widget.setAccessibleName(label)
            court_form.addRow(label, widget)
        tabs.addTab(court, self.tr("Court profile"))
        me = QWidget(tabs)
        me_form = QFormLayout(me)
        self.user = QLineEdit(prefs.user, me)
        self.role = QComboBox(me)
        for role in ("clerk", "judge", "admin"):
            self.role.addItem(role.capitalize(), role)
        self.role.setCurrentIndex(max(0, self.role.findData(prefs.role)))
        self.database = QLineEdit(prefs.database_url, me)
        self.database.setPlaceholderText(self.tr("Empty: this computer's own database (SQLite)"))
        self.templates = QLineEdit(prefs.templates_folder, me)
        self.templates.setPlaceholderText(self.tr("Extra folder of the court's own template packs"))
        rows: tuple[tuple[str, QWidget], ...] = ((self.tr("User name"), self.user), (self.tr("Role"), self.role),
                              (self.tr("Database URL"), self.database),
                                                 (self.tr("Templates folder"), self.templates))
        for label, row_widget in rows:
            row_widget.setAccessibleName(label)
            me_form.addRow(label, row_widget)
        tabs.addTab(me, self.tr("User and data"))
        self.dictionary = QPlainTextEdit("\n".join(prefs.dictionary), tabs)
        self.dictionary.setAccessibleName(self.tr("The court's dictionary, one word a line"))
        self.dictionary.setTabChangesFocus(True)
        tabs.addTab(self.dictionary, self.tr("Dictionary"))
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def result_preferences(self) -> Preferences:
        p = self.prefs
        p.profile.court = self.court.text().strip()
        p.profile.address = [line.strip() for line in self.address.toPlainText().splitlines() if line.strip()]
        p.profile.phone = self.phone.text().strip()
        p.profile.email = self.email.text().strip()
        p.profile.signatory_name = self.signatory_name.text().strip()
        p.profile.signatory_title = self.signatory_title.text().strip()
        p.user = self.user.text().strip()
        p.role = str(self.role.currentData())
        p.database_url = self.database.text().strip()
        p.templates_folder = self.templates.text().strip()
        p.dictionary = sorted({w.strip() for w in self.dictionary.toPlainText().split() if w.strip()})
        return p


class TextPrompt(QDialog):
    """Ask for a comment (request changes, comment): a multi-line box and OK/Cancel."""

    def __init__(self, title: str, label: str, parent: QWidget | None = None, required: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(label, self))
        self.text = QPlainTextEdit(self)
        self.text.setAccessibleName(label)
        self.text.setTabChangesFocus(True)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if required:
            self.ok.setEnabled(False)
            self.text.textChanged.connect(lambda: self.ok.setEnabled(bool(self.text.toPlainText().strip())))
        layout.addWidget(buttons)

    def value(self) -> str:
        return self.text.toPlainText().strip()
