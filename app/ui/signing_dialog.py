"""Review > Sign and export…: the signatory judge signs the approved letter's PDF with their own key.

A self-contained dialog: it is given what it works with (the signing service, or anything that
answers ``may_sign`` and ``export_signed`` as it does; the letter's number and a line naming it;
a runner that takes work off the GUI thread) and reaches into no window. It asks the service
first whether this judge may sign this letter now and shows the answer in words; only then are
the key and its passphrase or PIN asked. The passphrase is read from its field once, when Sign is
pressed, the field is cleared at once, and the text is handed to the service exactly once and
dropped (it is never stored, logged or shown). Every refusal (a wrong passphrase, an untrusted or
another person's certificate, not the signatory) is said in the dialog, and the service writes
nothing then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Signal
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
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.workers import describe_error

if TYPE_CHECKING:
    from app.core.certificates import BoundCertificate
    from app.core.letter import Letter
    from app.core.records import Approval
    from app.services.signing import SignedExport


class SigningPort(Protocol):
    """What the dialog asks of the signing service (``app.services.signing.Signing`` answers it)."""

    def may_sign(self, letter_id: int) -> tuple[Approval, Letter, BoundCertificate]: ...

    def export_signed(self, letter_id: int, out: Path | None, pdf: Path, sign_with: str,
                      secret: Callable[[], str], timestamp: str | None = None) -> SignedExport: ...


class Runner(Protocol):
    """Runs ``fn`` off the GUI thread and calls back on it (``app.ui.workers.OpRunner``)."""

    def run(self, fn: Callable[[], Any], success: Callable[[Any], None] | None = None,
            failure: Callable[[BaseException], None] | None = None) -> None: ...


KEY_FILE, TOKEN = 0, 1
TOKEN_EXAMPLE = "pkcs11:token=judge-card;object=signing"


def _day(when: dt.datetime) -> str:
    return f"{when:%B} {when.day}, {when.year}"


class SigningDialog(QDialog):
    """Sign and export the approved letter: key, passphrase or PIN, where the files go (the signed
    PDF, and the approved .docx beside it unless the judge wants the PDF alone)."""

    signed = Signal(object)   # SignedExport, once its files are written
    verdict_known = Signal(bool)   # may this judge sign this letter (the answer is in ``verdict``)

    def __init__(self, signing: SigningPort, letter_id: int, summary: str, runner: Runner, *,
                 folder: Path | None = None, timestamp: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._signing = signing
        self._letter_id = letter_id
        self._runner = runner
        self._folder = folder or Path.home()
        self._timestamp = timestamp
        self.may_sign: bool | None = None    # None while the service is being asked
        self.busy = False
        self.result_export: SignedExport | None = None
        self.setWindowTitle(self.tr("Sign and export letter {n}").format(n=letter_id))
        self.setObjectName("signing-dialog")
        self.setMinimumWidth(820)
        layout = QVBoxLayout(self)

        heading = QLabel(summary, self)
        heading.setObjectName("signing-letter")
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: 600")
        layout.addWidget(heading)
        self.verdict = QLabel(self.tr("Checking whether you may sign this letter…"), self)
        self.verdict.setObjectName("signing-verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName(self.tr("May you sign"))
        layout.addWidget(self.verdict)

        form = QFormLayout()
        self.key_kind = QComboBox(self)
        self.key_kind.addItems([self.tr("Key file (PKCS#12: .p12 or .pfx)"),
                                self.tr("Smart card or token (PKCS#11 URI)")])
        self.key_kind.setAccessibleName(self.tr("Where the signing key is"))
        form.addRow(self.tr("&Key is in"), self.key_kind)
        self.key = QLineEdit(self)
        self.key.setAccessibleName(self.tr("Signing key"))
        self.choose_key = QPushButton(self.tr("C&hoose…"), self)
        self.choose_key.setAccessibleName(self.tr("Choose the key file"))
        self.choose_key.clicked.connect(self._pick_key)
        form.addRow(self._label(self.tr("Ke&y"), self.key), self._with_button(self.key, self.choose_key))
        self.secret = QLineEdit(self)
        self.secret.setObjectName("signing-secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_label = QLabel(self)
        self.secret_label.setBuddy(self.secret)
        form.addRow(self.secret_label, self.secret)
        # A court that files PDFs wants the signed PDF alone; it carries the approved .docx inside.
        self.with_docx = QCheckBox(self.tr("&Also the approved Word file, beside the signed PDF"), self)
        self.with_docx.setObjectName("signing-with-docx")
        self.with_docx.setAccessibleName(self.tr("Write the approved Word file too"))
        self.with_docx.setChecked(True)
        form.addRow("", self.with_docx)
        self.docx = QLineEdit(self)
        self.docx.setAccessibleName(self.tr("The approved Word file goes to"))
        choose_docx = QPushButton(self.tr("Choose…"), self)
        choose_docx.setAccessibleName(self.tr("Choose where the Word file goes"))
        choose_docx.clicked.connect(lambda: self._pick_output(self.docx, self.tr("Word document (*.docx)"), ".docx"))
        self.with_docx.toggled.connect(self.docx.setEnabled)
        self.with_docx.toggled.connect(choose_docx.setEnabled)
        self.with_docx.toggled.connect(self._update)
        form.addRow(self._label(self.tr("&Word file"), self.docx), self._with_button(self.docx, choose_docx))
        self.pdf = QLineEdit(self)
        self.pdf.setAccessibleName(self.tr("The signed PDF goes to"))
        choose_pdf = QPushButton(self.tr("Choose…"), self)
        choose_pdf.setAccessibleName(self.tr("Choose where the signed PDF goes"))
        choose_pdf.clicked.connect(lambda: self._pick_output(self.pdf, self.tr("PDF (*.pdf)"), ".pdf"))
        form.addRow(self._label(self.tr("Signed &PDF"), self.pdf), self._with_button(self.pdf, choose_pdf))
        stamp = QLabel(self.tr("from {url} (PAdES B-T)").format(url=timestamp) if timestamp else
                       self.tr("none: the office names no timestamp server (PAdES B-B; the time is your "
                               "computer's)"), self)
        stamp.setWordWrap(True)
        stamp.setObjectName("signing-timestamp")
        form.addRow(self.tr("Timestamp"), stamp)
        layout.addLayout(form)

        self.problem = QLabel("", self)
        self.problem.setObjectName("signing-problem")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(self.tr("Why the letter was not signed"))
        self.problem.setStyleSheet("color: #b3261e")
        self.problem.hide()
        layout.addWidget(self.problem)
        self.done_note = QLabel("", self)
        self.done_note.setObjectName("signing-done")
        self.done_note.setWordWrap(True)
        self.done_note.hide()
        layout.addWidget(self.done_note)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.sign_button = buttons.addButton(self.tr("&Sign and export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setObjectName("signing-sign")
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button.clicked.connect(self.sign)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.key_kind.currentIndexChanged.connect(self._kind_changed)
        for field in (self.key, self.secret, self.docx, self.pdf):
            field.textChanged.connect(self._update)
        self._kind_changed()
        self._runner.run(lambda: self._signing.may_sign(letter_id), self._may, self._may_not)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        # A row whose field is a layout (field and button) gets no buddy from QFormLayout, so its
        # mnemonic would show as a literal "&".
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _with_button(self, field: QLineEdit, button: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(field, 1)
        row.addWidget(button)
        return row

    # --- what the service says first ----------------------------------------------------------
    def _may(self, answer: tuple[Approval, Letter, BoundCertificate]) -> None:
        from app.services.letters import suggested_file_name

        approval, letter, bound = answer
        self.may_sign = True
        self.verdict.setText(self.tr(
            "You may sign approved version {version} (approved by {approver} on {day}) as {signatory}, with "
            "the certificate bound to you: {subject}, valid until {until}.").format(
                version=approval.version, approver=approval.approver, day=_day(approval.approved_at),
                signatory=letter.signatory.name, subject=bound.subject, until=_day(bound.not_after)))
        stem = suggested_file_name(letter, "")
        if not self.docx.text():
            self.docx.setText(str(self._folder / f"{stem}.docx"))
        if not self.pdf.text():
            self.pdf.setText(str(self._folder / f"{stem} (signed).pdf"))
        self._update()
        self.verdict_known.emit(True)

    def _may_not(self, exc: BaseException) -> None:
        self.may_sign = False
        self.verdict.setText(self.tr("You cannot sign this letter: {why}").format(why=describe_error(exc)))
        self.verdict.setStyleSheet("color: #b3261e")
        self._update()
        self.verdict_known.emit(False)

    # --- the form ---------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        token = self.key_kind.currentIndex() == TOKEN
        self.choose_key.setEnabled(not token)
        self.key.setPlaceholderText(TOKEN_EXAMPLE if token else self.tr("the .p12 or .pfx file holding your key"))
        self.secret_label.setText(self.tr("P&IN") if token else self.tr("Pass&phrase"))
        self.secret.setAccessibleName(self.tr("The token's PIN") if token else self.tr("The key file's passphrase"))
        self._update()

    def _missing(self) -> str:
        """What is still to be filled in, in words ('' when nothing)."""
        token = self.key_kind.currentIndex() == TOKEN
        key = self.key.text().strip()
        if not key:
            return self.tr("Name the token's key ({example})").format(example=TOKEN_EXAMPLE) if token \
                else self.tr("Choose the key file")
        if token and not key.lower().startswith("pkcs11:"):
            return self.tr("A token's key is named by a pkcs11: URI, e.g. {example}").format(example=TOKEN_EXAMPLE)
        if not self.secret.text():
            return self.tr("Type the token's PIN") if token else self.tr("Type the key file's passphrase")
        outputs = [(self.pdf, ".pdf", self.tr("The signed PDF"))]
        if self.with_docx.isChecked():
            outputs.insert(0, (self.docx, ".docx", self.tr("The Word file")))
        for field, suffix, what in outputs:
            if not field.text().strip():
                return self.tr("{what}: say where it goes").format(what=what)
            if Path(field.text().strip()).suffix.lower() != suffix:
                return self.tr("{what} must end in {suffix}").format(what=what, suffix=suffix)
        if self.with_docx.isChecked() and \
                Path(self.docx.text().strip()).expanduser() == Path(self.pdf.text().strip()).expanduser():
            return self.tr("The Word file and the PDF need two different names")
        return ""

    def _update(self) -> None:
        missing = self._missing()
        ready = bool(self.may_sign) and not self.busy and self.result_export is None and not missing
        self.sign_button.setEnabled(ready)
        self.close_button.setEnabled(not self.busy)
        self.sign_button.setToolTip(missing if self.may_sign else self.verdict.text())

    def _pick_key(self) -> None:
        start = self.key.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Your signing key"), start,
                                              self.tr("PKCS#12 key files (*.p12 *.pfx);;All files (*)"))
        if path:
            self.key.setText(path)

    def _pick_output(self, field: QLineEdit, kinds: str, suffix: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save as"), field.text() or str(self._folder), kinds)
        if path:
            field.setText(path if path.lower().endswith(suffix) else path + suffix)

    # --- signing ----------------------------------------------------------------------------
    def sign(self) -> None:
        """Sign off the GUI thread; the passphrase leaves its field now and is used once."""
        missing = self._missing()
        if not self.may_sign or self.busy or self.result_export is not None or missing:
            if missing:
                self._say_problem(missing)
            return
        out = Path(self.docx.text().strip()).expanduser() if self.with_docx.isChecked() else None
        pdf = Path(self.pdf.text().strip()).expanduser()
        existing = [p for p in (out, pdf) if p is not None and p.exists()]
        if existing:
            answer = QMessageBox.question(
                self, self.tr("Replace files?"),
                self.tr("These files already exist:\n{names}\n\nReplace them?").format(
                    names="\n".join(str(p) for p in existing)),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        sign_with = self.key.text().strip()
        # Python cannot wipe a string's memory; the best it can do is hold the passphrase in as few
        # places as it can for as short as it can: out of the field now, and out of this list once
        # the service has asked for it.
        held = [self.secret.text()]
        self.secret.clear()

        def secret() -> str:
            return held.pop() if held else ""

        self.busy = True
        self.problem.hide()
        self._update()
        self.done_note.setText(self.tr("Signing… (making the PDF and signing it can take a few seconds)"))
        self.done_note.show()
        letter_id, signing, timestamp = self._letter_id, self._signing, self._timestamp

        def job() -> SignedExport:
            try:
                return signing.export_signed(letter_id, out, pdf, sign_with, secret, timestamp)
            finally:
                held.clear()

        self._runner.run(job, self._signed, self._not_signed)

    def _signed(self, result: SignedExport) -> None:
        self.busy = False
        self.result_export = result
        who = result.certificate.common_name or result.certificate.subject
        written = "\n".join(str(p) for p in (result.docx, result.pdf) if p is not None)
        self.done_note.setText(self.tr("Signed by {who}{stamp} and exported:\n{files}").format(
            who=who, stamp=self.tr(", timestamped") if result.timestamped else "", files=written))
        self.close_button.setText(self.tr("&Close"))
        self._update()
        self.signed.emit(result)

    def _not_signed(self, exc: BaseException) -> None:
        self.busy = False
        self.done_note.hide()
        self._say_problem(self.tr("Not signed, and nothing was written: {why}").format(
            why=describe_error(exc).removesuffix("; nothing was written")))
        self._update()
        self.secret.setFocus()

    def reject(self) -> None:
        # The signing runs to its end once started (LibreOffice's conversion, then the key): closing
        # the dialog meanwhile would leave its result with no one to say it to.
        if self.busy:
            return
        super().reject()

    def done(self, result: int) -> None:
        self.secret.clear()   # a passphrase typed and then cancelled does not stay in the field either
        super().done(result)

    def _say_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
