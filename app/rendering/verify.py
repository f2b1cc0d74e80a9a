"""Checks on a written .docx, cheap enough to run on every file we write."""

from __future__ import annotations

import zipfile
from pathlib import Path


def check_docx_file(path: Path) -> None:
    """Raise ``OSError`` unless ``path`` is a readable zip with a Word main part."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad is not None:
                raise OSError(f"{path}: part {bad} is damaged")
            if "word/document.xml" not in archive.namelist():
                raise OSError(f"{path}: written file has no word/document.xml")
    except zipfile.BadZipFile as exc:
        raise OSError(f"{path}: written file is not a valid .docx ({exc})") from None
