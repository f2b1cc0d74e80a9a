"""What others did reaches an open window from the database itself: status, actions and text follow."""

from __future__ import annotations

from typing import Any

import pytest

from app.bootstrap import services
from app.core.workflow import Status
from tests.conftest import sample_data
from tests.ui.conftest import WindowFactory, wait_ready

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _submitted_letter() -> int:
    s = services(as_user="clerk")
    try:
        letter_id = s.drafts.create("officials-concern", sample_data()).id
        s.drafts.submit(letter_id)
        return letter_id
    finally:
        s.close()


def test_a_judges_approval_reaches_the_clerks_open_window_with_who_did_it(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    letter_id = _submitted_letter()
    clerk = window("clerk", ready=False)
    clerk.open_record(letter_id)
    qtbot.waitUntil(lambda: clerk.letter_id == letter_id and clerk.form is not None, timeout=10_000)
    wait_ready(qtbot, clerk)
    assert clerk.session.record.status is Status.IN_REVIEW
    judge = services(as_user="judge")
    try:
        judge.drafts.approve(letter_id, 1)
    finally:
        judge.close()
    # A bounded wait on what the window shows (it polls once a second), never a verdict on how long it took.
    qtbot.waitUntil(lambda: clerk.session.record.status is Status.APPROVED, timeout=15_000)
    assert f"Tani G. Cantil-Sakauye approved letter {letter_id}, version 1" in clerk.messages.label.text()
    assert not clerk.submit_action.isEnabled()


def test_a_new_version_saved_elsewhere_replaces_the_text_of_a_window_with_nothing_typed(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    letter_id = _submitted_letter()
    judge = window("judge", ready=False)
    qtbot.waitUntil(lambda: judge.letter_id == letter_id and judge.form is not None, timeout=10_000)
    wait_ready(qtbot, judge)
    clerk = services(as_user="clerk")
    try:
        clerk.drafts.update(letter_id, {**sample_data(), "subject": "Revised by the clerk"}, 1)
    finally:
        clerk.close()
    form = lambda: judge.form  # noqa: E731 - the form is replaced by the new text
    qtbot.waitUntil(lambda: form() is not None and form().subject.text() == "Revised by the clerk"
                    and judge.version == 2, timeout=15_000)
    assert judge.session.record.status is Status.DRAFT
    assert "Court Clerk saved a new version of letter" in judge.messages.label.text()


def test_a_refused_approve_shows_the_databases_version_and_disables_approve(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    letter_id = _submitted_letter()
    judge = window("judge", ready=False)
    qtbot.waitUntil(lambda: judge.letter_id == letter_id and judge.form is not None, timeout=10_000)
    wait_ready(qtbot, judge)
    judge.watcher.stop()  # the clerk's save lands between two looks at the database
    clerk = services(as_user="clerk")
    try:
        clerk.drafts.update(letter_id, {**sample_data(), "subject": "Revised meanwhile"}, 1)
    finally:
        clerk.close()
    assert judge.approve_action.isEnabled()
    judge.approve_action.trigger()
    qtbot.waitUntil(lambda: judge.version == 2 and judge.form is not None
                    and judge.form.subject.text() == "Revised meanwhile", timeout=15_000)
    assert "can be approved" in judge.messages.label.text()  # refused, and said why
    assert not judge.approve_action.isEnabled()
    held = services(as_user="judge")
    try:
        assert held.drafts.get(letter_id).approval is None
    finally:
        held.close()
