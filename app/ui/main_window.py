"""The main window: the letter form, the live preview, the clause bank, preflight, export."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import data_dir
from app.core import jsondata
from app.core.letter import parse_letter
from app.rendering.engine import CompiledPack
from app.rendering.pages import PagePreviewer
from app.services.checking import Check
from app.services.desk import Desk
from app.services.spelling import DICTIONARY_FILE
from app.services.startcard import StartCard
from app.services.templates import TemplateLibrary
from app.ui.actions import ActionTable
from app.ui.backend import LocalBackend
from app.ui.bank import ClauseBankAndAddressBook
from app.ui.clauses import ClauseBankPanel
from app.ui.controller import Collaborators, Lifecycle
from app.ui.court_profile import OfficeLetterhead
from app.ui.dialogs import (
    PreferencesDialog,
)
from app.ui.document import LetterDocument
from app.ui.drafts_browser import DraftsBrowser
from app.ui.editing import Editing
from app.ui.exporting import Exporting
from app.ui.form import LetterForm
from app.ui.icons import icon
from app.ui.keeping import TypingKeeper
from app.ui.opening import Opening
from app.ui.pdf_verdict import PdfVerdictDrop
from app.ui.preflight import PreflightList
from app.ui.previewing import Previewing
from app.ui.profile import Preferences
from app.ui.review_pane import ReviewPane
from app.ui.reviewing import Reviewing
from app.ui.saving import Saving
from app.ui.session import LetterSession
from app.ui.spelling import SpellChecking
from app.ui.watching import Watcher
from app.ui.widgets import MessageBar
from app.ui.workers import OpRunner, describe_error
from app.ui.workflow_panes import WorkflowPanes

if TYPE_CHECKING:  # imported when first used, not at start-up
    from app.core.packs import Manifest
    from app.services.drafts import LetterDetail

SPELLING_AT_THE_LATEST_MS = 3000


class MainWindow(QMainWindow):
    """One letter at a time in the form; docks for preview, preflight and the clause bank."""

    letter_loaded = Signal()
    checked = Signal(object)
    exported = Signal(object)
    layout_settled = Signal()  # the default layout is shared out for the size the window was shown at
    review_loaded = Signal(object)  # ReviewView: the review pane shows this letter's status and changes

    # Made by the action table (app/ui/actions.py); each asks the workflow's verdict before it is live.
    new_action: QAction
    open_action: QAction
    save_action: QAction
    export_action: QAction
    prefs_action: QAction
    quit_action: QAction
    undo_action: QAction
    redo_action: QAction
    add_addressee_action: QAction
    pick_addressee_action: QAction
    insert_clause_action: QAction
    focus_preflight_action: QAction
    focus_form_action: QAction
    submit_action: QAction
    approve_action: QAction
    approve_for_action: QAction
    sign_action: QAction
    request_changes_action: QAction
    comment_action: QAction
    drafts_action: QAction
    about_action: QAction
    users_action: QAction
    court_profile_action: QAction
    letterhead_action: QAction
    recent_menu: QMenu

    def __init__(self, library: TemplateLibrary, prefs: Preferences,
                 backend: Desk | None = None, settings: QSettings | None = None,
                 start_card: StartCard | None = None) -> None:
        super().__init__()
        self.start_card = start_card
        self.library = library
        self.prefs = prefs
        self.backend: Desk = backend or LocalBackend()
        self.settings = settings or QSettings()
        self._init_state()
        self._init_controllers()
        self._init_central()
        self._init_docks()
        self._init_status_bar()
        self._init_parts()
        self._connect_signals()
        self.restore_layout()
        for part in self.parts:
            part.desk_changed(self.backend)

    def attach_backend(self, backend: Desk) -> None:
        """The desk the window works on from now on (the database opened, or could not be); the session's too."""
        self.backend = backend
        self.session.desk = backend
        for part in self.parts:
            part.desk_changed(backend)

    def start(self) -> None:
        self.opening.start()
        # Should no preview come (a pack that cannot render) or the database be slow to open, spelling is
        # still checked after a while.
        QTimer.singleShot(SPELLING_AT_THE_LATEST_MS, self.spelling.start)

    def open_record(self, letter_id: int) -> None:
        self.opening.open_record(letter_id)

    # -- building -----------------------------------------------------------------------------
    def _init_state(self) -> None:
        """The workers and the open letter's state (the record itself is the session's)."""
        self.runner = OpRunner(self)
        # The database is used from one worker thread at a time, in the order of the requests.
        self.db = OpRunner(self, threads=1)
        self.session = LetterSession(self.backend, self.db, self)
        self.watcher = Watcher(self.session, self.db, lambda: self.backend, self)
        self.keeper = TypingKeeper(self.session, lambda: self.form.data() if self.form is not None else None,
                                   lambda: self.backend.typing_path, lambda: self.backend.user, self)
        # The parts built from their collaborators alone; the window calls their lifecycle in a loop.
        self.parts: tuple[Lifecycle, ...] = (self.watcher, self.keeper)
        self.document = LetterDocument(self)
        self.undo_stack = self.document.undo_stack
        self.spelling = SpellChecking(OpRunner(self, threads=1), data_dir() / DICTIONARY_FILE,
                                      accepted=list(self.prefs.dictionary), on_error=self.show_error)
        self.form: LetterForm | None = None

    def _init_controllers(self) -> None:
        """Each concern in its own small part; they share the session's signals and this window's widgets."""
        # The drafts list and the review pane are the reviewing part's own widgets (docked in _init_docks).
        self.drafts = DraftsBrowser(self)
        self.review = ReviewPane(self)
        # What the parts share, built once: each part keeps what it uses of it.
        shared = Collaborators(self.session, self.document, self.backend, self.db, self.runner,
                               lambda: self.form, self, self)
        self.reviewing = Reviewing(shared, self.drafts, self.review, self.spelling,
                                   lambda action: self.actions_table.gate(action),
                                   lambda: Path(self.prefs.export_folder or Path.home()),
                                   signing_for=lambda: self.actions_table.signing_for_gate())
        self.editing = Editing(shared, self.spelling)
        self.previewing = Previewing(self.document, self.backend, self.runner, self, self.session)
        # What tests, scenes and the other parts still read of the preview here (the part owns them).
        self.previewer = self.previewing.previewer
        self.page_runner = self.previewing.page_runner
        self.page_requests = self.previewing.page_requests
        self._preview_timer = self.previewing.timer
        self._page_timer = self.previewing.page_timer
        self.saving = Saving(shared)
        self.clause_bank = ClauseBankPanel(self)  # the bank part's own panel (docked in _init_docks)
        self.bank = ClauseBankAndAddressBook(shared, self.clause_bank)
        self.exporting = Exporting(shared, self.library, lambda: self.prefs)
        self.letterhead = OfficeLetterhead(self.backend, self.db, shared.form, self.editing.change_letter, self, self)
        self.parts += (self.reviewing, self.editing, self.previewing, self.saving, self.bank, self.exporting,
                       self.letterhead)

    def _init_parts(self) -> None:
        """The parts built from their collaborators alone; the window calls their lifecycle in a loop."""
        self.opening = Opening(
            self, self.session, self.document, self.backend, library=self.library, prefs=lambda: self.prefs,
            runner=self.runner, db=self.db, spelling=self.spelling, messages=self, make_form=self._new_form,
            letterhead=lambda: self.letterhead.defaults, start_card=self.start_card, drafts=self.drafts,
            drafts_dock=self.drafts_dock, review=self.review, placeholder=self.placeholder, status=self.statusBar(),
            save_state=self.save_state, preview=self.preview,
            preview_pending=lambda: not self.previewer.idle or self._preview_timer.isActive())
        self.workflow_panes = WorkflowPanes(
            self.session, self.backend, prefs=lambda: self.prefs, drafts=self.drafts, review=self.review,
            review_dock=self.review_dock, clause_bank=self.clause_bank, user_label=self.user_label,
            database_label=self.database_label, parent=self)
        self.actions_table = ActionTable(
            self, self.session, self.document, self.backend, self.db, self, review=self.review,
            clause_bank=self.clause_bank, preflight=self.preflight,
            docks=(self.preview_dock, self.review_dock, self.drafts_dock, self.clause_dock, self.preflight_dock))
        for name, action in self.actions_table.build().items():
            setattr(self, f"{name}_action", action)  # the names declared above, for the parts still reaching here
        self.parts += (self.opening, self.workflow_panes, self.actions_table)

    def _new_form(self, manifest: Manifest) -> LetterForm:
        """A view of the document for ``manifest``'s letter, its addressees wired to the address book (editing
        takes the form in ``letter_replaced``)."""
        form = LetterForm(manifest, self, editor_hook=self.editing.editor_created)
        form.addressees.save_requested.connect(self.bank.save_addressee)
        form.addressees.pick_requested.connect(self.bank.pick_addressee)
        return form

    def _place_form(self, form: LetterForm) -> None:
        """``form`` in place of the last letter's; every part that holds the form takes the new one."""
        if self.form is not None:
            self.form_holder.removeWidget(self.form)
            self.form.deleteLater()
        self.placeholder.hide()
        self.form_holder.addWidget(form)
        self.form = form
        for part in self.parts:
            part.letter_replaced(form)

    def _letter_shown(self, subject: str) -> None:
        self.preview.clear()
        self.setWindowTitle(self.tr("{subject} — Chambers").format(subject=subject or self.tr("New letter")))
        self.actions_table.update_controls()
        self.previewing.request_check()
        self.letter_loaded.emit()

    def _init_central(self) -> None:
        self.setObjectName("main-window")
        self.setWindowTitle(self.tr("Chambers"))
        self.setWindowIcon(icon("letter"))
        self.setDockNestingEnabled(True)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.messages = MessageBar(central)
        column.addWidget(self.messages)
        self.form_holder = QVBoxLayout()
        self.placeholder = QLabel(self.tr("Opening the letter…"), central)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.form_holder.addWidget(self.placeholder)
        column.addLayout(self.form_holder, 1)
        self.setCentralWidget(central)

    def _init_docks(self) -> None:
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.preview = self.previewing.pane
        self.preview_dock = self._dock("preview", self.tr("Preview"), self.preview, right)
        self.clause_dock = self._dock("clauses", self.tr("Clause bank"), self.clause_bank, left)
        self.preflight = PreflightList(self)
        self.preflight_dock = self._dock("preflight", self.tr("Preflight"), self.preflight, left)
        self.splitDockWidget(self.clause_dock, self.preflight_dock, Qt.Orientation.Vertical)
        self.drafts_dock = self._dock("drafts", self.tr("Drafts"), self.drafts, left)
        self.tabifyDockWidget(self.clause_dock, self.drafts_dock)
        self.clause_dock.raise_()
        self.pdf_verdict = PdfVerdictDrop(self.reviewing.verify_pdf, self.db, self.review)
        cast(QVBoxLayout, self.review.layout()).addWidget(self.pdf_verdict)
        self.review_dock = self._dock("review", self.tr("Review"), self.review, right)
        self.splitDockWidget(self.preview_dock, self.review_dock, Qt.Orientation.Vertical)

    def _connect_signals(self) -> None:
        """All the wiring in one place: widgets and workers to the controllers, the session to the rest."""
        self.runner.error.connect(self.show_error)
        self.db.error.connect(self.show_error)
        session = self.session
        session.refused.connect(self.show_error)
        self.watcher.news.connect(lambda text: self.show_error(text, error=False))
        self.watcher.others_changed.connect(self.drafts.refresh)
        self.watcher.letter_changed.connect(self.opening.changed_by_others)
        opening, actions = self.opening, self.actions_table
        opening.form_built.connect(self._place_form)
        opening.letter_shown.connect(self._letter_shown)
        opening.desk_opened.connect(self.attach_backend)
        opening.recent_changed.connect(actions.show_recent)
        self.checked.connect(opening.preview_shown)
        actions.recent_chosen.connect(opening.open_record)
        actions.desk_read_again.connect(self.attach_backend)
        self.workflow_panes.review_wanted.connect(self.reviewing.load_review)
        self.workflow_panes.office_opened.connect(self.letterhead.refresh)
        for name, slot in {
                "new": opening.new_letter, "open": opening.open_by_number, "save": self.saving.autosave,
                "export": self.exporting.export, "prefs": self.edit_preferences, "quit": self.close,
                "add_addressee": self.editing.add_addressee, "pick_addressee": self.bank.pick_addressee,
                "insert_clause": self.bank.focus_clause_bank, "focus_form": self.editing.focus_form,
                "submit": self.reviewing.submit, "approve": self.reviewing.approve,
                "approve_for": self.reviewing.approve_signing_for,
                "sign": self.reviewing.sign_and_export, "request_changes": self.reviewing.request_changes,
                "comment": self.reviewing.comment, "drafts": self.reviewing.focus_drafts, "about": self.about,
                "court_profile": self.letterhead.edit, "letterhead": self.letterhead.use_on_letter}.items():
            actions.actions[name].triggered.connect(slot)
        opening.recent_changed.emit(opening.recent_letters())
        self.editing.status.connect(self.statusBar().showMessage)
        self.editing.title_changed.connect(self.setWindowTitle)
        self.editing.preview_wanted.connect(self._preview_timer.start)
        self.saving.preview_wanted.connect(self._preview_timer.start)
        self.saving.reload_failed.connect(self.reviewing.transition_failed)
        self.reviewing.status.connect(self.statusBar().showMessage)
        self.reviewing.review_loaded.connect(self.review_loaded)
        self.reviewing.letter_read.connect(self.opening.changed_by_others)
        self.exporting.status.connect(self.statusBar().showMessage)
        self.exporting.exported.connect(self.exported)
        for part in (self.bank, self.letterhead):
            part.status.connect(self.statusBar().showMessage)
        # A check of the letter: Preflight lists it, the actions follow it, spelling starts after the first,
        # and the window announces it (in this order: whoever hears ``checked`` sees them done).
        self.previewing.checked.connect(self.preflight.show_check)
        self.preflight.title_changed.connect(self.preflight_dock.setWindowTitle)
        self.previewing.checked.connect(self.actions_table.letter_checked)
        self.previewing.checked.connect(self.editing.letter_checked)
        self.previewing.checked.connect(self.checked)
        self.preview_dock.visibilityChanged.connect(lambda _v: self.previewing.page_view_shown())
        self.drafts.query_changed.connect(self.reviewing.query_drafts)
        self.drafts.open_requested.connect(self.opening.open_record)
        self.review.comment_requested.connect(self.reviewing.comment)
        self.review.request_changes_requested.connect(self.reviewing.request_changes)
        self.review.approve_requested.connect(self.reviewing.approve)
        self.review.compare_requested.connect(self.reviewing.compare)
        self.review.redline_requested.connect(self.reviewing.redline)
        self.preflight.focus_requested.connect(self.editing.focus_path)
        self.preflight.clean_requested.connect(self.editing.clean_text)
        self.preflight.fix_requested.connect(lambda path, value: self.form is not None
                                             and self.form.addressees.apply_fix(path, value))
        self.clause_bank.search_changed.connect(self.bank.search_clauses)
        self.clause_bank.insert_requested.connect(self.bank.insert_clause)
        self.clause_bank.save_requested.connect(self.bank.save_paragraph_to_bank)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.editing.focus_changed)

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        dock.setAccessibleName(title)
        self.addDockWidget(area, dock)
        return dock

    def _init_status_bar(self) -> None:
        status = self.statusBar()
        self.save_state = self.saving.save_state
        self.user_label = QLabel(self)
        self.user_label.setAccessibleName(self.tr("User and role"))
        self.database_label = QLabel(self)
        self.database_label.setAccessibleName(self.tr("Database"))
        status.addPermanentWidget(self.save_state)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.database_label)

    # -- layout persistence -------------------------------------------------------------------
    def restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self._first_size()
        self._default_layout = state is None
        if state is not None:
            self.restoreState(state)
        self._ensure_on_screen()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._default_layout:
            self._default_layout = False
            if self.size() == self._fitted:  # not resized since (a screenshot's --size, a test): fit again,
                self._first_size()           # now that the title bar and borders are known
            QTimer.singleShot(0, self._share_width)

    def _share_width(self) -> None:
        """The default layout in shares of the window as shown (a laptop's 1366 pixels included), so the
        form keeps the room its fields and buttons need: a fifth for the clause bank, a third for the preview."""
        width, height = max(self.width(), 800), max(self.height(), 600)
        self.resizeDocks([self.preview_dock, self.clause_dock], [width * 32 // 100, width * 21 // 100],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.clause_dock, self.preflight_dock], [height * 68 // 100, height * 20 // 100],
                         Qt.Orientation.Vertical)
        review_share = 45 if self.backend.may("approve")[0] else 28
        self.resizeDocks([self.preview_dock, self.review_dock],
                         [height * (100 - review_share) // 100, height * review_share // 100], Qt.Orientation.Vertical)
        self.layout_settled.emit()

    _fitted = QSize()

    def _first_size(self) -> None:
        """The first start: 1500x940 where the screen has room, else the screen's available area (a
        1024x768 laptop shows form and preview side by side, nothing off-screen)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(1500, 940)
            self._fitted = self.size()
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size()  # the title bar and borders
        width = min(1500, area.width() - max(frame.width(), 0))
        height = min(940, area.height() - max(frame.height(), 0))
        self.resize(width, height)
        self._fitted = self.size()
        if width < 1500 or height < 940:
            self.move(area.topLeft())

    def _ensure_on_screen(self) -> None:
        centre = self.frameGeometry().center()
        if any(screen.availableGeometry().contains(centre) for screen in QGuiApplication.screens()):
            return
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.resize(min(self.width(), area.width()), min(self.height(), area.height()))
            self.move(area.center() - self.rect().center())

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    # -- letters ------------------------------------------------------------------------------
    # -- letters in the drafts database -------------------------------------------------------
    # -- editing ------------------------------------------------------------------------------
    @property
    def pack(self) -> CompiledPack | None:
        return self.document.pack

    @property
    def last_check(self) -> Check | None:
        return self.document.last_check

    def letter_data(self) -> dict[str, Any]:
        return self.form.data() if self.form is not None else {}

    # -- preview and preflight ----------------------------------------------------------------
    # -- saving -------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self.session.dirty

    @property
    def letter_id(self) -> int | None:
        return self.session.record.id

    @property
    def version(self) -> int | None:
        return self.session.record.version

    @property
    def status(self) -> str | None:
        status = self.session.record.status
        return status.value if status is not None else None

    @property
    def detail(self) -> LetterDetail | None:
        return self.session.record.detail

    @property
    def page_previewer(self) -> PagePreviewer | None:
        return self.previewing.page_previewer

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing saves what was typed (waiting for a save under way first); it asks only when the edit
        cannot be saved anywhere."""
        self.watcher.stop()
        self._page_timer.stop()
        self.db.shutdown()
        if not self.saving.may_close():
            event.ignore()
            self.watcher.desk_changed(self.backend)  # still open: others' changes keep coming
            return
        for part in self.parts:  # the start card is written here (Opening), the typing log removed (the keeper)
            part.shutting_down()
        self.runner.shutdown()
        self.page_runner.shutdown()
        if self.page_previewer is not None:
            self.page_previewer.close()  # a layout under way finishes on its own and is thrown away
        self.save_layout()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self.editing.focus_changed)
        event.accept()

    # -- clause bank and address book ---------------------------------------------------------
    # -- export -------------------------------------------------------------------------------
    # -- preferences and messages -------------------------------------------------------------
    def edit_preferences(self) -> None:
        dialog = PreferencesDialog(copy.deepcopy(self.prefs), self, working_as=self.user_label.text())
        if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
            return
        self.prefs = dialog.result_preferences()
        self.spelling.accept(list(self.prefs.dictionary))
        self.workflow_panes.show_identity()
        self.runner.run(self.prefs.save, None,
                        lambda exc: self.show_error(self.tr("Preferences not saved: {error}")
                                                    .format(error=describe_error(exc))))

    def show_error(self, text: str, error: bool = True) -> None:
        self.messages.show_message(text, error)

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About Chambers"),
                          self.tr("Chambers drafts formal court letters from Word template packs."))


def letter_from_file(path: Path) -> dict[str, Any]:
    """Letter data read from a JSON file and checked (for opening from the command line)."""
    data: dict[str, Any] = parse_letter(jsondata.load_file(path)).letter.to_data()
    return data
