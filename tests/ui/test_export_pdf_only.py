"""Export > PDF only of an approved letter: the window asks the drafts service, which releases the
approved bytes (audited on PostgreSQL, where a judge's own login reads them empty) and checks them
before the PDF is made; "approved" is the record's status and approval, never the bytes."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from app.bootstrap import services, template_library
from app.core.workflow import Status
from app.ui.backend import ServiceBackend
from app.ui.dialogs import ExportDialog
from app.ui.main_window import MainWindow
from app.ui.profile import Preferences
from tests.conftest import sample_data
from tests.storage.dbfixtures import office as office_at
from tests.storage.dbfixtures import postgres_template, postgres_url  # noqa: F401
from tests.storage.test_postgres_enforcement import login_url, roles  # noqa: F401
from tests.ui.conftest import DialogScript, close_window, flagship_profile, show_window, wait_ready

pytestmark = [pytest.mark.gui, pytest.mark.libreoffice,
              pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

NAME = "2017-03-16 Letter to Attorney General Sessions and Secretary Kelly.pdf"
COPIES = ["2017-03-16 Letter to Attorney General Sessions.pdf", "2017-03-16 Letter to Secretary Kelly.pdf"]


def _approved_letter(clerk_url: str, judge_url: str) -> int:
    clerk, judge = office_at(clerk_url, "ann"), office_at(judge_url, "tani")
    try:
        letter = clerk.drafts.create("officials-concern", sample_data()).id
        clerk.drafts.submit(letter)
        judge.drafts.approve(letter, expect_version=1)
        return letter
    finally:
        clerk.close()
        judge.close()


def _export_pdf_only(qtbot: Any, dialogs: DialogScript, letter_id: int, url: str, owner_url: str,
                     folder: Path, *, per_addressee: bool = False) -> None:
    """The judge ``tani`` opens ``letter_id`` on ``url`` and exports it as PDF only (one per addressee)."""
    prefs = Preferences(user="tani", role="judge", profile=flagship_profile())
    backend = ServiceBackend(services(url, as_user="tani"))
    backend.restore = lambda: None  # type: ignore[method-assign]  # a fresh start: nothing to restore
    judge = show_window(qtbot, MainWindow(template_library(), prefs, backend, QSettings()), ready=False)
    try:
        qtbot.waitUntil(lambda: letter_id in judge.drafts.ids(), timeout=30_000)
        tree = judge.drafts.tree
        tree.setCurrentItem(tree.topLevelItem(judge.drafts.ids().index(letter_id)))
        tree.setFocus()
        qtbot.keyClick(tree, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: judge.letter_id == letter_id and judge.status == "approved", timeout=30_000)
        wait_ready(qtbot, judge)
        assert judge.exporting.approved

        def pdf_only(dialog: ExportDialog) -> None:
            assert dialog.pdf.isEnabled()
            dialog.folder.setText(str(folder))
            dialog.docx.setChecked(False)
            dialog.pdf.setChecked(True)
            dialog.per_addressee.setChecked(per_addressee)
            dialog.accept()

        dialogs.expect(ExportDialog, pdf_only)
        judge.export_action.trigger()
        qtbot.waitUntil(lambda: judge.status == "exported", timeout=60_000)  # a hang guard: LibreOffice converts
        names = COPIES if per_addressee else [NAME]
        assert sorted(p.name for p in folder.iterdir()) == names  # no .docx written unasked
        text = subprocess.run(["pdftotext", str(folder / names[-1]), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert ("Dear Secretary Kelly:" if per_addressee else "Dear Attorney General Sessions and Secretary Kelly:") \
            in text
        assert "DRAFT" not in text
    finally:
        close_window(qtbot, judge)
    owner = office_at(owner_url)
    try:
        assert owner.drafts.get(letter_id).summary.status is Status.EXPORTED
        _summary, _versions, events = owner.drafts.history(letter_id)
    finally:
        owner.close()
    assert [e.actor for e in events if e.action == "export_final"] == ["tani"]


def test_the_judge_exports_the_approved_letter_as_pdf_only_on_sqlite(
        qtbot: Any, dialog_guard: DialogScript, tmp_path: Path, libreoffice: None) -> None:
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    _export_pdf_only(qtbot, dialog_guard, _approved_letter(url, url), url, url, tmp_path / "out")


def test_the_judge_exports_one_pdf_per_addressee_and_no_docx_on_sqlite(
        qtbot: Any, dialog_guard: DialogScript, tmp_path: Path, libreoffice: None) -> None:
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    _export_pdf_only(qtbot, dialog_guard, _approved_letter(url, url), url, url, tmp_path / "out", per_addressee=True)


@pytest.mark.postgres
def test_a_judges_own_login_exports_pdf_only_from_the_released_bytes_on_postgres(
        qtbot: Any, dialog_guard: DialogScript, roles: str, tmp_path: Path, libreoffice: None) -> None:  # noqa: F811
    letter = _approved_letter(login_url(roles, "ann"), login_url(roles, "tani"))
    _export_pdf_only(qtbot, dialog_guard, letter, login_url(roles, "tani"), roles, tmp_path / "out")
    owner = office_at(roles)
    try:
        _summary, _versions, events = owner.drafts.history(letter)
    finally:
        owner.close()
    assert [e.actor for e in events if e.action == "approved_letter_released"] == ["tani"]
