"""The crash-recovery journal: unsaved edits kept on disk until they reach the database.

One small file per letter (``new.json`` for a letter not yet saved), written atomically, so a
kill -9 loses at most what was typed since the last ``record`` (the window records every ~2 s
of typing). On the next start ``pending()`` lists what can be restored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.core import jsondata
from app.core.errors import LetterInvalid
from app.core.files import atomic_write, make_private_folder, protect_folder
from app.core.records import utc_now


@dataclass(frozen=True)
class JournalEntry:
    letter_id: int | None        # None: a new letter that was never saved
    data: dict[str, Any]
    base_version: int | None     # the version the edit started from
    recorded_at: dt.datetime


class Journal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        protect_folder(folder, "the recovery folder")

    def _path(self, letter_id: int | None) -> Path:
        return self.folder / ("new.json" if letter_id is None else f"letter-{int(letter_id)}.json")

    def record(self, letter_id: int | None, data: dict[str, Any], base_version: int | None = None) -> None:
        make_private_folder(self.folder)
        entry = {"letter_id": letter_id, "base_version": base_version, "recorded_at": utc_now().isoformat(),
                 "data": data}
        atomic_write(self._path(letter_id), json.dumps(entry, ensure_ascii=False).encode("utf-8"))

    def pending(self) -> list[JournalEntry]:
        entries = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                raw = jsondata.load_file(path)
                entries.append(JournalEntry(raw["letter_id"], raw["data"], raw.get("base_version"),
                                            dt.datetime.fromisoformat(raw["recorded_at"])))
            except (OSError, ValueError, KeyError, TypeError, LetterInvalid):
                continue  # a torn file cannot exist (atomic writes); anything else is not ours
        return entries

    def discard(self, letter_id: int | Literal["all"] | None = "all") -> None:
        paths = list(self.folder.glob("*.json")) if letter_id == "all" and self.folder.is_dir() else \
            [] if letter_id == "all" else [self._path(letter_id)]
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
