"""The main window: the letter form, the live preview, the clause bank, preflight, export."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import data_dir
from app.core.errors import TemplateProblem
from app.core.letter import parse_letter
from app.core.text import clean_text
from app.core.workflow import Conflict
from app.rendering.engine import CompiledPack
from app.rendering.pages import PagePreviewer, PageSet, page_view_available
from app.rendering.pdf import find_soffice
from app.services.letters import suggested_file_name
from app.services.spelling import DICTIONARY_FILE, letter_names
from app.services.templates import TemplateLibrary
from app.ui.backend import ClauseItem, LocalBackend, Row, ServiceBackend
from app.ui.clauses import ClauseBankPanel
from app.ui.dialogs import ConflictDialog, ExportDialog, PreferencesDialog, RestoreDialog, TemplateGallery, TextPrompt
from app.ui.drafts_browser import DraftsBrowser
from app.ui.form import PARAGRAPH_SECTIONS, LetterForm
from app.ui.icons import icon
from app.ui.letter_ops import Check, ExportRequest, ExportResult, check_letter, export_letter, planned_files
from app.ui.preflight import PreflightList
from app.ui.preview_pane import PreviewPane
from app.ui.profile import CourtProfile, Preferences
from app.ui.review_pane import ReviewPane
from app.ui.spelling import SpellChecking
from app.ui.workers import LatestWins, OpRunner, describe_error

FLAGSHIP = "officials-concern"
# The fast preview starts on the next turn of the event loop: LatestWins already keeps only the
# newest edit while a render runs, so a longer pause would only add to every keystroke's latency.
PREVIEW_DELAY_MS = 0
# LibreOffice takes a second or two a layout: the page view waits for a pause in typing.
PAGE_DELAY_MS = 500
NAME_PATHS = ("addressees", "signatory", "sender", "cc")
AUTOSAVE_DELAY_MS = 1500


class SnapshotCommand(QUndoCommand):
    """One edit, as the letter before and after it; typing in one field merges into one step."""

    def __init__(self, window: MainWindow, before: dict[str, Any], after: dict[str, Any], path: str) -> None:
        super().__init__(f"Edit {path}")
        self.window = window
        self.before = before
        self.after = after
        self.path = path
        self._first = True

    def id(self) -> int:
        return 1 if "[" not in self.path or "." in self.path or self.path.endswith("]") else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SnapshotCommand) or other.path != self.path or self.id() < 0:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.window.restore_snapshot(self.after)

    def undo(self) -> None:
        self.window.restore_snapshot(self.before)


class MessageBar(QWidget):
    """Errors and notices shown in the window, never as a traceback or a crash."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message-bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAccessibleName(self.tr("Message"))
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        close = QToolButton(self)
        close.setText("×")
        close.setAccessibleName(self.tr("Dismiss message"))
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, error: bool = True) -> None:
        colour = "#fde7e9; color: #5c0a10" if error else "#dff6dd; color: #0b3d0b"
        self.setStyleSheet(f"#message-bar {{ background: {colour}; }} QLabel {{ color: inherit; }}")
        self.label.setText(text)
        self.show()


