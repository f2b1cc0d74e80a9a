"""Redline in Word (issue 9.5) from the review pane: tracked changes saved as a .docx, read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.bootstrap import services
from app.services.views import ReviewView
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, WindowFactory, activate

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _three_versions() -> int:
    """The clerk writes a letter and submits it; the judge sends it back; the clerk revises its first
    concern and submits again (versions 1, 2 reviewed, 3)."""
    clerk, judge = services(as_user="clerk"), services(as_user="judge")
    try:
        letter_id = clerk.drafts.create("officials-concern", sample_data()).id
        for word in ("sanctuaries", "refuges"):
            data = sample_data()
            data["concerns"][0] = f"Courthouses are {word} of justice."
            clerk.drafts.update(letter_id, data, clerk.drafts.get(letter_id).summary.version)
            clerk.drafts.submit(letter_id)
            if word == "sanctuaries":
                judge.drafts.request_changes(letter_id, "Say it with another word.")
        assert [v.number for v in clerk.drafts.history(letter_id)[1]] == [1, 2, 3]
        return letter_id
    finally:
        clerk.close()
        judge.close()


def _tracked(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(author, text) of every insertion and deletion in the saved document, read with python-docx."""
    body = docx.Document(str(path)).element.body
    inserted = [(e.get(f"{W}author"), "".join(t.text or "" for t in e.iter(f"{W}t"))) for e in body.iter(f"{W}ins")]
    deleted = [(e.get(f"{W}author"), "".join(t.text or "" for t in e.iter(f"{W}delText")))
               for e in body.iter(f"{W}del")]
    return inserted, deleted


def _open_for_review(qtbot: Any, window: WindowFactory, letter_id: int) -> Any:
    judge = window("judge", ready=False)
    judge.drafts.refresh()
    qtbot.waitUntil(lambda: letter_id in judge.drafts.ids(), timeout=10_000)
    tree = judge.drafts.tree
    activate(qtbot, judge)
    tree.setCurrentItem(tree.topLevelItem(judge.drafts.ids().index(letter_id)))
    tree.setFocus()
    with qtbot.waitSignal(judge.review_loaded, timeout=10_000) as blocker:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert isinstance(blocker.args[0], ReviewView)
    return judge


def _save_as(target: Path) -> Any:
    def fill(dialog: QFileDialog) -> None:
        assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
        assert dialog.defaultSuffix() == "docx"
        # The clerk says yes to "replace it?" (Qt's own prompt, not ours to test).
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
        dialog.selectFile(str(target))
        dialog.accept()
    return fill


def test_redline_in_word_saves_tracked_changes_between_the_chosen_versions(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript,
        tmp_path: Path) -> None:
    letter_id = _three_versions()
    judge = _open_for_review(qtbot, window, letter_id)
    pane = judge.review
    assert pane.redline.isEnabled()
    pane.from_version.setCurrentIndex(pane.from_version.findData(1))
    pane.to_version.setCurrentIndex(pane.to_version.findData(3))
    target = tmp_path / "out" / "concerns redline"
    target.parent.mkdir()
    dialog_guard.expect(QFileDialog, _save_as(target))
    pane.redline_versions_action.trigger()
    saved = target.with_name(target.name + ".docx")
    qtbot.waitUntil(saved.exists, timeout=60_000)
    qtbot.waitUntil(lambda: judge.runner.pending == 0, timeout=10_000)
    inserted, deleted = _tracked(saved)
    assert any("refuges" in text for _author, text in inserted)
    assert not any("sanctuaries" in text for _author, text in inserted)  # v2's word came and went
    original = sample_data()["concerns"][0]
    assert any(word in text for _author, text in deleted for word in original.split()[:4])
    assert {author for author, _text in inserted} == {"Court Clerk"}
    assert "versions 1 to 3" in judge.statusBar().currentMessage()


def test_redline_since_my_last_review_goes_to_a_docx_the_judge_names(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript,
        tmp_path: Path) -> None:
    letter_id = _three_versions()
    judge = _open_for_review(qtbot, window, letter_id)
    target = tmp_path / "since.docx"
    dialog_guard.expect(QFileDialog, _save_as(target))
    judge.review.redline_since_action.trigger()
    qtbot.waitUntil(lambda: target.exists() or judge.messages.isVisible(), timeout=60_000)
    assert target.exists(), judge.messages.label.text()
    qtbot.waitUntil(lambda: judge.runner.pending == 0, timeout=10_000)
    inserted, deleted = _tracked(target)
    # The judge sent back version 2: what the clerk changed since is what is marked.
    assert any("refuges" in text for _author, text in inserted)
    assert any("sanctuaries" in text for _author, text in deleted)
    assert "versions 2 to 3" in judge.statusBar().currentMessage()


def test_a_redline_never_overwrites_what_is_not_a_word_letter(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript,
        tmp_path: Path) -> None:
    letter_id = _three_versions()
    judge = _open_for_review(qtbot, window, letter_id)
    target = tmp_path / "notes.docx"
    target.write_bytes(b"not a Word document")
    dialog_guard.expect(QFileDialog, _save_as(target))
    judge.review.redline_since_action.trigger()
    qtbot.waitUntil(lambda: "redline was not saved to" in judge.messages.label.text(), timeout=60_000)
    assert str(target) in judge.messages.label.text()
    assert target.read_bytes() == b"not a Word document"
