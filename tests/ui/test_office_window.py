"""The window on the drafts database: the first start, the address book, conflicts and crash recovery."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from app.bootstrap import data_dir, services
from app.core.workflow import Role
from app.services.office import ROLE_SENTENCES, Profile, addresses
from app.ui.app import build_window, parse_args
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.dialogs import ConflictDialog, FirstRunDialog, RestoreDialog
from app.ui.main_window import MainWindow
from tests.conftest import ROOT, sample_data
from tests.ui.conftest import DialogScript, close_window, make_window, show_window, user_journal

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

SAMPLE_SUBJECT = "Immigration enforcement in California courthouses"


def _type(qtbot: Any, widget: Any, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def _saved(qtbot: Any, window: MainWindow, version: int) -> None:
    window.save_action.trigger()
    qtbot.waitUntil(lambda: window.letter_id is not None and window.version == version and not window.dirty,
                    timeout=10_000)


# --- the first start on this computer's own database ---------------------------------------------
def test_first_start_on_an_empty_database_asks_who_you_are_then_saves_drafts(
        qtbot: Any, dialog_guard: DialogScript, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.ui.dialogs.getpass.getuser", lambda: "Ann.Clerk")
    seen: dict[str, Any] = {}

    def fill(dialog: FirstRunDialog) -> None:
        seen["title"] = dialog.windowTitle()
        seen["prefilled"] = dialog.name.text()
        seen["roles"] = [b.text() for b in dialog.roles.values()]
        dialog.name.setText("Ann Clerk")
        seen["bad name accepted"] = dialog.ok.isEnabled()
        seen["problem"] = dialog.problem.text()
        dialog.name.setText("ann")
        dialog.full_name.setText("Ann Clerk")
        dialog.set_role(Role.CLERK)
        assert dialog.ok.isEnabled()
        dialog.ok.click()

    dialog_guard.expect(FirstRunDialog, fill)
    window = show_window(qtbot, build_window(parse_args([])))
    assert seen["title"] == "Who are you?"
    assert seen["prefilled"] == "ann.clerk"
    assert all(any(sentence in text for text in seen["roles"]) for sentence in ROLE_SENTENCES.values())
    assert not seen["bad name accepted"]
    assert "cannot be a user name" in seen["problem"]

    backend = window.backend
    assert isinstance(backend, ServiceBackend)
    assert (backend.user, backend.role) == ("ann", "clerk")
    assert Profile(data_dir() / "profile.json").name() == "ann"
    _type(qtbot, window.form.subject, " (first draft)")  # type: ignore[union-attr]
    _saved(qtbot, window, 1)
    qtbot.waitUntil(window.submit_action.isEnabled, timeout=30_000)
    close_window(qtbot, window)

    again = show_window(qtbot, build_window(parse_args([])))  # no dialog expected: the profile answers
    assert isinstance(again.backend, ServiceBackend)
    assert again.backend.user == "ann"
    qtbot.waitUntil(lambda: bool(again.drafts.ids()), timeout=10_000)
    close_window(qtbot, again)


def _users() -> dict[str, str]:
    s = services()
    try:
        return {u.name: u.role.value for u in s.users.list()}
    finally:
        s.close()


def test_the_first_person_on_a_new_database_is_its_admin_by_default(
        qtbot: Any, dialog_guard: DialogScript) -> None:
    seen: dict[str, Any] = {}

    def accept_defaults(dialog: FirstRunDialog) -> None:
        seen["admin checked"] = dialog.roles[Role.ADMIN].isChecked()
        seen["admin name shown"] = dialog.admin_name.isVisible()
        dialog.name.setText("olga")
        dialog.ok.click()

    dialog_guard.expect(FirstRunDialog, accept_defaults)
    window = show_window(qtbot, build_window(parse_args([])), ready=False)
    assert seen == {"admin checked": True, "admin name shown": False}
    assert _users() == {"olga": "admin"}
    assert isinstance(window.backend, ServiceBackend)
    assert (window.backend.user, window.backend.role) == ("olga", "admin")
    close_window(qtbot, window)


def test_a_first_clerk_comes_with_an_admin_so_the_office_can_add_a_judge(
        qtbot: Any, dialog_guard: DialogScript) -> None:
    def clerk_with_admin(dialog: FirstRunDialog) -> None:
        dialog.name.setText("ann")
        dialog.set_role(Role.CLERK)
        assert dialog.admin_name.isVisible()
        dialog.admin_name.setText("ann")
        assert not dialog.ok.isEnabled()  # the admin needs a name of its own
        dialog.admin_name.setText("office-admin")
        dialog.ok.click()

    dialog_guard.expect(FirstRunDialog, clerk_with_admin)
    window = show_window(qtbot, build_window(parse_args([])))
    assert _users() == {"office-admin": "admin", "ann": "clerk"}
    assert isinstance(window.backend, ServiceBackend)
    assert (window.backend.user, window.backend.role) == ("ann", "clerk")
    close_window(qtbot, window)
    admin = services(as_user="office-admin")
    try:
        admin.users.add("judge", Role.JUDGE, "Tani G. Cantil-Sakauye")  # not locked out
    finally:
        admin.close()
    assert _users()["judge"] == "judge"


def test_user_given_for_one_session_is_not_saved(qtbot: Any, office: dict[str, str]) -> None:
    from app.ui.profile import Preferences

    window = show_window(qtbot, build_window(parse_args(["--user", "judge"])), ready=False)
    assert isinstance(window.backend, ServiceBackend)
    assert window.backend.user == "judge"
    window.prefs.save()  # what the window saves (recent letters, export folder) keeps the saved user
    close_window(qtbot, window)
    assert Preferences.load().user == ""


def test_a_desktop_unknown_to_the_database_picks_one_of_its_users(
        qtbot: Any, office: dict[str, str], dialog_guard: DialogScript) -> None:
    Profile(data_dir() / "profile.json").choose("someone-gone")
    listed: list[str] = []

    def pick(dialog: FirstRunDialog) -> None:
        listed.extend(dialog.list.item(i).text() for i in range(dialog.list.count()))
        assert dialog.name.isHidden()
        dialog.choose("judge")
        dialog.ok.click()

    dialog_guard.expect(FirstRunDialog, pick)
    window = show_window(qtbot, build_window(parse_args([])), ready=False)
    assert len(listed) == 3
    assert any(text.startswith("Tani G. Cantil-Sakauye (judge), judge:") for text in listed)
    assert isinstance(window.backend, ServiceBackend)
    assert (window.backend.user, window.backend.role) == ("judge", "judge")
    assert Profile(data_dir() / "profile.json").name() == "judge"
    close_window(qtbot, window)


def test_cancelling_who_are_you_works_on_this_computer_alone(qtbot: Any, dialog_guard: DialogScript) -> None:
    dialog_guard.expect(FirstRunDialog, lambda dialog: dialog.reject())
    window = show_window(qtbot, build_window(parse_args([])))
    assert isinstance(window.backend, LocalBackend)
    assert "Chambers asks again at the next start" in window.submit_action.toolTip()
    close_window(qtbot, window)


def test_an_explicit_user_never_sees_the_dialog(qtbot: Any, office: dict[str, str]) -> None:
    Profile(data_dir() / "profile.json").choose("someone-gone")
    window = show_window(qtbot, build_window(parse_args(["--user", "clerk"])))
    assert isinstance(window.backend, ServiceBackend)
    assert window.backend.user == "clerk"
    close_window(qtbot, window)


# --- the address book ----------------------------------------------------------------------------
def test_addressee_saved_from_the_window_is_picked_again_from_the_address_book(
        qtbot: Any, office: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot, "clerk")
    editor = window.form.addressees  # type: ignore[union-attr]
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.name, "Xavier Becerra")
    _type(qtbot, editor.title, "Attorney General of California")
    _type(qtbot, editor.organization, "California Department of Justice")
    _type(qtbot, editor.address, "1300 I Street")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    def book() -> dict[str, Any]:
        s = services(as_user="clerk")
        try:
            return {e.name: e for e in addresses(s.store)}
        finally:
            s.close()

    qtbot.waitUntil(lambda: "added to the address book" in window.statusBar().currentMessage(), timeout=10_000)
    saved = book()["Xavier Becerra"]
    assert (saved.title, saved.organization, saved.address) == (
        "Attorney General of California", "California Department of Justice", ("1300 I Street",))

    editor.remove_current()
    before = len(window.letter_data()["addressees"])
    offered: list[str] = []

    def get_item(_parent: Any, _title: str, _label: str, labels: list[str], *args: Any) -> tuple[str, bool]:
        offered.extend(labels)
        return next(label for label in labels if label.startswith("Xavier Becerra")), True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    window.pick_addressee_action.trigger()
    qtbot.waitUntil(lambda: len(window.letter_data()["addressees"]) == before + 1, timeout=10_000)
    assert any(label.startswith("Jeff Sessions") for label in offered)  # the seeded entries are there too
    picked = window.letter_data()["addressees"][-1]
    assert (picked["name"], picked["title"], picked["organization"], picked["address"]) == (
        "Xavier Becerra", "Attorney General of California", "California Department of Justice", ["1300 I Street"])

    editor.organization.selectAll()
    _type(qtbot, editor.organization, "Office of the Attorney General")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "updated in the address book" in window.statusBar().currentMessage(), timeout=10_000)
    assert book()["Xavier Becerra"].organization == "Office of the Attorney General"
    assert len(offered) == len(book())  # updated in place, not added twice
    close_window(qtbot, window)


# --- conflicts -----------------------------------------------------------------------------------
def _saved_in_between(letter_id: int, subject: str) -> Any:
    """Ann, a second clerk at another desk, saves the letter (the window does not know)."""
    admin = services(as_user="admin")
    if not any(u.name == "ann" for u in admin.users.list()):
        admin.users.add("ann", Role.CLERK, "Ann Clerk")
    admin.close()
    ann = services(as_user="ann")
    try:
        current = ann.drafts.get(letter_id)
        ann.drafts.update(letter_id, {**current.current.data, "subject": subject}, current.summary.version)
        return ann.drafts.history(letter_id)[1][-1]
    finally:
        ann.close()


def _conflict_setup(qtbot: Any) -> tuple[MainWindow, int, Any]:
    window = make_window(qtbot, "clerk")
    _type(qtbot, window.form.subject, " (mine)")  # type: ignore[union-attr]
    _saved(qtbot, window, 1)
    assert window.letter_id is not None
    theirs = _saved_in_between(window.letter_id, "Their subject")
    _type(qtbot, window.form.subject, " again")  # type: ignore[union-attr]
    return window, window.letter_id, theirs


def test_conflict_keep_mine_saves_a_new_version_on_top_of_theirs(
        qtbot: Any, office: dict[str, str], dialog_guard: DialogScript) -> None:
    window, letter_id, theirs = _conflict_setup(qtbot)
    shown: list[str] = []

    def keep(dialog: ConflictDialog) -> None:
        shown.append(dialog.message.text())
        dialog.click("keep")

    dialog_guard.expect(ConflictDialog, keep)
    window.save_action.trigger()
    qtbot.waitUntil(lambda: window.version == 3 and not window.dirty, timeout=10_000)
    local = theirs.created_at.astimezone()
    assert shown[0].startswith(f"ann saved letter {letter_id} at {local:%H:%M} on {local:%B} {local.day}")
    assert "Reload theirs" in shown[0]
    assert "Keep mine" in shown[0]

    check = services(as_user="clerk")
    try:
        _summary, versions, _events = check.drafts.history(letter_id)
        assert [(v.number, v.author, v.data["subject"]) for v in versions] == [
            (1, "clerk", f"{SAMPLE_SUBJECT} (mine)"), (2, "ann", "Their subject"),
            (3, "clerk", f"{SAMPLE_SUBJECT} (mine) again")]
        assert user_journal("clerk").pending() == []
    finally:
        check.close()
    close_window(qtbot, window)


def test_conflict_reload_theirs_keeps_my_edit_in_the_journal_and_undo(
        qtbot: Any, office: dict[str, str], dialog_guard: DialogScript) -> None:
    window, letter_id, _theirs = _conflict_setup(qtbot)
    dialog_guard.expect(ConflictDialog, lambda dialog: dialog.click("reload"))
    window.save_action.trigger()
    form = window.form
    assert form is not None
    qtbot.waitUntil(lambda: form.subject.text() == "Their subject" and window.version == 2, timeout=10_000)
    assert not window.dirty
    check = services(as_user="clerk")
    try:
        kept = [e for e in user_journal("clerk").pending() if e.letter_id == letter_id]
        assert [(e.base_version, e.data["subject"]) for e in kept] == [(1, f"{SAMPLE_SUBJECT} (mine) again")]
        assert check.drafts.get(letter_id).summary.version == 2  # nothing was overwritten
    finally:
        check.close()

    window.undo_action.trigger()
    assert form.subject.text() == f"{SAMPLE_SUBJECT} (mine) again"
    _saved(qtbot, window, 3)  # on top of theirs now, without a second question
    check = services(as_user="clerk")
    try:
        assert [v.data["subject"] for v in check.drafts.history(letter_id)[1]][1:] == [
            "Their subject", f"{SAMPLE_SUBJECT} (mine) again"]
    finally:
        check.close()
    close_window(qtbot, window)


# --- recovery after a crash ----------------------------------------------------------------------
def _crashed_edit(saved_over: str | None = None) -> int:
    """A letter saved once, and an edit of it left in the recovery journal (the window was killed);
    with ``saved_over``, someone saved that subject as version 2 after the edit started."""
    s = services(as_user="clerk")
    try:
        letter_id = s.drafts.create("officials-concern", sample_data()).id
        if saved_over is not None:
            _saved_in_between(letter_id, saved_over)
        user_journal("clerk").record(letter_id, {**sample_data(), "subject": "Unsaved subject"}, 1)
        return letter_id
    finally:
        s.close()


def _pending() -> list[Any]:
    s = services(as_user="clerk")
    try:
        return user_journal("clerk").pending()
    finally:
        s.close()


def test_after_a_crash_the_next_start_asks_and_restores(
        qtbot: Any, office: dict[str, str], dialog_guard: DialogScript) -> None:
    letter_id = _crashed_edit()
    shown: list[str] = []

    def restore(dialog: RestoreDialog) -> None:
        shown.append(dialog.message.text())
        dialog.click("restore")

    dialog_guard.expect(RestoreDialog, restore)
    window = make_window(qtbot, "clerk", fresh=False)
    form = window.form
    assert form is not None
    qtbot.waitUntil(lambda: window.letter_id == letter_id and form.subject.text() == "Unsaved subject",
                    timeout=10_000)
    assert f"letter {letter_id}, “Unsaved subject”" in shown[0]
    assert window.dirty
    _saved(qtbot, window, 2)
    assert _pending() == []
    close_window(qtbot, window)


def test_after_a_crash_the_next_start_asks_and_discards(
        qtbot: Any, office: dict[str, str], dialog_guard: DialogScript) -> None:
    letter_id = _crashed_edit()
    dialog_guard.expect(RestoreDialog, lambda dialog: dialog.click("discard"))
    window = make_window(qtbot, "clerk", fresh=False)
    form = window.form
    assert form is not None
    qtbot.waitUntil(lambda: window.letter_id == letter_id and window.version == 1, timeout=10_000)
    assert form.subject.text() == SAMPLE_SUBJECT
    assert not window.dirty
    assert _pending() == []
    close_window(qtbot, window)


def test_a_restored_edit_that_someone_saved_over_meets_the_conflict_dialog(
        qtbot: Any, office: dict[str, str], dialog_guard: DialogScript) -> None:
    letter_id = _crashed_edit(saved_over="Their subject")
    dialog_guard.expect(RestoreDialog, lambda dialog: dialog.click("restore"))
    window = make_window(qtbot, "clerk", fresh=False)
    qtbot.waitUntil(lambda: window.letter_id == letter_id and window.dirty, timeout=10_000)
    assert window.version == 1  # the version the edit started from, not the newest
    dialog_guard.expect(ConflictDialog, lambda dialog: dialog.click("keep"))
    _saved(qtbot, window, 3)
    check = services(as_user="clerk")
    try:
        assert [v.data["subject"] for v in check.drafts.history(letter_id)[1]] == [
            SAMPLE_SUBJECT, "Their subject", "Unsaved subject"]
    finally:
        check.close()
    close_window(qtbot, window)


def test_without_a_database_the_autosaved_letter_reopens_without_a_question(qtbot: Any, tmp_path: Path) -> None:
    window = make_window(qtbot)
    _type(qtbot, window.form.subject, " (kept)")  # type: ignore[union-attr]
    window.save_action.trigger()
    qtbot.waitUntil(lambda: not window.dirty, timeout=30_000)
    close_window(qtbot, window)
    again = make_window(qtbot, fresh=False)  # the guard fails the test if anything asks
    assert again.form is not None
    assert again.form.subject.text().endswith("(kept)")
    close_window(qtbot, again)


def test_an_unknown_user_named_on_the_command_line_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "CHAMBERS_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, str(ROOT / "main.py"), "db", "init"], env=env, check=True, capture_output=True,
                   timeout=120)
    subprocess.run([sys.executable, str(ROOT / "main.py"), "users", "add", "alice", "--role", "admin"],
                   env=env, check=True, capture_output=True, timeout=120)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--user", "nobody"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert "Chambers cannot start as nobody: there is no user called nobody" in proc.stderr
