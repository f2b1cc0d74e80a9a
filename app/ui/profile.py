"""The user's preferences: who they are, the court profile, where things are.

Kept as JSON in the data folder (QSettings holds window geometry only). The court profile
fills the sender and signatory of every new letter.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.bootstrap import data_dir
from app.core import jsondata
from app.core.errors import LetterInvalid
from app.core.files import atomic_write


@dataclass
class CourtProfile:
    """The letterhead of this computer alone; with the drafts database the office's court profile
    (Office > Court profile…) is used instead."""

    court: str = ""
    address: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    signatory_name: str = ""
    signatory_title: str = ""
    chambers: str = ""

    def sender(self) -> dict[str, Any]:
        out: dict[str, Any] = {"court": self.court, "address": list(self.address)}
        if self.chambers:
            out["chambers"] = self.chambers
        if self.phone:
            out["phone"] = self.phone
        if self.email:
            out["email"] = self.email
        return out

    def signatory(self) -> dict[str, Any]:
        return {"name": self.signatory_name, "title": self.signatory_title}

    @classmethod
    def from_letter(cls, data: dict[str, Any]) -> CourtProfile:
        sender = data.get("sender") or {}
        signatory = data.get("signatory") or {}
        return cls(sender.get("court", ""), list(sender.get("address", [])), sender.get("phone", ""),
                   sender.get("email", ""), signatory.get("name", ""), signatory.get("title", ""),
                   sender.get("chambers", ""))


@dataclass
class Preferences:
    user: str = ""
    role: str = "clerk"
    database_url: str = ""
    templates_folder: str = ""
    dictionary: list[str] = field(default_factory=list)
    export_folder: str = ""
    profile: CourtProfile = field(default_factory=CourtProfile)
    # The letters each user worked on last, newest first, per database ("user@database" -> ids).
    recent: dict[str, list[int]] = field(default_factory=dict)

    @staticmethod
    def path() -> Path:
        return data_dir() / "preferences.json"

    @classmethod
    def load(cls) -> Preferences:
        try:
            raw = jsondata.load_file(cls.path())
        except (OSError, LetterInvalid):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        profile = raw.pop("profile", {}) if isinstance(raw.get("profile"), dict) else {}
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        court = CourtProfile(**{k: v for k, v in profile.items() if k in CourtProfile.__dataclass_fields__})
        return cls(**known, profile=court)

    def save(self) -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(asdict(self), indent=2).encode("utf-8"))

    @property
    def exists(self) -> bool:
        return self.path().exists()
