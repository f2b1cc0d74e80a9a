"""Regression tests for the open letter's record and saves (issue 8), driven by key presses and actions.

Each waits on the window's public signals (``session.record_changed``, ``session.dirty_changed``,
``review_loaded``) instead of polling its internals, and checks what the database holds.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.bootstrap import services
from app.core.records import LetterSummary
from app.core.workflow import Status
from app.ui.dialogs import TextPrompt, WithdrawApprovalPrompt
from app.ui.main_window import MainWindow
from app.ui.session import LetterRecord
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, WindowFactory, activate, user_journal, wait_ready

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


def _type(qtbot: Any, widget: Any, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def _status_is(status: Status) -> Any:
    return lambda record: isinstance(record, LetterRecord) and record.status is status


def _saved_letter(qtbot: Any, window: MainWindow) -> int:
    """Ctrl+S on the sample letter: it becomes letter N, version 1."""
    with qtbot.waitSignal(window.session.record_changed, timeout=10_000):
        qtbot.keyClick(window.form.subject, Qt.Key.Key_S, CTRL)  # type: ignore[union-attr]
    assert window.letter_id is not None
    return window.letter_id


def _as(user: str) -> Any:
    return services(as_user=user)


def _db_letter(letter_id: int) -> Any:
    s = _as("clerk")
    try:
        return s.drafts.get(letter_id)
    finally:
        s.close()


def _submitted(letter_id: int) -> LetterSummary:
    s = _as("clerk")
    try:
        return s.drafts.submit(letter_id)
    finally:
        s.close()


def test_submit_right_after_typing_sends_the_typed_version_every_time(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    clerk = window("clerk")
    form = clerk.form
    assert form is not None
    letter_id = _saved_letter(qtbot, clerk)
    for i in range(20):
        if clerk.session.record.status is Status.IN_REVIEW:
            dialog_guard.expect(WithdrawApprovalPrompt, lambda d: d.edit_anyway.click())
        _type(qtbot, form.subject, f" {i}")
        activate(qtbot, clerk)
        typed = form.subject.text()
        assert clerk.dirty
        # Ctrl+Shift+Return at once: the unsaved edit is saved first, then submitted at the version holding it.
        with qtbot.waitSignal(clerk.session.record_changed, timeout=10_000, check_params_cb=_status_is(
                Status.IN_REVIEW)):
            qtbot.keyClick(form.subject, Qt.Key.Key_Return, CTRL | SHIFT)
        assert not clerk.dirty
        assert form.subject.text() == typed
        held = _db_letter(letter_id)
        assert held.summary.status is Status.IN_REVIEW
        assert held.current.data["subject"] == typed
        assert held.summary.version == clerk.version
    assert not dialog_guard.expected


def test_two_saves_in_flight_never_conflict_with_each_other(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    clerk = window("clerk")
    form = clerk.form
    assert form is not None
    letter_id = _saved_letter(qtbot, clerk)
    for round_ in range(5):
        _type(qtbot, form.subject, f" a{round_}")
        qtbot.keyClick(form.subject, Qt.Key.Key_S, CTRL)
        assert clerk.session.saving  # the first save is still on its way
        _type(qtbot, form.subject, f" b{round_}")
        with qtbot.waitSignal(clerk.session.dirty_changed, timeout=10_000, check_params_cb=lambda d: d is False):
            qtbot.keyClick(form.subject, Qt.Key.Key_S, CTRL)
        assert "Not saved" not in clerk.save_state.text()
        assert _db_letter(letter_id).current.data["subject"] == form.subject.text()


def test_a_comment_keeps_the_form_and_its_undo_history(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    clerk = window("clerk")
    form = clerk.form
    assert form is not None
    _saved_letter(qtbot, clerk)
    _type(qtbot, form.subject, " (typed)")
    steps = clerk.undo_stack.count()
    assert steps > 0

    def write(prompt: TextPrompt) -> None:
        prompt.text.setPlainText("Please check the date.")
        prompt.accept()

    dialog_guard.expect(TextPrompt, write)
    with qtbot.waitSignal(clerk.session.record_changed, timeout=10_000):
        clerk.comment_action.trigger()
    assert clerk.form is form  # not rebuilt
    assert clerk.undo_stack.count() == steps
    assert clerk.undo_action.isEnabled()
    assert clerk.detail is not None
    assert [c.text for c in clerk.detail.comments] == ["Please check the date."]
    wait_ready(qtbot, clerk)
    form.subject.setFocus()
    qtbot.keyClick(form.subject, Qt.Key.Key_Z, CTRL)
    assert form.subject.text() == sample_data()["subject"]


def _waiting_for_judge() -> int:
    s = _as("clerk")
    try:
        letter_id = s.drafts.create("officials-concern", sample_data()).id
        s.drafts.submit(letter_id)
        return letter_id
    finally:
        s.close()


def test_a_judges_key_presses_change_nothing(qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    letter_id = _waiting_for_judge()
    judge = window("judge", ready=False)
    qtbot.waitUntil(lambda: judge.letter_id == letter_id and judge.form is not None, timeout=10_000)
    wait_ready(qtbot, judge)
    form = judge.form
    assert form is not None
    before = form.data()
    QGuiApplication.clipboard().setText("pasted words")

    _type(qtbot, form.subject, "typed")
    qtbot.keyClick(form.subject, Qt.Key.Key_V, CTRL)
    concerns = form.sections["concerns"]
    second = concerns.editors()[1]
    second.setFocus()
    qtbot.keyClick(second, Qt.Key.Key_Up, ALT)
    qtbot.keyClick(second, Qt.Key.Key_Down, ALT)
    qtbot.keyClick(second, Qt.Key.Key_Return, CTRL)
    qtbot.keyClick(second, Qt.Key.Key_V, CTRL)
    qtbot.keyClick(second, Qt.Key.Key_Delete)
    addressees = form.addressees.list
    addressees.setFocus()
    addressees.setCurrentRow(0)
    qtbot.keyClick(addressees, Qt.Key.Key_Down, ALT)
    qtbot.keyClick(addressees, Qt.Key.Key_Delete)
    qtbot.mouseClick(concerns.remove_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.addressees.add_button, Qt.MouseButton.LeftButton)
    judge.add_addressee_action.trigger()
    judge.preflight.clean_button.click()
    judge.clause_bank.insert_new.click()

    assert form.data() == before
    assert not judge.dirty
    assert judge.undo_stack.count() == 0
    assert user_journal("judge").pending() == []
    held = _db_letter(letter_id)
    assert (held.summary.version, held.summary.status) == (1, Status.IN_REVIEW)


def test_edits_arriving_while_the_withdraw_question_is_open_are_one_question(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    """The prompt runs an event loop of its own: a change delivered meanwhile (a late highlighter, a
    timer, a paste) is part of the same answer, never a second prompt on top of the first."""
    letter_id = _waiting_for_judge()
    judge_services = _as("judge")
    try:
        judge_services.drafts.approve(letter_id, judge_services.drafts.get(letter_id).summary.version)
    finally:
        judge_services.close()
    clerk = window("clerk", ready=False)
    clerk.open_record(letter_id)
    qtbot.waitUntil(lambda: clerk.letter_id == letter_id and clerk.form is not None, timeout=10_000)
    wait_ready(qtbot, clerk)
    form = clerk.form
    assert form is not None
    original = form.data()
    asked: list[str] = []

    def keep_after_more_edits(prompt: WithdrawApprovalPrompt) -> None:
        asked.append(prompt.text())
        form.subject.setText("Changed while the question was open")  # arrives inside the prompt's loop
        prompt.keep.click()

    dialog_guard.expect(WithdrawApprovalPrompt, keep_after_more_edits)
    _type(qtbot, form.subject, "x")
    # The first edit asks the database's record first, then the clerk (the question comes a moment later).
    qtbot.waitUntil(lambda: len(asked) == 1 and form.data() == original, timeout=10_000)
    assert form.data() == original  # "keep the approval" puts back everything, the later change too
    assert not clerk.dirty
    assert clerk.undo_stack.count() == 0

    def edit_after_more_edits(prompt: WithdrawApprovalPrompt) -> None:
        asked.append(prompt.text())
        form.sections["opening"].editors()[0].setPlainText("A new opening, typed while asked")
        prompt.edit_anyway.click()

    dialog_guard.expect(WithdrawApprovalPrompt, edit_after_more_edits)
    activate(qtbot, clerk)
    _type(qtbot, form.subject, "y")
    assert len(asked) == 2
    assert form.data()["opening"][0] == "A new opening, typed while asked"
    assert clerk.document.data == form.data()  # the edit the clerk agreed to is the whole of what changed
    assert clerk.dirty


def test_an_approval_is_withdrawn_only_after_the_clerk_confirms(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    letter_id = _waiting_for_judge()
    judge_services = _as("judge")
    try:
        judge_services.drafts.approve(letter_id, judge_services.drafts.get(letter_id).summary.version)
    finally:
        judge_services.close()
    clerk = window("clerk", ready=False)
    clerk.open_record(letter_id)
    qtbot.waitUntil(lambda: clerk.letter_id == letter_id and clerk.form is not None, timeout=10_000)
    wait_ready(qtbot, clerk)
    form = clerk.form
    assert form is not None
    assert clerk.session.record.status is Status.APPROVED
    asked: list[str] = []

    def keep(prompt: WithdrawApprovalPrompt) -> None:
        asked.append(prompt.text())
        prompt.keep.click()

    dialog_guard.expect(WithdrawApprovalPrompt, keep)
    _type(qtbot, form.subject, "x")
    qtbot.waitUntil(lambda: len(asked) == 1 and not clerk.dirty, timeout=10_000)  # the database's record, then asked
    assert asked == ["This withdraws the approval of version 1 by Judge Tani G. Cantil-Sakauye. Edit anyway?"]
    assert form.subject.text() == sample_data()["subject"]
    assert not clerk.dirty
    assert clerk.undo_stack.count() == 0
    held = _db_letter(letter_id)
    assert held.summary.status is Status.APPROVED
    assert held.approval is not None
    assert held.approval.voided_at is None

    dialog_guard.expect(WithdrawApprovalPrompt, lambda prompt: prompt.edit_anyway.click())
    activate(qtbot, clerk)
    _type(qtbot, form.subject, " (revised)")  # asked once: the rest of the typing goes on
    activate(qtbot, clerk)
    with qtbot.waitSignal(clerk.session.record_changed, timeout=10_000, check_params_cb=_status_is(Status.DRAFT)):
        qtbot.keyClick(form.subject, Qt.Key.Key_S, CTRL)
    held = _db_letter(letter_id)
    assert held.current.data["subject"] == sample_data()["subject"] + " (revised)"
    assert held.summary.status is Status.DRAFT
    assert held.approval is None
    s = _as("clerk")
    try:
        versions = s.drafts.history(letter_id)[1]
    finally:
        s.close()
    assert "withdrew the approval of version 1 by judge" in versions[-1].note


def test_submit_and_approve_wait_for_a_clean_preflight(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    clerk = window("clerk")
    form = clerk.form
    assert form is not None
    _saved_letter(qtbot, clerk)
    assert clerk.submit_action.isEnabled()
    form.subject.setFocus()
    form.subject.selectAll()
    with qtbot.waitSignal(clerk.checked, timeout=10_000):
        qtbot.keyClick(form.subject, Qt.Key.Key_Delete)
    assert not clerk.submit_action.isEnabled()
    assert clerk.submit_action.toolTip().startswith("Preflight lists")
    qtbot.keyClick(form.subject, Qt.Key.Key_Return, CTRL | SHIFT)  # the key does nothing either
    assert clerk.session.record.status is Status.DRAFT


def test_closing_right_after_typing_saves_and_the_next_start_reopens_that_letter(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    clerk = window("clerk")
    form = clerk.form
    assert form is not None
    letter_id = _saved_letter(qtbot, clerk)
    _type(qtbot, form.subject, " (last words)")
    clerk.close()
    assert _db_letter(letter_id).current.data["subject"] == sample_data()["subject"] + " (last words)"
    assert user_journal("clerk").pending() == []
    again = window("clerk", fresh=False, ready=False)  # an unexpected restore question would fail the test
    qtbot.waitUntil(lambda: again.letter_id == letter_id and again.form is not None, timeout=10_000)
    assert again.form is not None
    assert again.form.subject.text().endswith("(last words)")


def test_undo_takes_back_a_move_made_from_inside_a_paragraph(qtbot: Any, window: WindowFactory) -> None:
    clerk = window()
    form = clerk.form
    assert form is not None
    concerns = form.sections["concerns"]
    order = concerns.values()
    second = concerns.editors()[1]
    second.setFocus()
    qtbot.keyClick(second, Qt.Key.Key_Up, ALT)
    assert concerns.values()[:2] == [order[1], order[0]]
    assert clerk.undo_action.text() == "&Undo Move concern 2 up"
    focused = concerns.editors()[0]
    assert focused.hasFocus()
    qtbot.keyClick(focused, Qt.Key.Key_Z, CTRL)
    assert concerns.values() == order
    qtbot.mouseClick(concerns.remove_button, Qt.MouseButton.LeftButton)
    assert clerk.undo_action.text().startswith("&Undo Remove concern")
    clerk.undo_action.trigger()
    assert concerns.values() == order


def test_a_judge_cannot_approve_a_letter_someone_else_signs(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    clerk = _as("clerk")
    try:
        data = {**sample_data(), "signatory": {"name": "Ming W. Chin", "title": "Associate Justice"}}
        letter_id = clerk.drafts.create("officials-concern", data).id
        clerk.drafts.submit(letter_id)
    finally:
        clerk.close()
    judge = window("judge", ready=False)
    judge.open_record(letter_id)
    with qtbot.waitSignal(judge.review_loaded, timeout=10_000):
        pass
    wait_ready(qtbot, judge)
    assert not judge.approve_action.isEnabled()
    assert judge.approve_action.toolTip().startswith(
        "This letter is signed by Ming W. Chin: only Ming W. Chin approves it, or you approve it signing for them")
    assert not judge.review.approve.isEnabled()
    qtbot.keyClick(judge.form.subject, Qt.Key.Key_Y, CTRL | SHIFT)  # type: ignore[union-attr]
    assert _db_letter(letter_id).summary.status is Status.IN_REVIEW
