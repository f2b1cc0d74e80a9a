"""The reviewing part works from its collaborators alone: a session, an office desk, the database runner,
the drafts list and the review pane it drives, and the workflow's gate, with no window around it
(issue 15, item 2). A judge's steps are checked in the drafts database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from app.bootstrap import services
from app.core.workflow import Action, Status
from app.ui.backend import ServiceBackend
from app.ui.controller import Collaborators
from app.ui.dialogs import SignForPrompt
from app.ui.document import LetterDocument
from app.ui.drafts_browser import DraftsBrowser
from app.ui.review_pane import ReviewPane
from app.ui.reviewing import Reviewing
from app.ui.session import LetterRecord, LetterSession
from app.ui.spelling import SpellChecking
from app.ui.workers import OpRunner
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, Said
from tests.ui.test_sign_for_and_copies import OTHER_JUDGE, _submitted_letter_signed_by

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@dataclass
class Judge:
    session: LetterSession
    reviewing: Reviewing
    drafts: DraftsBrowser
    review: ReviewPane
    said: Said
    db: OpRunner


def _in_review() -> int:
    clerk = services(as_user="clerk")
    try:
        letter_id = clerk.drafts.create("officials-concern", sample_data()).id
        clerk.drafts.submit(letter_id)
        return letter_id
    finally:
        clerk.close()


def _status(letter_id: int) -> tuple[Status, int]:
    s = services(as_user="clerk")
    try:
        summary = s.drafts.get(letter_id).summary
        return summary.status, summary.version
    finally:
        s.close()


@pytest.fixture
def judge(qtbot: Any, office: dict[str, str], tmp_path: Path) -> Iterator[Judge]:
    host = QWidget()
    qtbot.addWidget(host)
    desk = ServiceBackend(services(as_user="judge"))
    db = OpRunner(host, threads=1)
    session = LetterSession(desk, db, host)
    drafts, review, said = DraftsBrowser(host), ReviewPane(host), Said()
    gate = lambda action: desk.verdict(action, session.record.status)  # noqa: E731 - the workflow's alone
    shared = Collaborators(session, LetterDocument(host), desk, db, OpRunner(host), lambda: None, said, host)
    reviewing = Reviewing(shared, drafts, review, SpellChecking(OpRunner(host), None), gate, lambda: tmp_path,
                          signing_for=lambda: gate(Action.APPROVE))
    yield Judge(session, reviewing, drafts, review, said, db)
    qtbot.waitUntil(lambda: db.pending == 0, timeout=15_000)
    db.shutdown()
    desk.close()


def _open(judge: Judge, letter_id: int) -> None:
    workflow = judge.reviewing.desk.workflow
    assert workflow is not None
    judge.session.open(LetterRecord.of(workflow.open(letter_id)))


def test_the_judge_reads_the_review_and_approves_the_version_on_screen(qtbot: Any, judge: Judge) -> None:
    letter_id = _in_review()
    _open(judge, letter_id)
    with qtbot.waitSignal(judge.reviewing.review_loaded, timeout=10_000) as loaded:
        judge.reviewing.load_review(judge.session.record)
    assert loaded.args[0].detail.summary.id == letter_id
    assert judge.review.state.text() == f"Letter {letter_id}, version 1: <b>in review</b>"
    with qtbot.waitSignal(judge.session.record_changed, timeout=10_000) as changed:
        judge.reviewing.approve()
    assert changed.args[0].status is Status.APPROVED
    assert _status(letter_id) == (Status.APPROVED, 1)
    assert ("Approved.", False) in judge.said.lines


def test_a_refused_approve_says_why_and_reads_the_letter_again(qtbot: Any, judge: Judge) -> None:
    letter_id = _in_review()
    _open(judge, letter_id)
    clerk = services(as_user="clerk")
    try:  # the clerk takes it back and saves a new version after the judge's window read it
        current = clerk.drafts.get(letter_id)
        clerk.drafts.update(letter_id, {**current.current.data, "subject": "Changed meanwhile"},
                            current.summary.version)
    finally:
        clerk.close()
    with qtbot.waitSignal(judge.reviewing.letter_read, timeout=10_000) as read:
        judge.reviewing.approve()
    assert read.args[0].summary.version == 2  # the window follows the database, not its memory
    assert judge.said.lines
    assert judge.said.lines[-1][1]  # said as an error
    assert _status(letter_id)[0] is not Status.APPROVED


def test_drafts_asked_for_are_shown_in_the_list(qtbot: Any, judge: Judge) -> None:
    letter_id = _in_review()
    judge.drafts.query_changed.connect(judge.reviewing.query_drafts)
    with qtbot.waitSignal(judge.drafts.waiting_changed, timeout=10_000) as waiting:
        judge.drafts.refresh()
    assert judge.drafts.ids() == [letter_id]
    assert waiting.args == [1]  # in review, waiting for this judge


def test_the_judge_approves_signing_for_another_signatory_only_once_confirmed(
        qtbot: Any, judge: Judge, dialog_guard: DialogScript) -> None:
    letter_id = _submitted_letter_signed_by(OTHER_JUDGE)
    _open(judge, letter_id)
    dialog_guard.expect(SignForPrompt, lambda prompt: prompt.cancel.click())
    judge.reviewing.approve_signing_for()
    assert judge.said.lines == []
    assert _status(letter_id) == (Status.IN_REVIEW, 1)  # cancelled: nothing approved

    def confirm(prompt: SignForPrompt) -> None:
        assert f"signed by {OTHER_JUDGE}, not by you. Approve version 1" in prompt.text()
        prompt.approve.click()

    dialog_guard.expect(SignForPrompt, confirm)
    with qtbot.waitSignal(judge.session.record_changed, timeout=10_000) as changed:
        judge.reviewing.approve_signing_for()
    assert changed.args[0].status is Status.APPROVED
    assert judge.said.lines == [(f"Approved signing for {OTHER_JUDGE}.", False)]
    check = services(as_user="judge")
    try:
        detail = check.drafts.get(letter_id)
        assert detail.approval is not None
        assert (detail.approval.version, detail.approval.approver, detail.signed_for) == (1, "judge", OTHER_JUDGE)
    finally:
        check.close()


def test_approving_for_a_signatory_when_the_gate_refuses_says_why_and_asks_nothing(judge: Judge) -> None:
    letter_id = _submitted_letter_signed_by(OTHER_JUDGE)
    _open(judge, letter_id)
    judge.reviewing.signing_for = lambda: (False, "Preflight is still checking the letter")
    judge.reviewing.approve_signing_for()  # no prompt: the dialog guard fails the test on any
    assert judge.said.lines == [("Preflight is still checking the letter", True)]
    assert _status(letter_id) == (Status.IN_REVIEW, 1)
