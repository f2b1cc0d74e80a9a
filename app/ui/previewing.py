"""The fast preview and preflight after every edit, and the page view when it is looked at."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.rendering.pages import PagePreviewer, PageSet, page_view_available
from app.rendering.pdf import conversion_mode
from app.services.checking import Check, check_letter, complete_check
from app.services.standing import approved_standing
from app.ui.controller import Part
from app.ui.document import LetterDocument
from app.ui.preview_pane import PreviewPane
from app.ui.workers import LatestWins, OpRunner, describe_error

if TYPE_CHECKING:
    from app.services.desk import Desk
    from app.ui.session import LetterSession

# The fast preview starts on the next turn of the event loop: LatestWins already keeps only the
# newest edit while a render runs, so a longer pause would only add to every keystroke's latency.
PREVIEW_DELAY_MS = 0
# LibreOffice takes a second or two a layout: the page view waits for a pause in typing.
PAGE_DELAY_MS = 500


def _timer(parent: QObject, msecs: int) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(msecs)
    return timer


class Previewing(QObject, Part):
    """The fast preview and preflight after every edit of ``document``, and the page view.

    Each edit is checked and rendered on ``runner`` from the document's own data (never read back
    from the form), the newest edit winning: the preview is shown from a quick check, and ``checked``
    carries the complete check (advice and font check added), after the document has it.
    """

    checked = Signal(object)

    def __init__(self, document: LetterDocument, desk: Desk, runner: OpRunner,
                 parent: QObject | None = None, session: LetterSession | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.session = session  # the letter's record: an approved letter's preview says so
        self.desk = desk
        self.pane = PreviewPane()
        self.previewer = LatestWins(runner)
        # The page view has a thread of its own, so a slow LibreOffice never delays the fast preview.
        self.page_runner = OpRunner(self, threads=1)
        self.page_requests = LatestWins(self.page_runner)
        self.page_previewer: PagePreviewer | None = None
        self.timer = _timer(self, PREVIEW_DELAY_MS)
        self.page_timer = _timer(self, PAGE_DELAY_MS)
        self._page_docx: bytes | None = None
        self._pages_stale = True
        self.one_shot_noted = False  # the slow-LibreOffice note is said once a session, not after every edit
        document.content_changed.connect(lambda _path: self.timer.start())
        if session is not None:
            # The record shown decides what the preview says of the letter ("Approved version N by
            # Judge X"): a letter opened (its record is set once its text is in place) and one
            # approved, withdrawn or saved are checked again.
            session.opened.connect(lambda _record: self.timer.start())
            session.record_changed.connect(lambda _record: self.timer.start())
        self.previewer.delivered.connect(self._checked)
        self.page_requests.delivered.connect(self._pages_ready)
        self.timer.timeout.connect(self.request_check)
        self.page_timer.timeout.connect(self.request_pages)
        self.pane.tabs.currentChanged.connect(lambda _i: self.page_view_shown())

    # -- the window's lifecycle ---------------------------------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk

    def shutting_down(self) -> None:
        for timer in (self.timer, self.page_timer):
            timer.stop()

    # -- the fast preview and preflight -------------------------------------------------------
    def request_check(self) -> None:
        """Check and render the letter as the document holds it, off the GUI thread."""
        self.timer.stop()
        pack = self.document.pack
        if pack is None:
            return
        data = self.document.data
        seals = self.desk.seals  # the office's seal images: a letter prints the seal it pins
        standing = self.standing()
        self.previewer.request(lambda: check_letter(pack, data, images=seals, standing=standing, quick=True))

    def standing(self) -> str | None:
        """"Approved version N by Judge X" while the letter on screen is the approved one as saved."""
        session = self.session
        if session is None:
            return None
        return approved_standing(session.record.detail, edited=session.dirty, shown_name=self.desk.shown_name)

    def _checked(self, _generation: int, result: object) -> None:
        if isinstance(result, BaseException):
            self.pane.set_stale(self.tr("The preview could not be made: {error}")
                                .format(error=describe_error(result)))
            return
        assert isinstance(result, Check)
        if not result.complete:
            # The preview first, then the advice and the font check on the worker; the newest edit still
            # wins, and only the complete check reaches the document, Preflight and the actions.
            if result.preview is not None:
                self.pane.show_preview(result.preview, result.millis)
                self.pane.set_stale(None)
            self.previewer.request(lambda: complete_check(result))
            return
        self.document.set_check(result)
        if result.preview is not None:
            self.pane.show_preview(result.preview, result.millis)
            self.pane.set_stale(None)
        elif self.pane.current is None:
            self.pane.set_stale(self.tr("This letter cannot be previewed yet: see Preflight for what is missing."))
        else:
            self.pane.set_stale(self.tr("The preview shows the last version that could be rendered; see "
                                        "Preflight for what is missing."))
        if result.docx is not None and result.docx != self._page_docx:
            self._page_docx = result.docx
            self._pages_stale = True
            if self.pane.showing_pages():
                self.page_timer.start()
        self.checked.emit(result)

    # -- the page view ------------------------------------------------------------------------
    def page_view_shown(self) -> None:
        if self.pane.showing_pages() and self._pages_stale and not self.page_timer.isActive():
            self.request_pages()

    def request_pages(self) -> None:
        """Lay the latest rendered letter out as printed pages, off the GUI thread; the newest wins."""
        hint = page_view_available()
        if hint is not None:
            self.pane.page_view.show_unavailable(hint)
            return
        docx = self._page_docx
        if docx is None:
            return
        if self.page_previewer is None:
            self.page_previewer = PagePreviewer()
        previewer = self.page_previewer
        self._pages_stale = False
        self.pane.page_view.show_busy()
        self.page_requests.request(lambda: (docx, previewer.pages(docx)))

    def _pages_ready(self, _generation: int, result: object) -> None:
        if isinstance(result, BaseException):
            self._pages_stale = True
            self.pane.page_view.show_failure(describe_error(result))
            return
        assert isinstance(result, tuple)
        docx, pages = result
        assert isinstance(pages, PageSet)
        note = ""
        mode, why = conversion_mode()
        if mode == "one-shot" and not self.one_shot_noted:
            self.one_shot_noted = True
            note = why
        self.pane.page_view.show_pages(pages, docx, note)
        if docx != self._page_docx and self.pane.showing_pages():
            self.page_timer.start()  # typed on meanwhile: lay out the letter as it is now
