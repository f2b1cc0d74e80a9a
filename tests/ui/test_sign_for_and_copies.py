"""A judge approves a letter another judge signs only through "Approve signing for <signatory>" and
an explicit confirmation; one letter per addressee exports the copies sealed at approval."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import docx
import pytest
from PySide6.QtCore import Qt

from app.bootstrap import services
from app.core.workflow import Status
from app.ui.dialogs import ExportDialog, SignForPrompt
from app.ui.main_window import MainWindow
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, WindowFactory, activate, wait_ready

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

OTHER_JUDGE = "Ming W. Chin"  # signs the letter; no user of this office


def _submitted_letter_signed_by(signatory: str) -> int:
    data = copy.deepcopy(sample_data())
    data["signatory"]["name"] = signatory
    clerk = services(as_user="clerk")
    try:
        letter = clerk.drafts.create("officials-concern", data)
        clerk.drafts.submit(letter.id)
        return letter.id
    finally:
        clerk.close()


def _open_from_drafts(qtbot: Any, window: MainWindow, letter_id: int) -> None:
    qtbot.waitUntil(lambda: letter_id in window.drafts.ids(), timeout=10_000)
    tree = window.drafts.tree
    tree.setCurrentItem(tree.topLevelItem(window.drafts.ids().index(letter_id)))
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.letter_id == letter_id, timeout=10_000)
    wait_ready(qtbot, window)


def test_approving_for_another_signatory_asks_first_and_says_so_and_copies_are_the_sealed_ones(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript,
        tmp_path: Path) -> None:
    letter_id = _submitted_letter_signed_by(OTHER_JUDGE)
    judge = window("judge")
    _open_from_drafts(qtbot, judge, letter_id)
    qtbot.waitUntil(judge.approve_for_action.isEnabled, timeout=10_000)
    assert not judge.approve_action.isEnabled()
    assert judge.approve_action.toolTip().startswith(f"This letter is signed by {OTHER_JUDGE}: only")
    assert judge.approve_for_action.text().replace("&", "") == f"Approve signing for {OTHER_JUDGE}…"
    shown = judge.session.record.version

    dialog_guard.expect(SignForPrompt, lambda prompt: prompt.cancel.click())
    judge.approve_for_action.trigger()
    qtbot.wait(200)
    assert judge.session.record.status is Status.IN_REVIEW  # cancelled: nothing approved

    def confirm(prompt: SignForPrompt) -> None:
        assert OTHER_JUDGE in prompt.text()
        assert f"version {shown}" in prompt.text()
        prompt.approve.click()

    dialog_guard.expect(SignForPrompt, confirm)
    activate(qtbot, judge)
    with qtbot.waitSignal(judge.session.record_changed, timeout=15_000,
                          check_params_cb=lambda record: record.status is Status.APPROVED):
        judge.approve_for_action.trigger()
    check = services(as_user="judge")
    try:
        detail = check.drafts.get(letter_id)
        assert detail.approval is not None
        assert (detail.approval.version, detail.approval.approver, detail.signed_for) == (shown, "judge", OTHER_JUDGE)
        copies = check.drafts.approved_copies(letter_id)
    finally:
        check.close()
    assert not judge.approve_for_action.isEnabled()

    out = tmp_path / "copies"

    def per_addressee(dialog: ExportDialog) -> None:
        dialog.folder.setText(str(out))
        dialog.per_addressee.setChecked(True)
        dialog.open_folder.setChecked(False)
        dialog.accept()

    dialog_guard.expect(ExportDialog, per_addressee)
    activate(qtbot, judge)
    with qtbot.waitSignal(judge.session.record_changed, timeout=15_000,
                          check_params_cb=lambda record: record.status is Status.EXPORTED):
        judge.export_action.trigger()
    assert len(copies) == 2
    for made in copies:
        written = out / made.file_name
        assert written.read_bytes() == made.data  # the sealed copy, byte for byte
        assert f"Dear {'Attorney General Sessions' if made.number == 1 else 'Secretary Kelly'}:" in \
            [p.text for p in docx.Document(str(written)).paragraphs]
    assert sorted(p.name for p in out.iterdir()) == sorted(c.file_name for c in copies)
    check = services(as_user="judge")
    try:
        for made in copies:
            assert check.drafts.verify(out / made.file_name).code == 0
    finally:
        check.close()
