"""What the window asks of the services, and where it goes when the drafts database is absent.

``LocalBackend`` keeps the letter being written in an autosave file, and the clause bank and
address book in small JSON files, all in the data folder; it has no workflow, so review
controls stay disabled with a tooltip saying why. When the drafts services are installed the
window uses them instead (``ServiceBackend``).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.bootstrap import data_dir
from app.core.files import atomic_write

SEED_CLAUSES: list[dict[str, Any]] = [
    {"title": "Courthouses as sensitive locations",
     "text": "I respectfully request that courthouses be treated as sensitive locations, as schools, hospitals "
             "and places of worship already are, at which enforcement actions are generally avoided.",
     "tags": ["requested policy", "immigration", "access to justice"]},
    {"title": "Coordinate with the presiding judge",
     "text": "Where an enforcement action at or near a courthouse cannot be avoided, I ask that officers first "
             "coordinate with the presiding judge and court security personnel.",
     "tags": ["requested policy", "security"]},
    {"title": "Access to justice",
     "text": "Our courthouses serve as a vital forum for ensuring access to justice and protecting public "
             "safety; courts cannot do their work if those whose presence the law requires are afraid to "
             "walk through the courthouse door.",
     "tags": ["concern", "access to justice"]},
    {"title": "Public trust and confidence",
     "text": "I am concerned about the impact on public trust and confidence in our state court system if the "
             "public feels that our state institutions are being used to facilitate other goals.",
     "tags": ["concern", "public trust"]},
    {"title": "Welcome a discussion",
     "text": "I would welcome the opportunity to discuss these concerns with you or your staff.",
     "tags": ["closing"]},
    {"title": "Thank you",
     "text": "Thank you for your attention to this important matter.",
     "tags": ["closing"]},
]


@dataclass(frozen=True)
class ClauseItem:
    title: str
    text: str
    tags: tuple[str, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class Row:
    """One line of the drafts browser."""

    id: int
    subject: str
    status: str
    template: str
    addressees: str
    date: str
    updated_by: str
    updated_at: str
    waiting_for_me: bool = False
    mine: bool = False


@dataclass
class LocalBackend:
    """Autosave, clause bank and address book in the data folder; no shared drafts, no workflow."""

    folder: Path = field(default_factory=lambda: data_dir() / "workspace")
    database: str = "none (letters are autosaved on this computer)"
    has_workflow: bool = False
    why_no_workflow: str = "the drafts database is not available in this installation"
    user: str = ""
    role: str = "clerk"
    # The autosave file is the letter itself (there is no database to save to): it reopens silently.
    asks_before_restore: bool = False
    recovered_at: dt.datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def may(self, action: str) -> tuple[bool, str]:
        if action in ("edit", "create", "export_draft"):
            return True, ""
        return False, f"review needs the drafts database: {self.why_no_workflow}"

    def _read(self, name: str, default: Any) -> Any:
        try:
            return json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return default

    def _write(self, name: str, value: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.folder / name, json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8"))

    # -- the letter being written ---------------------------------------------------------
    def restore(self) -> tuple[int | None, int | None, dict[str, Any]] | None:
        data = self.load_autosave()
        return (None, None, data) if data is not None else None

    def keep(self, letter_id: int | None, data: dict[str, Any], base_version: int | None) -> None:
        self.autosave(data)

    def load_autosave(self) -> dict[str, Any] | None:
        data = self._read("autosave.json", None)
        return data if isinstance(data, dict) else None

    def autosave(self, data: dict[str, Any]) -> None:
        with self._lock:
            self._write("autosave.json", data)

    # -- clause bank ----------------------------------------------------------------------
    def clauses(self, search: str = "", tag: str = "") -> list[ClauseItem]:
        raw = self._read("clauses.json", None)
        items = raw if isinstance(raw, list) else SEED_CLAUSES
        words = search.lower().split()
        out = []
        for i, c in enumerate(items):
            tags = tuple(str(t) for t in c.get("tags", []))
            hay = f"{c.get('title', '')} {c.get('text', '')} {' '.join(tags)}".lower()
            if all(w in hay for w in words) and (not tag or tag in tags):
                out.append(ClauseItem(str(c.get("title", "")), str(c.get("text", "")), tags, i))
        return out

    def add_clause(self, title: str, text: str, tags: tuple[str, ...]) -> ClauseItem:
        with self._lock:
            raw = self._read("clauses.json", None)
            items = raw if isinstance(raw, list) else list(SEED_CLAUSES)
            items.append({"title": title, "text": text, "tags": list(tags)})
            self._write("clauses.json", items)
        return ClauseItem(title, text, tags, len(items) - 1)

    # -- address book ---------------------------------------------------------------------
    def address_book(self) -> list[dict[str, Any]]:
        raw = self._read("address-book.json", [])
        return [e for e in raw if isinstance(e, dict)] if isinstance(raw, list) else []

    def add_address(self, entry: dict[str, Any]) -> bool:
        """Add ``entry`` (or replace the one with its name and title); whether it is new."""
        with self._lock:
            book = self.address_book()
            others = [e for e in book if (e.get("name"), e.get("title")) != (entry.get("name"), entry.get("title"))]
            others.append(entry)
            self._write("address-book.json", others)
        return len(others) > len(book)

    def discard_recovery(self, letter_id: int | None) -> None:
        with self._lock:
            (self.folder / "autosave.json").unlink(missing_ok=True)


class ServiceBackend:
    """The drafts, review and clause services of ``app.bootstrap.services`` (one database)."""

    has_workflow = True
    why_no_workflow = ""
    # A journal entry is an edit that never reached the database (a crash, a lost connection):
    # the next start asks before it restores it.
    asks_before_restore = True

    def __init__(self, services: Any) -> None:
        from app.core import workflow
        from app.services.office import AddressBookService

        self._workflow = workflow
        self.services = services
        self.drafts = services.drafts
        self.addresses = AddressBookService(services.store, lambda: services.drafts.user)
        self.recovered_at: dt.datetime | None = None
        actor = services.drafts.user
        self.user = actor.name
        self.role = actor.role.value
        self.full_name = actor.shown
        url = services.store.url
        self.database = "this computer (SQLite)" if url.startswith("sqlite") else url.split("@")[-1]

    def close(self) -> None:
        self.services.close()

    def may(self, action: str) -> tuple[bool, str]:
        wf = self._workflow
        act = wf.Action(action)
        role = wf.Role(self.role)
        if wf.may(role, act):
            return True, ""
        allowed = " or ".join(r.value for r in wf.Role if wf.may(r, act))
        return False, f"a {role.value} may not {act.phrase}; that needs a {allowed}"

    # -- the letter being written ---------------------------------------------------------
    def restore(self) -> tuple[int | None, int | None, dict[str, Any]] | None:
        pending = self.services.journal.pending()
        if pending:
            entry = max(pending, key=lambda e: e.recorded_at)
            self.recovered_at = entry.recorded_at
            return entry.letter_id, entry.base_version, entry.data
        return None

    def discard_recovery(self, letter_id: int | None) -> None:
        self.services.journal.discard(letter_id)

    def keep(self, letter_id: int | None, data: dict[str, Any], base_version: int | None) -> None:
        self.services.journal.record(letter_id, data, base_version)

    def save(self, letter_id: int | None, data: dict[str, Any], version: int | None) -> Any:
        if letter_id is None:
            return self.drafts.create(str(data.get("template")), data)
        assert version is not None
        return self.drafts.update(letter_id, data, version)

    def open(self, letter_id: int) -> Any:
        return self.drafts.get(letter_id)

    def rows(self, search: str, status: str) -> list[Row]:
        from app.core.letter import parse_letter

        wf = self._workflow
        wanted = None if status in ("", "mine") else wf.Status(status)
        rows = []
        for summary in self.drafts.find(wanted, search or None, 200):
            mine = self.user in (summary.created_by, summary.updated_by)
            waiting = summary.status is wf.Status.IN_REVIEW and self.role == "judge"
            if status == "mine" and not (mine or waiting):
                continue
            detail = self.drafts.get(summary.id)
            try:
                letter = parse_letter(detail.current.data).letter
                names = ", ".join(a.name for a in letter.addressees)
                date = letter.date_line
            except Exception:  # an old version the current rules reject still gets its row
                names, date = "", ""
            rows.append(Row(summary.id, summary.subject, summary.status.value, summary.template_id, names, date,
                            summary.updated_by, f"{summary.updated_at.astimezone():%Y-%m-%d %H:%M}",
                            waiting, mine))
        return rows

    # -- review ---------------------------------------------------------------------------
    def submit(self, letter_id: int, version: int) -> Any:
        return self.drafts.submit(letter_id, version)

    def approve(self, letter_id: int, version: int) -> Any:
        return self.drafts.approve(letter_id, version)

    def request_changes(self, letter_id: int, comment: str) -> Any:
        return self.drafts.request_changes(letter_id, comment)

    def comment(self, letter_id: int, text: str) -> Any:
        return self.drafts.comment(letter_id, text)

    def history(self, letter_id: int) -> Any:
        return self.drafts.history(letter_id)

    def diff(self, letter_id: int, from_version: int | None = None, to_version: int | None = None) -> Any:
        return self.drafts.diff(letter_id, from_version, to_version)

    def export_final(self, letter_id: int, out: Path, pdf: Path | None) -> Any:
        return self.drafts.export(letter_id, out, pdf)

    # -- clause bank and address book -----------------------------------------------------
    def clauses(self, search: str = "", tag: str = "") -> list[ClauseItem]:
        return [ClauseItem(c.title, c.text, tuple(c.tags), c.id)
                for c in self.services.clauses.list(search or None, tag or None)]

    def add_clause(self, title: str, text: str, tags: tuple[str, ...]) -> ClauseItem:
        c = self.services.clauses.add(title, text, tags)
        return ClauseItem(c.title, c.text, tuple(c.tags), c.id)

    def address_book(self) -> list[dict[str, Any]]:
        return [e.to_addressee() for e in self.addresses.list()]

    def add_address(self, entry: dict[str, Any]) -> bool:
        """Add ``entry`` to the court's address book (or update the one with its name and title)."""
        from app.services.office import address_entry

        return self.addresses.save(address_entry(entry))[1]
