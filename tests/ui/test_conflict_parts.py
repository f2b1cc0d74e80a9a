"""Two desks on one letter: the conflict dialog shows the other person's changes beside mine, part by
part, and the clerk takes the ticked parts of theirs; saved on top of their version, one Undo away."""

from __future__ import annotations

from typing import Any

import pytest

from app.bootstrap import services
from app.core.workflow import Role
from app.services.conflicts import conflict_parts, take_parts
from app.ui.dialogs import ConflictDialog
from tests.ui.conftest import DialogScript, WindowFactory, activate

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


def test_the_clerk_takes_their_concerns_and_keeps_their_own_subject(
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

    def take_concerns(dialog: ConflictDialog) -> None:
        seen["parts"] = [(p.part, p.paths, p.theirs.splitlines()[0], p.mine.splitlines()[0]) for p in dialog.parts]
        dialog.tick("concerns")
        dialog.click("merge")

    dialog_guard.expect(ConflictDialog, take_concerns)
    activate(qtbot, clerk)
    clerk.save_action.trigger()
    qtbot.waitUntil(lambda: clerk.version == 3 and not clerk.dirty, timeout=10_000)
    assert seen["parts"] == [
        ("subject", ("subject",), "Their subject", mine_subject),
        ("concerns", ("concerns[0]",), THEIR_CONCERN, my_concerns[0])]
    assert form.subject.text() == mine_subject
    assert form.sections["concerns"].values()[0] == THEIR_CONCERN
    check = services(as_user="clerk")
    try:
        versions = check.drafts.history(letter_id)[1]
    finally:
        check.close()
    assert [(v.number, v.author) for v in versions] == [(1, "clerk"), (2, "ann"), (3, "clerk")]
    assert (versions[-1].data["subject"], versions[-1].data["concerns"][0]) == (mine_subject, THEIR_CONCERN)
    assert versions[1].data["subject"] == "Their subject"  # their version stays in the history
    assert "concerns" in clerk.undo_stack.undoText()
    clerk.undo_action.trigger()  # my own concerns come back
    assert form.sections["concerns"].values() == my_concerns


def test_parts_are_the_letters_keys_and_taking_one_changes_only_that() -> None:
    base = {"subject": "A", "concerns": ["one", "two"], "cc": ["X"]}
    theirs = {"subject": "B", "concerns": ["one", "two", "three"]}
    mine = {"subject": "A (mine)", "concerns": ["one", "two"], "cc": ["X"]}
    parts = {p.part: p for p in conflict_parts(base, theirs, mine)}
    assert parts["concerns"].paths == ("concerns[2]",)
    assert parts["cc"].theirs == ""
    assert not parts["subject"].same
    assert take_parts(mine, theirs, ["concerns", "cc"]) == {"subject": "A (mine)", "concerns": ["one", "two", "three"]}
    assert take_parts(mine, theirs, []) == mine
