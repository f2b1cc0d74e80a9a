"""The review pane's check of an exported PDF: drop it (or choose it) and read the verdict in words.

The verdict is the one ``chambers verify X.pdf`` gives (``Signing.verify_pdf``): the same service,
the same numbers, the same sentence; the widget only adds a headline and a colour. It is given
the verify callable and a runner in its constructor, so it knows nothing of the window; the
check runs off the GUI thread (pyHanko and the database can take a second).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.workers import describe_error

if TYPE_CHECKING:
    from app.services.signing import PdfVerdict

# The verify exit codes (app.services.drafts and app.services.signing), as a headline each.
HEADLINES = {
    0: "Valid: signed by the letter's signatory",
    1: "Modified after signing",
    2: "Not a signed letter from this office",
    3: "Signed, but the approval was withdrawn",
    5: "The signer's certificate is not trusted",
    6: "Not signed by the letter's signatory",
    7: "No such file",
    8: "Not approved by the letter's signatory",
    9: "Could not be checked",
}
GOOD, BAD = "#1a7f37", "#b3261e"


def _pdf_of(urls: list[Any]) -> Path | None:
    """The one local .pdf file among dropped URLs, or None."""
    files = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    return files[0] if len(files) == 1 and files[0].suffix.lower() == ".pdf" else None


class PdfVerdictDrop(QFrame):
    """A drop target for an exported PDF, and the verdict on it."""

    def __init__(self, verify: Callable[[Path], PdfVerdict], runner: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._verify = verify
        self._runner = runner
        self.checking: Path | None = None
        self.code: int | None = None     # the last verdict's number (``verify``'s exit code)
        self.setObjectName("pdf-verdict")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Check an exported PDF"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        row = QHBoxLayout()
        self.hint = QLabel(self.tr("Drop an exported PDF here to check its signature"), self)
        self.hint.setWordWrap(True)
        row.addWidget(self.hint, 1)
        self.choose = QPushButton(self.tr("Check a P&DF…"), self)
        self.choose.setAccessibleName(self.tr("Choose a PDF to check"))
        self.choose.clicked.connect(self._pick)
        row.addWidget(self.choose)
        layout.addLayout(row)
        self.headline = QLabel("", self)
        self.headline.setObjectName("pdf-verdict-headline")
        self.headline.setWordWrap(True)
        self.headline.hide()
        layout.addWidget(self.headline)
        self.message = QLabel("", self)
        self.message.setObjectName("pdf-verdict-message")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("What the check found"))
        self.message.hide()
        layout.addWidget(self.message)

    # --- dropping ---------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and _pdf_of(event.mimeData().urls()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _pdf_of(event.mimeData().urls()) if event.mimeData().hasUrls() else None
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.check(path)

    def _pick(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Check a signed PDF"), str(Path.home()),
                                              self.tr("PDF (*.pdf)"))
        if path:
            self.check(Path(path))

    # --- checking ---------------------------------------------------------------------------
    def check(self, path: Path) -> None:
        """Verify ``path`` off the GUI thread; a later check replaces an earlier one on screen."""
        self.checking = path
        self.code = None
        self._show(self.tr("Checking {name}…").format(name=path.name), "", None)
        verify = self._verify

        def shown(verdict: PdfVerdict) -> None:
            if self.checking == path:
                self.checking = None
                self.code = verdict.code
                headline = self.tr(HEADLINES.get(verdict.code, "Verdict {code}")).format(code=verdict.code)
                self._show(f"{path.name}: {headline} ({verdict.code})", verdict.message, verdict.code == 0)

        def failed(exc: BaseException) -> None:
            if self.checking == path:
                self.checking = None
                self.code = 9
                self._show(f"{path.name}: {self.tr(HEADLINES[9])}", describe_error(exc), False)

        self._runner.run(lambda: verify(path), shown, failed)

    def _show(self, headline: str, message: str, good: bool | None) -> None:
        self.headline.setText(headline)
        self.headline.setStyleSheet("" if good is None else f"font-weight: 600; color: {GOOD if good else BAD}")
        self.headline.show()
        self.message.setText(message)
        self.message.setVisible(bool(message))
