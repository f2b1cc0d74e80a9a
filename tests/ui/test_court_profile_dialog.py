"""Office > Court profile…: an admin sets the office's letterhead in the window, and the clerk's
next new letter prints it (issue 9, item 4)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.bootstrap import services
from app.rendering.engine import SEAL_MEDIA
from app.ui.court_profile import CourtProfileDialog
from app.ui.dialogs import TemplateGallery
from tests.conftest import sample_data
from tests.services.test_court_profile import png, reference
from tests.ui.conftest import DialogScript, WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def test_a_clerk_sees_court_profile_disabled_and_why(qtbot: Any, office: dict[str, str],
                                                     window: WindowFactory) -> None:
    clerk = window("clerk")
    assert not clerk.court_profile_action.isEnabled()
    assert clerk.court_profile_action.toolTip() == ("A clerk may not change the court profile (the letterhead "
                                                    "every letter prints); that needs an admin")
    admin = window("admin")
    assert admin.court_profile_action.isEnabled()


def test_on_this_computer_alone_the_letterhead_is_in_preferences(qtbot: Any, window: WindowFactory) -> None:
    alone = window()
    assert not alone.court_profile_action.isEnabled()
    assert "Preferences > Court profile" in alone.court_profile_action.toolTip()


def test_an_admin_sets_the_letterhead_and_the_clerks_new_letter_prints_it(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seal = png(150, 150, shade=0x31)
    seal_file = tmp_path / "our-seal.png"
    seal_file.write_bytes(seal)
    wrong_file = tmp_path / "tiny.png"
    wrong_file.write_bytes(png(8, 8))
    chosen = [str(wrong_file), str(seal_file)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (chosen.pop(0), "")))
    admin = window("admin")
    seen: dict[str, Any] = {}

    def edit(dialog: CourtProfileDialog) -> None:
        qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=10_000)
        assert dialog.seal_note.text() == "The placeholder seal (names no court)"
        dialog.court.clear()
        qtbot.keyClicks(dialog.court, "Superior Court of Sierra Vista")
        qtbot.keyClicks(dialog.chambers, "Chambers of the Presiding Judge")
        dialog.address.setPlainText("Hall of Justice\n400 Courthouse Square")
        qtbot.keyClicks(dialog.signatory_name, "Tani G. Cantil-Sakauye")
        qtbot.keyClicks(dialog.signatory_title, "Presiding Judge")
        qtbot.keyClicks(dialog.phone, "(916) 555-0142")
        qtbot.keyClicks(dialog.email, "chambers@sierravista-court.example")
        # docs/court-profile.png was taken here; a test run writes its own copy, never into the tree.
        shot = dialog.grab()
        assert shot.save(str(tmp_path / "court-profile.png"))
        assert shot.width() >= 700
        qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)  # too small: refused, said why
        seen["refused"] = dialog.message.text()
        qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
        seen["note"] = dialog.seal_note.text()
        assert not dialog.seal_view.pixmap().isNull()
        with qtbot.waitSignal(dialog.saved, timeout=10_000):
            dialog.save_button.click()

    dialog_guard.expect(CourtProfileDialog, edit)
    admin.court_profile_action.trigger()
    assert seen["refused"].startswith("That seal cannot be used: tiny.png is 8x8 pixels")
    assert seen["note"] == "our-seal.png, 150x150 pixels (saved with the profile)"
    s = services(as_user="admin")
    try:
        profile = s.court.get()
    finally:
        s.close()
    assert (profile.court, profile.chambers, profile.seal) == ("Superior Court of Sierra Vista",
                                                               "Chambers of the Presiding Judge", reference(seal))
    assert profile.address == ("Hall of Justice", "400 Courthouse Square")

    clerk = window("clerk")
    qtbot.waitUntil(lambda: clerk.letterhead.defaults is not None, timeout=10_000)

    def choose(gallery: TemplateGallery) -> None:
        gallery.choose("officials-concern")
        gallery.accept()

    dialog_guard.expect(TemplateGallery, choose)
    clerk.new_action.trigger()
    qtbot.waitUntil(lambda: clerk.form is not None
                    and clerk.form.data().get("sender", {}).get("court") == "Superior Court of Sierra Vista",
                    timeout=10_000)
    data = clerk.form.data()
    assert data["sender"]["chambers"] == "Chambers of the Presiding Judge"
    assert data["sender"]["seal"] == reference(seal)
    assert data["signatory"] == {"name": "Tani G. Cantil-Sakauye", "title": "Presiding Judge"}
    # The clerk writes the rest of the letter (the sample's words); the preview renders it.
    sample = sample_data()
    clerk.form.set_data({**data, **{k: sample[k] for k in ("addressees", "opening", "concerns",
                                                             "requested_policies", "closing")}})
    with qtbot.waitSignal(clerk.checked, timeout=15_000):
        qtbot.keyClicks(clerk.form.subject, "Courthouse arrests")
    qtbot.waitUntil(lambda: clerk.last_check is not None and clerk.last_check.docx is not None
                    and clerk.previewer.idle, timeout=15_000)
    assert clerk.last_check is not None
    assert not [p for p in clerk.last_check.problems if p.path.startswith("sender")]
    docx = clerk.last_check.docx
    assert docx is not None
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        assert package.read(SEAL_MEDIA) == seal
    header = Document(io.BytesIO(docx)).sections[0].first_page_header
    lines = [p.text for p in header.paragraphs]
    assert "Superior Court of Sierra Vista" in lines
    assert "Chambers of the Presiding Judge" in lines


def test_on_this_computer_alone_preferences_give_the_chambers_line_to_new_letters(
        qtbot: Any, window: WindowFactory, dialog_guard: DialogScript) -> None:
    from app.ui.dialogs import PreferencesDialog

    alone = window()

    def edit(dialog: PreferencesDialog) -> None:
        dialog.chambers.setText("Chambers of the Chief Justice")
        dialog.accept()

    dialog_guard.expect(PreferencesDialog, edit)
    alone.prefs_action.trigger()
    assert alone.prefs.profile.chambers == "Chambers of the Chief Justice"

    def choose(gallery: TemplateGallery) -> None:
        gallery.choose("officials-concern")
        gallery.accept()

    dialog_guard.expect(TemplateGallery, choose)
    alone.new_action.trigger()
    qtbot.waitUntil(lambda: alone.form is not None and alone.form.subject.text() == "", timeout=10_000)
    assert alone.form is not None
    assert alone.form.court_chambers.text() == "Chambers of the Chief Justice"
    assert alone.form.data()["sender"]["chambers"] == "Chambers of the Chief Justice"
    assert "seal" not in alone.form.data()["sender"]


def test_a_clerk_gives_an_open_letter_the_offices_letterhead_as_one_undoable_edit(
        qtbot: Any, office: dict[str, str], window: WindowFactory) -> None:
    clerk = window("clerk")
    assert clerk.form is not None
    before = clerk.form.data()
    seal = png(70, 70)
    admin = services(as_user="admin")  # the admin sets the profile after the clerk's window opened
    try:
        admin.court.update(0, seal_png=seal, court="Superior Court of Sierra Vista",
                           chambers="Chambers of the Presiding Judge", signatory_name="Tani G. Cantil-Sakauye",
                           signatory_title="Presiding Judge")
    finally:
        admin.close()
    assert clerk.letterhead_action.isEnabled()
    with qtbot.waitSignal(clerk.checked, timeout=15_000):
        clerk.letterhead_action.trigger()
    data = clerk.form.data()
    assert data["sender"] == {"court": "Superior Court of Sierra Vista", "chambers": "Chambers of the Presiding Judge",
                              "address": [], "seal": reference(seal)}
    assert data["signatory"] == {"name": "Tani G. Cantil-Sakauye", "title": "Presiding Judge"}
    assert data["subject"] == before["subject"]
    assert clerk.form.court_chambers.text() == "Chambers of the Presiding Judge"
    assert clerk.undo_action.text() == "&Undo Use the office's letterhead"
    qtbot.waitUntil(lambda: clerk.last_check is not None and clerk.last_check.docx is not None, timeout=15_000)
    assert clerk.last_check is not None
    assert clerk.last_check.docx is not None
    with zipfile.ZipFile(io.BytesIO(clerk.last_check.docx)) as package:
        assert package.read(SEAL_MEDIA) == seal
    clerk.undo_action.trigger()
    assert clerk.form.data()["sender"] == before["sender"]


def test_a_seal_file_too_big_is_refused_before_it_is_read(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    huge = tmp_path / "scan.png"
    with huge.open("wb") as out:  # a sparse 3 GB file: reading it would take the window's memory
        out.truncate(3 * 1024 ** 3)
    read_bytes = Path.read_bytes

    def guarded(self: Path) -> bytes:
        assert self != huge, "the 3 GB file was read"
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    admin = window("admin")
    seen: dict[str, str] = {}

    def choose(dialog: CourtProfileDialog) -> None:
        qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=10_000)
        dialog.take_seal_file(huge)
        seen["message"] = dialog.message.text()
        seen["note"] = dialog.seal_note.text()
        dialog.reject()

    dialog_guard.expect(CourtProfileDialog, choose)
    admin.court_profile_action.trigger()
    assert seen["message"].startswith("That seal cannot be used: scan.png is 3,221,225,472 bytes")
    assert seen["note"] == "The placeholder seal (names no court)"
