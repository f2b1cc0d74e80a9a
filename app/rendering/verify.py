"""Checks on a written .docx, cheap enough to run on every file we write."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from app.core.zip_directory import plain_names

WORD_MAIN_PART = "word/document.xml"
_MAIN_PART = WORD_MAIN_PART.encode("ascii")


def check_docx_file(path: Path, data: bytes | None = None, *, full: bool = False) -> None:
    """Raise ``OSError`` unless ``path`` is a readable zip with a Word main part.

    ``data`` is the file's content as the writer read it back (``app.core.files`` has compared it
    with the bytes we built, so it is the file's content): the zip directory is checked in those
    bytes rather than by opening the file again, and a plain one without zipfile
    (``app.core.zip_directory``). Every part we rendered was parsed as XML in memory; so by
    default only the zip directory is read. ``full`` also decompresses and CRC-checks every
    part (0.3 ms a letter).
    """
    if data is not None and not full:
        names = plain_names(data)
        if names is not None and _MAIN_PART in names:
            return
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            bad = archive.testzip() if full else None
            if bad is not None:
                raise OSError(f"{path}: part {bad} is damaged")
            if WORD_MAIN_PART not in archive.namelist():
                raise OSError(f"{path}: written file has no word/document.xml")
    except (zipfile.BadZipFile, UnicodeDecodeError, NotImplementedError) as exc:
        # zipfile says a name that is not UTF-8, or a zip version it cannot read, in errors of its
        # own: each is a file that is not a .docx we could have written, said so, not a crash.
        raise OSError(f"{path}: written file is not a valid .docx ({exc})") from None
