"""The window's actions, menus and toolbar, and which are live: the workflow's verdict for each.

``ActionTable`` is built from what it reads (the session's record, the document's last check, the
desk) and the widgets it enables (the review pane's buttons, the clause bank's, preflight's Clean
button, the form's read-only state); the window connects each action to the part that does it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QKeySequence,
)
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from app.core.workflow import TRANSITIONS, Action
from app.services.desk import Desk
from app.ui.controller import Messages, Part
from app.ui.document import LetterDocument
from app.ui.icons import icon
from app.ui.reviewing import signatory_of
from app.ui.session import LetterSession
from app.ui.workers import OpRunner

if TYPE_CHECKING:
    from app.services.checking import Check
    from app.ui.clauses import ClauseBankPanel
    from app.ui.form import LetterForm
    from app.ui.preflight import PreflightList
    from app.ui.review_pane import ReviewPane

Keys = list[QKeySequence | QKeySequence.StandardKey | str]


def _person(name: str) -> str:
    """A name as the services compare signatories: any case, any spacing."""
    return " ".join(name.split()).casefold()


class ActionTable(QObject, Part):
    """The window's actions, menus and toolbar, and which are live: the workflow's verdict for each.

    ``actions`` holds them by name ("submit", "approve", ...); the window connects each one's
    ``triggered`` to the part that does it. Outward: ``recent_chosen(letter id)`` from File > Recent,
    ``desk_read_again(desk)`` after an admin's own account changed.
    """

    recent_chosen = Signal(int)
    desk_read_again = Signal(object)

    def __init__(self, host: QMainWindow, session: LetterSession, document: LetterDocument, desk: Desk,
                 db: OpRunner, messages: Messages, *, review: ReviewPane, clause_bank: ClauseBankPanel,
                 preflight: PreflightList, docks: Sequence[QDockWidget]) -> None:
        super().__init__(host)
        self.host = host
        self.session = session
        self.document = document
        self.desk = desk
        self.db = db
        self.messages = messages
        self.review = review
        self.clause_bank = clause_bank
        self.preflight = preflight
        self.docks = tuple(docks)
        self.form: LetterForm | None = None
        self.actions: dict[str, QAction] = {}
        self.guide_windows: dict[str, Any] = {}
        self.recent_menu: QMenu | None = None
        session.opened.connect(lambda _record: self.update_controls())
        session.record_changed.connect(lambda _record: self.update_controls())
        session.dirty_changed.connect(lambda _dirty: self.update_controls())
        document.replaced.connect(self.update_controls)

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk
        self.update_controls()

    def letter_replaced(self, form: LetterForm) -> None:
        self.form = form

    def _action(self, name: str, text: str, slot: Any = None, *, icon_name: str | None = None,
                keys: Keys | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.host)
        action.setObjectName(f"action-{name.replace('_', '-')}")
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
        if slot is not None:
            action.triggered.connect(slot)
        self.host.addAction(action)
        return action

    def _add_guides(self, menu: QMenu) -> None:
        """One Help item per guide in docs/ (the clerk's, the judge's, IT's, the pack author's)."""
        from app.resources import guides

        for index, (title, path) in enumerate(guides()):
            keys: Keys | None = [QKeySequence.StandardKey.HelpContents] if index == 0 else None
            menu.addAction(self._action(path.stem, title + "…",
                                        lambda _checked=False, t=title, p=path: self.show_guide(t, p), keys=keys))

    def show_guide(self, title: str, path: Any) -> None:
        from app.ui.help import GuideWindow

        window = self.guide_windows.get(title)
        if window is None:
            window = self.guide_windows[title] = GuideWindow(title, path, self.host)
        window.show()
        window.raise_()
        window.activateWindow()

    def build(self) -> dict[str, QAction]:
        """The actions, the menu bar and the toolbar on the host window; the actions by name."""
        host, tr, sk = self.host, self.tr, QKeySequence.StandardKey
        a = self.actions
        a["new"] = self._action("new", tr("&New letter…"), icon_name="new", keys=[sk.New],
                                tip=tr("Start a letter from a template pack"))
        a["save"] = self._action("save", tr("&Save now"), icon_name="save", keys=[sk.Save],
                                 tip=tr("Save now (letters are also saved as you type)"))
        a["export"] = self._action("export", tr("&Export…"), icon_name="export", keys=["Ctrl+E"],
                                   tip=tr("Export the letter as .docx or PDF"))
        a["prefs"] = self._action("preferences", tr("&Preferences…"), icon_name="settings",
                                  keys=[sk.Preferences, "Ctrl+,"])
        a["prefs"].setMenuRole(QAction.MenuRole.PreferencesRole)
        a["quit"] = self._action("quit", tr("&Quit"), icon_name="quit", keys=[sk.Quit, "Ctrl+Q"])
        a["quit"].setMenuRole(QAction.MenuRole.QuitRole)
        stack = self.document.undo_stack
        for name, made, key in (("undo", stack.createUndoAction(host, tr("&Undo")), sk.Undo),
                                ("redo", stack.createRedoAction(host, tr("&Redo")), sk.Redo)):
            made.setObjectName(f"action-{name}")
            made.setIcon(icon(name))
            made.setShortcuts(QKeySequence.keyBindings(key))
            a[name] = made
        a["add_addressee"] = self._action("add-addressee", tr("Add &addressee"), icon_name="add",
                                          keys=["Ctrl+Shift+A"])
        a["pick_addressee"] = self._action("pick-addressee", tr("Addressee from address &book…"),
                                           icon_name="address-book", keys=["Ctrl+Shift+B"])
        a["insert_clause"] = self._action("insert-clause", tr("&Insert clause…"), icon_name="clause",
                                          keys=["Ctrl+Shift+K"], tip=tr("Search the clause bank and insert a clause"))
        a["focus_preflight"] = self._action("preflight", tr("Go to &preflight"),
                                            lambda: self.preflight.list.setFocus(), keys=["Ctrl+Shift+P"])
        a["focus_form"] = self._action("form", tr("Go to the &form"), keys=["Ctrl+1"])
        a["submit"] = self._action("submit", tr("S&ubmit for review"), icon_name="submit", keys=["Ctrl+Shift+Return"])
        a["approve"] = self._action("approve", tr("&Approve"), icon_name="approve", keys=["Ctrl+Shift+Y"])
        a["approve_for"] = self._action("approve-for", tr("Approve &signing for the signatory…"))
        a["sign"] = self._action("sign", tr("Sign and e&xport…"),
                                 tip=tr("Sign the approved letter's PDF with your certificate, and export it"))
        a["request_changes"] = self._action("request-changes", tr("Request &changes…"), icon_name="request-changes")
        a["comment"] = self._action("comment", tr("Co&mment…"), icon_name="comment")
        a["drafts"] = self._action("drafts", tr("Go to &drafts"), keys=["Ctrl+D"])
        a["about"] = self._action("about", tr("&About Chambers"))
        a["users"] = self._action("users", tr("&Users…"), self.manage_users, icon_name="settings",
                                  tip=tr("Add users, change a role, set a signature image, deactivate"))
        a["court_profile"] = self._action(
            "court-profile", tr("Court &profile…"), icon_name="settings",
            tip=tr("The letterhead every new letter starts from: court, chambers line, address, seal, signatory"))
        a["letterhead"] = self._action(
            "letterhead", tr("Use the office's &letterhead"),
            tip=tr("Take the court profile as it is now: court, chambers line, address, seal and signatory"))
        a["open"] = self._action("open", tr("&Open letter…"), icon_name="open", keys=[sk.Open],
                                 tip=tr("Open a letter of the drafts database"))

        bar = host.menuBar()
        file_menu = bar.addMenu(tr("&File"))
        file_menu.addAction(a["new"])
        file_menu.addAction(a["open"])
        self.recent_menu = file_menu.addMenu(tr("&Recent letters"))
        self.recent_menu.setObjectName("menu-recent")
        self.recent_menu.setEnabled(False)
        for name in ("save", "export"):
            file_menu.addAction(a[name])
        file_menu.addSeparator()
        file_menu.addAction(a["prefs"])
        file_menu.addSeparator()
        file_menu.addAction(a["quit"])
        edit_menu = bar.addMenu(tr("&Edit"))
        edit_menu.addAction(a["undo"])
        edit_menu.addAction(a["redo"])
        letter_menu = bar.addMenu(tr("&Letter"))
        for name in ("add_addressee", "pick_addressee", "insert_clause", "letterhead"):
            letter_menu.addAction(a[name])
        letter_menu.addSeparator()
        letter_menu.addAction(a["submit"])
        review_menu = bar.addMenu(tr("&Review"))
        for name in ("approve", "approve_for", "sign", "request_changes", "comment"):
            review_menu.addAction(a[name])
        view_menu = bar.addMenu(tr("&View"))
        for name in ("focus_form", "drafts", "focus_preflight"):
            view_menu.addAction(a[name])
        view_menu.addSeparator()
        for dock in self.docks:
            view_menu.addAction(dock.toggleViewAction())
        office_menu = bar.addMenu(tr("&Office"))
        office_menu.addAction(a["users"])
        office_menu.addAction(a["court_profile"])
        help_menu = bar.addMenu(tr("&Help"))
        self._add_guides(help_menu)
        help_menu.addSeparator()
        help_menu.addAction(a["about"])

        toolbar = host.addToolBar(tr("Main"))
        toolbar.setObjectName("toolbar-main")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for tool in ("new", "save", None, "undo", "redo", None, "insert_clause", None, "submit", "approve", "export"):
            if tool is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(a[tool])
        self._shown = None
        self.update_controls()
        return a

    def show_recent(self, ids: Sequence[int]) -> None:
        """File > Recent letters lists ``ids``, the newest first."""
        menu = self.recent_menu
        if menu is None:
            return
        menu.clear()
        for letter_id in ids:
            action = menu.addAction(self.tr("Letter {id}").format(id=letter_id))
            action.triggered.connect(lambda _c=False, i=letter_id: self.recent_chosen.emit(i))
        menu.setEnabled(bool(ids))

    def gate(self, action: Action) -> tuple[bool, str]:
        """Whether ``action`` is live now, and why not: the role and status (asked of the workflow's one
        verdict), the letter saved in the drafts database, and for Submit and Approve a clean preflight."""
        desk, tr = self.desk, self.tr
        record = self.session.record
        status = record.status
        if status is not None and self.session.dirty:
            # The edit on screen is saved before anything is sent, and saving it moves the letter on.
            status = TRANSITIONS.get((status, Action.EDIT), status)
        if action is Action.EDIT_COURT_PROFILE and not desk.has_workflow:
            return False, tr("On this computer alone the letterhead is in Preferences > Court profile "
                             "(the office's court profile lives in the drafts database)")
        ok, why = desk.verdict(action, status)
        if not ok:
            return False, why[:1].upper() + why[1:]
        if action in (Action.CREATE, Action.EDIT, Action.EXPORT_DRAFT):
            return True, ""
        if action is Action.MANAGE_USERS:
            if not desk.has_workflow:
                return False, tr("Users live in the drafts database: {why}").format(why=desk.why_no_workflow)
            return True, ""
        if action is Action.EDIT_COURT_PROFILE:
            return True, ""
        if record.id is None:
            return False, tr("The letter is not saved in the drafts database yet")
        if action is Action.APPROVE:
            signatory = self.signatory()
            if signatory and _person(signatory) not in self._me():
                return False, tr("This letter is signed by {name}: only {name} approves it, or you "
                                 "approve it signing for them (Review > Approve signing for {name}…)"
                                 ).format(name=signatory)
        if action in (Action.SUBMIT, Action.APPROVE):
            check = self.document.last_check
            if check is None:
                return False, tr("Preflight is still checking the letter")
            if check.blocking:
                return False, check.blocking
        return True, ""

    def _me(self) -> set[str]:
        return {_person(self.desk.user), _person(self.desk.full_name)}

    def signing_for_gate(self) -> tuple[bool, str]:
        """Approve on the signatory's behalf: live for a judge whose Approve is refused only because
        another judge signs the letter."""
        signatory = self.signatory()
        if not signatory or _person(signatory) in self._me():
            return False, self.tr("You sign this letter: use Approve")
        ok, why = self.gate(Action.APPROVE)
        signed_by = self.tr("This letter is signed by {name}").format(name=signatory)
        if not ok and not why.startswith(signed_by):
            return False, why  # not saved, preflight errors, not in review: the same reasons as Approve
        return True, ""

    def signatory(self) -> str:
        """Who signs the letter as saved (the judge who may approve it)."""
        return signatory_of(self.session.record)

    @property
    def editable(self) -> tuple[bool, str]:
        ok, why = self.desk.may("edit")
        return ok, why[:1].upper() + why[1:]

    _shown: tuple[object, ...] | None = None

    def letter_checked(self, check: Check) -> None:
        """A check of the letter arrived: what may be done now follows it, export first."""
        self.update_controls()
        export = self.actions.get("export") if self.actions else None
        if export is not None:
            export.setEnabled(check.exportable)
            export.setToolTip(self.tr("Export the letter as .docx or PDF") if check.exportable
                              else self.tr("Fix what Preflight lists before exporting"))

    def update_controls(self) -> None:
        """Enable what this role may do to this letter now; say why for the rest.

        Asked after every check of the letter (each keystroke): the widgets are touched only when an
        answer changed, since each Qt setter costs a call into PySide6.
        """
        if not self.actions:
            return  # not built yet: ``build`` asks once it is
        a, desk, tr = self.actions, self.desk, self.tr
        controls = {"submit": self.gate(Action.SUBMIT), "approve": self.gate(Action.APPROVE),
                    "request_changes": self.gate(Action.REQUEST_CHANGES), "comment": self.gate(Action.COMMENT),
                    "users": self.gate(Action.MANAGE_USERS), "approve_for": self.signing_for_gate(),
                    "court_profile": self.gate(Action.EDIT_COURT_PROFILE)}
        may_clause, why_clause = desk.may("manage_clauses")
        # Every input of what is set below is in the answer (the desk too: one that just opened may say the
        # same words for other reasons).
        shown = (tuple(controls.items()), self.editable, self.gate(Action.CREATE), (may_clause, why_clause),
                 id(self.form), id(desk), desk.has_workflow)
        if shown == self._shown:
            return
        self._shown = shown
        for name, (enabled, why) in controls.items():
            action = a[name]
            action.setEnabled(enabled)
            action.setToolTip(why or action.text().replace("&", ""))
            action.setStatusTip(why or action.text().replace("&", ""))
        signatory = self.signatory()
        a["approve_for"].setText(tr("Approve &signing for {name}…").format(name=signatory.replace("&", "&&"))
                                 if signatory else tr("Approve &signing for the signatory…"))
        self.review.set_enabled_controls({k: v for k, v in controls.items()
                                          if k not in ("submit", "users", "approve_for", "court_profile")})
        may_edit, why_not = self.editable
        if self.form is not None and self.form.read_only != (not may_edit):
            self.form.set_read_only(None if may_edit else why_not)
        for name in ("add_addressee", "pick_addressee", "insert_clause", "save"):
            a[name].setEnabled(may_edit)
        a["letterhead"].setEnabled(may_edit and desk.has_workflow)
        if not desk.has_workflow:
            a["letterhead"].setToolTip(tr("On this computer alone new letters take the letterhead "
                                          "in Preferences > Court profile"))
        may_create, why_create = self.gate(Action.CREATE)
        a["new"].setEnabled(may_create)
        a["new"].setToolTip(tr("Start a letter from a template pack") if may_create else why_create)
        self.clause_bank.insert_new.setEnabled(may_edit)
        self.clause_bank.insert_at_cursor.setEnabled(may_edit)
        self.clause_bank.save.setEnabled(may_clause)
        self.clause_bank.save.setToolTip(tr("Save the paragraph being edited as a new clause") if may_clause
                                         else why_clause[:1].upper() + why_clause[1:])
        self.preflight.clean_button.setEnabled(may_edit)
        if not may_edit:
            self.preflight.clean_button.setToolTip(why_not)

    def manage_users(self) -> None:
        """An admin's list of users (the action is live for an admin on the drafts database only)."""
        from app.ui.users import UsersDialog

        workflow = self.desk.workflow
        if workflow is None or not self.gate(Action.MANAGE_USERS)[0]:
            return
        dialog = UsersDialog(workflow, self.db, self.host)
        dialog.changed.connect(lambda text: self.host.statusBar().showMessage(text, 6000))
        dialog.exec()
        dialog.deleteLater()
        # An admin who changed their own role works in that role from now on, and is shown so.
        self.db.run(workflow.read_identity_again, lambda _who: self.desk_read_again.emit(workflow))
