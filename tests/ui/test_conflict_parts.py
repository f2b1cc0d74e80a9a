"""Two desks on one letter: the conflict dialog shows the other person's changes beside mine, field by
field and paragraph by paragraph, their words marked, and the clerk takes the ticked parts of theirs;
saved on top of their version, one Undo away."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QTextCursor

from app.bootstrap import Services
from app.services.conflicts import conflict_parts, take_parts
from app.ui.dialogs import ConflictDialog
from tests.conftest import DeskFactory
from tests.ui.conftest import DialogScript, WindowFactory, activate, saved, wait_ready

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

THEIR_CONCERN = "Ann's concern: interpreters no longer come to court."


def _ann_saves(ann: Services, letter_id: int) -> None:
    current = ann.drafts.get(letter_id)
    data = dict(current.current.data)
    data["subject"] = "Their subject"
    data["concerns"] = [THEIR_CONCERN, *data["concerns"][1:]]
    ann.drafts.update(letter_id, data, current.summary.version)


def _versions(desk: DeskFactory, letter_id: int) -> list[Any]:
    """The letter's history as the clerk reads it from the database."""
    return desk(as_user="clerk").drafts.history(letter_id)[1]


def test_the_clerk_takes_their_subject_and_keeps_their_own_concerns(
        qtbot: Any, second_clerk: str, window: WindowFactory, desk: DeskFactory,
        dialog_guard: DialogScript) -> None:
    clerk = window("clerk")
    form = clerk.form
    assert form is not None
    letter_id = saved(qtbot, clerk, 1)
    _ann_saves(desk(as_user=second_clerk), letter_id)
    form.subject.setFocus()
    qtbot.keyClicks(form.subject, " (mine)")
    mine_subject = form.subject.text()
    my_concerns = form.sections["concerns"].values()
    seen: dict[str, Any] = {}

    def take_subject(dialog: ConflictDialog) -> None:
        seen["parts"] = [(p.part, p.label, p.paths, p.theirs.splitlines()[0], p.mine.splitlines()[0])
                         for p in dialog.parts]
        dialog.tick("subject")
        dialog.click("merge")

    dialog_guard.expect(ConflictDialog, take_subject)
    activate(qtbot, clerk)
    saved(qtbot, clerk, 3)
    assert seen["parts"] == [
        ("subject", "Subject", ("subject",), "Their subject", mine_subject),
        ("concerns[0]", "Concern 1", ("concerns[0]",), THEIR_CONCERN, my_concerns[0])]
    assert form.subject.text() == "Their subject"
    assert form.sections["concerns"].values() == my_concerns
    versions = _versions(desk, letter_id)
    assert [(v.number, v.author) for v in versions] == [(1, "clerk"), (2, "ann"), (3, "clerk")]
    assert (versions[-1].data["subject"], versions[-1].data["concerns"]) == ("Their subject", my_concerns)
    assert "subject" in clerk.undo_stack.undoText()
    clerk.undo_action.trigger()  # my own subject comes back
    assert form.subject.text() == mine_subject


def _typed_at_end(qtbot: Any, editor: Any, words: str) -> str:
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, words)
    return str(editor.toPlainText())


def test_two_windows_edit_different_concerns_and_both_edits_are_kept(
        qtbot: Any, second_clerk: str, window: WindowFactory, desk: DeskFactory,
        dialog_guard: DialogScript) -> None:
    clerk = window("clerk")
    assert clerk.form is not None
    letter_id = saved(qtbot, clerk, 1)
    ann = window(second_clerk, ready=False)
    ann.open_record(letter_id)
    qtbot.waitUntil(lambda: ann.letter_id == letter_id and ann.form is not None and ann.version == 1,
                    timeout=10_000)
    wait_ready(qtbot, ann)
    before = clerk.form.sections["concerns"].values()

    # The clerk is typing in the second concern while Ann, at her own desk, rewrites the first and saves.
    activate(qtbot, clerk)
    clerks_second = _typed_at_end(qtbot, clerk.form.sections["concerns"].editors()[1], " Victims stay away.")
    activate(qtbot, ann)
    assert ann.form is not None
    anns_first = _typed_at_end(qtbot, ann.form.sections["concerns"].editors()[0], " Interpreters stay away.")
    saved(qtbot, ann, 2)
    seen: dict[str, Any] = {}

    def take_anns_first_concern(dialog: ConflictDialog) -> None:
        seen["parts"] = [(p.part, p.label) for p in dialog.parts]
        seen["opened at"] = dialog.first_change()
        seen["shown"] = dialog.shown("concerns[0]")
        dialog.tick("concerns[0]")
        dialog.click("merge")

    dialog_guard.expect(ConflictDialog, take_anns_first_concern)
    activate(qtbot, clerk)
    saved(qtbot, clerk, 3)
    assert seen["parts"] == [("concerns[0]", "Concern 1")]  # Ann's paragraph alone, not the whole section
    assert seen["opened at"] == (0, "concerns[0]")
    theirs, mine = seen["shown"]
    assert "Interpreters stay away." in theirs
    assert "background-color" in theirs  # their words marked
    assert "background-color" not in mine  # the clerk left that paragraph as it was
    assert clerk.form.sections["concerns"].values() == [anns_first, clerks_second, *before[2:]]
    versions = _versions(desk, letter_id)
    assert [(v.number, v.author) for v in versions] == [(1, "clerk"), (2, "ann"), (3, "clerk")]
    assert versions[-1].data["concerns"] == [anns_first, clerks_second, *before[2:]]
    assert versions[1].data["concerns"] == [anns_first, *before[1:]]  # Ann's version stays in the history


def test_parts_are_fields_and_paragraphs_and_taking_one_changes_only_that() -> None:
    base = {"subject": "A", "concerns": ["one", "two"], "cc": ["X"]}
    theirs = {"subject": "B", "concerns": ["one", "two", "three"]}
    mine = {"subject": "A (mine)", "concerns": ["one", "two"], "cc": ["X"]}
    parts = {p.part: p for p in conflict_parts(base, theirs, mine)}
    assert sorted(parts) == ["cc[0]", "concerns[2:2]", "subject"]
    assert parts["concerns[2:2]"].paths == ("concerns[2]",)
    assert parts["cc[0]"].theirs == ""
    assert not parts["subject"].same
    assert take_parts(mine, theirs, ["concerns[2:2]", "cc[0]"], base) == {
        "subject": "A (mine)", "concerns": ["one", "two", "three"], "cc": []}
    assert take_parts(mine, theirs, [], base) == mine
