"""The window tells its parts when the desk changes: the review pane, the status bar and the enabled actions
follow the desk the window works on now, as a clerk or an admin sees them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.bootstrap import data_dir, resolved_database_url, services
from app.core.workflow import Role
from app.services.desk import Identity
from app.services.startcard import ShownLetter, StartCard
from app.ui.app import build_window, parse_args
from app.ui.backend import ServiceBackend
from app.ui.dialogs import SignForPrompt
from app.ui.profile import Preferences
from app.ui.users import UsersDialog
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, WindowFactory, activate, close_window, show_window
from tests.ui.test_sign_for_and_copies import OTHER_JUDGE, _open_from_drafts, _submitted_letter_signed_by
from tests.ui.test_start_card import Gate

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

OPENING = "Opening the drafts database…"


def test_the_review_pane_leaves_opening_once_the_database_is_open_for_a_letter_never_saved(
        qtbot: Any, private_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Yesterday Carla closed the window on a new letter she had not saved; today the card shows it while the
    database opens, and once it is open the review pane says what it can of that letter."""
    admin = services(as_user="admin")
    admin.users.add("admin", Role.ADMIN)
    admin.users.add("carla", Role.CLERK, "Carla Clerk")
    admin.close()
    Preferences(user="carla").save()
    new_letter = sample_data()
    new_letter["subject"] = "Interpreters in the family courts"
    StartCard(Identity("carla", "clerk", "Carla Clerk", "this computer (SQLite)"),
              ShownLetter(None, None, None, new_letter)).save(data_dir(), resolved_database_url())
    gate = Gate(monkeypatch)
    window = show_window(qtbot, build_window(parse_args([])))
    assert window.form is not None
    assert window.form.subject.text() == "Interpreters in the family courts"
    assert window.review.state.text().startswith(OPENING)

    gate.open.set()
    backend = window.backend
    assert isinstance(backend, ServiceBackend)
    qtbot.waitUntil(lambda: backend.opened and window.drafts.isEnabled(), timeout=15_000)
    qtbot.waitUntil(lambda: window.db.pending == 0, timeout=15_000)
    assert window.letter_id is None
    assert window.review.state.text() == "This letter is not saved yet; it is saved as soon as it is complete."
    close_window(qtbot, window)


def test_an_admin_who_makes_themself_a_clerk_no_longer_shows_or_acts_as_admin(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    boss = services(as_user="admin")
    boss.users.add("deputy", Role.ADMIN, "Deputy Admin")  # the office keeps an admin after the change
    boss.close()
    admin = window("admin")
    assert admin.user_label.text() == "admin (admin)"
    assert admin.users_action.isEnabled()

    def demote_myself(dialog: UsersDialog) -> None:
        qtbot.waitUntil(lambda: len(dialog.rows) == 4, timeout=10_000)
        dialog.select("admin")
        dialog.role.setCurrentIndex(dialog.role.findData("clerk"))
        with qtbot.waitSignal(dialog.listed, timeout=10_000):
            dialog.set_role_button.click()
        dialog.accept()

    dialog_guard.expect(UsersDialog, demote_myself)
    admin.users_action.trigger()
    qtbot.waitUntil(lambda: admin.user_label.text() == "admin (clerk)", timeout=10_000)
    assert not admin.users_action.isEnabled()
    assert admin.users_action.toolTip() != "Users…"  # says why not
    assert admin.backend.role == "clerk"


def test_a_refused_approval_signing_for_another_judge_shows_the_databases_version(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    """The clerk saves a new version while the judge reads: the judge's "Approve signing for" is refused,
    said, and the window shows the version the database holds, with the step disabled until it is read."""
    letter_id = _submitted_letter_signed_by(OTHER_JUDGE)
    judge = window("judge")
    _open_from_drafts(qtbot, judge, letter_id)
    qtbot.waitUntil(judge.approve_for_action.isEnabled, timeout=10_000)
    judge.watcher.stop()  # the clerk's save lands between two looks at the database
    clerk = services(as_user="clerk")
    try:
        revised = copy.deepcopy(clerk.drafts.get(letter_id).current.data)
        revised["subject"] = "Revised meanwhile"
        clerk.drafts.update(letter_id, revised, 1)
    finally:
        clerk.close()

    dialog_guard.expect(SignForPrompt, lambda prompt: prompt.approve.click())
    activate(qtbot, judge)
    judge.approve_for_action.trigger()
    qtbot.waitUntil(lambda: judge.version == 2 and judge.form is not None
                    and judge.form.subject.text() == "Revised meanwhile", timeout=15_000)
    assert "only a letter that is in review can be approved" in judge.messages.label.text()  # refused, said why
    assert not judge.approve_for_action.isEnabled()
    held = services(as_user="judge")
    try:
        assert held.drafts.get(letter_id).approval is None
    finally:
        held.close()
