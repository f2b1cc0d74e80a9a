"""The Review dock: status, comments and the compare of two versions, for the letter that is open."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import services
from tests.conftest import sample_data
from tests.ui.conftest import WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def test_comments_and_a_compare_of_two_versions(qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    clerk = services(as_user="clerk")
    try:
        letter = clerk.drafts.create("officials-concern", sample_data())
        clerk.drafts.update(letter.id, {**sample_data(), "subject": "Courthouse arrests"}, 1)
        clerk.drafts.comment(letter.id, "Shorter subject, as asked.")
    finally:
        clerk.close()
    judge = window("judge", ready=False)
    judge.open_record(letter.id)
    with qtbot.waitSignal(judge.review_loaded, timeout=10_000):
        pass
    review = judge.review
    assert "Letter 1, version 2: <b>draft</b>" in review.state.text()
    assert "Shorter subject, as asked." in review.comments.toPlainText()
    assert not review.approve.isEnabled()  # a draft is not in review
    review.from_version.setCurrentIndex(0)
    review.to_version.setCurrentIndex(1)
    qtbot.mouseClick(review.compare, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Version 1 compared with version 2" in review.changes_title.text(), timeout=10_000)
    shown = review.changes.toPlainText()
    assert "Courthouse" in shown
    assert "arrests" in shown
