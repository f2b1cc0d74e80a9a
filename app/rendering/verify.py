"""Checks on a written .docx, cheap enough to run on every file we write."""

from __future__ import annotations

import zipfile
from pathlib import Path


def check_docx_file(path: Path, *, full: bool = False) -> None:
    """Raise ``OSError`` unless ``path`` is a readable zip with a Word main part.

    ``atomic_write`` has already compared the file's bytes with the ones we built, and every
    part we rendered was parsed as XML in memory; so by default only the zip directory is
    read back. ``full`` also decompresses and CRC-checks every part (0.3 ms a letter).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip() if full else None
            if bad is not None:
                raise OSError(f"{path}: part {bad} is damaged")
            if "word/document.xml" not in archive.namelist():
                raise OSError(f"{path}: written file has no word/document.xml")
    except zipfile.BadZipFile as exc:
        raise OSError(f"{path}: written file is not a valid .docx ({exc})") from None
