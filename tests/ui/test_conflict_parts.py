"""Two desks on one letter: the conflict dialog shows the other person's changes beside mine, field by
field and paragraph by paragraph, their words marked, and the clerk takes the ticked parts of theirs;
saved on top of their version, one Undo away."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QTextCursor

from app.bootstrap import services
from app.core.workflow import Role
from app.services.conflicts import conflict_parts, take_parts
from app.ui.dialogs import ConflictDialog
from tests.ui.conftest import DialogScript, WindowFactory, activate, wait_ready

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

THEIR_CONCERN = "Ann's concern: interpreters no longer come to court."


def _ann_saves(letter_id: int) -> None:
    admin = services(as_user="admin")
    try:
        admin.users.add("ann", Role.CLERK, "Ann Clerk")
    finally:
        admin.close()
    ann = services(as_user="ann")
    try:
        current = ann.drafts.get(letter_id)
        data = dict(current.current.data)
        data["subject"] = "Their subject"
        data["concerns"] = [THEIR_CONCERN, *data["concerns"][1:]]
        ann.drafts.update(letter_id, data, current.summary.version)
    finally:
        ann.close()


def test_the_clerk_takes_their_subject_and_keeps_their_own_concerns(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    clerk = window("clerk")
    form = clerk.form
    assert form is not None
    clerk.save_action.trigger()
    qtbot.waitUntil(lambda: clerk.version == 1 and not clerk.dirty, timeout=10_000)
    letter_id = clerk.letter_id
    assert letter_id is not None
    _ann_saves(letter_id)
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
    clerk.save_action.trigger()
    qtbot.waitUntil(lambda: clerk.version == 3 and not clerk.dirty, timeout=10_000)
    assert seen["parts"] == [
        ("subject", "Subject", ("subject",), "Their subject", mine_subject),
        ("concerns[0]", "Concern 1", ("concerns[0]",), THEIR_CONCERN, my_concerns[0])]
    assert form.subject.text() == "Their subject"
    assert form.sections["concerns"].values() == my_concerns
    check = services(as_user="clerk")
    try:
        versions = check.drafts.history(letter_id)[1]
    finally:
        check.close()
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
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript) -> None:
    admin = services(as_user="admin")
    try:
        admin.users.add("ann", Role.CLERK, "Ann Clerk")
    finally:
        admin.close()
    clerk = window("clerk")
    assert clerk.form is not None
    clerk.save_action.trigger()
    qtbot.waitUntil(lambda: clerk.version == 1 and not clerk.dirty, timeout=10_000)
    letter_id = clerk.letter_id
    assert letter_id is not None
    ann = window("ann", ready=False)
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
    ann.save_action.trigger()
    qtbot.waitUntil(lambda: ann.version == 2 and not ann.dirty, timeout=10_000)
    seen: dict[str, Any] = {}

    def take_anns_first_concern(dialog: ConflictDialog) -> None:
        seen["parts"] = [(p.part, p.label) for p in dialog.parts]
        seen["opened at"] = dialog.first_change()
        seen["shown"] = dialog.shown("concerns[0]")
        dialog.tick("concerns[0]")
        dialog.click("merge")

    dialog_guard.expect(ConflictDialog, take_anns_first_concern)
    activate(qtbot, clerk)
    clerk.save_action.trigger()
    qtbot.waitUntil(lambda: clerk.version == 3 and not clerk.dirty, timeout=15_000)
    assert seen["parts"] == [("concerns[0]", "Concern 1")]  # Ann's paragraph alone, not the whole section
    assert seen["opened at"] == (0, "concerns[0]")
    theirs, mine = seen["shown"]
    assert "Interpreters stay away." in theirs
    assert "background-color" in theirs  # their words marked
    assert "background-color" not in mine  # the clerk left that paragraph as it was
    assert clerk.form.sections["concerns"].values() == [anns_first, clerks_second, *before[2:]]
    check = services(as_user="clerk")
    try:
        versions = check.drafts.history(letter_id)[1]
    finally:
        check.close()
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
