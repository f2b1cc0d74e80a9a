"""An admin manages the office's users in the window (issue 8, item 6)."""

from __future__ import annotations

from typing import Any

import pytest

from app.bootstrap import services
from app.ui.users import UsersDialog
from tests.ui.conftest import DialogScript, WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _roles() -> dict[str, str]:
    s = services(as_user="admin")
    try:
        return {u.name: u.role.value for u in s.users.list()}
    finally:
        s.close()


def test_only_an_admin_may_open_users_and_is_told_why_not(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    clerk = window("clerk")
    assert not clerk.users_action.isEnabled()
    assert clerk.users_action.toolTip() == "A clerk may not manage users; that needs an admin"
    admin = window("admin")
    assert admin.users_action.isEnabled()


def test_an_admin_adds_a_user_and_changes_a_role(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    admin = window("admin")
    seen: dict[str, Any] = {}

    def manage(dialog: UsersDialog) -> None:
        qtbot.waitUntil(lambda: len(dialog.rows) == 3, timeout=10_000)
        seen["listed"] = sorted((r.name, r.role.value) for r in dialog.rows)
        dialog.new_name.setText("ann")
        dialog.new_full_name.setText("Ann Clerk")
        dialog.new_role.setCurrentIndex(dialog.new_role.findData("clerk"))
        with qtbot.waitSignal(dialog.listed, timeout=10_000):
            dialog.add_button.click()
        seen["added"] = dialog.message.text()
        dialog.select("ann")
        dialog.role.setCurrentIndex(dialog.role.findData("judge"))
        with qtbot.waitSignal(dialog.changed, timeout=10_000):
            dialog.set_role_button.click()
        qtbot.waitUntil(lambda: dialog.rows is not None and len(dialog.rows) == 4, timeout=10_000)
        seen["role message"] = dialog.message.text()
        dialog.reject()

    dialog_guard.expect(UsersDialog, manage)
    admin.users_action.trigger()
    assert seen["listed"] == [("admin", "admin"), ("clerk", "clerk"), ("judge", "judge")]
    assert seen["added"] == "Done: added ann as clerk."
    assert _roles()["ann"] == "judge"
    assert seen["role message"] == "Done: ann is now a judge."
