"""The drafts list and the review pane: what they show, and the workflow steps taken from them."""

from __future__ import annotations

from collections.abc import Callable

from app.core.workflow import Action
from app.services.desk import (
    ReviewView,
    Row,
)
from app.services.drafts import LetterDetail
from app.ui.backend import ServiceBackend
from app.ui.controller import Controller
from app.ui.dialogs import (
    TextPrompt,
)
from app.ui.session import LetterRecord
from app.ui.workers import describe_error


class Reviewing(Controller):
    """The drafts list and the review pane: what they show, and the workflow steps taken from them."""

    def _query_drafts(self, search: str, status: str) -> None:
        if isinstance(self.w.backend, ServiceBackend):
            backend = self.w.backend
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
        backend = self.w.backend
        if not isinstance(backend, ServiceBackend) or record.id is None:
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
        backend = self.w.backend
        letter_id = self.w.session.record.id
        if not isinstance(backend, ServiceBackend) or letter_id is None:
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
        self.w.show_error(describe_error(exc))

    def submit(self) -> None:
        """Submit exactly what the form shows: saved first, then sent at the version that holds it."""
        backend = self.w.backend
        ok, why = self.w.actions_table._gate(Action.SUBMIT)
        if not isinstance(backend, ServiceBackend) or not ok:
            if why:
                self.w.show_error(why)
            return

        def send(record: LetterRecord) -> None:
            letter_id, version = record.id, record.version
            assert letter_id is not None
            assert version is not None
            self.w.db.run(lambda: backend.submit(letter_id, version),
                        self._after_transition(self.w.tr("Submitted for review.")), self._transition_failed)

        self.w.session.after_saved(send)

    def approve(self) -> None:
        """Approve the version on screen (a version saved meanwhile by someone else is refused)."""
        backend = self.w.backend
        ok, why = self.w.actions_table._gate(Action.APPROVE)
        if not isinstance(backend, ServiceBackend) or not ok:
            if why:
                self.w.show_error(why)
            return

        def send(record: LetterRecord) -> None:
            letter_id, version = record.id, record.version
            assert letter_id is not None
            assert version is not None
            self.w.db.run(lambda: backend.approve(letter_id, version), self._after_transition(self.w.tr("Approved.")),
                        self._transition_failed)

        self.w.session.after_saved(send)

    def request_changes(self) -> None:
        backend = self.w.backend
        letter_id = self.w.session.record.id
        allowed = self.w.actions_table._gate(Action.REQUEST_CHANGES)[0]
        if not isinstance(backend, ServiceBackend) or letter_id is None or not allowed:
            return
        prompt = TextPrompt(self.w.tr("Request changes"), self.w.tr("What should change?"), self.w)
        self.w.spelling.attach(prompt.text)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text = prompt.value()
        self.w.db.run(lambda: backend.request_changes(letter_id, text),
                    self._after_transition(self.w.tr("Changes requested.")), self._transition_failed)

    def comment(self) -> None:
        backend = self.w.backend
        letter_id = self.w.session.record.id
        allowed = self.w.actions_table._gate(Action.COMMENT)[0]
        if not isinstance(backend, ServiceBackend) or letter_id is None or not allowed:
            return
        prompt = TextPrompt(self.w.tr("Comment"), self.w.tr("Your comment:"), self.w)
        self.w.spelling.attach(prompt.text)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text = prompt.value()
        self.w.db.run(lambda: backend.comment(letter_id, text), self._after_transition(self.w.tr("Comment added.")),
                    self._transition_failed)
