"""The start card: what the window showed when it last closed, so the next start shows it at once.

A clerk who keeps Chambers open all day mostly sees its start in the morning; the database
(SQLAlchemy and the drafts file or server), the English word list and LibreOffice take longer
to be ready than the window itself. The card remembers who worked here, against which database,
and the letter that was open (its number, version and text as last saved), so the window can
open on that letter while the database opens behind it; the database's own record then replaces
what the card said (app.ui.opening reconciles the two, and a save made meanwhile goes through the
usual version check, so an edit on a letter someone changed since is a conflict, never a silent
overwrite).

The card is a private file in the data folder (owner-only, like the recovery journal), one per
database, written atomically; a missing, unreadable or foreign card is as if there were none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import jsondata
from app.core.errors import LetterInvalid
from app.core.files import atomic_write, make_private_folder
from app.services.views import Identity

FORMAT = 1
FOLDER = "start"


def database_key(url: str) -> str:
    """A database's name on disk: a hash, so a server URL's password never lands in a file name or card."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class ShownLetter:
    """The letter the window showed last, as the database last had it (``id`` None: never saved)."""

    id: int | None
    version: int | None
    status: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class StartCard:
    identity: Identity
    letter: ShownLetter | None
    written_at: str = ""

    @staticmethod
    def path(folder: Path, url: str) -> Path:
        return folder / FOLDER / f"{database_key(url)}.json"

    @classmethod
    def load(cls, folder: Path, url: str) -> StartCard | None:
        """The card for this database, or None when there is none or it cannot be trusted to be one."""
        try:
            raw = jsondata.load_file(cls.path(folder, url))
        except LetterInvalid:
            return None
        try:
            return cls._parse(raw, url)
        except (KeyError, TypeError, ValueError):
            return None

    @classmethod
    def _parse(cls, raw: object, url: str) -> StartCard | None:
        if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("database_key") != database_key(url):
            return None
        who = raw["identity"]
        identity = Identity(*(_text(who[k]) for k in ("user", "role", "full_name", "database")))
        if not identity.user or identity.role not in ("clerk", "judge", "admin"):
            return None
        letter = None
        shown = raw.get("letter")
        if isinstance(shown, dict) and isinstance(shown.get("data"), dict):
            letter = ShownLetter(_number(shown.get("id")), _number(shown.get("version")),
                                 _text(shown["status"]) if shown.get("status") is not None else None,
                                 dict(shown["data"]))
        return cls(identity, letter, _text(raw.get("written_at", "")))

    def save(self, folder: Path, url: str) -> None:
        path = self.path(folder, url)
        make_private_folder(path.parent)
        letter = None
        if self.letter is not None:
            letter = {"id": self.letter.id, "version": self.letter.version, "status": self.letter.status,
                      "data": self.letter.data}
        body = {
            "format": FORMAT, "database_key": database_key(url),
            "identity": {"user": self.identity.user, "role": self.identity.role,
                         "full_name": self.identity.full_name, "database": self.identity.database},
            "letter": letter, "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        atomic_write(path, json.dumps(body, ensure_ascii=False).encode("utf-8"), durable=False)

    @classmethod
    def forget(cls, folder: Path, url: str) -> None:
        cls.path(folder, url).unlink(missing_ok=True)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _number(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("not a letter or version number")
    return value
