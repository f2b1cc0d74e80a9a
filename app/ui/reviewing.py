"""The drafts list and the review pane: what they show, and the workflow steps taken from them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDockWidget, QFileDialog, QWidget

from app.core.errors import ChambersError
from app.core.workflow import Action
from app.services.desk import ServiceDesk
from app.services.views import (
    ReviewView,
    Row,
)
from app.ui.controller import Collaborators, Part
from app.ui.dialogs import (
    TextPrompt,
)
from app.ui.drafts_browser import DraftsBrowser
from app.ui.review_pane import ReviewPane
from app.ui.session import LetterRecord
from app.ui.workers import describe_error

if TYPE_CHECKING:  # imported when first used, not at start-up
    from app.services.desk import Desk
    from app.services.drafts import LetterDetail
    from app.services.redlines import Redline
    from app.services.signing import PdfVerdict
    from app.ui.spelling import SpellChecking

# Whether a workflow step is live now, and why not (the window's action table answers it).
Gate = Callable[[Action], tuple[bool, str]]
# Whether this judge may approve now signing for the letter's signatory, and why not (the action table too).
SigningForGate = Callable[[], tuple[bool, str]]


def signatory_of(record: LetterRecord) -> str:
    """Who signs the letter as saved in ``record`` (the judge who may approve it)."""
    detail = record.detail
    signatory = detail.current.data.get("signatory") if detail is not None else None
    return str(signatory.get("name") or "").strip() if isinstance(signatory, dict) else ""


def raise_dock(widget: QWidget) -> None:
    """Show and raise the dock ``widget`` sits in (a tabbed dock may be hidden behind another)."""
    dock = widget.parentWidget()
    while dock is not None and not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    if dock is not None:
        dock.show()
        dock.raise_()


class Reviewing(QObject, Part):
    """The drafts list and the review pane: what they show, and the workflow steps taken from them.

    Built from the session (the letter's record), the desk, the database runner (reads and steps)
    and the file runner (a redline written to disk), the two widgets it drives (``drafts``, the
    drafts browser, and ``review``, the review pane), the spell checker its prompts attach to, the
    workflow's ``gate`` (and ``signing_for``, the gate of approving for another signatory), the folder
    files are offered in and the message port."""

    status = Signal(str, int)       # a passing line for the status bar, and for how many ms ("": cleared)
    review_loaded = Signal(object)  # ReviewView: the review pane shows this letter's status and changes
    letter_read = Signal(object)    # LetterDetail: a refused step read the letter again (the window follows)

    def __init__(self, shared: Collaborators, drafts: DraftsBrowser, review: ReviewPane, spelling: SpellChecking,
                 gate: Gate, folder: Callable[[], Path], *, signing_for: SigningForGate) -> None:
        super().__init__(shared.parent)
        self.session, self.desk, self.db, self.runner = shared.session, shared.desk, shared.db, shared.runner
        self.messages, self.dialog_parent = shared.messages, shared.parent
        self.drafts = drafts
        self.review = review
        self.spelling = spelling
        self.gate = gate
        self.signing_for = signing_for
        self.folder = folder

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk

    def query_drafts(self, search: str, status: str) -> None:
        workflow = self.desk.workflow
        if workflow is not None:
            self.db.run(lambda: workflow.rows(search, status), self._show_rows)

    def _show_rows(self, rows: list[Row]) -> None:
        self.drafts.show_rows(rows)

    def focus_drafts(self) -> None:
        raise_dock(self.drafts)
        self.drafts.search.setFocus()

    def load_review(self, record: LetterRecord) -> None:
        """Status, comments, versions and the changes since my last review, read in one job; a read
        that returns after the letter moved on is dropped (never a blank or stale pane)."""
        workflow = self.desk.workflow
        if workflow is None or record.id is None:
            return
        letter_id, version = record.id, record.version

        def shown(view: ReviewView) -> None:
            now = self.session.record
            if now.id != letter_id or now.version != version:
                return
            self.review.show_detail(view.detail, view.versions)
            self.review.show_diff(view.since_review, since_review=True, first=view.reviewed_version is None,
                                  reviewer=self.desk.may("approve").allowed)
            self.review_loaded.emit(view)

        self.db.run(lambda: workflow.review(letter_id), shown)

    def compare(self, a: int | None, b: int | None) -> None:
        """The changes between two versions the judge picked (not since their last review)."""
        workflow = self.desk.workflow
        letter_id = self.session.record.id
        if workflow is None or letter_id is None:
            return
        self.db.run(lambda: workflow.diff(letter_id, a, b),
                    lambda report: self.review.show_diff(report, since_review=False))

    def after_transition(self, message: str) -> Callable[[LetterDetail], None]:
        """What follows a workflow step the database took: said, and the record (never the form) follows."""
        def done(detail: LetterDetail) -> None:
            self.status.emit(message, 6000)
            self.messages.show_error(message, error=False)
            self.session.apply(detail)  # the record follows; the form and its Undo stay as they are
            self.drafts.refresh()
        return done

    def transition_failed(self, exc: BaseException) -> None:
        """Refused (someone saved or acted first): said, and the letter read again, so the version shown
        and the actions enabled are the database's, not what this window last knew."""
        self.messages.show_error(describe_error(exc))
        workflow = self.desk.workflow
        letter_id = self.session.record.id
        if workflow is not None and letter_id is not None:
            self.db.run(lambda: workflow.open(letter_id), self.letter_read.emit)

    def submit(self) -> None:
        """Submit exactly what the form shows: saved first, then sent at the version that holds it."""
        self._on_saved_version(Action.SUBMIT, lambda workflow: workflow.submit, self.tr("Submitted for review."))

    def approve(self) -> None:
        """Approve the version on screen (a version saved meanwhile by someone else is refused)."""
        self._on_saved_version(Action.APPROVE, lambda workflow: workflow.approve, self.tr("Approved."))

    def approve_signing_for(self) -> None:
        """Approve the version on screen for its signatory (a judge who does not sign it), after an explicit
        confirmation that names the signatory and the version; the approval records it for good."""
        from app.ui.dialogs import SignForPrompt

        workflow = self.desk.workflow
        ok, why = self.signing_for()
        if workflow is None or not ok:
            if why:
                self.messages.show_error(why)
            return
        record = self.session.record
        signatory = signatory_of(record)
        prompt = SignForPrompt(signatory, record.version or 0, self.dialog_parent)
        prompt.exec()
        confirmed = prompt.clickedButton() is prompt.approve
        prompt.deleteLater()
        if not confirmed:
            return
        done = self.tr("Approved signing for {name}.").format(name=signatory)

        def send(saved: LetterRecord) -> None:
            letter_id, version = saved.id, saved.version
            if letter_id is None or version is None or (letter_id, version) != (record.id, record.version):
                # The judge confirmed the version named in the prompt, not one saved since.
                self.messages.show_error(self.tr("Nothing was approved: the letter changed to version {v} after "
                                                 "you confirmed; read it and approve again").format(v=version))
                return
            self.db.run(lambda: workflow.approve(letter_id, version, signing_for=signatory),
                        self.after_transition(done), self.transition_failed)

        self.session.after_saved(send)

    def _on_saved_version(self, action: Action, step: Callable[[ServiceDesk], Callable[[int, int], object]],
                          done: str) -> None:
        """Run a workflow step once the form is saved, on exactly the version that save made."""
        workflow = self.desk.workflow
        ok, why = self.gate(action)
        if workflow is None or not ok:
            if why:
                self.messages.show_error(why)
            return

        def send(record: LetterRecord) -> None:
            letter_id, version = record.id, record.version
            assert letter_id is not None
            assert version is not None
            self.db.run(lambda: step(workflow)(letter_id, version), self.after_transition(done),
                        self.transition_failed)

        self.session.after_saved(send)

    def sign_and_export(self) -> None:
        """The signatory signs the approved letter's PDF (the dialog asks the service who may, and says why not)."""
        from app.services.signing import timestamp_url
        from app.ui.signing_dialog import SigningDialog

        workflow = self.desk.workflow
        record = self.session.record
        if workflow is None or record.id is None:
            self.messages.show_error(self.tr("Signing needs a letter from the drafts database."))
            return
        letter_id = record.id
        subject = str(record.detail.current.data.get("subject") or "") if record.detail is not None else ""
        dialog = SigningDialog(workflow.services.signing, letter_id,
                               self.tr("Letter {n}: {subject}").format(n=letter_id, subject=subject), self.db,
                               folder=self.folder(), timestamp=timestamp_url(), parent=self.dialog_parent)
        dialog.signed.connect(lambda _done: self.db.run(lambda: workflow.open(letter_id), self.session.apply))
        dialog.exec()
        dialog.deleteLater()

    def verify_pdf(self, path: Path) -> PdfVerdict:
        """``chambers verify X.pdf`` for a PDF dropped on the review pane (run off the GUI thread)."""
        desk = self.desk
        workflow = desk.workflow
        if workflow is None:
            raise ChambersError(self.tr("Checking a signed PDF needs the drafts database (its trust anchors "
                                        "and approvals): {why}").format(why=desk.why_no_workflow))
        return workflow.services.signing.verify_pdf(path)

    def request_changes(self) -> None:
        self._step_with_text(Action.REQUEST_CHANGES, self.tr("Request changes"), self.tr("What should change?"),
                             lambda workflow: workflow.request_changes, self.tr("Changes requested."))

    def comment(self) -> None:
        self._step_with_text(Action.COMMENT, self.tr("Comment"), self.tr("Your comment:"),
                             lambda workflow: workflow.comment, self.tr("Comment added."))

    def _step_with_text(self, action: Action, title: str, question: str,
                        step: Callable[[ServiceDesk], Callable[[int, str], LetterDetail]], done: str) -> None:
        """A step that says something (a comment, the changes asked for): the judge writes it first."""
        workflow = self.desk.workflow
        letter_id = self.session.record.id
        if workflow is None or letter_id is None or not self.gate(action)[0]:
            return
        prompt = TextPrompt(title, question, self.dialog_parent)
        self.spelling.attach(prompt.text)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text = prompt.value()
        self.db.run(lambda: step(workflow)(letter_id, text), self.after_transition(done), self.transition_failed)

    def redline(self, from_version: int | None, to_version: int | None) -> None:
        """The changes (since my last review, or between two versions) as tracked changes in a .docx:
        made off the GUI thread, then saved where the clerk says."""
        from app.services.redlines import redline_versions

        workflow = self.desk.workflow
        letter_id = self.session.record.id
        if workflow is None or letter_id is None:
            self.messages.show_error(self.tr("A redline needs a letter from the drafts database."))
            return
        drafts = workflow.drafts
        self.status.emit(self.tr("Making the redline…"), 0)
        self.db.run(lambda: redline_versions(drafts, letter_id, from_version, to_version),
                    self._save_redline, self._redline_failed)

    def _redline_failed(self, exc: BaseException) -> None:
        self.status.emit("", 0)
        self.messages.show_error(self.tr("The redline could not be made: {error}").format(error=describe_error(exc)))

    def _save_redline(self, made: Redline) -> None:
        from app.services.letters import write_docx

        self.status.emit("", 0)
        folder = self.folder()
        name = f"letter-{made.letter_id}-redline-v{made.from_version}-v{made.to_version}.docx"
        dialog = QFileDialog(self.dialog_parent, self.tr("Save the redline as"), str(folder / name),
                             self.tr("Word document (*.docx)"))
        dialog.setObjectName("redline-save")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("docx")
        dialog.selectFile(str(folder / name))
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return
        target = Path(dialog.selectedFiles()[0])
        if target.suffix.lower() != ".docx":
            target = target.with_name(target.name + ".docx")
        message = self.tr("Redline of versions {a} to {b} saved to {path}").format(
            a=made.from_version, b=made.to_version, path=target)

        def saved(_result: object) -> None:
            self.status.emit(message, 8000)
            self.messages.show_error(message, error=False)

        def not_saved(exc: BaseException) -> None:
            self.messages.show_error(self.tr("The redline was not saved to {path}: {error}").format(
                path=target, error=describe_error(exc)))

        self.runner.run(lambda: write_docx(target, made.docx), saved, not_saved)
