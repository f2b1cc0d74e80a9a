"""A PDF dropped on the review pane gets the verdict `chambers verify X.pdf` gives, in words: a signed
export is valid, a byte changed inside it is "modified", and only a single .pdf file is taken."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from app.services.signing import PdfVerdict
from app.ui.pdf_verdict import PdfVerdictDrop
from app.ui.workers import OpRunner
from tests.signing_office import PASSPHRASE
from tests.storage.dbfixtures import JUDGE_FULL_NAME
from tests.ui.test_signing_dialog import Chambers, ca, chambers, runner, tani_cert  # noqa: F401

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _drop(widget: PdfVerdictDrop, *paths: Path) -> bool:
    """Drag ``paths`` over ``widget`` and drop them; whether the drag was accepted."""
    mime = _mime(*paths)
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    widget.dragEnterEvent(enter)
    if not enter.isAccepted():
        return False
    widget.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    return True


def _verdict(qtbot: Any, widget: PdfVerdictDrop) -> tuple[int | None, str, str]:
    qtbot.waitUntil(lambda: widget.checking is None and widget.code is not None, timeout=60_000)
    return widget.code, widget.headline.text(), widget.message.text()


def test_only_one_pdf_file_is_taken_and_the_services_verdict_is_said(qtbot: Any, runner: OpRunner,  # noqa: F811
                                                                      tmp_path: Path) -> None:
    asked: list[Path] = []

    def verify(path: Path) -> PdfVerdict:
        asked.append(path)
        return PdfVerdict(6, "signed by Ming W. Chin, but the letter's signatory is Tani G. Cantil-Sakauye")

    widget = PdfVerdictDrop(verify, runner)
    qtbot.addWidget(widget)
    letter = tmp_path / "letter.pdf"
    assert not _drop(widget, tmp_path / "letter.docx")
    assert not _drop(widget, letter, tmp_path / "other.pdf")
    assert asked == []
    assert _drop(widget, letter)
    code, headline, message = _verdict(qtbot, widget)
    assert asked == [letter]
    assert code == 6
    assert headline == "letter.pdf: Not signed by the letter's signatory (6)"
    assert "signed by Ming W. Chin" in message


@pytest.mark.libreoffice
def test_a_signed_export_is_valid_and_a_changed_byte_is_modified(
        qtbot: Any, chambers: Chambers, runner: OpRunner, libreoffice: None) -> None:  # noqa: F811
    tani = chambers.judge()
    out, pdf = chambers.folder / "letter.docx", chambers.folder / "letter.pdf"
    tani.signing.export_signed(chambers.letter, out, pdf, str(chambers.key()), lambda: PASSPHRASE)
    widget = PdfVerdictDrop(chambers.judge().signing.verify_pdf, runner)
    qtbot.addWidget(widget)
    assert _drop(widget, pdf)
    code, headline, message = _verdict(qtbot, widget)
    assert code == 0, message
    assert headline == "letter.pdf: Valid: signed by the letter's signatory (0)"
    assert f"signed by {JUDGE_FULL_NAME}" in message

    data = bytearray(pdf.read_bytes())
    where = data.index(b"Immigration enforcement")     # inside the signed bytes (the metadata)
    data[where] = ord("X")
    changed = chambers.folder / "changed.pdf"
    changed.write_bytes(bytes(data))
    assert _drop(widget, changed)
    code, headline, message = _verdict(qtbot, widget)
    assert code == 1, message
    assert headline == "changed.pdf: Modified after signing (1)"


def test_the_review_pane_takes_a_dropped_pdf_and_says_it_needs_the_database_alone(
        qtbot: Any, window: Any, tmp_path: Path) -> None:
    alone = window()              # this computer alone: no trust anchors, no approvals to check against
    widget = alone.review.findChild(PdfVerdictDrop)
    assert widget is alone.pdf_verdict
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    assert _drop(widget, pdf)
    code, headline, message = _verdict(qtbot, widget)
    assert code == 9
    assert headline == "letter.pdf: Could not be checked"
    assert "needs the drafts database" in message
