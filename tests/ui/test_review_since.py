"""Changes since my last review (issue 8): right on every resubmission, the whole letter on a first review."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import services
from app.core.workflow import Status
from app.services.views import ReviewView
from app.ui.dialogs import TextPrompt
from app.ui.session import LetterRecord
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, WindowFactory, activate

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

INSERTED = re.compile(r"\{\+(.*?)\+\}", re.DOTALL)


def _resubmit(letter_id: int | None, i: int) -> int:
    """The clerk (at another desk) revises the first concern and submits: the version the judge gets."""
    clerk = services(as_user="clerk")
    try:
        data = sample_data()
        data["concerns"][0] = f"Witnesses stay away from court (revision r{i}x)."
        if letter_id is None:
            letter_id = clerk.drafts.create("officials-concern", data).id
        else:
            current = clerk.drafts.get(letter_id)
            clerk.drafts.update(letter_id, data, current.summary.version)
        return clerk.drafts.submit(letter_id).id
    finally:
        clerk.close()


GUARD_MS = 60_000  # a hang guard on a busy machine: each wait ends at its event


def test_changes_since_my_last_review_are_right_on_every_resubmission(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    letter_id = _resubmit(None, 0)
    judge = window("judge", ready=False)
    reviewed: int | None = None
    for i in range(20):
        if i:
            _resubmit(letter_id, i)
        expected = 1 + i
        judge.drafts.refresh()
        qtbot.waitUntil(lambda: letter_id in judge.drafts.ids() and judge.drafts.waiting_count == 1,
                        timeout=GUARD_MS)
        tree = judge.drafts.tree
        activate(qtbot, judge)
        tree.setCurrentItem(tree.topLevelItem(judge.drafts.ids().index(letter_id)))
        tree.setFocus()
        with qtbot.waitSignal(judge.review_loaded, timeout=GUARD_MS,
                              check_params_cb=lambda v, n=expected: v.detail.summary.version == n) as blocker:
            qtbot.keyClick(tree, Qt.Key.Key_Return)
        view = blocker.args[0]
        assert isinstance(view, ReviewView)
        marked = " ".join(INSERTED.findall("\n".join(view.since_review.text.lines)))
        shown = judge.review.changes.toPlainText()
        if i == 0:  # never reviewed: the whole letter, as added
            assert view.reviewed_version is None
            assert "not reviewed yet" in judge.review.changes_title.text()
            assert sample_data()["subject"] in marked
            assert "r0x" in marked
        else:
            assert view.reviewed_version == reviewed
            assert (view.since_review.from_version, view.since_review.to_version) == (reviewed, expected)
            assert f"r{i}x" in marked
            assert f"r{i - 1}x" not in marked
            assert sample_data()["subject"] not in marked  # only what changed is marked
        assert f"r{i}x" in shown

        def ask(prompt: TextPrompt, round_: int = i) -> None:
            prompt.text.setPlainText(f"Round {round_}: say more.")
            prompt.accept()

        dialog_guard.expect(TextPrompt, ask)
        # As a judge would: the action is pressed once it is live (the record it acts on is read first).
        qtbot.waitUntil(judge.request_changes_action.isEnabled, timeout=GUARD_MS)
        with qtbot.waitSignal(judge.session.record_changed, timeout=GUARD_MS,
                              check_params_cb=lambda r: isinstance(r, LetterRecord)
                              and r.status is Status.CHANGES_REQUESTED):
            judge.request_changes_action.trigger()
        reviewed = expected
