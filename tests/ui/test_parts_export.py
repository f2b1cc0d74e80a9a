"""The exporting part works from its collaborators alone: a session, a document with its last check, a
desk, its runners, the template library and the preferences, with no window around it (issue 15,
item 2). What it writes is read back with python-docx."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from PySide6.QtWidgets import QWidget

from app.bootstrap import services, template_library
from app.services.checking import check_letter
from app.services.desk import Desk
from app.services.templates import TemplateLibrary
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.controller import Collaborators
from app.ui.dialogs import ExportDialog
from app.ui.document import LetterDocument
from app.ui.exporting import Exporting
from app.ui.profile import Preferences
from app.ui.session import LetterRecord, LetterSession
from app.ui.workers import OpRunner
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, Said

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

PACK = "officials-concern"


@dataclass
class Parts:
    session: LetterSession
    document: LetterDocument
    exporting: Exporting
    prefs: Preferences
    said: Said
    library: TemplateLibrary


@pytest.fixture
def build(qtbot: Any) -> Iterator[Any]:
    made: list[tuple[OpRunner, Desk]] = []

    def parts(desk: Desk) -> Parts:
        host = QWidget()
        qtbot.addWidget(host)
        db = OpRunner(host, threads=1)
        session = LetterSession(desk, db, host)
        document = LetterDocument(host)
        prefs, said, library = Preferences(), Said(), template_library()
        shared = Collaborators(session, document, desk, db, OpRunner(host), lambda: None, said, host)
        exporting = Exporting(shared, library, lambda: prefs)
        made.append((db, desk))
        return Parts(session, document, exporting, prefs, said, library)

    yield parts
    for db, desk in made:
        qtbot.waitUntil(lambda db=db: db.pending == 0, timeout=15_000)
        db.shutdown()
        if isinstance(desk, ServiceBackend):
            desk.close()


def _checked(parts: Parts, data: dict[str, Any]) -> None:
    pack = parts.library.get(PACK)
    parts.document.open(pack, data)
    parts.document.set_check(check_letter(pack, data))


def _fill(dialogs: DialogScript, folder: Path) -> None:
    def fill(dialog: ExportDialog) -> None:
        dialog.folder.setText(str(folder))
        dialog.pdf.setChecked(False)
        dialog.per_addressee.setChecked(False)
        dialog.accept()

    dialogs.expect(ExportDialog, fill)


def _paragraphs(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_a_draft_copy_is_written_from_the_checked_letter_and_the_folder_remembered(
        qtbot: Any, build: Any, tmp_path: Path, dialog_guard: DialogScript) -> None:
    parts = build(LocalBackend(folder=tmp_path / "workspace"))
    data = {**sample_data(), "subject": "Interpreters at the courthouse"}
    _checked(parts, data)
    _fill(dialog_guard, tmp_path / "out")
    with qtbot.waitSignal(parts.exporting.exported, timeout=15_000) as exported:
        parts.exporting.export()
    written = exported.args[0].written
    assert [p.suffix for p in written] == [".docx"]
    assert "Interpreters at the courthouse" in _paragraphs(written[0])
    assert parts.prefs.export_folder == str(tmp_path / "out")
    assert any(line.startswith(f"Exported to {tmp_path / 'out'}") for line, error in parts.said.lines if not error)


def test_nothing_is_exported_before_the_letter_is_checked(qtbot: Any, build: Any, tmp_path: Path) -> None:
    parts = build(LocalBackend(folder=tmp_path / "workspace"))
    parts.document.open(parts.library.get(PACK), sample_data())  # no check has come back yet
    parts.exporting.export()
    assert parts.said.lines == [("The letter cannot be exported yet: fix what Preflight lists.", True)]


def test_the_judge_exports_the_approved_letter_through_the_drafts_service(
        qtbot: Any, office: dict[str, str], build: Any, tmp_path: Path, dialog_guard: DialogScript) -> None:
    clerk = services(as_user="clerk")
    try:
        letter_id = clerk.drafts.create(PACK, sample_data()).id
        clerk.drafts.submit(letter_id)
    finally:
        clerk.close()
    judge_services = services(as_user="judge")
    judge_services.drafts.approve(letter_id, 1)
    parts = build(ServiceBackend(judge_services))
    workflow = parts.exporting.desk.workflow
    assert workflow is not None
    detail = workflow.open(letter_id)
    parts.session.open(LetterRecord.of(detail))
    _checked(parts, detail.current.data)
    assert parts.exporting.approved
    _fill(dialog_guard, tmp_path / "final")
    with qtbot.waitSignal(parts.session.record_changed, timeout=15_000) as recorded:
        parts.exporting.export()
    assert recorded.args[0].status.value == "exported"  # the drafts service recorded the export
    written = tmp_path / "final"
    files = sorted(written.glob("*.docx"))
    assert len(files) == 1
    assert "DRAFT" not in _paragraphs(files[0])
    assert sample_data()["subject"] in _paragraphs(files[0])
