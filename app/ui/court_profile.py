"""The office's court profile in the window: Office > Court profile… for an admin, and the
letterhead every new letter of the office starts from.

The profile lives in the drafts database (``app.services.office.CourtProfileService``); it is read
and saved on the database thread, and the dialog shows what the database holds after each save.
On this computer alone (no database) the letterhead is the one in Preferences > Court profile.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ChambersError
from app.core.records import CourtProfile
from app.core.workflow import Refused
from app.resources import shipped_file
from app.services.desk import ServiceDesk
from app.services.office import MAX_SEAL_BYTES, check_seal_png
from app.ui.controller import Messages, Part
from app.ui.workers import OpRunner, describe_error

if TYPE_CHECKING:
    from app.services.desk import Desk
    from app.ui.form import LetterForm

PLACEHOLDER_SEAL = shipped_file("seal.png")
PREVIEW_PIXELS = 120


@dataclass(frozen=True)
class Loaded:
    """What the dialog shows: the profile and the image of its seal (None: the placeholder)."""

    profile: CourtProfile
    seal_png: bytes | None


class CourtProfileDialog(QDialog):
    """An admin edits the office's letterhead: court, chambers line, address, contacts, seal and
    the default signatory. ``saved`` carries the profile as the database holds it afterwards."""

    saved = Signal(object)
    loaded = Signal(object)

    def __init__(self, desk: ServiceDesk, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.runner = runner
        self.profile: CourtProfile | None = None
        self.new_seal: bytes | None = None     # a PNG chosen here, saved with the other fields
        self.placeholder = False               # "Use the placeholder seal" was chosen
        self.setObjectName("court-profile-dialog")
        self.setWindowTitle(self.tr("Court profile"))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("The letterhead every new letter of this office starts from. A letter keeps the "
                               "letterhead it was written with: changing it here does not change letters "
                               "already written or approved."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        columns = QHBoxLayout()
        fields = QGroupBox(self.tr("Letterhead"), self)
        form = QFormLayout(fields)
        self.court = self._line(fields, "court-name", self.tr("Court name"),
                                self.tr("e.g. Superior Court of California, County of Sierra Vista"))
        self.chambers = self._line(fields, "chambers-line", self.tr("Chambers line"),
                                   self.tr("e.g. Chambers of the Presiding Judge (optional)"))
        self.address = QPlainTextEdit(fields)
        self.address.setObjectName("address-lines")
        self.address.setAccessibleName(self.tr("Address, one line each"))
        self.address.setPlaceholderText(self.tr("Hall of Justice\n400 Courthouse Square\nSierra Vista, CA 95999"))
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.address.fontMetrics().lineSpacing() * 5 + 12)
        self.phone = self._line(fields, "phone", self.tr("Telephone"), "")
        self.email = self._line(fields, "email", self.tr("E-mail"), "")
        form.addRow(self.tr("Court &name"), self.court)
        form.addRow(self.tr("&Chambers line"), self.chambers)
        form.addRow(self.tr("&Address"), self.address)
        form.addRow(self.tr("&Telephone"), self.phone)
        form.addRow(self.tr("E-&mail"), self.email)
        self.signatory_name = self._line(fields, "signatory-name", self.tr("Default signatory's name"),
                                         self.tr("the judge who signs, e.g. Tani G. Cantil-Sakauye"))
        self.signatory_title = self._line(fields, "signatory-title", self.tr("Default signatory's title"),
                                          self.tr("e.g. Presiding Judge"))
        form.addRow(self.tr("&Signatory"), self.signatory_name)
        form.addRow(self.tr("Signatory's t&itle"), self.signatory_title)
        columns.addWidget(fields, 3)

        seal_box = QGroupBox(self.tr("Seal or logo"), self)
        seal_layout = QVBoxLayout(seal_box)
        self.seal_view = QLabel(seal_box)
        self.seal_view.setObjectName("seal-preview")
        self.seal_view.setAccessibleName(self.tr("The seal printed on the letterhead"))
        self.seal_view.setFixedSize(PREVIEW_PIXELS + 8, PREVIEW_PIXELS + 8)
        self.seal_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.seal_note = QLabel(seal_box)
        self.seal_note.setObjectName("seal-note")
        self.seal_note.setWordWrap(True)
        self.seal_note.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        # Room for three lines: a wrapped label in a box layout is otherwise given one and clipped.
        self.seal_note.setMinimumHeight(self.seal_note.fontMetrics().lineSpacing() * 3)
        self.choose_button = QPushButton(self.tr("C&hoose PNG…"), seal_box)
        self.choose_button.setObjectName("choose-seal")
        self.choose_button.setToolTip(self.tr("A PNG of 32 to 4000 pixels a side, at most 2 MB; it prints about an "
                                              "inch wide"))
        self.placeholder_button = QPushButton(self.tr("Use the &placeholder seal"), seal_box)
        self.placeholder_button.setObjectName("placeholder-seal")
        self.placeholder_button.setToolTip(self.tr("The neutral seal the template packs ship with"))
        seal_layout.addWidget(self.seal_view, 0, Qt.AlignmentFlag.AlignHCenter)
        seal_layout.addWidget(self.seal_note)
        seal_layout.addWidget(self.choose_button)
        seal_layout.addWidget(self.placeholder_button)
        seal_layout.addStretch(1)
        columns.addWidget(seal_box, 2)
        layout.addLayout(columns)
        self.choose_button.clicked.connect(self.choose_seal)
        self.placeholder_button.clicked.connect(self.use_placeholder)

        self.message = QLabel(self)
        self.message.setObjectName("court-profile-message")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Result"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)  # until the profile is read
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(760, 460)
        self.refresh()

    def _line(self, parent: QWidget, name: str, label: str, hint: str) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setObjectName(name)
        edit.setAccessibleName(label)
        edit.setPlaceholderText(hint)
        return edit

    # -- reading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        desk = self.desk

        def read() -> Loaded:
            profile = desk.court_profile()
            return Loaded(profile, desk.seals.get(profile.seal) if profile.seal else None)

        self.runner.run(read, self._show, self._failed)

    def _show(self, loaded: Loaded) -> None:
        profile = self.profile = loaded.profile
        self.court.setText(profile.court)
        self.chambers.setText(profile.chambers)
        self.address.setPlainText("\n".join(profile.address))
        self.phone.setText(profile.phone)
        self.email.setText(profile.email)
        self.signatory_name.setText(profile.signatory_name)
        self.signatory_title.setText(profile.signatory_title)
        self.new_seal, self.placeholder = None, False
        self._show_seal(loaded.seal_png, self.tr("The office's seal") if loaded.seal_png else None)
        self.save_button.setEnabled(True)
        self.loaded.emit(profile)

    def _show_seal(self, png: bytes | None, note: str | None) -> None:
        pixmap = QPixmap()
        data = png if png is not None else PLACEHOLDER_SEAL.read_bytes()
        pixmap.loadFromData(data, "PNG")
        if not pixmap.isNull():
            pixmap = pixmap.scaled(PREVIEW_PIXELS, PREVIEW_PIXELS, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
        self.seal_view.setPixmap(pixmap)
        self.seal_note.setText(note or self.tr("The placeholder seal (names no court)"))

    # -- the seal ---------------------------------------------------------------------------------
    def choose_seal(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Seal or logo"), "",
                                                    self.tr("PNG images (*.png)"))
        if path:
            self.take_seal_file(Path(path))

    def take_seal_file(self, path: Path) -> None:
        """Check the chosen file here, so a wrong one is refused before anything is saved."""
        try:
            size = path.stat().st_size
            if size > MAX_SEAL_BYTES:  # said before a film or a disk image is read into memory
                raise Refused(f"{path.name} is {size:,} bytes; a seal may be at most {MAX_SEAL_BYTES:,} bytes")
            png = path.read_bytes()
            width, height = check_seal_png(png, path.name)
        except (OSError, ChambersError) as exc:  # the seal on screen stays as it was
            self.message.setText(self.tr("That seal cannot be used: {error}").format(error=describe_error(exc)))
            return
        self.new_seal, self.placeholder = png, False
        self._show_seal(png, self.tr("{name}, {w}x{h} pixels (saved with the profile)").format(
            name=path.name, w=width, h=height))
        self.message.setText("")

    def use_placeholder(self) -> None:
        self.new_seal, self.placeholder = None, True
        self._show_seal(None, self.tr("The placeholder seal (names no court; saved with the profile)"))

    # -- saving -----------------------------------------------------------------------------------
    def changes(self) -> dict[str, Any]:
        return {"court": self.court.text(), "chambers": self.chambers.text(),
                "address": [line for line in self.address.toPlainText().splitlines() if line.strip()],
                "phone": self.phone.text(), "email": self.email.text(),
                "signatory_name": self.signatory_name.text(), "signatory_title": self.signatory_title.text()}

    def save(self) -> None:
        if self.profile is None:
            return
        desk, version, changes = self.desk, self.profile.version, self.changes()
        seal, placeholder = self.new_seal, self.placeholder
        self.save_button.setEnabled(False)
        self.runner.run(lambda: desk.save_court_profile(version, changes, seal, placeholder),
                        self._saved, self._failed)

    def _saved(self, profile: CourtProfile) -> None:
        self.profile = profile
        self.saved.emit(profile)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(self.tr("Nothing was saved: {error}").format(error=describe_error(exc)))
        self.save_button.setEnabled(self.profile is not None)


class OfficeLetterhead(QObject, Part):
    """The sender and signatory new letters of this office start from, read from the database on
    its thread (None until read, or on this computer alone: then Preferences give them).

    Built from the desk, the database runner, the form on screen, ``change_letter`` (the editing
    part's one whole-letter edit, asked first when it withdraws an approval) and the message port;
    the court profile dialog opens over ``parent``."""

    status = Signal(str, int)  # a passing line for the status bar, and for how many ms

    def __init__(self, desk: Desk, db: OpRunner, form: Callable[[], LetterForm | None],
                 change_letter: Callable[[dict[str, Any], str], bool], messages: Messages,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.db = db
        self.form = form
        self.change_letter = change_letter
        self.messages = messages
        self.dialog_parent = parent
        self.defaults: tuple[dict[str, Any], dict[str, Any]] | None = None

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk

    def refresh(self) -> None:
        desk = self.desk
        if not desk.has_workflow:
            return
        self.db.run(desk.new_letter_defaults, self._read, lambda _exc: None)

    def _read(self, defaults: tuple[dict[str, Any], dict[str, Any]] | None) -> None:
        self.defaults = defaults

    def use_on_letter(self) -> None:
        """Letter > Use the office's letterhead: the open letter takes the court profile as it is now
        (sender and signatory, the seal pinned anew), as one edit the clerk can undo."""
        desk = self.desk
        if self.form() is None or not desk.has_workflow:
            return

        def apply(defaults: tuple[dict[str, Any], dict[str, Any]] | None) -> None:
            self.defaults = defaults
            if defaults is None:
                self.messages.show_error(self.tr("This office has no court profile yet: an admin sets it in "
                                                 "Office > Court profile…"))
                return
            form = self.form()
            if form is None:
                return
            letter = form.data()
            changed = self.change_letter(
                {**letter, "sender": copy.deepcopy(defaults[0]), "signatory": copy.deepcopy(defaults[1])},
                "letterhead")
            self.status.emit(self.tr("The letter now has the office's letterhead.") if changed
                             else self.tr("The letter already has the office's letterhead."), 6000)

        self.db.run(desk.new_letter_defaults, apply)

    def edit(self) -> None:
        """Office > Court profile…: live for an admin on the drafts database only."""
        workflow = self.desk.workflow
        if workflow is None:
            return
        dialog = CourtProfileDialog(workflow, self.db, self.dialog_parent)
        dialog.saved.connect(self._saved)
        dialog.exec()
        dialog.deleteLater()

    def _saved(self, profile: CourtProfile) -> None:
        self.defaults = (profile.sender(), profile.signatory())
        self.status.emit(self.tr("Saved the court profile (version {n}); new letters use it.")
                         .format(n=profile.version), 6000)
