"""The editing and saving parts work from their collaborators alone: a session, a document, a desk, a
database runner and a form, with no window around them (issue 15, item 2).

Each test builds the parts as the window does, drives the form as a clerk would, and waits on what
the parts announce; what the desk holds afterwards (the autosave file, the drafts database) is the
verdict."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.bootstrap import services, template_library
from app.core.workflow import Role, Verdict
from app.rendering.engine import CompiledPack
from app.services.desk import Desk
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.controller import Collaborators
from app.ui.dialogs import CloseUnsavedPrompt, ConflictDialog, WithdrawApprovalPrompt
from app.ui.document import LetterDocument
from app.ui.editing import Editing
from app.ui.form import LetterForm
from app.ui.saving import Saving
from app.ui.session import LetterRecord, LetterSession
from app.ui.spelling import SpellChecking
from app.ui.workers import OpRunner
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, Said

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

PACK = "officials-concern"


@dataclass
class Parts:
    host: QWidget
    desk: Desk
    db: OpRunner
    session: LetterSession
    document: LetterDocument
    editing: Editing
    saving: Saving
    said: Said
    form: LetterForm | None = None

    def show(self, pack: CompiledPack, data: dict[str, Any], record: LetterRecord | None = None) -> LetterForm:
        """A letter opened as the window opens one: a form made for its pack, a view of the document."""
        form = LetterForm(pack.manifest, self.host, editor_hook=self.editing.editor_created)
        self.editing.letter_replaced(form)
        layout = self.host.layout()
        assert layout is not None
        layout.addWidget(form)
        self.form = form
        self.document.open(pack, data)
        self.session.open(record or LetterRecord())
        return form


@pytest.fixture
def pack() -> CompiledPack:
    return template_library().get(PACK)


@pytest.fixture
def build(qtbot: Any) -> Iterator[Any]:
    made: list[Parts] = []

    def parts(desk: Desk) -> Parts:
        host = QWidget()
        QVBoxLayout(host)
        qtbot.addWidget(host)
        db = OpRunner(host, threads=1)
        session = LetterSession(desk, db, host)
        document = LetterDocument(host)
        spelling = SpellChecking(OpRunner(host, threads=1), None)
        said = Said()
        holder: list[Parts] = []

        def form() -> LetterForm | None:
            return holder[0].form if holder else None

        shared = Collaborators(session, document, desk, db, OpRunner(host), form, said, host)
        editing = Editing(shared, spelling)
        saving = Saving(shared)
        holder.append(Parts(host, desk, db, session, document, editing, saving, said))
        host.show()
        made.append(holder[0])
        return holder[0]

    yield parts
    for p in made:
        p.session.timer.stop()
        qtbot.waitUntil(lambda p=p: p.db.pending == 0, timeout=15_000)
        p.db.shutdown()
        if isinstance(p.desk, ServiceBackend):
            p.desk.close()


class ReadOnlyDesk(LocalBackend):
    """A desk whose user may read letters but not change them."""

    def may(self, action: str) -> Verdict:
        return Verdict(False, "your role reads letters; a clerk edits them")


def test_typing_is_one_named_edit_of_the_document_and_undo_shows_it_again(
        qtbot: Any, build: Any, pack: CompiledPack, tmp_path: Path) -> None:
    parts = build(LocalBackend(folder=tmp_path / "workspace"))
    form = parts.show(pack, sample_data())
    before = form.subject.text()
    form.subject.setFocus()
    form.subject.end(False)
    titles: list[str] = []
    parts.editing.title_changed.connect(titles.append)
    with qtbot.waitSignal(parts.editing.preview_wanted):
        qtbot.keyClicks(form.subject, " now")
    assert parts.document.data["subject"] == f"{before} now"
    assert titles[-1] == f"{before} now — Chambers"
    assert parts.document.undo_stack.count() == 1  # four keys in one field: one step
    assert parts.document.undo_stack.undoText() == "Edit the subject"
    assert parts.session.dirty
    parts.document.undo_stack.undo()
    assert form.subject.text() == before  # the form is a view of the document


def test_a_reader_s_typing_is_put_back_and_the_reason_said(
        qtbot: Any, build: Any, pack: CompiledPack, tmp_path: Path) -> None:
    parts = build(ReadOnlyDesk(folder=tmp_path / "workspace"))
    form = parts.show(pack, sample_data())
    before = form.subject.text()
    form.subject.setFocus()
    with qtbot.waitSignal(parts.editing.status) as said:
        qtbot.keyClicks(form.subject, "x")
    assert said.args == ["Your role reads letters; a clerk edits them", 6000]
    assert form.subject.text() == before
    assert parts.document.undo_stack.count() == 0
    assert not parts.session.dirty
    assert parts.saving.save_source() is None  # nothing a reader shows is ever saved


def test_save_now_writes_the_form_to_the_desk_and_says_so(
        qtbot: Any, build: Any, pack: CompiledPack, tmp_path: Path) -> None:
    desk = LocalBackend(folder=tmp_path / "workspace")
    parts = build(desk)
    form = parts.show(pack, sample_data())
    form.subject.setFocus()
    form.subject.selectAll()
    qtbot.keyClicks(form.subject, "Interpreters at the courthouse")
    assert parts.saving.save_state.text() == "Unsaved changes"
    with qtbot.waitSignal(parts.session.dirty_changed, timeout=10_000) as clean:
        parts.saving.autosave()
    assert clean.args == [False]
    assert parts.saving.save_state.text().startswith("Saved")
    saved = desk.load_autosave()
    assert saved is not None
    assert saved["subject"] == "Interpreters at the courthouse"


def _saved_by_clerk() -> int:
    clerk = services(as_user="clerk")
    try:
        return clerk.drafts.create(PACK, sample_data()).id
    finally:
        clerk.close()


def _ann_saves(letter_id: int) -> None:
    admin = services(as_user="admin")
    try:
        admin.users.add("ann", Role.CLERK, "Ann Clerk")
    finally:
        admin.close()
    ann = services(as_user="ann")
    try:
        current = ann.drafts.get(letter_id)
        ann.drafts.update(letter_id, {**current.current.data, "subject": "Their subject"}, current.summary.version)
    finally:
        ann.close()


def _opened(parts: Parts, letter_id: int) -> Any:
    workflow = parts.desk.workflow
    assert workflow is not None
    return workflow.open(letter_id)


def test_a_conflict_answered_reload_shows_their_version_and_keeps_mine_one_undo_away(
        qtbot: Any, office: dict[str, str], build: Any, pack: CompiledPack, dialog_guard: DialogScript) -> None:
    letter_id = _saved_by_clerk()
    parts = build(ServiceBackend(services(as_user="clerk")))
    detail = _opened(parts, letter_id)
    form = parts.show(pack, detail.current.data, LetterRecord.of(detail))
    _ann_saves(letter_id)  # in another window, after this one read the letter
    asked: list[str] = []

    def reload(dialog: ConflictDialog) -> None:
        asked.append(dialog.message.text())
        dialog.click("reload")

    dialog_guard.expect(ConflictDialog, reload)
    form.subject.setFocus()
    form.subject.end(False)
    qtbot.keyClicks(form.subject, " (mine)")
    mine = form.subject.text()
    with qtbot.waitSignal(parts.saving.preview_wanted, timeout=15_000):
        parts.saving.autosave()
    assert f"ann saved letter {letter_id}" in asked[0]
    assert form.subject.text() == "Their subject"
    assert parts.session.record.version == 2
    assert not parts.session.dirty
    assert parts.saving.save_state.text().startswith("Showing version 2 by ann")
    parts.document.undo_stack.undo()
    assert form.subject.text() == mine
    clerk = services(as_user="clerk")
    try:
        assert clerk.drafts.get(letter_id).current.data["subject"] == "Their subject"  # nothing overwritten
    finally:
        clerk.close()


def test_the_edit_gate_names_an_approval_made_since_and_keeping_it_shows_the_approved_text(
        qtbot: Any, office: dict[str, str], build: Any, pack: CompiledPack, dialog_guard: DialogScript) -> None:
    letter_id = _saved_by_clerk()
    clerk = services(as_user="clerk")
    try:
        clerk.drafts.submit(letter_id)
    finally:
        clerk.close()
    parts = build(ServiceBackend(services(as_user="clerk")))
    detail = _opened(parts, letter_id)
    form = parts.show(pack, detail.current.data, LetterRecord.of(detail))
    judge = services(as_user="judge")
    try:  # the judge approves in another window; this one still shows "in review"
        judge.drafts.approve(letter_id, judge.drafts.get(letter_id).summary.version)
    finally:
        judge.close()
    asked: list[str] = []

    def keep_the_approval(prompt: WithdrawApprovalPrompt) -> None:
        asked.append(prompt.text())
        prompt.reject()

    dialog_guard.expect(WithdrawApprovalPrompt, keep_the_approval)
    approved = form.subject.text()
    form.subject.setFocus()
    with qtbot.waitSignal(parts.editing.preview_wanted, timeout=15_000):
        qtbot.keyClicks(form.subject, "x")
    qtbot.waitUntil(lambda: bool(asked) and form.subject.text() == approved, timeout=15_000)
    assert "withdraws the approval of version 1 by Judge Tani G. Cantil-Sakauye" in asked[0]
    qtbot.waitUntil(lambda: parts.db.pending == 0, timeout=10_000)
    assert not parts.session.dirty
    clerk = services(as_user="clerk")
    try:
        record = clerk.drafts.get(letter_id)
        assert record.summary.status.value == "approved"  # nothing was saved, the approval stands
        assert record.current.data["subject"] == approved
    finally:
        clerk.close()


class FullDisk(LocalBackend):
    """A desk that cannot save anything: the disk is full."""

    def save_draft(self, *_args: Any, **_kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("answer", ["stay", "discard"])
def test_closing_with_an_edit_that_cannot_be_saved_asks_and_staying_keeps_the_text(
        qtbot: Any, build: Any, pack: CompiledPack, tmp_path: Path, dialog_guard: DialogScript, answer: str) -> None:
    parts = build(FullDisk(folder=tmp_path / "workspace"))
    form = parts.show(pack, sample_data())
    form.subject.setFocus()
    form.subject.end(False)
    with qtbot.waitSignal(parts.editing.preview_wanted, timeout=15_000):
        qtbot.keyClicks(form.subject, " (typed)")
    qtbot.waitUntil(lambda: parts.session.dirty, timeout=15_000)
    parts.session.timer.stop()
    asked: list[str] = []

    def choose(prompt: CloseUnsavedPrompt) -> None:
        asked.append(prompt.text())
        (prompt.stay if answer == "stay" else prompt.discard).click()

    dialog_guard.expect(CloseUnsavedPrompt, choose)
    assert parts.saving.may_close() is (answer == "discard")
    assert len(asked) == 1
    assert "No space left on device" in asked[0]
    assert form.subject.text().endswith(" (typed)")  # nothing typed is lost by asking