class MainWindow(QMainWindow):
    """One letter at a time in the form; docks for preview, preflight and the clause bank."""

    letter_loaded = Signal()
    checked = Signal(object)
    exported = Signal(object)

    def __init__(self, library: TemplateLibrary, prefs: Preferences,
                 backend: LocalBackend | ServiceBackend | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.library = library
        self.prefs = prefs
        self.backend = backend or LocalBackend()
        self.settings = settings or QSettings()
        self.runner = OpRunner(self)
        self.runner.error.connect(self.show_error)
        # The database is used from one worker thread at a time, in the order of the requests.
        self.db = OpRunner(self, threads=1)
        self.db.error.connect(self.show_error)
        self.letter_id: int | None = None
        self.version: int | None = None
        self.status: str | None = None
        self.detail: Any = None
        self.previewer = LatestWins(self.runner)
        self.previewer.delivered.connect(self._checked)
        self.undo_stack = QUndoStack(self)
        # The page view has a thread of its own, so a slow LibreOffice never delays the fast preview.
        self.page_runner = OpRunner(self, threads=1)
        self.page_requests = LatestWins(self.page_runner)
        self.page_requests.delivered.connect(self._pages_ready)
        self.page_previewer: PagePreviewer | None = None
        self._page_docx: bytes | None = None
        self._pages_stale = True
        self.spelling = SpellChecking(OpRunner(self, threads=1), data_dir() / DICTIONARY_FILE,
                                      accepted=list(prefs.dictionary), on_error=self.show_error)
        self.pack: CompiledPack | None = None
        self.form: LetterForm | None = None
        self.last_check: Check | None = None
        self._snapshot: dict[str, Any] = {}
        self._edits = 0
        self._saved_edits = 0
        self._restoring = False
        self._resolving_conflict = False
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
        self.form_holder.addWidget(self.placeholder)
        column.addLayout(self.form_holder, 1)
        self.setCentralWidget(central)

        self.preview = PreviewPane(self)
        self.preview_dock = self._dock("preview", self.tr("Preview"), self.preview,
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.clause_bank = ClauseBankPanel(self)
        self.clause_dock = self._dock("clauses", self.tr("Clause bank"), self.clause_bank,
                                      Qt.DockWidgetArea.LeftDockWidgetArea)
        self.preflight = PreflightList(self)
        self.preflight_dock = self._dock("preflight", self.tr("Preflight"), self.preflight,
                                         Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.clause_dock, self.preflight_dock, Qt.Orientation.Vertical)
        self.drafts = DraftsBrowser(self)
        self.drafts_dock = self._dock("drafts", self.tr("Drafts"), self.drafts, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.clause_dock, self.drafts_dock)
        self.clause_dock.raise_()
        self.review = ReviewPane(self)
        self.review_dock = self._dock("review", self.tr("Review"), self.review,
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self.preview_dock, self.review_dock, Qt.Orientation.Vertical)
        self.drafts.query_changed.connect(self._query_drafts)
        self.drafts.open_requested.connect(self.open_record)
        self.review.comment_requested.connect(self.comment)
        self.review.request_changes_requested.connect(self.request_changes)
        self.review.approve_requested.connect(self.approve)
        self.review.compare_requested.connect(lambda a, b: self._load_diff(a, b, since_review=False))
        self.preflight.focus_requested.connect(self.focus_path)
        self.preflight.clean_requested.connect(self.clean_text)
        self.clause_bank.search_changed.connect(self._search_clauses)
        self.clause_bank.insert_requested.connect(self.insert_clause)
        self.clause_bank.save_requested.connect(self.save_paragraph_to_bank)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.request_check)
        self._page_timer = QTimer(self)
        self._page_timer.setSingleShot(True)
        self._page_timer.setInterval(PAGE_DELAY_MS)
        self._page_timer.timeout.connect(self.request_pages)
        self.preview.tabs.currentChanged.connect(lambda _i: self._page_view_shown())
        self.preview_dock.visibilityChanged.connect(lambda _v: self._page_view_shown())
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self.autosave)

        self._build_actions()
        self._build_status_bar()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self.restore_layout()
        self.clause_bank.refresh()
        if self.backend.has_workflow:
            self.drafts.refresh()
        else:
            self.drafts.show_unavailable(self.tr("Shared drafts need the drafts database: {why}")
                                         .format(why=self.backend.why_no_workflow))
            self.review.clear(self.tr("Review needs the drafts database: {why}").format(
                why=self.backend.why_no_workflow))
            self.review_dock.hide()
        self.update_controls()

    # -- building -----------------------------------------------------------------------------
    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        dock.setAccessibleName(title)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, name: str, text: str, slot: Any, *, icon_name: str | None = None,
                keys: list[QKeySequence | QKeySequence.StandardKey | str] | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action-{name}")
        if icon_name:
            action.setIcon(icon(icon_name))
        if keys:
            sequences: list[QKeySequence] = []
            for k in keys:
                if isinstance(k, QKeySequence.StandardKey):
                    sequences.extend(QKeySequence.keyBindings(k))
                else:
                    sequences.append(QKeySequence(k))
            unique: list[QKeySequence] = []
            for seq in sequences:
                if not seq.isEmpty() and seq not in unique:
                    unique.append(seq)
            action.setShortcuts(unique)
        action.setToolTip(tip or text.replace("&", ""))
        action.setStatusTip(tip or text.replace("&", ""))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        sk = QKeySequence.StandardKey
        self.new_action = self._action("new", self.tr("&New letter…"), self.new_letter, icon_name="new",
                                       keys=[sk.New], tip=self.tr("Start a letter from a template pack"))
        self.save_action = self._action("save", self.tr("&Save now"), self.autosave, icon_name="save",
                                        keys=[sk.Save], tip=self.tr("Save now (letters are also saved as you type)"))
        self.export_action = self._action("export", self.tr("&Export…"), self.export, icon_name="export",
                                          keys=["Ctrl+E"], tip=self.tr("Export the letter as .docx or PDF"))
        self.prefs_action = self._action("preferences", self.tr("&Preferences…"), self.edit_preferences,
                                         icon_name="settings", keys=[sk.Preferences, "Ctrl+,"])
        self.prefs_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit_action = self._action("quit", self.tr("&Quit"), self.close, icon_name="quit",
                                        keys=[sk.Quit, "Ctrl+Q"])
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.undo_action = self.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setObjectName("action-undo")
        self.undo_action.setIcon(icon("undo"))
        self.undo_action.setShortcuts(QKeySequence.keyBindings(sk.Undo))
        self.redo_action = self.undo_stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setObjectName("action-redo")
        self.redo_action.setIcon(icon("redo"))
        self.redo_action.setShortcuts(QKeySequence.keyBindings(sk.Redo))
        self.add_addressee_action = self._action("add-addressee", self.tr("Add &addressee"), self.add_addressee,
                                                 icon_name="add", keys=["Ctrl+Shift+A"])
        self.pick_addressee_action = self._action("pick-addressee", self.tr("Addressee from address &book…"),
                                                  self.pick_addressee, icon_name="address-book",
                                                  keys=["Ctrl+Shift+B"])
        self.insert_clause_action = self._action("insert-clause", self.tr("&Insert clause…"),
                                                 self.focus_clause_bank, icon_name="clause", keys=["Ctrl+Shift+K"],
                                                 tip=self.tr("Search the clause bank and insert a clause"))
        self.focus_preflight_action = self._action("preflight", self.tr("Go to &preflight"),
                                                   lambda: self.preflight.list.setFocus(), keys=["Ctrl+Shift+P"])
        self.focus_form_action = self._action("form", self.tr("Go to the &form"), self.focus_form, keys=["Ctrl+1"])
        why = self.tr("Review needs the drafts database: {why}").format(why=self.backend.why_no_workflow)
        self.submit_action = self._action("submit", self.tr("S&ubmit for review"), self.submit, icon_name="submit",
                                          keys=["Ctrl+Shift+Return"], tip=why)
        self.approve_action = self._action("approve", self.tr("&Approve"), self.approve, icon_name="approve",
                                           keys=["Ctrl+Shift+Y"], tip=why)
        self.request_changes_action = self._action("request-changes", self.tr("Request &changes…"),
                                                   self.request_changes, icon_name="request-changes", tip=why)
        self.comment_action = self._action("comment", self.tr("Co&mment…"), self.comment, icon_name="comment",
                                           tip=why)
        self.drafts_action = self._action("drafts", self.tr("Go to &drafts"), self.focus_drafts, keys=["Ctrl+D"])
        self.about_action = self._action("about", self.tr("&About Chambers"), self.about)

        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for a in (self.new_action, self.save_action, self.export_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.prefs_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        letter_menu = bar.addMenu(self.tr("&Letter"))
        for a in (self.add_addressee_action, self.pick_addressee_action, self.insert_clause_action):
            letter_menu.addAction(a)
        letter_menu.addSeparator()
        letter_menu.addAction(self.submit_action)
        review_menu = bar.addMenu(self.tr("&Review"))
        review_menu.addAction(self.approve_action)
        review_menu.addAction(self.request_changes_action)
        review_menu.addAction(self.comment_action)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.focus_form_action)
        view_menu.addAction(self.drafts_action)
        view_menu.addAction(self.focus_preflight_action)
        view_menu.addSeparator()
        for dock in (self.preview_dock, self.review_dock, self.drafts_dock, self.clause_dock, self.preflight_dock):
            view_menu.addAction(dock.toggleViewAction())
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)

        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("toolbar-main")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for tool in (self.new_action, self.save_action, None, self.undo_action, self.redo_action, None,
                  self.insert_clause_action, None, self.submit_action, self.approve_action, self.export_action):
            if tool is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(tool)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.save_state = QLabel(self.tr("No changes"), self)
        self.save_state.setObjectName("autosave-state")
        self.save_state.setAccessibleName(self.tr("Autosave state"))
        self.user_label = QLabel(self)
        self.user_label.setAccessibleName(self.tr("User and role"))
        self.database_label = QLabel(self)
        self.database_label.setAccessibleName(self.tr("Database"))
        status.addPermanentWidget(self.save_state)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.database_label)
        self._update_identity()

    def _update_identity(self) -> None:
        user = getattr(self.backend, "user", "") or self.prefs.user or self.tr("unnamed user")
        role = getattr(self.backend, "role", "") or self.prefs.role
        self.user_label.setText(self.tr("{user} ({role})").format(user=user, role=role))
        self.database_label.setText(self.tr("Database: {db}").format(db=self.backend.database))

    # -- layout persistence -------------------------------------------------------------------
    def restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1500, 940)
        if state is not None:
            self.restoreState(state)
        else:
            self.resizeDocks([self.preview_dock, self.clause_dock], [540, 320], Qt.Orientation.Horizontal)
            self.resizeDocks([self.clause_dock, self.preflight_dock], [640, 180], Qt.Orientation.Vertical)
            review_share = 420 if self.backend.may("approve")[0] else 260
            self.resizeDocks([self.preview_dock, self.review_dock], [960 - review_share, review_share],
                             Qt.Orientation.Vertical)
            self.resizeDocks([self.drafts_dock], [300], Qt.Orientation.Horizontal)
        self._ensure_on_screen()

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
    def start(self) -> None:
        """First start: the flagship sample, so a newcomer sees a real letter at once."""
        try:
            saved = self.backend.restore()
        except Exception as exc:  # a broken journal must not stop the window from opening
            self.show_error(self.tr("Unsaved work could not be restored: {error}").format(error=describe_error(exc)))
            saved = None
        if saved is not None:
            letter_id, base_version, data = saved
            answer = self._ask_restore(letter_id, data) if self.backend.asks_before_restore else "restore"
            if answer == "restore":
                if letter_id is not None:
                    self.open_record(letter_id, restored=(base_version, data))
                else:
                    self.open_letter(data, restored=True)
                return
            if answer == "discard":
                self.backend.discard_recovery(letter_id)
                self.statusBar().showMessage(self.tr("The unsaved edit was discarded"), 6000)
            else:
                self.show_error(self.tr("Your unsaved edit is still kept; Chambers offers it again at the next "
                                        "start."), error=False)
            if letter_id is not None and isinstance(self.backend, ServiceBackend):
                self.open_record(letter_id)
                return
        try:
            data = json.loads(self.library.sample(FLAGSHIP))
        except (TemplateProblem, ValueError) as exc:
            packs = [p for p in self.library.list() if not p.problem]
            if not packs:
                self.show_error(self.tr("No template packs were found: {error}").format(error=describe_error(exc)))
                return
            data = self._blank(packs[0].id)
        if not self.prefs.profile.court:
            self.prefs.profile = CourtProfile.from_letter(data)
        self.open_letter(data)

    def _ask_restore(self, letter_id: int | None, data: dict[str, Any]) -> str | None:
        """Restore, discard, or (Escape) neither for now: the edit stays in the journal."""
        dialog = RestoreDialog(letter_id, data, self.backend.recovered_at, self)
        dialog.exec()
        return dialog.answer

    def _blank(self, pack_id: str) -> dict[str, Any]:
        profile = self.prefs.profile
        data: dict[str, Any] = {
            "template": pack_id, "date": dt.date.today().isoformat(), "subject": "",
            "sender": profile.sender(), "signatory": profile.signatory(), "addressees": [],
            "complimentary_close": "Sincerely,", "fields": {},
        }
        for key in PARAGRAPH_SECTIONS:
            data[key] = [""] if key in ("opening", "concerns") else []
        return data

    def open_letter(self, data: dict[str, Any], restored: bool = False, detail: Any = None,
                    base_version: int | None = None) -> None:
        pack_id = str(data.get("template") or FLAGSHIP)

        def loaded(pack: CompiledPack) -> None:
            self._set_record(detail)
            if base_version is not None:
                # A restored edit saves against the version it started from: a save in between is a conflict.
                self.version = base_version
            self._install(pack, data)
            if restored:
                self._mark_dirty()
                self.save_state.setText(self.tr("Restored the letter you were writing (not yet saved)"))

        def failed(exc: BaseException) -> None:
            self.show_error(self.tr("The template {pack} cannot be used: {error}")
                            .format(pack=pack_id, error=describe_error(exc)))

        self.runner.run(lambda: self.library.get(pack_id), loaded, failed)

    def _install(self, pack: CompiledPack, data: dict[str, Any]) -> None:
        self.pack = pack
        form = LetterForm(pack.manifest, self, editor_hook=self._editor_created)
        form.set_data(data)
        form.edited.connect(self._edited)
        form.addressees.save_requested.connect(self.save_addressee)
        form.addressees.pick_requested.connect(self.pick_addressee)
        if self.form is not None:
            self.form_holder.removeWidget(self.form)
            self.form.deleteLater()
        self.placeholder.hide()
        self.form_holder.addWidget(form)
        self.form = form
        self._snapshot = form.data()
        self.spelling.set_names(letter_names(self._snapshot))
        self.undo_stack.clear()
        self.last_check = None
        subject = data.get("subject") or self.tr("New letter")
        self.setWindowTitle(self.tr("{subject} — Chambers").format(subject=subject))
        self.update_controls()
        self.request_check()
        self.letter_loaded.emit()

    def _editor_created(self, editor: QWidget) -> None:
        """Every text field the form makes passes here (spell checking attaches to it)."""
        if isinstance(editor, QLineEdit | QTextEdit | QPlainTextEdit):
            self.spelling.attach(editor)

    def new_letter(self) -> None:
        packs = self.library.list()
        gallery = TemplateGallery(packs, self)
        if gallery.exec() != TemplateGallery.DialogCode.Accepted:
            return
        pack_id = gallery.chosen()
        if pack_id:
            self.autosave()
            self.open_letter(self._blank(pack_id))

    # -- letters in the drafts database -------------------------------------------------------
    def _set_record(self, detail: Any) -> None:
        self.detail = detail
        if detail is None:
            self.letter_id = self.version = self.status = None
            if self.backend.has_workflow:
                self.review.clear(self.tr("This letter is not saved yet; it is saved as soon as it is complete."))
        else:
            self.letter_id = detail.summary.id
            self.version = detail.summary.version
            self.status = detail.summary.status.value
        self._edits = self._saved_edits = 0
        self.save_state.setText(self.tr("Saved") if detail is not None else self.tr("Not saved yet"))

    def open_record(self, letter_id: int, restored: tuple[int | None, dict[str, Any]] | None = None) -> None:
        """Open a letter from the drafts database (with unsaved journal edits on top, if any)."""
        if self.form is not None and self.dirty:
            self.autosave()
        backend = self.backend
        assert isinstance(backend, ServiceBackend)

        def opened(detail: Any) -> None:
            data = restored[1] if restored else detail.current.data
            self.open_letter(data, restored=restored is not None, detail=detail,
                             base_version=restored[0] if restored else None)
            self._load_review(detail)

        def failed(exc: BaseException) -> None:
            self.show_error(self.tr("Letter {id} cannot be opened: {error}").format(id=letter_id,
                                                                                    error=describe_error(exc)))

        self.db.run(lambda: backend.open(letter_id), opened, failed)

    def _query_drafts(self, search: str, status: str) -> None:
        if isinstance(self.backend, ServiceBackend):
            backend = self.backend
            self.db.run(lambda: backend.rows(search, status), self._show_rows)

    def _show_rows(self, rows: list[Row]) -> None:
        self.drafts.show_rows(rows)

    def focus_drafts(self) -> None:
        self.drafts_dock.show()
        self.drafts_dock.raise_()
        self.drafts.search.setFocus()

    def _load_review(self, detail: Any) -> None:
        backend = self.backend
        if not isinstance(backend, ServiceBackend) or detail is None:
            return
        letter_id = detail.summary.id

        def history(result: Any) -> None:
            _summary, versions, _events = result
            self.review.show_detail(detail, versions)
            if len(versions) > 1:
                self._load_diff(None, None, since_review=True)
            else:
                self.review.changes.setHtml(self.tr("<p><i>This is the first version.</i></p>"))

        self.db.run(lambda: backend.history(letter_id), history)

    def _load_diff(self, a: int | None, b: int | None, since_review: bool) -> None:
        backend = self.backend
        if not isinstance(backend, ServiceBackend) or self.letter_id is None:
            return
        letter_id = self.letter_id
        self.db.run(lambda: backend.diff(letter_id, a, b), lambda report: self.review.show_diff(report, since_review))

    def _after_transition(self, message: str) -> Any:
        def done(_result: Any) -> None:
            self.statusBar().showMessage(message, 6000)
            self.messages.show_message(message, error=False)
            if self.letter_id is not None:
                self.open_record(self.letter_id)
            self.drafts.refresh()
        return done

    def _transition_failed(self, exc: BaseException) -> None:
        self.show_error(describe_error(exc))

    def submit(self) -> None:
        backend = self.backend
        if not isinstance(backend, ServiceBackend):
            return

        def work() -> Any:
            return backend.submit(self._require_saved(), self._saved_version())

        self.autosave()
        self.db.run(work, self._after_transition(self.tr("Submitted for review.")), self._transition_failed)

    def _require_saved(self) -> int:
        if self.letter_id is None:
            raise TemplateProblem("the letter is not saved yet: complete what Preflight lists first")
        return self.letter_id

    def _saved_version(self) -> int:
        assert self.version is not None
        return self.version

    def approve(self) -> None:
        backend = self.backend
        if not isinstance(backend, ServiceBackend) or self.letter_id is None or self.version is None:
            return
        letter_id, version = self.letter_id, self.version
        self.db.run(lambda: backend.approve(letter_id, version), self._after_transition(self.tr("Approved.")),
                    self._transition_failed)

    def request_changes(self) -> None:
        backend = self.backend
        if not isinstance(backend, ServiceBackend) or self.letter_id is None:
            return
        prompt = TextPrompt(self.tr("Request changes"), self.tr("What should change?"), self)
        self.spelling.attach(prompt.text)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text, letter_id = prompt.value(), self.letter_id
        self.db.run(lambda: backend.request_changes(letter_id, text),
                    self._after_transition(self.tr("Changes requested.")), self._transition_failed)

    def comment(self) -> None:
        backend = self.backend
        if not isinstance(backend, ServiceBackend) or self.letter_id is None:
            return
        prompt = TextPrompt(self.tr("Comment"), self.tr("Your comment:"), self)
        self.spelling.attach(prompt.text)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text, letter_id = prompt.value(), self.letter_id
        self.db.run(lambda: backend.comment(letter_id, text), self._after_transition(self.tr("Comment added.")),
                    self._transition_failed)

    def update_controls(self) -> None:
        """Enable what this role may do to this letter now; say why for the rest."""
        backend = self.backend
        status = self.status

        def gate(action: str, allowed_states: tuple[str, ...], state_why: str) -> tuple[bool, str]:
            ok, why = backend.may(action)
            if not ok:
                return False, why[0].upper() + why[1:] if why else why
            if self.letter_id is None:
                return False, self.tr("The letter is not saved in the drafts database yet")
            if status not in allowed_states:
                return False, state_why
            return True, ""

        controls = {
            "submit": gate("submit", ("draft", "changes_requested"),
                           self.tr("Only a draft or a letter with changes requested can be submitted")),
            "approve": gate("approve", ("in_review",), self.tr("Only a letter in review can be approved")),
            "request_changes": gate("request_changes", ("in_review",),
                                    self.tr("Changes can only be requested on a letter in review")),
            "comment": gate("comment", ("draft", "in_review", "changes_requested", "approved", "exported"), ""),
        }
        for name, (enabled, why) in controls.items():
            action: QAction = getattr(self, f"{name}_action")
            action.setEnabled(enabled)
            action.setToolTip(why or action.text().replace("&", ""))
        self.review.set_enabled_controls({k: v for k, v in controls.items() if k != "submit"})
        may_edit, why_not = backend.may("edit")
        if self.form is not None:
            self.form.set_read_only(None if may_edit else why_not[0].upper() + why_not[1:])
        for action in (self.add_addressee_action, self.pick_addressee_action, self.insert_clause_action,
                       self.save_action):
            action.setEnabled(may_edit)
        may_create, why_create = backend.may("create")
        self.new_action.setEnabled(may_create)
        self.new_action.setToolTip(self.tr("Start a letter from a template pack") if may_create
                                   else why_create[0].upper() + why_create[1:])
        self.clause_bank.insert_new.setEnabled(may_edit)
        self.clause_bank.insert_at_cursor.setEnabled(may_edit)
        may_clause, why_clause = backend.may("manage_clauses")
        self.clause_bank.save.setEnabled(may_clause)
        self.clause_bank.save.setToolTip(self.tr("Save the paragraph being edited as a new clause") if may_clause
                                         else why_clause[0].upper() + why_clause[1:])

    # -- editing ------------------------------------------------------------------------------
    def _edited(self, path: str) -> None:
        if self.form is None or self._restoring:
            return
        after = self.form.data()
        before = self._snapshot
        if after == before:
            return  # a signal that changed nothing (a highlighter re-colouring a paragraph): not an edit
        self._snapshot = after
        self.undo_stack.push(SnapshotCommand(self, before, after, path))
        self._mark_dirty()
        if path.startswith(NAME_PATHS):
            self.spelling.set_names(letter_names(after))
        if path == "subject":
            self.setWindowTitle(self.tr("{subject} — Chambers").format(subject=after.get("subject") or "…"))

    def _mark_dirty(self) -> None:
        self._edits += 1
        self.save_state.setText(self.tr("Unsaved changes"))
        self._preview_timer.start()
        self._autosave_timer.start()

    def restore_snapshot(self, data: dict[str, Any]) -> None:
        if self.form is None:
            return
        self._restoring = True
        try:
            self.form.set_data(copy.deepcopy(data))
        finally:
            self._restoring = False
        self._snapshot = self.form.data()
        self._mark_dirty()

    def letter_data(self) -> dict[str, Any]:
        return self.form.data() if self.form is not None else {}

    def focus_path(self, path: str) -> None:
        if self.form is not None and not self.form.focus_path(path):
            self.statusBar().showMessage(self.tr("That entry is not tied to one field"), 4000)

    def focus_form(self) -> None:
        if self.form is not None:
            self.form.subject.setFocus()

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.form is not None and new is not None:
            self.form.note_focus(new)

    def add_addressee(self) -> None:
        if self.form is not None:
            self.form.ensureWidgetVisible(self.form.addressees)
            self.form.addressees.add()

    def clean_text(self) -> None:
        """Take out what Word cannot hold, through the same cleaning the services use."""
        if self.form is None:
            return

        def clean(value: Any) -> Any:
            if isinstance(value, str):
                return clean_text(value)[0]
            if isinstance(value, list):
                return [clean(v) for v in value]
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            return value

        before = self.form.data()
        after = clean(before)
        self.form.set_data(after)
        self._snapshot = self.form.data()
        self.undo_stack.push(SnapshotCommand(self, before, self._snapshot, "clean"))
        self._mark_dirty()

    # -- preview and preflight ----------------------------------------------------------------
    def request_check(self) -> None:
        if self.form is None or self.pack is None:
            return
        data = self.form.data()
        pack = self.pack
        self.previewer.request(lambda: check_letter(pack, data))

    def _checked(self, _generation: int, result: object) -> None:
        if isinstance(result, BaseException):
            self.preview.set_stale(self.tr("The preview could not be made: {error}")
                                   .format(error=describe_error(result)))
            return
        assert isinstance(result, Check)
        self.last_check = result
        self.preflight.set_entries(result.problems, result.removals)
        if result.preview is not None:
            self.preview.show_preview(result.preview, result.millis)
            self.preview.set_stale(None)
        else:
            self.preview.set_stale(self.tr("The preview shows the last version that could be rendered; "
                                           "see Preflight for what is missing."))
        count = len(result.problems) + len(result.removals)
        self.preflight_dock.setWindowTitle(self.tr("Preflight ({n})").format(n=count) if count
                                           else self.tr("Preflight"))
        if result.docx is not None and result.docx != self._page_docx:
            self._page_docx = result.docx
            self._pages_stale = True
            if self.preview.showing_pages():
                self._page_timer.start()
        self.export_action.setEnabled(result.exportable)
        self.export_action.setToolTip(self.tr("Export the letter as .docx or PDF") if result.exportable
                                      else self.tr("Fix what Preflight lists before exporting"))
        self.checked.emit(result)

    def _page_view_shown(self) -> None:
        if self.preview.showing_pages() and self._pages_stale and not self._page_timer.isActive():
            self.request_pages()

    def request_pages(self) -> None:
        """Lay the latest rendered letter out as printed pages, off the GUI thread; the newest wins."""
        hint = page_view_available()
        if hint is not None:
            self.preview.page_view.show_unavailable(hint)
            return
        docx = self._page_docx
        if docx is None:
            return
        if self.page_previewer is None:
            self.page_previewer = PagePreviewer()
        previewer = self.page_previewer
        self._pages_stale = False
        self.preview.page_view.show_busy()
        self.page_requests.request(lambda: (docx, previewer.pages(docx)))

    def _pages_ready(self, _generation: int, result: object) -> None:
        if isinstance(result, BaseException):
            self._pages_stale = True
            self.preview.page_view.show_failure(describe_error(result))
            return
        assert isinstance(result, tuple)
        docx, pages = result
        assert isinstance(pages, PageSet)
        self.preview.page_view.show_pages(pages, docx)
        if docx != self._page_docx and self.preview.showing_pages():
            self._page_timer.start()  # typed on meanwhile: lay out the letter as it is now

    # -- saving -------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._edits != self._saved_edits

    def autosave(self) -> None:
        """Keep the edit on this computer at once, and save it as a version once the letter is complete."""
        if self.form is None or not self.dirty or self.pack is None or self._resolving_conflict:
            return
        data = self.form.data()
        edits = self._edits
        pack = self.pack
        backend = self.backend
        letter_id, version = self.letter_id, self.version
        self.save_state.setText(self.tr("Saving…"))

        def work() -> Any:
            backend.keep(letter_id, data, version)
            if not backend.has_workflow or not backend.may("edit")[0]:
                return None
            check = check_letter(pack, data, render=False)
            if check.letter is None or check.problems:
                return None
            assert isinstance(backend, ServiceBackend)
            return backend.save(letter_id, data, version)

        def saved(summary: Any) -> None:
            self._saved_edits = max(self._saved_edits, edits)
            now = dt.datetime.now().strftime("%H:%M")
            if summary is not None:
                first = self.letter_id is None
                self.letter_id, self.version, self.status = summary.id, summary.version, summary.status.value
                self.save_state.setText(self.tr("Saved as version {v} at {time}").format(v=summary.version, time=now))
                self.update_controls()
                self.drafts.refresh()
                if first or summary.version > 1:
                    self.runner.run(lambda: None, lambda _r: self._reload_review())
            elif backend.has_workflow:
                self.save_state.setText(self.tr("Kept on this computer at {time} (saved once complete)")
                                        .format(time=now))
            elif not self.dirty:
                self.save_state.setText(self.tr("Saved at {time}").format(time=now))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Conflict):
                self.save_state.setText(self.tr("Not saved: {author} saved this letter first").format(
                    author=exc.author))
                self.save_state.setToolTip(str(exc))
                QTimer.singleShot(0, lambda: self.resolve_conflict(exc))
                return
            self.save_state.setText(self.tr("Not saved: {error}").format(error=describe_error(exc)))
            self.save_state.setToolTip(self.save_state.text())

        self.db.run(work, saved, failed)

    def resolve_conflict(self, conflict: Conflict) -> None:
        """Someone saved the letter first: reload theirs or keep mine on top; never overwrite, never lose."""
        if self._resolving_conflict or conflict.letter_id != self.letter_id or conflict.expected != self.version:
            return  # being answered, or answered already (a second save met the same newer version)
        self._resolving_conflict = True
        self._autosave_timer.stop()
        try:
            dialog = ConflictDialog(conflict, self)
            dialog.exec()
            answer = dialog.answer
        finally:
            self._resolving_conflict = False
        if conflict.letter_id != self.letter_id:
            return
        if answer == "keep":
            self.version = conflict.current  # the next save goes on top of theirs
            self.autosave()
        elif answer == "reload":
            backend = self.backend
            assert isinstance(backend, ServiceBackend)
            self.db.run(lambda: backend.open(conflict.letter_id), self._take_theirs, self._transition_failed)
        else:
            self.show_error(self.tr("Not saved: {why} Save again (Ctrl+S) to choose.").format(why=str(conflict)))

    def _take_theirs(self, detail: Any) -> None:
        """Show the other version; mine stays one Undo away (and in the recovery journal)."""
        if self.form is None or detail.summary.id != self.letter_id:
            return
        mine = self.form.data()
        self._restoring = True
        try:
            self.form.set_data(copy.deepcopy(detail.current.data))
        finally:
            self._restoring = False
        self._snapshot = self.form.data()
        self.undo_stack.push(SnapshotCommand(self, mine, self._snapshot, "reload"))
        self.detail = detail
        self.version, self.status = detail.summary.version, detail.summary.status.value
        self._saved_edits = self._edits
        self._autosave_timer.stop()
        self.save_state.setText(self.tr("Showing version {v} by {author}; Undo brings your edit back").format(
            v=detail.summary.version, author=detail.summary.updated_by))
        self.update_controls()
        self.request_check()
        self._load_review(detail)
        self.drafts.refresh()

    def _reload_review(self) -> None:
        backend = self.backend
        if isinstance(backend, ServiceBackend) and self.letter_id is not None:
            letter_id = self.letter_id
            self.db.run(lambda: backend.open(letter_id), self._refresh_detail)

    def _refresh_detail(self, detail: Any) -> None:
        self.detail = detail
        self._load_review(detail)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._autosave_timer.stop()
        self._page_timer.stop()
        self.runner.shutdown()
        self.db.shutdown()
        if self.page_previewer is not None:
            self.page_previewer.close()  # a layout under way finishes on its own and is thrown away
        if self.form is not None and self.dirty:
            try:
                self.backend.keep(self.letter_id, self.form.data(), self.version)
                self._saved_edits = self._edits
            except Exception as exc:  # the prompt below tells the user; nothing else may crash here
                answer = QMessageBox.question(
                    self, self.tr("Unsaved changes"),
                    self.tr("Your latest changes could not be saved ({error}). Close and lose them?")
                    .format(error=describe_error(exc)),
                    QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                    QMessageBox.StandardButton.Cancel)
                if answer != QMessageBox.StandardButton.Discard:
                    event.ignore()
                    return
        self.save_layout()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._focus_changed)
        event.accept()

    # -- clause bank and address book ---------------------------------------------------------
    def _search_clauses(self, text: str, tag: str) -> None:
        backend = self.backend
        self.db.run(lambda: backend.clauses(text, tag), self._show_clauses)

    def _show_clauses(self, clauses: list[ClauseItem]) -> None:
        self.clause_bank.show_clauses(clauses)

    def focus_clause_bank(self) -> None:
        self.clause_dock.show()
        self.clause_dock.raise_()
        self.clause_bank.search.setFocus()
        self.clause_bank.search.selectAll()

    def insert_clause(self, text: str, at_cursor: bool) -> None:
        section = self.form.current_section() if self.form is not None else None
        if section is None:
            self.show_error(self.tr("This template has no paragraph sections to insert a clause into."))
            return
        section.insert_text(text, at_cursor)

    def save_paragraph_to_bank(self) -> None:
        section = self.form.current_section() if self.form is not None else None
        index = section.current_index if section is not None else -1
        if section is None or index < 0 or not section.values()[index].strip():
            self.show_error(self.tr("Click into a paragraph first, then save it to the clause bank."))
            return
        text = section.values()[index].strip()
        title, ok = QInputDialog.getText(self, self.tr("Save to clause bank"), self.tr("Title of the clause:"),
                                         text=" ".join(text.split()[:6]))
        if not ok or not title.strip():
            return
        tags = (section.key.replace("_", " ").rstrip("s"),)
        def added(_clause: object) -> None:
            self.statusBar().showMessage(self.tr("Saved to the clause bank"), 4000)
            self.clause_bank.refresh()

        backend = self.backend
        self.db.run(lambda: backend.add_clause(title.strip(), text, tags), added)

    def pick_addressee(self) -> None:
        def chosen(book: list[dict[str, Any]]) -> None:
            if not book:
                self.show_error(self.tr("The address book is empty. Save an addressee to it first."), error=False)
                return
            labels = [f"{e.get('name', '')} — {e.get('title', '')}" for e in book]
            label, ok = QInputDialog.getItem(self, self.tr("Address book"), self.tr("Addressee:"), labels, 0, False)
            if ok and self.form is not None:
                self.form.addressees.add(book[labels.index(label)])

        self.db.run(self.backend.address_book, chosen)

    def save_addressee(self, entry: dict[str, Any]) -> None:
        backend = self.backend

        name = str(entry.get("name") or "").strip() or self.tr("The addressee")

        def saved(new: object) -> None:
            message = (self.tr("{name} was added to the address book") if new is not False
                       else self.tr("{name} was updated in the address book")).format(name=name)
            self.statusBar().showMessage(message, 6000)

        self.db.run(lambda: backend.add_address(entry), saved,
                    lambda exc: self.show_error(self.tr("Not saved to the address book: {error}")
                                                .format(error=describe_error(exc))))

    # -- export -------------------------------------------------------------------------------
    @property
    def approved_docx(self) -> bytes | None:
        """The bytes the judge approved, when the open letter is approved and unchanged since."""
        detail = self.detail
        if detail is None or self.status not in ("approved", "exported") or self.dirty:
            return None
        approval = detail.approval
        return approval.docx if approval is not None and approval.voided_at is None else None

    def export(self) -> None:
        check = self.last_check
        approved = self.approved_docx
        if self.pack is None or check is None or check.letter is None or (approved is None and not check.exportable):
            self.show_error(self.tr("The letter cannot be exported yet: fix what Preflight lists."))
            return
        if approved is not None:
            ok, _why = self.backend.may("export_final")
            if not ok:
                approved = None  # a clerk exports a draft copy of an approved letter
        letter = check.letter
        if approved is not None:
            letter = parse_letter(self.detail.current.data).letter
        stem = suggested_file_name(letter, "")
        dialog = ExportDialog(stem, self.prefs.export_folder, pdf_available=find_soffice() is not None,
                              approved=approved is not None, addressees=len(letter.addressees), parent=self)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        request = dialog.request()
        request.approved_bytes = approved
        open_folder = dialog.open_folder.isChecked()
        existing = [p for p in planned_files(letter, request) if p.exists()]
        if existing:
            names = "\n".join(p.name for p in existing[:8])
            answer = QMessageBox.question(
                self, self.tr("Replace files?"),
                self.tr("These files already exist in {folder}:\n{names}\n\nReplace them?")
                .format(folder=request.folder, names=names),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
            request.overwrite = True
        self.prefs.export_folder = str(request.folder)
        self.run_export(letter, request, open_folder)

    def run_export(self, letter: Any, request: ExportRequest, open_folder: bool) -> None:
        pack = self.pack
        assert pack is not None
        self.statusBar().showMessage(self.tr("Exporting…"))

        def done(result: ExportResult) -> None:
            names = ", ".join(p.name for p in result.written)
            self.statusBar().showMessage(self.tr("Exported {names}").format(names=names), 8000)
            self.messages.show_message(self.tr("Exported to {folder}: {names}").format(folder=request.folder,
                                                                                      names=names), error=False)
            if open_folder:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(request.folder)))
            self.exported.emit(result)
            self.runner.run(self.prefs.save)

        def failed(exc: BaseException) -> None:
            self.statusBar().clearMessage()
            self.show_error(self.tr("Export failed: {error}").format(error=describe_error(exc)))

        backend = self.backend
        letter_id = self.letter_id
        if (request.approved_bytes is not None and request.docx and not request.per_addressee
                and isinstance(backend, ServiceBackend) and letter_id is not None):
            docx = request.folder / f"{request.stem}.docx"
            pdf = request.folder / f"{request.stem}.pdf" if request.pdf else None

            def final() -> ExportResult:
                request.folder.mkdir(parents=True, exist_ok=True)
                report = backend.export_final(letter_id, docx, pdf)
                return ExportResult([p for p in (report.docx, report.pdf) if p is not None])

            def final_done(result: ExportResult) -> None:
                done(result)
                self.status = "exported"
                self.drafts.refresh()
                self._reload_review()

            self.db.run(final, final_done, failed)
            return
        self.runner.run(lambda: export_letter(pack, letter, request), done, failed)

    # -- preferences and messages -------------------------------------------------------------
    def edit_preferences(self) -> None:
        dialog = PreferencesDialog(copy.deepcopy(self.prefs), self)
        if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
            return
        self.prefs = dialog.result_preferences()
        self.spelling.accept(list(self.prefs.dictionary))
        self._update_identity()
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
    data: dict[str, Any] = parse_letter(json.loads(path.read_text(encoding="utf-8"))).letter.to_data()
    return data
