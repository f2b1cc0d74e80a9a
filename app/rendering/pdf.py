"""PDF through LibreOffice, headless, each converter with a profile of its own.

LibreOffice refuses to run twice on one user profile, and its first start on a new profile
costs seconds; a ``PdfConverter`` keeps its profile for its lifetime so later conversions are
quicker, and two converters (two threads, two processes) never share one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from app.core.errors import ConversionError
from app.core.files import atomic_write

CANDIDATES = ("soffice", "libreoffice")
DEFAULT_TIMEOUT = 120.0
INSTALL_HINT = ("LibreOffice is not installed, so PDF cannot be made. Install it "
                "(Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui) and try again.")


def find_soffice() -> str | None:
    """The LibreOffice program, from $CHAMBERS_SOFFICE or the PATH, or None."""
    configured = os.environ.get("CHAMBERS_SOFFICE")
    if configured:
        return configured if Path(configured).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class PdfConverter:
    """Converts .docx bytes to PDF bytes with a LibreOffice profile of its own."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._profile = Path(tempfile.mkdtemp(prefix="chambers-lo-"))

    def close(self) -> None:
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> PdfConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def convert(self, docx: bytes) -> bytes:
        soffice = find_soffice()
        if soffice is None:
            raise ConversionError(INSTALL_HINT)
        with tempfile.TemporaryDirectory(prefix="chambers-pdf-") as work:
            source = Path(work) / "letter.docx"
            source.write_bytes(docx)
            command = [
                soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault",
                f"-env:UserInstallation={self._profile.as_uri()}",
                "--convert-to", "pdf:writer_pdf_Export", "--outdir", work, str(source),
            ]
            try:
                proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
            except OSError as exc:
                raise ConversionError(f"LibreOffice could not be started ({exc})") from None
            try:
                _, err = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise ConversionError(
                    f"LibreOffice did not finish the PDF within {self.timeout:g} seconds") from None
            result = Path(work) / "letter.pdf"
            if proc.returncode != 0 or not result.exists():
                detail = err.decode("utf-8", "replace").strip().splitlines()
                raise ConversionError("LibreOffice could not convert the letter to PDF"
                                      + (f": {detail[-1]}" if detail else ""))
            data = result.read_bytes()
        if not data.startswith(b"%PDF"):
            raise ConversionError("LibreOffice produced something that is not a PDF")
        return data


def to_pdf(docx: bytes, out: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Convert ``docx`` bytes to a PDF file at ``out``, atomically."""
    with PdfConverter(timeout) as converter:
        data = converter.convert(docx)
    atomic_write(out, data)
