"""The window's actions, menus and toolbar, and which are live: the workflow's verdict for each."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QAction,
    QKeySequence,
)

from app.core.workflow import TRANSITIONS, Action
from app.ui.controller import Controller
from app.ui.icons import icon


def _person(name: str) -> str:
    """A name as the services compare signatories: any case, any spacing."""
    return " ".join(name.split()).casefold()


class ActionTable(Controller):
    """The window's actions, menus and toolbar, and which are live: the workflow's verdict for each."""

    def _action(self, name: str, text: str, slot: Any, *, icon_name: str | None = None,
                keys: list[QKeySequence | QKeySequence.StandardKey | str] | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.w)
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
        self.w.addAction(action)
        return action

    def _add_guides(self, menu: Any) -> None:
        """One Help item per guide in docs/ (the clerk's, the judge's, IT's, the pack author's)."""
        from app.resources import guides

        self.guide_windows: dict[str, Any] = {}
        for index, (title, path) in enumerate(guides()):
            keys: list[QKeySequence | QKeySequence.StandardKey | str] | None = \
                [QKeySequence.StandardKey.HelpContents] if index == 0 else None
            menu.addAction(self._action(path.stem, title + "…",
                                        lambda _checked=False, t=title, p=path: self.show_guide(t, p), keys=keys))

    def show_guide(self, title: str, path: Any) -> None:
        from app.ui.help import GuideWindow

        window = self.guide_windows.get(title)
        if window is None:
            window = self.guide_windows[title] = GuideWindow(title, path, self.w)
        window.show()
        window.raise_()
        window.activateWindow()

    def _build_actions(self) -> None:
        w = self.w
        sk = QKeySequence.StandardKey
        w.new_action = self._action("new", w.tr("&New letter…"), w.opening.new_letter, icon_name="new",
                                       keys=[sk.New], tip=w.tr("Start a letter from a template pack"))
        w.save_action = self._action("save", w.tr("&Save now"), w.saving.autosave, icon_name="save",
                                        keys=[sk.Save], tip=w.tr("Save now (letters are also saved as you type)"))
        w.export_action = self._action("export", w.tr("&Export…"), w.exporting.export, icon_name="export",
                                          keys=["Ctrl+E"], tip=w.tr("Export the letter as .docx or PDF"))
        w.prefs_action = self._action("preferences", w.tr("&Preferences…"), w.edit_preferences,
                                         icon_name="settings", keys=[sk.Preferences, "Ctrl+,"])
        w.prefs_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        w.quit_action = self._action("quit", w.tr("&Quit"), w.close, icon_name="quit",
                                        keys=[sk.Quit, "Ctrl+Q"])
        w.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        w.undo_action = w.undo_stack.createUndoAction(w, w.tr("&Undo"))
        w.undo_action.setObjectName("action-undo")
        w.undo_action.setIcon(icon("undo"))
        w.undo_action.setShortcuts(QKeySequence.keyBindings(sk.Undo))
        w.redo_action = w.undo_stack.createRedoAction(w, w.tr("&Redo"))
        w.redo_action.setObjectName("action-redo")
        w.redo_action.setIcon(icon("redo"))
        w.redo_action.setShortcuts(QKeySequence.keyBindings(sk.Redo))
        w.add_addressee_action = self._action("add-addressee", w.tr("Add &addressee"), w.editing.add_addressee,
                                                 icon_name="add", keys=["Ctrl+Shift+A"])
        w.pick_addressee_action = self._action("pick-addressee", w.tr("Addressee from address &book…"),
                                                  w.bank.pick_addressee, icon_name="address-book",
                                                  keys=["Ctrl+Shift+B"])
        w.insert_clause_action = self._action("insert-clause", w.tr("&Insert clause…"),
                                                 w.bank.focus_clause_bank, icon_name="clause", keys=["Ctrl+Shift+K"],
                                                 tip=w.tr("Search the clause bank and insert a clause"))
        w.focus_preflight_action = self._action("preflight", w.tr("Go to &preflight"),
                                                   lambda: w.preflight.list.setFocus(), keys=["Ctrl+Shift+P"])
        w.focus_form_action = self._action("form", w.tr("Go to the &form"), w.editing.focus_form, keys=["Ctrl+1"])
        why = w.tr("Review needs the drafts database: {why}").format(why=w.backend.why_no_workflow)
        w.submit_action = self._action("submit", w.tr("S&ubmit for review"), w.reviewing.submit, icon_name="submit",
                                          keys=["Ctrl+Shift+Return"], tip=why)
        w.approve_action = self._action("approve", w.tr("&Approve"), w.reviewing.approve, icon_name="approve",
                                           keys=["Ctrl+Shift+Y"], tip=why)
        w.approve_for_action = self._action("approve-for", w.tr("Approve &signing for the signatory…"),
                                            self.approve_signing_for, tip=why)
        w.sign_action = self._action("sign", w.tr("Sign and e&xport…"), w.reviewing.sign_and_export,
                                     tip=w.tr("Sign the approved letter's PDF with your certificate, and export it"))
        w.request_changes_action = self._action("request-changes", w.tr("Request &changes…"),
                                                   w.reviewing.request_changes, icon_name="request-changes", tip=why)
        w.comment_action = self._action("comment", w.tr("Co&mment…"), w.reviewing.comment, icon_name="comment",
                                           tip=why)
        w.drafts_action = self._action("drafts", w.tr("Go to &drafts"), w.reviewing.focus_drafts, keys=["Ctrl+D"])
        w.about_action = self._action("about", w.tr("&About Chambers"), w.about)
        w.users_action = self._action("users", w.tr("&Users…"), self.manage_users, icon_name="settings",
                                      tip=w.tr("Add users, change a role, set a signature image, deactivate"))
        w.court_profile_action = self._action(
            "court-profile", w.tr("Court &profile…"), w.letterhead.edit, icon_name="settings",
            tip=w.tr("The letterhead every new letter starts from: court, chambers line, address, seal, signatory"))
        w.letterhead_action = self._action(
            "letterhead", w.tr("Use the office's &letterhead"), w.letterhead.use_on_letter,
            tip=w.tr("Take the court profile as it is now: court, chambers line, address, seal and signatory"))
        w.open_action = self._action("open", w.tr("&Open letter…"), w.opening.open_by_number, icon_name="open",
                                        keys=[sk.Open], tip=w.tr("Open a letter of the drafts database"))

        bar = w.menuBar()
        file_menu = bar.addMenu(w.tr("&File"))
        file_menu.addAction(w.new_action)
        file_menu.addAction(w.open_action)
        w.recent_menu = file_menu.addMenu(w.tr("&Recent letters"))
        w.recent_menu.setObjectName("menu-recent")
        w.opening._fill_recent_menu()
        for a in (w.save_action, w.export_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(w.prefs_action)
        file_menu.addSeparator()
        file_menu.addAction(w.quit_action)
        edit_menu = bar.addMenu(w.tr("&Edit"))
        edit_menu.addAction(w.undo_action)
        edit_menu.addAction(w.redo_action)
        letter_menu = bar.addMenu(w.tr("&Letter"))
        for a in (w.add_addressee_action, w.pick_addressee_action, w.insert_clause_action, w.letterhead_action):
            letter_menu.addAction(a)
        letter_menu.addSeparator()
        letter_menu.addAction(w.submit_action)
        review_menu = bar.addMenu(w.tr("&Review"))
        review_menu.addAction(w.approve_action)
        review_menu.addAction(w.approve_for_action)
        review_menu.addAction(w.sign_action)
        review_menu.addAction(w.request_changes_action)
        review_menu.addAction(w.comment_action)
        view_menu = bar.addMenu(w.tr("&View"))
        view_menu.addAction(w.focus_form_action)
        view_menu.addAction(w.drafts_action)
        view_menu.addAction(w.focus_preflight_action)
        view_menu.addSeparator()
        for dock in (w.preview_dock, w.review_dock, w.drafts_dock, w.clause_dock, w.preflight_dock):
            view_menu.addAction(dock.toggleViewAction())
        office_menu = bar.addMenu(w.tr("&Office"))
        office_menu.addAction(w.users_action)
        office_menu.addAction(w.court_profile_action)
        help_menu = bar.addMenu(w.tr("&Help"))
        self._add_guides(help_menu)
        help_menu.addSeparator()
        help_menu.addAction(w.about_action)

        toolbar = w.addToolBar(w.tr("Main"))
        toolbar.setObjectName("toolbar-main")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for tool in (w.new_action, w.save_action, None, w.undo_action, w.redo_action, None,
                  w.insert_clause_action, None, w.submit_action, w.approve_action, w.export_action):
            if tool is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(tool)

    def _gate(self, action: Action) -> tuple[bool, str]:
        """Whether ``action`` is live now, and why not: the role and status (asked of the workflow's one
        verdict), the letter saved in the drafts database, and for Submit and Approve a clean preflight."""
        record = self.w.session.record
        status = record.status
        if status is not None and self.w.session.dirty:
            # The edit on screen is saved before anything is sent, and saving it moves the letter on.
            status = TRANSITIONS.get((status, Action.EDIT), status)
        if action is Action.EDIT_COURT_PROFILE and not self.w.backend.has_workflow:
            return False, self.w.tr("On this computer alone the letterhead is in Preferences > Court profile "
                                    "(the office's court profile lives in the drafts database)")
        ok, why = self.w.backend.verdict(action, status)
        if not ok:
            return False, why[:1].upper() + why[1:]
        if action in (Action.CREATE, Action.EDIT, Action.EXPORT_DRAFT):
            return True, ""
        if action is Action.MANAGE_USERS:
            if not self.w.backend.has_workflow:
                return False, self.w.tr("Users live in the drafts database: {why}").format(
                    why=self.w.backend.why_no_workflow)
            return True, ""
        if action is Action.EDIT_COURT_PROFILE:
            return True, ""
        if record.id is None:
            return False, self.w.tr("The letter is not saved in the drafts database yet")
        if action is Action.APPROVE:
            signatory = self._signatory()
            me = {_person(self.w.backend.user), _person(getattr(self.w.backend, "full_name", ""))}
            if signatory and _person(signatory) not in me:
                return False, self.w.tr("This letter is signed by {name}: only {name} approves it, or you "
                                        "approve it signing for them (Review > Approve signing for {name}…)"
                                        ).format(name=signatory)
        if action in (Action.SUBMIT, Action.APPROVE):
            check = self.w.last_check
            if check is None:
                return False, self.w.tr("Preflight is still checking the letter")
            if check.blocking:
                return False, check.blocking
        return True, ""

    def _signing_for_gate(self) -> tuple[bool, str]:
        """Approve on the signatory's behalf: live for a judge whose Approve is refused only because
        another judge signs the letter."""
        signatory = self._signatory()
        me = {_person(self.w.backend.user), _person(getattr(self.w.backend, "full_name", ""))}
        if not signatory or _person(signatory) in me:
            return False, self.w.tr("You sign this letter: use Approve")
        ok, why = self._gate(Action.APPROVE)
        signed_by = self.w.tr("This letter is signed by {name}").format(name=signatory)
        if not ok and not why.startswith(signed_by):
            return False, why  # not saved, preflight errors, not in review: the same reasons as Approve
        return True, ""

    def approve_signing_for(self) -> None:
        """Approve the version on screen for its signatory, after an explicit confirmation."""
        from app.ui.dialogs import SignForPrompt

        backend = self.w.backend.workflow
        ok, why = self._signing_for_gate()
        if backend is None or not ok:
            if why:
                self.w.show_error(why)
            return
        signatory = self._signatory()
        record = self.w.session.record
        prompt = SignForPrompt(signatory, record.version or 0, self.w)
        prompt.exec()
        confirmed = prompt.clickedButton() is prompt.approve
        prompt.deleteLater()
        if not confirmed:
            return
        reviewing = self.w.reviewing

        def send(saved: Any) -> None:
            letter_id, version = saved.id, saved.version
            if (letter_id, version) != (record.id, record.version):
                self.w.show_error(self.w.tr("Nothing was approved: the letter changed to version {v} after you "
                                            "confirmed; read it and approve again").format(v=version))
                return
            self.w.db.run(lambda: backend.approve(letter_id, version, signing_for=signatory),
                          reviewing.after_transition(self.w.tr("Approved signing for {name}.").format(
                              name=signatory)), reviewing.transition_failed)

        self.w.session.after_saved(send)

    def _signatory(self) -> str:
        """Who signs the letter as saved (the judge who may approve it)."""
        detail = self.w.session.record.detail
        signatory = detail.current.data.get("signatory") if detail is not None else None
        return str(signatory.get("name") or "").strip() if isinstance(signatory, dict) else ""

    @property
    def editable(self) -> tuple[bool, str]:
        ok, why = self.w.backend.may("edit")
        return ok, why[:1].upper() + why[1:]

    _shown: tuple[object, ...] | None = None

    def update_controls(self) -> None:
        """Enable what this role may do to this letter now; say why for the rest.

        Asked after every check of the letter (each keystroke): the widgets are touched only when an
        answer changed, since each Qt setter costs a call into PySide6.
        """
        controls = {"submit": self._gate(Action.SUBMIT), "approve": self._gate(Action.APPROVE),
                    "request_changes": self._gate(Action.REQUEST_CHANGES), "comment": self._gate(Action.COMMENT),
                    "users": self._gate(Action.MANAGE_USERS), "approve_for": self._signing_for_gate(),
                    "court_profile": self._gate(Action.EDIT_COURT_PROFILE)}
        shown = (tuple(controls.items()), self.editable, self._gate(Action.CREATE), id(self.w.form))
        if shown == self._shown:
            return
        self._shown = shown
        for name, (enabled, why) in controls.items():
            action: QAction = getattr(self.w, f"{name}_action")
            action.setEnabled(enabled)
            action.setToolTip(why or action.text().replace("&", ""))
            action.setStatusTip(why or action.text().replace("&", ""))
        signatory = self._signatory()
        self.w.approve_for_action.setText(
            self.w.tr("Approve &signing for {name}…").format(name=signatory.replace("&", "&&")) if signatory
            else self.w.tr("Approve &signing for the signatory…"))
        self.w.review.set_enabled_controls({k: v for k, v in controls.items()
                                            if k not in ("submit", "users", "approve_for", "court_profile")})
        may_edit, why_not = self.editable
        if self.w.form is not None and self.w.form.read_only != (not may_edit):
            self.w.form.set_read_only(None if may_edit else why_not)
        for action in (self.w.add_addressee_action, self.w.pick_addressee_action, self.w.insert_clause_action,
                       self.w.save_action):
            action.setEnabled(may_edit)
        self.w.letterhead_action.setEnabled(may_edit and self.w.backend.has_workflow)
        if not self.w.backend.has_workflow:
            self.w.letterhead_action.setToolTip(self.w.tr("On this computer alone new letters take the letterhead "
                                                          "in Preferences > Court profile"))
        may_create, why_create = self._gate(Action.CREATE)
        self.w.new_action.setEnabled(may_create)
        self.w.new_action.setToolTip(self.w.tr("Start a letter from a template pack") if may_create else why_create)
        self.w.clause_bank.insert_new.setEnabled(may_edit)
        self.w.clause_bank.insert_at_cursor.setEnabled(may_edit)
        may_clause, why_clause = self.w.backend.may("manage_clauses")
        self.w.clause_bank.save.setEnabled(may_clause)
        self.w.clause_bank.save.setToolTip(self.w.tr("Save the paragraph being edited as a new clause") if may_clause
                                         else why_clause[:1].upper() + why_clause[1:])
        self.w.preflight.clean_button.setEnabled(may_edit)
        if not may_edit:
            self.w.preflight.clean_button.setToolTip(why_not)

    def manage_users(self) -> None:
        """An admin's list of users (the action is live for an admin on the drafts database only)."""
        from app.ui.users import UsersDialog

        backend = self.w.backend.workflow
        if backend is None or not self._gate(Action.MANAGE_USERS)[0]:
            return
        dialog = UsersDialog(backend, self.w.db, self.w)
        dialog.changed.connect(lambda text: self.w.statusBar().showMessage(text, 6000))
        dialog.exec()
        dialog.deleteLater()
        # An admin who changed their own role works in that role from now on, and is shown so.
        self.w.db.run(backend.read_identity_again, lambda _who: self.w.attach_backend(backend))
