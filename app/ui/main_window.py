"""The main window: the letter form, the live preview, the clause bank, preflight, export."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QKeyEvent,
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
from app.core.workflow import TRANSITIONS, Action, Conflict, Status
from app.rendering.engine import CompiledPack
from app.rendering.pages import PagePreviewer, PageSet, page_view_available
from app.rendering.pdf import find_soffice
from app.services.desk import (
    Check,
    ClauseItem,
    ExportRequest,
    ExportResult,
    ReviewView,
    Row,
    check_letter,
    export_letter,
    planned_files,
)
from app.services.drafts import LetterDetail
from app.services.letters import suggested_file_name
from app.services.spelling import DICTIONARY_FILE, letter_names
from app.services.templates import TemplateLibrary
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.clauses import ClauseBankPanel
from app.ui.dialogs import (
    CloseUnsavedPrompt,
    ConflictDialog,
    ExportDialog,
    PreferencesDialog,
    RestoreDialog,
    TemplateGallery,
    TextPrompt,
    WithdrawApprovalPrompt,
)
from app.ui.drafts_browser import DraftsBrowser
from app.ui.form import PARAGRAPH_SECTIONS, LetterForm
from app.ui.icons import icon
from app.ui.preflight import PreflightList
from app.ui.preview_pane import PreviewPane
from app.ui.profile import CourtProfile, Preferences
from app.ui.review_pane import ReviewPane
from app.ui.session import LetterRecord, LetterSession
from app.ui.spelling import SpellChecking
from app.ui.workers import LatestWins, OpRunner, describe_error

log = logging.getLogger(__name__)

FLAGSHIP = "officials-concern"
RECENT_COUNT = 8
# The fast preview starts on the next turn of the event loop: LatestWins already keeps only the
# newest edit while a render runs, so a longer pause would only add to every keystroke's latency.
PREVIEW_DELAY_MS = 0
# LibreOffice takes a second or two a layout: the page view waits for a pause in typing.
PAGE_DELAY_MS = 500
NAME_PATHS = ("addressees", "signatory", "sender", "cc")


class SnapshotCommand(QUndoCommand):
    """One edit, as the letter before and after it; typing in one field merges into one step."""

    def __init__(self, window: MainWindow, before: dict[str, Any], after: dict[str, Any], path: str,
                 label: str = "") -> None:
        super().__init__(label or edit_label(path))
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


def edit_label(path: str) -> str:
    """What an edit of ``path`` is called in the Edit menu ("Edit concern 2", "Edit the subject")."""
    import re

    singular = {"addressees": "addressee", "concerns": "concern", "requested_policies": "requested policy",
                "opening": "opening paragraph", "closing": "closing paragraph", "cc": "cc", "enclosures": "enclosure"}
    match = re.fullmatch(r"([a-z_]+)\[(\d+)\](?:\.([a-z_]+))?", path)
    if match:
        what = f"{singular.get(match.group(1), match.group(1))} {int(match.group(2)) + 1}"
        return f"Edit {what}" + (f" ({match.group(3).replace('_', ' ')})" if match.group(3) else "")
    named = {"clean": "Remove characters Word cannot hold", "reload": "Show their version",
             "addressees": "Change the addressees"}
    if path in named:
        return named[path]
    if path in singular:
        return f"Change the {path.replace('_', ' ')}"
    return f"Edit the {path.replace('fields.', '').replace('.', ' ').replace('_', ' ')}"


class UndoKeys(QObject):
    """Lets Undo and Redo shortcuts through a text field to the window's actions (a field would take them)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and (
                event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)):
            event.ignore()
            return True
        return False


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
    review_loaded = Signal(object)  # ReviewView: the review pane shows this letter's status and changes

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
        self.session = LetterSession(self.backend, self.db, self)
        self.session.set_source(self._save_source)
        self.previewer = LatestWins(self.runner)
        self.previewer.delivered.connect(self._checked)
        self.undo_stack = QUndoStack(self)
        self._undo_keys = UndoKeys(self)
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
        self._restoring = False
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

        self._build_actions()
        self._build_status_bar()
        self._connect_session()
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
        self.open_action = self._action("open", self.tr("&Open letter…"), self.open_by_number, icon_name="open",
                                        keys=[sk.Open], tip=self.tr("Open a letter of the drafts database"))

        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu(self.tr("&Recent letters"))
        self.recent_menu.setObjectName("menu-recent")
        self._fill_recent_menu()
        for a in (self.save_action, self.export_action):
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
        """An unsaved edit first (asked); else a judge's letters waiting for review; else the letter this
        person worked on last; the flagship sample only for a newcomer."""
        try:
            saved = self.backend.restore()
        except Exception as exc:  # a broken journal must not stop the window from opening
            self.show_error(self.tr("Unsaved work could not be restored: {error}").format(error=describe_error(exc)))
            saved = None
        if saved is not None:
            letter_id = saved.letter_id
            answer = self._ask_restore(letter_id, saved.data) if self.backend.asks_before_restore else "restore"
            if answer == "restore":
                if letter_id is not None:
                    self.open_record(letter_id, restored=(saved.base_version, saved.data))
                else:
                    self.open_letter(saved.data, restored=True)
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
        backend = self.backend
        if isinstance(backend, ServiceBackend) and backend.may("approve").allowed:
            self.show_waiting()
            return
        recent = self.recent_letters()
        if recent and isinstance(backend, ServiceBackend):
            self.open_record(recent[0])
            return
        self.open_sample()

    def open_sample(self) -> None:
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

    def show_waiting(self) -> None:
        """A judge's start: the drafts list on the letters waiting for this judge, the first one open."""
        backend = self.backend
        assert isinstance(backend, ServiceBackend)
        self.drafts_dock.show()
        self.drafts_dock.raise_()
        self.drafts.show_waiting()

        def listed(rows: list[Row]) -> None:
            self.drafts.show_rows(rows)
            waiting = [r for r in rows if r.waiting_for_me]
            recent = self.recent_letters()
            if waiting:
                self.open_record(waiting[0].id)
            elif recent:
                self.open_record(recent[0])
            else:
                self.placeholder.setText(self.tr("No letters are waiting for your review. Letters submitted "
                                                 "to you appear in Drafts."))

        self.db.run(lambda: backend.rows("", "mine"), listed)

    def _recent_key(self) -> str:
        return f"{self.backend.user}@{self.backend.database}"

    def recent_letters(self) -> list[int]:
        return list(self.prefs.recent.get(self._recent_key(), []))

    def _remember(self, letter_id: int) -> None:
        key = self._recent_key()
        ids = [letter_id, *[i for i in self.prefs.recent.get(key, []) if i != letter_id]][:RECENT_COUNT]
        if self.prefs.recent.get(key) == ids:
            return
        self.prefs.recent[key] = ids
        self._fill_recent_menu()
        prefs = self.prefs
        self.runner.run(prefs.save, None, lambda exc: log.warning("recent letters not saved: %s", exc))

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        ids = self.recent_letters()
        for letter_id in ids:
            action = menu.addAction(self.tr("Letter {id}").format(id=letter_id))
            action.triggered.connect(lambda _c=False, i=letter_id: self.open_record(i))
        menu.setEnabled(bool(ids))

    def open_by_number(self) -> None:
        """File > Open: a letter of the drafts database by its number (the drafts list finds it by words)."""
        if not isinstance(self.backend, ServiceBackend):
            self.show_error(self.tr("Opening letters needs the drafts database: {why}")
                            .format(why=self.backend.why_no_workflow))
            return
        prompt = TextPrompt(self.tr("Open letter"), self.tr("Letter number (search by words in Drafts, Ctrl+D):"),
                            self)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text = prompt.value().strip().lstrip("#")
        if not text.isdigit():
            self.show_error(self.tr("{text!r} is not a letter number").format(text=text))
            return
        self.open_record(int(text))

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

    def open_letter(self, data: dict[str, Any], restored: bool = False, detail: LetterDetail | None = None,
                    base_version: int | None = None) -> None:
        pack_id = str(data.get("template") or FLAGSHIP)

        def loaded(pack: CompiledPack) -> None:
            record = LetterRecord.of(detail)
            if base_version is not None:
                # A restored edit saves against the version it started from: a save in between is a conflict.
                from dataclasses import replace

                record = replace(record, version=base_version)
            if detail is None and self.backend.has_workflow:
                self.review.clear(self.tr("This letter is not saved yet; it is saved as soon as it is complete."))
            self._install(pack, data)
            self.session.open(record, dirty=restored)
            if restored:
                self.save_state.setText(self.tr("Restored the letter you were writing (not yet saved)"))

        def failed(exc: BaseException) -> None:
            self.show_error(self.tr("The template {pack} cannot be used: {error}")
                            .format(pack=pack_id, error=describe_error(exc)))

        self.runner.run(lambda: self.library.get(pack_id), loaded, failed)

    def _install(self, pack: CompiledPack, data: dict[str, Any]) -> None:
        self.pack = pack
        form = LetterForm(pack.manifest, self, editor_hook=self._editor_created)
        for editor in form.findChildren(QLineEdit) + form.findChildren(QTextEdit) + form.findChildren(QPlainTextEdit):
            self._take_undo_keys(editor)
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
            self._take_undo_keys(editor)

    def _take_undo_keys(self, editor: QWidget) -> None:
        """Ctrl+Z goes to the letter's one Undo history (moves, removals, inserts too), never to a field's own."""
        if isinstance(editor, QTextEdit | QPlainTextEdit):
            editor.setUndoRedoEnabled(False)
        editor.installEventFilter(self._undo_keys)

    def new_letter(self) -> None:
        packs = self.library.list()
        gallery = TemplateGallery(packs, self)
        accepted = gallery.exec() == TemplateGallery.DialogCode.Accepted
        pack_id = gallery.chosen()
        gallery.deleteLater()  # a closed dialog kept as a child could still hold the keyboard focus
        if not accepted:
            return
        if pack_id:
            self.autosave()
            self.open_letter(self._blank(pack_id))

    # -- letters in the drafts database -------------------------------------------------------
    def open_record(self, letter_id: int, restored: tuple[int | None, dict[str, Any]] | None = None) -> None:
        """Open a letter from the drafts database (with unsaved journal edits on top, if any)."""
        if self.form is not None and self.dirty:
            self.session.save()
        backend = self.backend
        if not isinstance(backend, ServiceBackend):
            return

        def opened(detail: LetterDetail) -> None:
            data = restored[1] if restored else detail.current.data
            self.open_letter(data, restored=restored is not None, detail=detail,
                             base_version=restored[0] if restored else None)

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

    def _load_review(self, record: LetterRecord) -> None:
        """Status, comments, versions and the changes since my last review, read in one job; a read
        that returns after the letter moved on is dropped (never a blank or stale pane)."""
        backend = self.backend
        if not isinstance(backend, ServiceBackend) or record.id is None:
            return
        letter_id, version = record.id, record.version

        def shown(view: ReviewView) -> None:
            now = self.session.record
            if now.id != letter_id or now.version != version:
                return
            self.review.show_detail(view.detail, view.versions)
            self.review.show_diff(view.since_review, since_review=True, first=view.reviewed_version is None)
            self.review_loaded.emit(view)

        self.db.run(lambda: backend.review(letter_id), shown)

    def _load_diff(self, a: int | None, b: int | None, since_review: bool) -> None:
        backend = self.backend
        letter_id = self.session.record.id
        if not isinstance(backend, ServiceBackend) or letter_id is None:
            return
        self.db.run(lambda: backend.diff(letter_id, a, b), lambda report: self.review.show_diff(report, since_review))

    def _after_transition(self, message: str) -> Callable[[LetterDetail], None]:
        def done(detail: LetterDetail) -> None:
            self.statusBar().showMessage(message, 6000)
            self.messages.show_message(message, error=False)
            self.session.apply(detail)  # the record follows; the form and its Undo stay as they are
            self.drafts.refresh()
        return done

    def _transition_failed(self, exc: BaseException) -> None:
        self.show_error(describe_error(exc))

    def submit(self) -> None:
        """Submit exactly what the form shows: saved first, then sent at the version that holds it."""
        backend = self.backend
        ok, why = self._gate(Action.SUBMIT)
        if not isinstance(backend, ServiceBackend) or not ok:
            if why:
                self.show_error(why)
            return

        def send(record: LetterRecord) -> None:
            letter_id, version = record.id, record.version
            assert letter_id is not None
            assert version is not None
            self.db.run(lambda: backend.submit(letter_id, version),
                        self._after_transition(self.tr("Submitted for review.")), self._transition_failed)

        self.session.after_saved(send)

    def approve(self) -> None:
        """Approve the version on screen (a version saved meanwhile by someone else is refused)."""
        backend = self.backend
        ok, why = self._gate(Action.APPROVE)
        if not isinstance(backend, ServiceBackend) or not ok:
            if why:
                self.show_error(why)
            return

        def send(record: LetterRecord) -> None:
            letter_id, version = record.id, record.version
            assert letter_id is not None
            assert version is not None
            self.db.run(lambda: backend.approve(letter_id, version), self._after_transition(self.tr("Approved.")),
                        self._transition_failed)

        self.session.after_saved(send)

    def request_changes(self) -> None:
        backend = self.backend
        letter_id = self.session.record.id
        if not isinstance(backend, ServiceBackend) or letter_id is None or not self._gate(Action.REQUEST_CHANGES)[0]:
            return
        prompt = TextPrompt(self.tr("Request changes"), self.tr("What should change?"), self)
        self.spelling.attach(prompt.text)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text = prompt.value()
        self.db.run(lambda: backend.request_changes(letter_id, text),
                    self._after_transition(self.tr("Changes requested.")), self._transition_failed)

    def comment(self) -> None:
        backend = self.backend
        letter_id = self.session.record.id
        if not isinstance(backend, ServiceBackend) or letter_id is None or not self._gate(Action.COMMENT)[0]:
            return
        prompt = TextPrompt(self.tr("Comment"), self.tr("Your comment:"), self)
        self.spelling.attach(prompt.text)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        text = prompt.value()
        self.db.run(lambda: backend.comment(letter_id, text), self._after_transition(self.tr("Comment added.")),
                    self._transition_failed)

    def _gate(self, action: Action) -> tuple[bool, str]:
        """Whether ``action`` is live now, and why not: the role and status (asked of the workflow's one
        verdict), the letter saved in the drafts database, and for Submit and Approve a clean preflight."""
        record = self.session.record
        status = record.status
        if status is not None and self.session.dirty:
            # The edit on screen is saved before anything is sent, and saving it moves the letter on.
            status = TRANSITIONS.get((status, Action.EDIT), status)
        ok, why = self.backend.verdict(action, status)
        if not ok:
            return False, why[:1].upper() + why[1:]
        if action in (Action.CREATE, Action.EDIT, Action.EXPORT_DRAFT):
            return True, ""
        if record.id is None:
            return False, self.tr("The letter is not saved in the drafts database yet")
        if action in (Action.SUBMIT, Action.APPROVE):
            check = self.last_check
            if check is None:
                return False, self.tr("Preflight is still checking the letter")
            if check.blocking:
                return False, check.blocking
        return True, ""

    @property
    def editable(self) -> tuple[bool, str]:
        ok, why = self.backend.may("edit")
        return ok, why[:1].upper() + why[1:]

    def update_controls(self) -> None:
        """Enable what this role may do to this letter now; say why for the rest."""
        controls = {"submit": self._gate(Action.SUBMIT), "approve": self._gate(Action.APPROVE),
                    "request_changes": self._gate(Action.REQUEST_CHANGES), "comment": self._gate(Action.COMMENT)}
        for name, (enabled, why) in controls.items():
            action: QAction = getattr(self, f"{name}_action")
            action.setEnabled(enabled)
            action.setToolTip(why or action.text().replace("&", ""))
            action.setStatusTip(why or action.text().replace("&", ""))
        self.review.set_enabled_controls({k: v for k, v in controls.items() if k != "submit"})
        may_edit, why_not = self.editable
        if self.form is not None and self.form.read_only != (not may_edit):
            self.form.set_read_only(None if may_edit else why_not)
        for action in (self.add_addressee_action, self.pick_addressee_action, self.insert_clause_action,
                       self.save_action):
            action.setEnabled(may_edit)
        may_create, why_create = self._gate(Action.CREATE)
        self.new_action.setEnabled(may_create)
        self.new_action.setToolTip(self.tr("Start a letter from a template pack") if may_create else why_create)
        self.clause_bank.insert_new.setEnabled(may_edit)
        self.clause_bank.insert_at_cursor.setEnabled(may_edit)
        may_clause, why_clause = self.backend.may("manage_clauses")
        self.clause_bank.save.setEnabled(may_clause)
        self.clause_bank.save.setToolTip(self.tr("Save the paragraph being edited as a new clause") if may_clause
                                         else why_clause[:1].upper() + why_clause[1:])
        self.preflight.clean_button.setEnabled(may_edit)
        if not may_edit:
            self.preflight.clean_button.setToolTip(why_not)

    # -- editing ------------------------------------------------------------------------------
    def _edited(self, path: str) -> None:
        """Every change of the form passes here: a reader's is put back, a withdrawing one asked first."""
        if self.form is None or self._restoring:
            return
        after = self.form.data()
        before = self._snapshot
        if after == before:
            return  # a signal that changed nothing (a highlighter re-colouring a paragraph): not an edit
        label = self.form.take_label() or edit_label(path)
        may_edit, why = self.editable
        if not may_edit:
            self._put_back(before)
            self.statusBar().showMessage(why, 6000)
            return
        question = self.session.edit_question()
        if question is not None:
            if not self._confirm_edit(question):
                self._put_back(before)
                return
            self.session.consent()
        self._snapshot = after
        self.undo_stack.push(SnapshotCommand(self, before, after, path, label))
        self._mark_dirty()
        if path.startswith(NAME_PATHS):
            self.spelling.set_names(letter_names(after))
        if path == "subject":
            self.setWindowTitle(self.tr("{subject} — Chambers").format(subject=after.get("subject") or "…"))

    def _confirm_edit(self, question: str) -> bool:
        dialog = WithdrawApprovalPrompt(question, self)
        dialog.exec()
        return dialog.clickedButton() is dialog.edit_anyway

    def _put_back(self, data: dict[str, Any]) -> None:
        """Show ``data`` again: an edit that may not happen leaves no trace (no save, no recovery file)."""
        assert self.form is not None
        self._restoring = True
        try:
            self.form.set_data(copy.deepcopy(data))
        finally:
            self._restoring = False

    def _mark_dirty(self) -> None:
        self.session.mark_edited()
        self._preview_timer.start()

    def restore_snapshot(self, data: dict[str, Any]) -> None:
        if self.form is None:
            return
        self._put_back(data)
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
        """Take out what Word cannot hold, through the same cleaning the services use (one Undo step)."""
        if self.form is None or not self.editable[0]:
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
        if after == before:
            return
        question = self.session.edit_question()
        if question is not None:
            if not self._confirm_edit(question):
                return
            self.session.consent()
        self._put_back(after)
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
        self.update_controls()
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

    def autosave(self) -> None:
        """Save now (letters are also saved a moment after typing stops); one save at a time."""
        self.session.save()

    def _save_source(self) -> tuple[CompiledPack, dict[str, Any]] | None:
        if self.form is None or self.pack is None or not self.editable[0]:
            return None
        return self.pack, self.form.data()

    def _connect_session(self) -> None:
        session = self.session
        session.save_state.connect(self._show_save_state)
        session.conflict.connect(lambda exc: QTimer.singleShot(0, lambda: self.resolve_conflict(exc)))
        session.refused.connect(self.show_error)
        session.opened.connect(self._record_shown)
        session.record_changed.connect(self._record_shown)
        session.dirty_changed.connect(lambda _d: self.update_controls())

    def _show_save_state(self, text: str) -> None:
        now = dt.datetime.now().strftime("%H:%M")
        self.save_state.setText(text if text in (self.tr("Unsaved changes"), self.tr("Saving…"))
                                else self.tr("{state} at {time}").format(state=text, time=now))
        self.save_state.setToolTip(text)

    def _record_shown(self, record: LetterRecord) -> None:
        self.update_controls()
        if record.id is not None:
            self._remember(record.id)
            self._load_review(record)
            self.drafts.refresh()

    def resolve_conflict(self, conflict: Conflict) -> None:
        """Someone saved the letter first: reload theirs or keep mine on top; never overwrite, never lose."""
        record = self.session.record
        if self.session.paused or conflict.letter_id != record.id or conflict.expected != record.version:
            return  # being answered, or answered already (a second save met the same newer version)
        self.session.paused = True
        try:
            dialog = ConflictDialog(conflict, self)
            dialog.exec()
            answer = dialog.answer
        finally:
            self.session.paused = False
        if conflict.letter_id != self.session.record.id:
            return
        if answer == "keep":
            self.session.rebase(conflict.current)  # the next save goes on top of theirs
        elif answer == "reload":
            backend = self.backend
            assert isinstance(backend, ServiceBackend)
            mine = self.form.data() if self.form is not None else None
            letter_id = conflict.letter_id
            base = conflict.expected

            def fetch() -> LetterDetail:
                if mine is not None:
                    backend.keep(letter_id, mine, base)
                return backend.open(letter_id)

            self.db.run(fetch, self._take_theirs, self._transition_failed)
        else:
            self.show_error(self.tr("Not saved: {why} Save again (Ctrl+S) to choose.").format(why=str(conflict)))

    def _take_theirs(self, detail: LetterDetail) -> None:
        """Show the other version; mine stays one Undo away (and in my recovery journal)."""
        if self.form is None or detail.summary.id != self.session.record.id:
            return
        mine = self.form.data()
        self._put_back(detail.current.data)
        self._snapshot = self.form.data()
        self.undo_stack.push(SnapshotCommand(self, mine, self._snapshot, "reload"))
        self.session.take_theirs(detail)
        self.save_state.setText(self.tr("Showing version {v} by {author}; Undo brings your edit back").format(
            v=detail.summary.version, author=detail.summary.updated_by))
        self.request_check()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing saves what was typed (waiting for a save under way first); it asks only when the edit
        cannot be saved anywhere."""
        self.session.timer.stop()
        self._page_timer.stop()
        self.db.shutdown()
        if self.form is not None and self.session.dirty:
            try:
                self.session.save_now_blocking()
            except Exception as exc:  # the prompt below tells the user; nothing else may crash here
                prompt = CloseUnsavedPrompt(describe_error(exc), self)
                prompt.exec()
                if prompt.clickedButton() is not prompt.discard:
                    event.ignore()
                    return
        self.runner.shutdown()
        self.page_runner.shutdown()
        if self.page_previewer is not None:
            self.page_previewer.close()  # a layout under way finishes on its own and is thrown away
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
        record = self.session.record
        if record.status not in (Status.APPROVED, Status.EXPORTED) or self.dirty:
            return None
        approval = record.approval
        return approval.docx if approval is not None else None

    def export(self) -> None:
        check = self.last_check
        approved = self.approved_docx
        if self.pack is None or check is None or check.letter is None or (approved is None and not check.exportable):
            self.show_error(self.tr("The letter cannot be exported yet: fix what Preflight lists."))
            return
        why_draft = ""
        record = self.session.record
        if approved is not None:
            ok, _why = self.backend.may("export_final")
            if not ok:
                approved = None  # a clerk exports a draft copy of an approved letter
                why_draft = self.tr("This letter is approved; only a judge exports the final letter. You export "
                                    "a copy marked DRAFT.")
        elif record.status in (Status.APPROVED, Status.EXPORTED) and self.dirty:
            why_draft = self.tr("This letter was approved, but it has changed since: it is exported as a draft, "
                                "marked DRAFT.")
        letter = check.letter
        if approved is not None:
            assert self.detail is not None
            letter = parse_letter(self.detail.current.data).letter
        stem = suggested_file_name(letter, "")
        dialog = ExportDialog(stem, self.prefs.export_folder, pdf_available=find_soffice() is not None,
                              approved=approved is not None, addressees=len(letter.addressees), parent=self,
                              why_draft=why_draft)
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

            def final() -> tuple[ExportResult, LetterDetail]:
                request.folder.mkdir(parents=True, exist_ok=True)
                report = backend.export_final(letter_id, docx, pdf)
                written = ExportResult([p for p in (report.docx, report.pdf) if p is not None])
                return written, backend.open(letter_id)

            def final_done(result: tuple[ExportResult, LetterDetail]) -> None:
                done(result[0])
                self.session.apply(result[1])

            self.db.run(final, final_done, failed)
            return
        self.runner.run(lambda: export_letter(pack, letter, request), done, failed)

    # -- preferences and messages -------------------------------------------------------------
    def edit_preferences(self) -> None:
        dialog = PreferencesDialog(copy.deepcopy(self.prefs), self, working_as=self.user_label.text())
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
