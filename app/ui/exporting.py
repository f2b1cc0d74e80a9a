"""Export: the approved bytes as approved, or a draft copy, never over a file unasked."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
)
from PySide6.QtWidgets import (
    QMessageBox,
)

from app.core.files import check_output_folder_target
from app.core.letter import parse_letter
from app.core.workflow import Status
from app.services.exporting import (
    ExportRequest,
    ExportResult,
    export_letter,
    planned_files,
)
from app.ui.controller import Collaborators, Part
from app.ui.dialogs import (
    ExportDialog,
)
from app.ui.workers import describe_error

if TYPE_CHECKING:  # imported when first used, not at start-up
    from app.services.desk import Desk
    from app.services.drafts import LetterDetail
    from app.services.templates import TemplateLibrary
    from app.ui.profile import Preferences


class Exporting(QObject, Part):
    """Export: the approved bytes as approved, or a draft copy, never over a file unasked.

    Built from the session (which letter, its status and approval), the document (the pack and the
    last check, whose letter a draft copy renders), the desk, the database runner (the approved
    letter leaves through the drafts service) and the file runner (a draft copy), the template
    library, the preferences (``prefs``: the export folder is remembered there) and the message
    port; the export dialog is asked over ``parent``."""

    status = Signal(str, int)  # a passing line for the status bar, and for how many ms ("": cleared)
    exported = Signal(object)  # ExportResult: the files written

    def __init__(self, shared: Collaborators, library: TemplateLibrary, prefs: Callable[[], Preferences]) -> None:
        super().__init__(shared.parent)
        self.session, self.document, self.desk, self.db = shared.session, shared.document, shared.desk, shared.db
        self.runner, self.messages, self.dialog_parent = shared.runner, shared.messages, shared.parent
        self.library = library
        self.prefs = prefs

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk

    @property
    def approved(self) -> bool:
        """Whether the open letter is approved and unchanged since, asked of the record (its status
        and an approval in force), never of the approved bytes: a member login on PostgreSQL reads
        them empty, and gets them only through the drafts service's audited release."""
        record = self.session.record
        return record.status in (Status.APPROVED, Status.EXPORTED) and record.approval is not None \
            and not self.session.dirty and self.desk.workflow is not None

    def export(self) -> None:
        check = self.document.last_check
        final = self.approved
        if self.document.pack is None or check is None or check.letter is None or (not final and not check.exportable):
            self.messages.show_error(self.tr("The letter cannot be exported yet: fix what Preflight lists."))
            return
        why_draft = ""
        record = self.session.record
        if final:
            ok, _why = self.desk.may("export_final")
            if not ok:
                final = False  # a clerk exports a draft copy of an approved letter
                why_draft = self.tr("This letter is approved; only a judge exports the final letter. You export "
                                    "a copy marked DRAFT.")
        elif record.status in (Status.APPROVED, Status.EXPORTED) and self.session.dirty:
            why_draft = self.tr("This letter was approved, but it has changed since: it is exported as a draft, "
                                "marked DRAFT.")
        letter = check.letter
        if final:
            assert self.session.record.detail is not None
            letter = parse_letter(self.session.record.detail.current.data).letter
        from app.rendering.pdf import find_soffice
        from app.services.letters import suggested_file_name

        stem = suggested_file_name(letter, "")
        dialog = ExportDialog(stem, self.prefs().export_folder, pdf_available=find_soffice() is not None,
                              approved=final, addressees=len(letter.addressees), parent=self.dialog_parent,
                              why_draft=why_draft)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        request = dialog.request()
        open_folder = dialog.open_folder.isChecked()
        existing = [p for p in planned_files(letter, request) if p.exists()]
        if existing:
            names = "\n".join(p.name for p in existing[:8])
            answer = QMessageBox.question(
                self.dialog_parent, self.tr("Replace files?"),
                self.tr("These files already exist in {folder}:\n{names}\n\nReplace them?")
                .format(folder=request.folder, names=names),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
            request.overwrite = True
        self.prefs().export_folder = str(request.folder)
        self.run_export(letter, request, open_folder, final)

    def run_export(self, letter: Any, request: ExportRequest, open_folder: bool, final: bool = False) -> None:
        """Export ``letter`` as ``request`` asks: with ``final``, the approved letter through the drafts
        service (released, checked, recorded), whatever files are asked for; else a DRAFT copy."""
        pack = self.document.pack
        assert pack is not None
        self.status.emit(self.tr("Exporting…"), 0)

        def done(result: ExportResult) -> None:
            names = ", ".join(p.name for p in result.written)
            self.status.emit(self.tr("Exported {names}").format(names=names), 8000)
            self.messages.show_error(self.tr("Exported to {folder}: {names}").format(folder=request.folder,
                                                                                      names=names), error=False)
            if open_folder:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(request.folder)))
            self.exported.emit(result)
            self.runner.run(self.prefs().save)

        def failed(exc: BaseException) -> None:
            self.status.emit("", 0)
            self.messages.show_error(self.tr("Export failed: {error}").format(error=describe_error(exc)))

        backend = self.desk.workflow
        letter_id = self.session.record.id
        if final and (backend is None or letter_id is None):
            failed(RuntimeError("the approved letter is exported from the drafts database, which is not open"))
            return
        if final and request.per_addressee:
            assert backend is not None
            assert letter_id is not None
            # The sealed copies made at approval, byte for byte; never copies rendered afresh.

            def copies() -> tuple[ExportResult, LetterDetail]:
                written = backend.export_copies(letter_id, request.folder, request.pdf, request.docx)
                return ExportResult(written), backend.open(letter_id)

            def copies_done(result: tuple[ExportResult, LetterDetail]) -> None:
                done(result[0])
                self.session.apply(result[1])

            self.db.run(copies, copies_done, failed)
            return
        if final:
            assert backend is not None
            assert letter_id is not None
            docx = request.folder / f"{request.stem}.docx" if request.docx else None
            pdf = request.folder / f"{request.stem}.pdf" if request.pdf else None

            def one() -> tuple[ExportResult, LetterDetail]:
                check_output_folder_target(request.folder)  # the output policy, before the folder is made
                request.folder.mkdir(parents=True, exist_ok=True)
                if docx is not None:
                    report = backend.export_final(letter_id, docx, pdf)
                    written = ExportResult([p for p in (report.docx, report.pdf) if p is not None])
                else:
                    assert pdf is not None  # the dialog asks for one file at least
                    written = ExportResult([backend.export_final_pdf(letter_id, pdf)])
                return written, backend.open(letter_id)

            def one_done(result: tuple[ExportResult, LetterDetail]) -> None:
                done(result[0])
                self.session.apply(result[1])

            self.db.run(one, one_done, failed)
            return
        library, seals = self.library, self.desk.seals
        self.runner.run(lambda: export_letter(library, pack, letter, request, seals), done, failed)
