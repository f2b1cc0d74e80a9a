"""The fast preview and preflight after every edit, and the page view when it is looked at."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from app.rendering.pages import PagePreviewer, PageSet, page_view_available
from app.rendering.pdf import conversion_mode
from app.services.checking import (
    Check,
    check_letter,
)
from app.ui.controller import Controller
from app.ui.workers import SETTLE_MS, describe_error


class Previewing(Controller):
    """The fast preview and preflight after every edit, and the page view when it is looked at."""

    one_shot_noted = False  # the slow-LibreOffice note is said once a session, not after every edit

    def request_check(self) -> None:
        if self.w.form is None or self.w.pack is None:
            return
        data = self.w.form.data()
        pack = self.w.pack
        seals = self.w.backend.seals  # the office's seal images: a letter prints the seal it pins
        self.w.previewer.request(lambda: check_letter(pack, data, images=seals))

    def _checked(self, _generation: int, result: object) -> None:
        if isinstance(result, BaseException):
            self.w.preview.set_stale(self.w.tr("The preview could not be made: {error}")
                                   .format(error=describe_error(result)))
            return
        assert isinstance(result, Check)
        self.w.document.set_check(result)
        self.w.preflight.set_entries(result.problems, result.removals, result.advice, result.print_warnings)
        if result.preview is not None:
            self.w.preview.show_preview(result.preview, result.millis)
            self.w.preview.set_stale(None)
        elif self.w.preview.current is None:
            self.w.preview.set_stale(self.w.tr("This letter cannot be previewed yet: see Preflight for what is "
                                               "missing."))
        else:
            self.w.preview.set_stale(self.w.tr("The preview shows the last version that could be rendered; "
                                           "see Preflight for what is missing."))
        count = len(result.problems) + len(result.removals)
        self.w.preflight_dock.setWindowTitle(self.w.tr("Preflight ({n})").format(n=count) if count
                                           else self.w.tr("Preflight"))
        if result.docx is not None and result.docx != self.w._page_docx:
            self.w._page_docx = result.docx
            self.w._pages_stale = True
            if self.w.preview.showing_pages():
                self.w._page_timer.start()
        self.w.actions_table.update_controls()
        self.w.export_action.setEnabled(result.exportable)
        self.w.export_action.setToolTip(self.w.tr("Export the letter as .docx or PDF") if result.exportable
                                      else self.w.tr("Fix what Preflight lists before exporting"))
        backend = self.w.backend
        if not self.w.spelling.started and not backend.opening:
            # The word list is read once the first preview is on screen (and, at a start that opens the
            # database behind the letter, once that is done: their loads' peaks of memory never add up).
            QTimer.singleShot(SETTLE_MS, self.w.spelling.start)
        self.w.checked.emit(result)

    def _page_view_shown(self) -> None:
        if self.w.preview.showing_pages() and self.w._pages_stale and not self.w._page_timer.isActive():
            self.request_pages()

    def request_pages(self) -> None:
        """Lay the latest rendered letter out as printed pages, off the GUI thread; the newest wins."""
        hint = page_view_available()
        if hint is not None:
            self.w.preview.page_view.show_unavailable(hint)
            return
        docx = self.w._page_docx
        if docx is None:
            return
        if self.w.page_previewer is None:
            self.w.page_previewer = PagePreviewer()
        previewer = self.w.page_previewer
        self.w._pages_stale = False
        self.w.preview.page_view.show_busy()
        self.w.page_requests.request(lambda: (docx, previewer.pages(docx)))

    def _pages_ready(self, _generation: int, result: object) -> None:
        if isinstance(result, BaseException):
            self.w._pages_stale = True
            self.w.preview.page_view.show_failure(describe_error(result))
            return
        assert isinstance(result, tuple)
        docx, pages = result
        assert isinstance(pages, PageSet)
        note = ""
        mode, why = conversion_mode()
        if mode == "one-shot" and not self.one_shot_noted:
            self.one_shot_noted = True
            note = why
        self.w.preview.page_view.show_pages(pages, docx, note)
        if docx != self.w._page_docx and self.w.preview.showing_pages():
            self.w._page_timer.start()  # typed on meanwhile: lay out the letter as it is now
