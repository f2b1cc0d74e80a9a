"""The dialogs: the template gallery, the export dialog, preferences, simple text prompts, and the
questions of a start (who are you, restore unsaved work) and of a save that met someone else's."""

from __future__ import annotations

import datetime as dt
import getpass
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ChambersError
from app.core.records import User
from app.core.workflow import Conflict, Role
from app.services.conflicts import PartChange
from app.services.exporting import ExportRequest
from app.services.office import ROLE_SENTENCES, check_user_name
from app.services.templates import PackInfo
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
                 parent: QWidget | None = None, why_draft: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export letter"))
        self.setObjectName("export-dialog")
        layout = QVBoxLayout(self)
        # ``why_draft`` says why an approved letter still goes out as a draft (a clerk's copy, an edit since).
        state = (self.tr("This letter is approved: the exact approved document is exported.") if approved
                 else why_draft or self.tr("This letter is not approved: it is exported as a draft, marked DRAFT."))
        self.state = state
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
            self.per_addressee.setToolTip(self.tr("Each addressee's copy as it was sealed at approval"))
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

    def __init__(self, prefs: Preferences, parent: QWidget | None = None, working_as: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.setObjectName("preferences")
        self.prefs = prefs
        tabs = QTabWidget(self)
        court = QWidget(tabs)
        court_form = QFormLayout(court)
        p = prefs.profile
        note = QLabel(self.tr("The letterhead of new letters on this computer alone. With the drafts database, "
                              "the office's court profile (Office > Court profile…) is used instead."), court)
        note.setWordWrap(True)
        court_form.addRow(note)
        self.court = QLineEdit(p.court, court)
        self.chambers = QLineEdit(p.chambers, court)
        self.address = QPlainTextEdit("\n".join(p.address), court)
        self.address.setTabChangesFocus(True)
        self.phone = QLineEdit(p.phone, court)
        self.email = QLineEdit(p.email, court)
        self.signatory_name = QLineEdit(p.signatory_name, court)
        self.signatory_title = QLineEdit(p.signatory_title, court)
        for label, widget in ((self.tr("Court"), self.court), (self.tr("Chambers line"), self.chambers),
                              (self.tr("Address lines"), self.address),
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
        if working_as:
            # Who this window works as (a --user for this session included), apart from what the next start uses.
            self.working_as = QLabel(working_as, me)
            self.working_as.setAccessibleName(self.tr("Working as"))
            me_form.addRow(self.tr("Working as"), self.working_as)
        rows: tuple[tuple[str, QWidget], ...] = ((self.tr("User name at the next start"), self.user),
                                                 (self.tr("Role without the drafts database"), self.role),
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
        p.profile.chambers = self.chambers.text().strip()
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


def suggested_user_name() -> str:
    """The operating system's login, made into a Chambers user name ('' when there is none)."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""
    name = re.sub(r"[^a-z0-9_.-]+", ".", login.strip().lower()).strip(".-")
    name = re.sub(r"^[^a-z_]+", "", name)[:63]
    return name


@dataclass(frozen=True)
class IdentityChoice:
    name: str
    new: bool                 # True: make this the database's first user
    role: Role | None = None  # for a new user
    full_name: str = ""
    admin: str = ""           # a new clerk or judge: the admin made with them, so users can be added later


class FirstRunDialog(QDialog):
    """Who are you? On this computer's own database: make its first user, or pick one of its users."""

    def __init__(self, users: list[User], suggested: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Who are you?"))
        self.setObjectName("first-run")
        self.users = list(users)
        layout = QVBoxLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.name = QLineEdit(suggested, self)
        self.full_name = QLineEdit(self)
        self.roles: dict[Role, QRadioButton] = {}
        self.list = QListWidget(self)
        if not self.users:
            self.intro.setText(self.tr(
                "This is the first start of Chambers on this computer's own database. Say who you are once; "
                "Chambers remembers it. You become the database's first user."))
            form = QFormLayout()
            self.name.setAccessibleName(self.tr("User name"))
            self.name.setToolTip(self.tr("Lower-case letters, digits, '.', '_' or '-'"))
            form.addRow(self.tr("&User name"), self.name)
            self.full_name.setAccessibleName(self.tr("Full name"))
            self.full_name.setPlaceholderText(self.tr("As it is signed, e.g. Tani G. Cantil-Sakauye"))
            form.addRow(self.tr("&Full name"), self.full_name)
            layout.addLayout(form)
            layout.addWidget(QLabel(self.tr("Your role:"), self))
            for role in Role:
                button = QRadioButton(f"{role.value.capitalize()}: {ROLE_SENTENCES[role]}", self)
                button.setObjectName(f"role-{role.value}")
                button.setAccessibleName(role.value.capitalize())
                button.setToolTip(ROLE_SENTENCES[role])
                self.roles[role] = button
                layout.addWidget(button)
            # The first user of a database is its admin, or comes with one: only an admin adds users, and an
            # office whose only user is a clerk (or a judge) could never add the other.
            self.roles[Role.ADMIN].setChecked(True)
            admin_row = QFormLayout()
            self.admin_name = QLineEdit("admin", self)
            self.admin_name.setObjectName("admin-name")
            self.admin_name.setAccessibleName(self.tr("Admin's user name"))
            self.admin_label = QLabel(self.tr("A&dmin's user name"), self)
            self.admin_label.setBuddy(self.admin_name)
            admin_row.addRow(self.admin_label, self.admin_name)
            layout.addLayout(admin_row)
            note = QLabel(self.tr("Only an admin can add users. Choose Admin to be this database's admin; as a "
                                  "clerk or a judge you get an admin account beside yours (start Chambers with "
                                  "--user and its name to add users)."), self)
            note.setWordWrap(True)
            layout.addWidget(note)
            for button in self.roles.values():
                button.toggled.connect(lambda _on: self._check())
            self.admin_name.textChanged.connect(lambda _t: self._check())
            self.list.hide()
        else:
            self.intro.setText(self.tr(
                "This computer has not said yet which of the database's users it is. Choose who you are; "
                "Chambers remembers it. (On this computer's own database Chambers checks roles itself.)"))
            self.name.hide()
            self.full_name.hide()
            self.list.setAccessibleName(self.tr("Users"))
            for user in self.users:
                text = f"{user.shown} ({user.name}), {user.role.value}: {ROLE_SENTENCES[user.role]}"
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.name)
                self.list.addItem(item)
            chosen = [i for i, u in enumerate(self.users) if u.name == suggested]
            self.list.setCurrentRow(chosen[0] if chosen else 0)
            self.list.itemActivated.connect(lambda _i: self.accept())
            layout.addWidget(self.list)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(self.tr("Problem"))
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Start") if not self.users else self.tr("&Continue as this user"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.name.textChanged.connect(self._check)
        self._check()
        self.resize(560, 360)

    def set_role(self, role: Role) -> None:
        self.roles[role].setChecked(True)

    def choose(self, name: str) -> None:
        names = [u.name for u in self.users]
        self.list.setCurrentRow(names.index(name))

    def _check(self) -> None:
        if self.users:
            self.problem.hide()
            return
        if not hasattr(self, "ok"):
            return  # still being built
        with_admin = not self.roles[Role.ADMIN].isChecked()
        self.admin_name.setVisible(with_admin)
        self.admin_label.setVisible(with_admin)
        try:
            check_user_name(self.name.text().strip())
            if with_admin:
                admin = self.admin_name.text().strip()
                check_user_name(admin)
                if admin == self.name.text().strip():
                    raise ChambersError("the admin needs a user name of its own")
        except ChambersError as exc:
            self.problem.setText(str(exc)[0].upper() + str(exc)[1:] + ".")
            self.problem.setVisible(bool(self.name.text().strip()))
            self.ok.setEnabled(False)
        else:
            self.problem.hide()
            self.ok.setEnabled(True)

    def choice(self) -> IdentityChoice:
        if self.users:
            item = self.list.currentItem()
            return IdentityChoice(str(item.data(Qt.ItemDataRole.UserRole)) if item else "", new=False)
        role = next(r for r, b in self.roles.items() if b.isChecked())
        admin = self.admin_name.text().strip() if role is not Role.ADMIN else ""
        return IdentityChoice(self.name.text().strip(), True, role, self.full_name.text().strip(), admin)


def _when(at: dt.datetime) -> str:
    local = at.astimezone()
    return f"{local:%H:%M} on {local:%B} {local.day}, {local.year}"


class _TwoChoices(QDialog):
    """Two named answers, and Escape for 'not now'; ``answer`` says which (None: not now)."""

    def __init__(self, title: str, text: str, first: tuple[str, str], second: tuple[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.answer: str | None = None
        layout = QVBoxLayout(self)
        self.message = QLabel(text, self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for key, label in (first, second):
            button = QPushButton(label, self)
            button.setObjectName(f"answer-{key}")
            button.setAccessibleName(label.replace("&", ""))
            button.clicked.connect(lambda _checked=False, k=key: self._answer(k))
            self.buttons[key] = button
            row.addWidget(button)
        self.buttons[first[0]].setDefault(True)
        layout.addLayout(row)
        self.answer_row = row
        self.resize(520, 200)

    def _answer(self, key: str) -> None:
        self.answer = key
        self.accept()

    def click(self, key: str) -> None:
        self.buttons[key].click()


class RestoreDialog(_TwoChoices):
    """After a crash: the edit left in the recovery journal, restored or discarded."""

    def __init__(self, letter_id: int | None, data: dict[str, Any], at: dt.datetime | None,
                 parent: QWidget | None = None) -> None:
        subject = str(data.get("subject") or "").strip() or "(no subject)"
        which = f"letter {letter_id}, “{subject}”" if letter_id is not None else f"a new letter, “{subject}”"
        when = f" (kept at {_when(at)})" if at is not None else ""
        text = (f"Chambers closed before your last edit was saved: {which}{when}. "
                "Restore it to go on where you were, or discard it for good?")
        super().__init__("Restore unsaved work?", text, ("restore", "&Restore"), ("discard", "&Discard"), parent)
        self.setObjectName("restore-dialog")


class ConflictDialog(_TwoChoices):
    """A save met a newer version by someone else: reload theirs, keep mine on top, or take the parts
    of theirs ticked in the side-by-side list. Nothing is lost."""

    def __init__(self, conflict: Conflict, parent: QWidget | None = None,
                 parts: list[PartChange] | None = None) -> None:
        text = (f"{conflict.author} saved letter {conflict.letter_id} at {_when(conflict.at)} (version "
                f"{conflict.current}) after you opened it at version {conflict.expected}. Your edit was not "
                "saved and nothing was overwritten.\n\n"
                "Reload theirs: the letter shows their version; your edit stays in the recovery journal "
                "and Undo brings it back.\n"
                f"Keep mine: your edit is saved as version {conflict.current + 1}, on top of theirs "
                "(their version stays in the history).")
        super().__init__("Someone else saved this letter", text, ("reload", "Reload &theirs"),
                         ("keep", "&Keep mine as a new version"), parent)
        self.setObjectName("conflict-dialog")
        self.conflict = conflict
        self.parts = list(parts or [])
        self.table: QTableWidget | None = None
        self._checks: list[QTableWidgetItem] = []
        if self.parts:
            self._side_by_side(conflict)

    def _side_by_side(self, conflict: Conflict) -> None:
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        heading = QLabel(self.tr("What {author} changed, beside yours; tick a part to take theirs:")
                         .format(author=conflict.author), self)
        layout.insertWidget(1, heading)
        table = QTableWidget(len(self.parts), 3, self)
        table.setObjectName("conflict-parts")
        table.setAccessibleName(self.tr("Their changes beside yours"))
        table.setHorizontalHeaderLabels([self.tr("Take theirs"), self.tr("{author}'s version").format(
            author=conflict.author), self.tr("Yours")])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        table.verticalHeader().hide()
        for row, part in enumerate(self.parts):
            check = QTableWidgetItem(part.part.replace("_", " ") + (self.tr(" (the same)") if part.same else ""))
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(Qt.CheckState.Unchecked)
            check.setToolTip(", ".join(part.paths))
            table.setItem(row, 0, check)
            self._checks.append(check)
            table.setItem(row, 1, QTableWidgetItem(part.theirs))
            table.setItem(row, 2, QTableWidgetItem(part.mine))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeRowsToContents()
        layout.insertWidget(2, table, 1)
        self.table = table
        take = QPushButton(self.tr("Take the &ticked parts of theirs"), self)
        take.setObjectName("answer-merge")
        take.setAccessibleName(take.text().replace("&", ""))
        take.setToolTip(self.tr("Your letter, with the ticked parts as {author} has them; saved on top of "
                                "their version").format(author=conflict.author))
        take.clicked.connect(lambda: self._answer("merge"))
        self.buttons["merge"] = take
        self.answer_row.addWidget(take)
        self.resize(820, 480)

    def tick(self, part: str) -> None:
        """Tick ``part`` (e.g. "subject") to take theirs."""
        self._checks[[p.part for p in self.parts].index(part)].setCheckState(Qt.CheckState.Checked)

    def taken(self) -> list[str]:
        """The parts ticked to take theirs."""
        return [p.part for p, check in zip(self.parts, self._checks, strict=True)
                if check.checkState() == Qt.CheckState.Checked]


class WithdrawApprovalPrompt(QMessageBox):
    """Asked before the first edit of an approved, exported or in-review letter; No puts the edit back."""

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("withdraw-approval")
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("Edit this letter?"))
        self.setText(question)
        self.setInformativeText(self.tr("The history records who edited it and why the approval or review "
                                        "ended."))
        self.edit_anyway = self.addButton(self.tr("&Edit anyway"), QMessageBox.ButtonRole.AcceptRole)
        self.keep = self.addButton(self.tr("&Keep it as it is"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.keep)
        self.setEscapeButton(self.keep)


class SignForPrompt(QMessageBox):
    """Asked before a judge approves a letter another judge signs: the approval says so for good."""

    def __init__(self, signatory: str, version: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approve-signing-for")
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("Approve signing for {name}?").format(name=signatory))
        self.setText(self.tr("This letter is signed by {name}, not by you. Approve version {v} on {name}'s "
                             "behalf?").format(name=signatory, v=version))
        self.setInformativeText(self.tr("The approval, the sealed letter and every check of it (verify) name you "
                                        "as signing for {name}; no signature image is printed.")
                                .format(name=signatory))
        self.approve = self.addButton(self.tr("&Approve signing for {name}").format(name=signatory),
                                      QMessageBox.ButtonRole.AcceptRole)
        self.cancel = self.addButton(self.tr("&Cancel"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.cancel)
        self.setEscapeButton(self.cancel)


class CloseUnsavedPrompt(QMessageBox):
    """Closing when the edit could be saved nowhere: close and lose it, or stay."""

    def __init__(self, error: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("close-unsaved")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(self.tr("Unsaved changes"))
        self.setText(self.tr("Your latest changes could not be saved ({error}). Close and lose them?")
                     .format(error=error))
        self.discard = self.addButton(self.tr("Close and &lose them"), QMessageBox.ButtonRole.DestructiveRole)
        self.stay = self.addButton(self.tr("&Stay"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.stay)
        self.setEscapeButton(self.stay)
