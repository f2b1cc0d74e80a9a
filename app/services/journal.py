"""The crash-recovery journal: unsaved edits kept on disk until they reach the database.

One small file per letter (``new.json`` for a letter not yet saved), written atomically, so a
kill -9 loses at most what was typed since the last ``record`` (the window records every ~2 s
of typing). On the next start ``pending()`` lists what can be restored.

Each user has a folder of their own under the journal root, and every entry names its user:
several people share a computer (and its journal root), and one person's unsaved edit is never
offered to another as "your last edit".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
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


_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_.-]{0,62}")


def user_folder(root: Path, user: str) -> Path:
    """``root``/``user``; a name that is not a plain user name gets a folder named by its hash."""
    if _PLAIN_NAME.fullmatch(user):
        return root / user
    return root / ("user-" + hashlib.sha256(user.encode("utf-8")).hexdigest()[:16])


class Journal:
    """The journal of one user (``owner``, asked when first needed: the user is resolved lazily)."""

    def __init__(self, root: Path, owner: str | Callable[[], str]) -> None:
        self.root = root
        self._owner = owner
        protect_folder(root, "the recovery folder")

    @property
    def owner(self) -> str:
        return self._owner if isinstance(self._owner, str) else self._owner()

    @property
    def folder(self) -> Path:
        return user_folder(self.root, self.owner)

    def _path(self, letter_id: int | None) -> Path:
        return self.folder / ("new.json" if letter_id is None else f"letter-{int(letter_id)}.json")

    def record(self, letter_id: int | None, data: dict[str, Any], base_version: int | None = None) -> None:
        make_private_folder(self.folder)
        entry = {"letter_id": letter_id, "base_version": base_version, "recorded_at": utc_now().isoformat(),
                 "user": self.owner, "data": data}
        atomic_write(self._path(letter_id), json.dumps(entry, ensure_ascii=False).encode("utf-8"))

    def pending(self) -> list[JournalEntry]:
        entries = []
        owner, folder = self.owner, self.folder
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                raw = jsondata.load_file(path)
                if raw.get("user") != owner:
                    continue  # copied or moved here from someone else's folder: not this user's edit
                entries.append(JournalEntry(raw["letter_id"], raw["data"], raw.get("base_version"),
                                            dt.datetime.fromisoformat(raw["recorded_at"])))
            except (OSError, ValueError, KeyError, TypeError, LetterInvalid):
                continue  # a torn file cannot exist (atomic writes); anything else is not ours
        return entries

    def discard(self, letter_id: int | Literal["all"] | None = "all") -> None:
        folder = self.folder
        paths = list(folder.glob("*.json")) if letter_id == "all" and folder.is_dir() else \
            [] if letter_id == "all" else [self._path(letter_id)]
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
