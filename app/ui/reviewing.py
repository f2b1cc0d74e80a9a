"""The drafts list and the review pane: what they show, and the workflow steps taken from them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from app.core.errors import ChambersError
from app.core.workflow import Action
from app.services.views import (
    ReviewView,
    Row,
)
from app.ui.backend import ServiceBackend
from app.ui.controller import Controller
from app.ui.dialogs import (
    TextPrompt,
)
from app.ui.session import LetterRecord
from app.ui.workers import describe_error

if TYPE_CHECKING:  # imported when first used, not at start-up
    from app.services.drafts import LetterDetail
    from app.services.redlines import Redline
    from app.services.signing import PdfVerdict


class Reviewing(Controller):
    """The drafts list and the review pane: what they show, and the workflow steps taken from them."""

    def _query_drafts(self, search: str, status: str) -> None:
        backend = self.w.backend.workflow
        if backend is not None:
            self.w.db.run(lambda: backend.rows(search, status), self._show_rows)

    def _show_rows(self, rows: list[Row]) -> None:
        self.w.drafts.show_rows(rows)

    def focus_drafts(self) -> None:
        self.w.drafts_dock.show()
        self.w.drafts_dock.raise_()
        self.w.drafts.search.setFocus()

    def _load_review(self, record: LetterRecord) -> None:
        """Status, comments, versions and the changes since my last review, read in one job; a read
        that returns after the letter moved on is dropped (never a blank or stale pane)."""
        backend = self.w.backend.workflow
        if backend is None or record.id is None:
            return
        letter_id, version = record.id, record.version

        def shown(view: ReviewView) -> None:
            now = self.w.session.record
            if now.id != letter_id or now.version != version:
                return
            self.w.review.show_detail(view.detail, view.versions)
            self.w.review.show_diff(view.since_review, since_review=True, first=view.reviewed_version is None,
                                    reviewer=self.w.backend.may("approve").allowed)
            self.w.review_loaded.emit(view)

        self.w.db.run(lambda: backend.review(letter_id), shown)

    def _load_diff(self, a: int | None, b: int | None, since_review: bool) -> None:
        backend = self.w.backend.workflow
        letter_id = self.w.session.record.id
        if backend is None or letter_id is None:
            return
        self.w.db.run(lambda: backend.diff(letter_id, a, b),
                      lambda report: self.w.review.show_diff(report, since_review))

    def _after_transition(self, message: str) -> Callable[[LetterDetail], None]:
        def done(detail: LetterDetail) -> None:
            self.w.statusBar().showMessage(message, 6000)
            self.w.messages.show_message(message, error=False)
            self.w.session.apply(detail)  # the record follows; the form and its Undo stay as they are
            self.w.drafts.refresh()
        return done

    def _transition_failed(self, exc: BaseException) -> None:
        """Refused (someone saved or acted first): said, and the letter read again, so the version shown
        and the actions enabled are the database's, not what this window last knew."""
        self.w.show_error(describe_error(exc))
        backend = self.w.backend.workflow
        letter_id = self.w.session.record.id
        if backend is not None and letter_id is not None:
            self.w.db.run(lambda: backend.open(letter_id), self.w._changed_by_others)

    def submit(self) -> None:
        """Submit exactly what the form shows: saved first, then sent at the version that holds it."""
        self._on_saved_version(Action.SUBMIT, lambda backend: backend.submit, self.w.tr("Submitted for review."))

    def approve(self) -> None:
        """Approve the version on screen (a version saved meanwhile by someone else is refused)."""
        self._on_saved_version(Action.APPROVE, lambda backend: backend.approve, self.w.tr("Approved."))

    def _on_saved_version(self, action: Action, step: Callable[[ServiceBackend], Callable[[int, int], object]],
                          done: str) -> None:
        """Run a workflow step once the form is saved, on exactly the version that save made."""
        backend = self.w.backend.workflow
        ok, why = self.w.actions_table._gate(action)
        if backend is None or not ok:
            if why:
                self.w.show_error(why)
            return

        def send(record: LetterRecord) -> None:
            letter_id, version = record.id, record.version
            assert letter_id is not None
            assert version is not None
            self.w.db.run(lambda: step(backend)(letter_id, version), self._after_transition(done),
                          self._transition_failed)

        self.w.session.after_saved(send)

    def sign_and_export(self) -> None:
        """The signatory signs the approved letter's PDF (the dialog asks the service who may, and says why not)."""
        from app.services.signing import timestamp_url
        from app.ui.signing_dialog import SigningDialog

        backend = self.w.backend.workflow
        record = self.w.session.record
        if backend is None or record.id is None:
            self.w.show_error(self.w.tr("Signing needs a letter from the drafts database."))
            return
        letter_id = record.id
        subject = str(record.detail.current.data.get("subject") or "") if record.detail is not None else ""
        dialog = SigningDialog(backend.services.signing, letter_id,
                               self.w.tr("Letter {n}: {subject}").format(n=letter_id, subject=subject), self.w.db,
                               folder=Path(self.w.prefs.export_folder or Path.home()), timestamp=timestamp_url(),
                               parent=self.w)
        dialog.signed.connect(lambda _done: self.w.db.run(lambda: backend.open(letter_id), self.w.session.apply))
        dialog.exec()
        dialog.deleteLater()

    def verify_pdf(self, path: Path) -> PdfVerdict:
        """``chambers verify X.pdf`` for a PDF dropped on the review pane (run off the GUI thread)."""
        desk = self.w.backend
        workflow = desk.workflow
        if workflow is None:
            raise ChambersError(self.w.tr("Checking a signed PDF needs the drafts database (its trust anchors "
                                          "and approvals): {why}").format(why=desk.why_no_workflow))
        return workflow.services.signing.verify_pdf(path)

    def request_changes(self) -> None:
        backend = self.w.backend.workflow
        letter_id = self.w.session.record.id
        allowed = self.w.actions_table._gate(Action.REQUEST_CHANGES)[0]
        if backend is None or letter_id is None or not allowed:
            return
        prompt = TextPrompt(self.w.tr("Request changes"), self.w.tr("What should change?"), self.w)
        self.w.spelling.attach(prompt.text)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text = prompt.value()
        self.w.db.run(lambda: backend.request_changes(letter_id, text),
                    self._after_transition(self.w.tr("Changes requested.")), self._transition_failed)

    def comment(self) -> None:
        backend = self.w.backend.workflow
        letter_id = self.w.session.record.id
        allowed = self.w.actions_table._gate(Action.COMMENT)[0]
        if backend is None or letter_id is None or not allowed:
            return
        prompt = TextPrompt(self.w.tr("Comment"), self.w.tr("Your comment:"), self.w)
        self.w.spelling.attach(prompt.text)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text = prompt.value()
        self.w.db.run(lambda: backend.comment(letter_id, text), self._after_transition(self.w.tr("Comment added.")),
                    self._transition_failed)

    def redline(self, from_version: int | None, to_version: int | None) -> None:
        """The changes (since my last review, or between two versions) as tracked changes in a .docx:
        made off the GUI thread, then saved where the clerk says."""
        from app.services.redlines import redline_versions

        backend = self.w.backend.workflow
        letter_id = self.w.session.record.id
        if backend is None or letter_id is None:
            self.w.show_error(self.w.tr("A redline needs a letter from the drafts database."))
            return
        drafts = backend.drafts
        self.w.statusBar().showMessage(self.w.tr("Making the redline…"))
        self.w.db.run(lambda: redline_versions(drafts, letter_id, from_version, to_version),
                      self._save_redline, self._redline_failed)

    def _redline_failed(self, exc: BaseException) -> None:
        self.w.statusBar().clearMessage()
        self.w.show_error(self.w.tr("The redline could not be made: {error}").format(error=describe_error(exc)))

    def _save_redline(self, made: Redline) -> None:
        from app.services.letters import write_docx

        self.w.statusBar().clearMessage()
        folder = Path(self.w.prefs.export_folder or Path.home())
        name = f"letter-{made.letter_id}-redline-v{made.from_version}-v{made.to_version}.docx"
        dialog = QFileDialog(self.w, self.w.tr("Save the redline as"), str(folder / name),
                             self.w.tr("Word document (*.docx)"))
        dialog.setObjectName("redline-save")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("docx")
        dialog.selectFile(str(folder / name))
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return
        target = Path(dialog.selectedFiles()[0])
        if target.suffix.lower() != ".docx":
            target = target.with_name(target.name + ".docx")
        message = self.w.tr("Redline of versions {a} to {b} saved to {path}").format(
            a=made.from_version, b=made.to_version, path=target)

        def saved(_result: object) -> None:
            self.w.statusBar().showMessage(message, 8000)
            self.w.messages.show_message(message, error=False)

        def not_saved(exc: BaseException) -> None:
            self.w.show_error(self.w.tr("The redline was not saved to {path}: {error}").format(
                path=target, error=describe_error(exc)))

        self.w.runner.run(lambda: write_docx(target, made.docx), saved, not_saved)
