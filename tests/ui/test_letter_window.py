"""The window driven as a clerk and a judge would, with the exported letter read back."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.bootstrap import services
from app.ui.dialogs import ExportDialog, TemplateGallery
from app.ui.main_window import MainWindow
from tests.ui.conftest import DialogScript, close_window, make_window, wait_ready

# The offscreen platform cannot pass size hints on; that warning says nothing about the window.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

CLAUSE_WORDS = "sensitive locations"


def _type(qtbot: Any, widget: Any, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def _add_addressee(qtbot: Any, window: MainWindow, name: str, title: str, organization: str,
                   lines: list[str]) -> None:
    editor = window.form.addressees  # type: ignore[union-attr]
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.name, name)
    _type(qtbot, editor.title, title)
    _type(qtbot, editor.organization, organization)
    editor.address.setFocus()
    for i, line in enumerate(lines):
        if i:
            qtbot.keyClick(editor.address, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.address, line)


def _export(dialogs: DialogScript, folder: Path, *, pdf: bool = False, per_addressee: bool = False) -> None:
    def fill(dialog: ExportDialog) -> None:
        dialog.folder.setText(str(folder))
        dialog.pdf.setChecked(pdf)
        dialog.per_addressee.setChecked(per_addressee)
        dialog.accept()

    dialogs.expect(ExportDialog, fill)


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def _header_text(path: Path) -> str:
    section = docx.Document(str(path)).sections[0]
    return "\n".join(p.text for p in section.first_page_header.paragraphs + section.header.paragraphs)


def test_first_start_shows_the_flagship_letter_and_its_preview(qtbot: Any) -> None:
    window = make_window(qtbot)
    form = window.form
    assert form is not None
    assert form.subject.text() == "Immigration enforcement in California courthouses"
    assert form.addressees.list.count() == 2
    text = window.preview.plain_text()
    assert "Dear Attorney General Sessions and Secretary Kelly:" in text
    assert "March 16, 2017" in text
    assert window.preflight.paths() == []
    assert window.export_action.isEnabled()
    close_window(qtbot, window)


def test_clerk_drafts_submits_and_judge_approves_and_exports(qtbot: Any, office: dict[str, str],
                                                            dialog_guard: DialogScript, tmp_path: Path) -> None:
    clerk = make_window(qtbot, "clerk")
    assert not clerk.approve_action.isEnabled()
    assert "clerk may not approve" in clerk.approve_action.toolTip()

    def choose(gallery: TemplateGallery) -> None:
        names = [gallery.list.item(i).text() for i in range(gallery.list.count())]
        assert any("Letter of concern to officials" in n and "Chief Justice" in n for n in names)
        gallery.choose("officials-concern")
        gallery.accept()

    dialog_guard.expect(TemplateGallery, choose)
    clerk.new_action.trigger()
    qtbot.waitUntil(lambda: clerk.form is not None and clerk.form.subject.text() == "", timeout=10_000)
    wait_ready(qtbot, clerk)
    form = clerk.form
    assert form is not None
    assert "subject" in clerk.preflight.paths()

    _type(qtbot, form.subject, "Arrests at the Fresno County courthouse")
    _add_addressee(qtbot, clerk, "Jeff Sessions", "Attorney General of the United States",
                   "U.S. Department of Justice", ["950 Pennsylvania Avenue, NW", "Washington, DC 20530-0001"])
    assert form.addressees.salutation_preview.text() == "Dear Attorney General Sessions:"
    assert form.addressees.inside_address.text().splitlines()[:2] == [
        "The Honorable Jeff Sessions", "Attorney General of the United States"]
    _add_addressee(qtbot, clerk, "John F. Kelly", "Secretary of Homeland Security",
                   "U.S. Department of Homeland Security", ["Washington, DC 20528"])
    assert form.addressees.joint_salutation.text() == "Dear Attorney General Sessions and Secretary Kelly:"

    _type(qtbot, form.sections["opening"].editors()[0], "I write about arrests in our courthouses.")
    concerns = form.sections["concerns"]
    first = concerns.editors()[0]
    _type(qtbot, first, "Witnesses stay away from court.")
    qtbot.keyClick(first, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    second = concerns.editors()[1]
    assert second.hasFocus()
    qtbot.keyClicks(second, "Victims no longer seek protective orders.")
    qtbot.keyClick(second, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert concerns.values() == ["Victims no longer seek protective orders.", "Witnesses stay away from court."]
    assert concerns.editors()[0].hasFocus()

    policies = form.sections["requested_policies"]
    qtbot.mouseClick(policies.add_button, Qt.MouseButton.LeftButton)
    _type(qtbot, clerk.clause_bank.search, CLAUSE_WORDS)
    qtbot.waitUntil(lambda: clerk.clause_bank.list.count() == 1, timeout=10_000)
    assert CLAUSE_WORDS in clerk.clause_bank.list.item(0).text()
    qtbot.mouseClick(clerk.clause_bank.insert_at_cursor, Qt.MouseButton.LeftButton)
    assert CLAUSE_WORDS in policies.values()[0]

    qtbot.waitUntil(lambda: "Arrests at the Fresno County courthouse" in clerk.preview.plain_text()
                    and CLAUSE_WORDS in clerk.preview.plain_text(), timeout=30_000)
    text = clerk.preview.plain_text()
    assert text.index("Victims no longer seek") < text.index("Witnesses stay away")
    qtbot.waitUntil(lambda: clerk.last_check is not None and clerk.last_check.exportable, timeout=30_000)

    clerk.save_action.trigger()
    qtbot.waitUntil(lambda: clerk.letter_id is not None, timeout=10_000)
    letter_id = clerk.letter_id
    qtbot.waitUntil(clerk.submit_action.isEnabled, timeout=30_000)
    clerk.submit_action.trigger()
    qtbot.waitUntil(lambda: clerk.status == "in_review", timeout=10_000)
    close_window(qtbot, clerk)

    judge = make_window(qtbot, "judge")
    assert "judge may not submit" in judge.submit_action.toolTip()
    qtbot.waitUntil(lambda: letter_id in judge.drafts.ids(), timeout=10_000)
    tree = judge.drafts.tree
    tree.setCurrentItem(tree.topLevelItem(judge.drafts.ids().index(letter_id)))
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: judge.letter_id == letter_id and judge.form is not None
                    and judge.form.subject.text().startswith("Arrests"), timeout=10_000)
    wait_ready(qtbot, judge)
    assert judge.form is not None
    assert judge.form.subject.isReadOnly()
    assert "judge may not edit" in judge.form.subject.toolTip()
    qtbot.waitUntil(judge.approve_action.isEnabled, timeout=30_000)
    assert "DRAFT" in judge.preview.plain_text()  # in review: the template's draft mark
    judge.approve_action.trigger()
    qtbot.waitUntil(lambda: judge.status == "approved", timeout=10_000)
    wait_ready(qtbot, judge)
    # The preview says what is true of the letter on screen now, without another edit.
    qtbot.waitUntil(lambda: "Approved version 1 by Judge" in judge.preview.plain_text(), timeout=30_000)
    assert "DRAFT" not in judge.preview.plain_text()
    assert judge.exporting.approved
    assert not judge.approve_action.isEnabled()

    out = tmp_path / "out"
    _export(dialog_guard, out)
    judge.export_action.trigger()
    name = f"{dt.date.today().isoformat()} Letter to Attorney General Sessions and Secretary Kelly.docx"
    qtbot.waitUntil(lambda: (out / name).exists() and judge.status == "exported", timeout=15_000)
    assert dialog_guard.opened_urls
    assert dialog_guard.opened_urls[-1].endswith("/out")

    paragraphs = _paragraphs(out / name)
    body = "\n".join(paragraphs)
    assert "Dear Attorney General Sessions and Secretary Kelly:" in paragraphs
    assert "Arrests at the Fresno County courthouse" in body
    assert body.index("Victims no longer seek") < body.index("Witnesses stay away")
    assert CLAUSE_WORDS in body
    assert "DRAFT" not in _header_text(out / name)
    check = services(as_user="judge")
    try:
        approval = check.drafts.get(letter_id).approval  # type: ignore[arg-type]
        assert approval is not None
        assert (out / name).read_bytes() == approval.docx
    finally:
        check.close()
    close_window(qtbot, judge)


def test_without_database_the_clerk_exports_a_draft_and_is_asked_before_overwriting(
        qtbot: Any, dialog_guard: DialogScript, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot)
    assert not window.submit_action.isEnabled()
    assert "drafts database" in window.submit_action.toolTip()
    out = tmp_path / "letters"
    _export(dialog_guard, out, per_addressee=True)
    window.export_action.trigger()
    first = out / "2017-03-16 Letter to Attorney General Sessions.docx"
    second = out / "2017-03-16 Letter to Secretary Kelly.docx"
    qtbot.waitUntil(lambda: first.exists() and second.exists(), timeout=10_000)
    assert "Dear Secretary Kelly:" in _paragraphs(second)
    assert "DRAFT" in _header_text(first)

    asked: list[str] = []

    def no(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(no))
    before = first.stat().st_mtime_ns
    _export(dialog_guard, out, per_addressee=True)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: bool(asked), timeout=30_000)
    assert first.name in asked[0]
    assert first.stat().st_mtime_ns == before
    close_window(qtbot, window)


def test_preflight_entries_focus_their_fields_and_undo_restores(qtbot: Any) -> None:
    window = make_window(qtbot)
    form = window.form
    assert form is not None
    form.subject.setFocus()
    form.subject.selectAll()
    qtbot.keyClick(form.subject, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: "subject" in window.preflight.paths(), timeout=30_000)
    assert not window.export_action.isEnabled()
    form.sections["concerns"].editors()[0].setFocus()
    row = window.preflight.paths().index("subject")
    item = window.preflight.list.item(row)
    window.preflight.list.setCurrentItem(item)
    window.preflight.list.setFocus()
    qtbot.keyClick(window.preflight.list, Qt.Key.Key_Return)
    assert form.subject.hasFocus()

    window.undo_action.trigger()
    assert form.subject.text() == "Immigration enforcement in California courthouses"
    qtbot.waitUntil(lambda: window.preflight.paths() == [], timeout=30_000)

    concerns = form.sections["concerns"]
    original = concerns.values()
    concerns.editors()[2].setFocus()
    qtbot.keyClick(concerns.editors()[2], Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert concerns.values()[3] == original[2]
    window.undo_action.trigger()
    assert concerns.values() == original
    close_window(qtbot, window)


def test_text_word_cannot_hold_is_listed_and_cleaned(qtbot: Any) -> None:
    window = make_window(qtbot)
    form = window.form
    assert form is not None
    form.reference.setFocus()
    form.reference.setText("CJ-2017\x07-03")
    qtbot.waitUntil(lambda: "reference" in window.preflight.paths(), timeout=30_000)
    assert window.preflight.clean_button.isVisible()
    qtbot.mouseClick(window.preflight.clean_button, Qt.MouseButton.LeftButton)
    assert form.reference.text() == "CJ-2017-03"
    qtbot.waitUntil(lambda: window.preflight.paths() == [], timeout=30_000)
    close_window(qtbot, window)


def test_fast_preview_follows_typing(qtbot: Any) -> None:
    window = make_window(qtbot)
    form = window.form
    assert form is not None
    _type(qtbot, form.subject, " and beyond")
    qtbot.waitUntil(lambda: "courthouses and beyond" in window.preview.plain_text(), timeout=30_000)
    # What the check measured is for `make bench` to report; a test's verdict never reads the clock.
    qtbot.waitUntil(lambda: window.last_check is not None and window.last_check.letter is not None
                    and window.last_check.letter.subject.endswith("and beyond"), timeout=30_000)
    close_window(qtbot, window)


def test_autosave_restores_the_letter_after_a_restart(qtbot: Any) -> None:
    window = make_window(qtbot)
    form = window.form
    assert form is not None
    _type(qtbot, form.subject, " (second draft)")
    window.save_action.trigger()
    qtbot.waitUntil(lambda: not window.dirty, timeout=30_000)
    assert window.save_state.text().startswith("Saved")
    close_window(qtbot, window)
    again = make_window(qtbot, fresh=False)
    assert again.form is not None
    assert again.form.subject.text().endswith("(second draft)")
    close_window(qtbot, again)


def test_screenshot_option_writes_a_png(tmp_path: Path, qtbot: Any) -> None:
    from app.ui.app import _screenshot as shoot
    from app.ui.app import build_window, parse_args

    args = parse_args(["--screenshot", str(tmp_path / "shot.png"), "--size", "1200x800"])
    window = build_window(args, fresh=True)
    qtbot.addWidget(window)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert shoot(app, window, args.screenshot, args.size) == 0
    data = (tmp_path / "shot.png").read_bytes()
    assert data.startswith(b"\x89PNG")
    assert io.BytesIO(data).getbuffer().nbytes > 10_000


def test_a_judge_cannot_start_or_save_a_letter_and_is_told_why(qtbot: Any, office: dict[str, str]) -> None:
    window = make_window(qtbot, office["judge"], ready=False)
    try:
        # A judge's start is the letters waiting for review, never the sample letter as someone else's draft.
        qtbot.waitUntil(lambda: "No letters are waiting for your review" in window.placeholder.text(),
                        timeout=10_000)
        assert window.form is None
        assert not window.new_action.isEnabled()
        assert "judge may not" in window.new_action.toolTip()
        assert not window.save_action.isEnabled()
        assert window.approve_action.toolTip()  # approve exists for a judge (disabled until a letter is in review)
    finally:
        close_window(qtbot, window)
    clerk = make_window(qtbot, office["clerk"])
    try:
        assert clerk.new_action.isEnabled()
        assert clerk.save_action.isEnabled()
    finally:
        close_window(qtbot, clerk)


def test_an_approved_letter_opened_from_the_drafts_is_previewed_as_approved(
        qtbot: Any, office: dict[str, str]) -> None:
    """The letter's record is set once its text is in place: the preview is checked again then, so an
    approved letter opened later says so (it said "DRAFT — not approved" until the next edit)."""
    from contextlib import closing

    from app.core import jsondata
    from app.services.templates import SHIPPED

    sample = jsondata.load_file(SHIPPED / "officials-concern" / "sample.json")
    with closing(services(as_user="clerk")) as clerk:
        letter = clerk.drafts.create("officials-concern", sample)
        clerk.drafts.submit(letter.id)
    with closing(services(as_user="judge")) as judge_desk:
        judge_desk.drafts.approve(letter.id, judge_desk.drafts.get(letter.id).summary.version)
    judge = make_window(qtbot, "judge", ready=False)
    judge.open_record(letter.id)
    qtbot.waitUntil(lambda: judge.letter_id == letter.id and judge.status == "approved", timeout=15_000)
    wait_ready(qtbot, judge)
    qtbot.waitUntil(lambda: "Approved version 1 by Judge" in judge.preview.plain_text(), timeout=30_000)
    assert "DRAFT" not in judge.preview.plain_text()
