"""The edit gate asks the database, not the window's memory: what an edit withdraws is named as it is now.

Issue 15, findings 1, 2 and 6: a judge approves while the clerk's window still shows "in review"; a clerk
restarts on an old start card and presses Ctrl+S while the database opens; a `--user` session's name on a
plain restart that works on this computer alone.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import Services, services
from app.core.workflow import Role, Status
from app.ui.app import build_window, parse_args
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.dialogs import WithdrawApprovalPrompt
from app.ui.profile import Preferences
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, WindowFactory, activate, close_window, show_window, wait_ready

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

CTRL = Qt.KeyboardModifier.ControlModifier
JUDGE = "Tani G. Cantil-Sakauye"


def _db(letter_id: int) -> Any:
    s = services(as_user="clerk")
    try:
        return s.drafts.get(letter_id), s.drafts.history(letter_id)[1]
    finally:
        s.close()


def _approve(letter_id: int) -> None:
    judge = services(as_user="judge")
    try:
        judge.drafts.approve(letter_id, judge.drafts.get(letter_id).summary.version)
    finally:
        judge.close()


def _submitted_letter() -> int:
    s = services(as_user="clerk")
    try:
        letter_id = s.drafts.create("officials-concern", sample_data()).id
        s.drafts.submit(letter_id)
        return letter_id
    finally:
        s.close()


def test_an_approval_made_while_the_window_showed_in_review_is_named_before_the_edit(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    letter_id = _submitted_letter()
    clerk = window("clerk", ready=False)
    clerk.open_record(letter_id)
    qtbot.waitUntil(lambda: clerk.letter_id == letter_id and clerk.form is not None, timeout=10_000)
    wait_ready(qtbot, clerk)
    assert clerk.session.record.status is Status.IN_REVIEW
    _approve(letter_id)  # the judge, in another window; this one still shows "in review"
    assert clerk.session.record.status is Status.IN_REVIEW

    asked: list[str] = []

    def edit_anyway(prompt: WithdrawApprovalPrompt) -> None:
        asked.append(prompt.text())
        prompt.edit_anyway.click()

    dialog_guard.expect(WithdrawApprovalPrompt, edit_anyway)
    form = clerk.form
    assert form is not None
    form.subject.setFocus()
    form.subject.end(False)
    qtbot.keyClicks(form.subject, " (revised)")
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10_000)
    assert asked == [f"This withdraws the approval of version 1 by Judge {JUDGE}. Edit anyway?"]
    activate(qtbot, clerk)
    with qtbot.waitSignal(clerk.session.record_changed, timeout=10_000,
                          check_params_cb=lambda record: record.status is Status.DRAFT):
        qtbot.keyClick(form.subject, Qt.Key.Key_S, CTRL)
    detail, versions = _db(letter_id)
    assert detail.current.data["subject"] == sample_data()["subject"] + " (revised)"
    assert detail.approval is None or detail.approval.voided_at is not None
    assert "withdrew the approval of version 1" in versions[-1].note
    assert "review" not in versions[-1].note


class Gate:
    """Holds the database's opening until the test lets it go (a slow disk, a busy server)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.open = threading.Event()

        def slow_services(*args: Any, **kwargs: Any) -> Services:
            assert self.open.wait(20), "the test never let the database open"
            return services(*args, **kwargs)

        monkeypatch.setattr("app.ui.app.services", slow_services)


def test_ctrl_s_on_an_old_start_card_never_withdraws_an_approval_unasked(
        qtbot: Any, office: dict[str, str], dialog_guard: DialogScript, monkeypatch: pytest.MonkeyPatch) -> None:
    letter_id = _submitted_letter()
    prefs = Preferences(user="clerk")
    prefs.recent = {"clerk@this computer (SQLite)": [letter_id]}
    prefs.save()
    yesterday = show_window(qtbot, build_window(parse_args([])), ready=False)  # writes the card at close
    qtbot.waitUntil(lambda: yesterday.letter_id == letter_id and yesterday.session.record.detail is not None,
                    timeout=15_000)
    wait_ready(qtbot, yesterday)
    close_window(qtbot, yesterday)
    _approve(letter_id)  # overnight

    gate = Gate(monkeypatch)
    window = show_window(qtbot, build_window(parse_args([])))  # the card's letter: "in review"
    assert window.letter_id == letter_id
    assert window.session.record.status is Status.IN_REVIEW
    asked: list[str] = []

    def keep(prompt: WithdrawApprovalPrompt) -> None:
        asked.append(prompt.text())
        prompt.keep.click()

    dialog_guard.expect(WithdrawApprovalPrompt, keep)
    form = window.form
    assert form is not None
    form.subject.setFocus()
    form.subject.end(False)
    qtbot.keyClicks(form.subject, " (typed while opening)")
    qtbot.keyClick(form.subject, Qt.Key.Key_S, CTRL)
    gate.open.set()
    qtbot.waitUntil(lambda: len(asked) == 1 and not window.dirty and not window.session.saving, timeout=15_000)
    assert asked == [f"This withdraws the approval of version 1 by Judge {JUDGE}. Edit anyway?"]
    assert form.subject.text() == sample_data()["subject"]  # kept the approval: the database's text
    close_window(qtbot, window)
    detail, versions = _db(letter_id)
    assert detail.summary.status is Status.APPROVED
    assert detail.approval is not None
    assert detail.approval.voided_at is None
    assert len(versions) == 1


def test_the_drafts_database_refuses_a_save_that_withdraws_an_approval_not_agreed_to(
        office: dict[str, str]) -> None:
    from app.services.drafts import ApprovalNotWithdrawn

    letter_id = _submitted_letter()
    _approve(letter_id)
    clerk = services(as_user="clerk")
    try:
        detail = clerk.drafts.get(letter_id)
        changed = {**detail.current.data, "subject": "Changed"}
        with pytest.raises(ApprovalNotWithdrawn):
            clerk.drafts.update(letter_id, changed, detail.summary.version, withdraws=None)
        assert detail.approval is not None
        clerk.drafts.update(letter_id, changed, detail.summary.version, withdraws=detail.approval.id)
    finally:
        clerk.close()
    assert _db(letter_id)[0].summary.status is Status.DRAFT


def test_a_plain_restart_after_a_user_session_working_alone_shows_who_the_start_card_does_not_decide(
        qtbot: Any, private_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = services(as_user="admin")
    admin.users.add("admin", Role.ADMIN)
    admin.users.add("carla", Role.CLERK, "Carla Clerk")
    admin.users.add("bob", Role.CLERK, "Bob Clerk")
    admin.close()
    Preferences(user="carla").save()
    bob = show_window(qtbot, build_window(parse_args(["--user", "bob"])))  # one session as bob
    qtbot.waitUntil(lambda: isinstance(bob.backend, ServiceBackend) and bob.backend.opened, timeout=15_000)
    close_window(qtbot, bob)

    def refused(*_args: Any, **_kwargs: Any) -> Services:
        raise OSError("the drafts database is on a disk that is not there")

    monkeypatch.setattr("app.ui.app.services", refused)
    window = show_window(qtbot, build_window(parse_args([])))
    qtbot.waitUntil(lambda: isinstance(window.backend, LocalBackend), timeout=15_000)
    assert "bob" not in window.user_label.text()
    close_window(qtbot, window)

