"""The clause bank: paragraphs a court reuses, searched by words and tags, most used first.

One ``ClauseBank`` serves every desk, the command line and the window alike: the search, the
order, what a clause needs and who may change the bank are decided here once. Where the clauses
are kept is a ``ClauseShelf``: the drafts database (``DatabaseShelf``, every change audited) or a
file on this computer (``ClauseFile``, for a window working alone). Both start from the same
clauses, the flagship letter's paragraphs (``starter_clauses``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from app.core import jsondata, vocabulary
from app.core.errors import LetterInvalid, TemplateProblem
from app.core.files import atomic_write
from app.core.records import Clause, User, utc_now
from app.core.workflow import Action, NotFound, Refused, check_role, may
from app.storage.interfaces import Store

#: The pack whose sample letter the bank starts from.
FLAGSHIP = "officials-concern"
#: The sections whose paragraphs a court reuses from letter to letter (the opening is each letter's own).
STARTER_SECTIONS = ("concerns", "requested_policies", "closing")


class NewClause(NamedTuple):
    title: str
    text: str
    tags: tuple[str, ...]


def title_of(text: str, limit: int = 60) -> str:
    """A short title for a clause: its first sentence, cut at a word."""
    first = re.split(r"(?<=[.;:])\s", text.strip(), maxsplit=1)[0]
    if len(first) <= limit:
        return first.rstrip(".;:")
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def starter_clauses(sample: Mapping[str, Any]) -> list[NewClause]:
    """The clauses a new bank holds: the paragraphs of the flagship letter (``sample``, its JSON) a
    court reuses, each tagged with what it is ("concern", "requested policy", "closing paragraph")."""
    out: list[NewClause] = []
    for key in STARTER_SECTIONS:
        section = vocabulary.section(key)
        for text in sample.get(key) or []:
            if isinstance(text, str) and text.strip():
                out.append(NewClause(title_of(text), text, (section.singular,)))
    return out


def shipped_starter_clauses() -> list[NewClause]:
    """``starter_clauses`` of the flagship pack shipped with Chambers; none while it cannot be read."""
    from app.services.templates import TemplateLibrary  # deferred: compiles nothing until a bank is first read

    try:
        sample = jsondata.loads(TemplateLibrary().sample(FLAGSHIP))
    except (TemplateProblem, LetterInvalid, ValueError, OSError):
        return []
    return starter_clauses(sample) if isinstance(sample, dict) else []


def _tags(tags: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    # The database keeps tags in one column with commas between them: a comma parts two tags.
    for tag in (part for given in tags for part in str(given).split(",")):
        tag = " ".join(tag.split())
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def matches(clause: Clause, words: list[str], tag: str) -> bool:
    """Every word of the search in the clause's title, text or tags (any order, any case), and the tag
    among its tags."""
    if tag and tag not in clause.tags:
        return False
    hay = f"{clause.title} {clause.text} {' '.join(clause.tags)}".casefold()
    return all(word in hay for word in words)


class ClauseShelf(Protocol):
    """Where a clause bank is kept (its repository). ``by`` names who made the change."""

    def all(self) -> list[Clause]: ...
    def add(self, clause: NewClause, by: str) -> Clause: ...
    def remove(self, clause_id: int, by: str) -> Clause: ...
    def used(self, clause_id: int) -> Clause: ...


class ClauseBank:
    """The court's clause bank. ``actor``: who asks, for the office's bank (only an admin adds or
    removes clauses); None on this computer alone, where the bank is the user's own."""

    def __init__(self, shelf: ClauseShelf, actor: Callable[[], User] | None = None) -> None:
        self.shelf = shelf
        self._actor = actor

    def list(self, search: str | None = None, tag: str | None = None) -> list[Clause]:
        """The clauses with every word of ``search`` and the tag ``tag``, most used first, then oldest first.

        Read whole and searched here (not in SQL) so that both shelves find the same clauses for the
        same words; a court's bank is hundreds of clauses, not millions."""
        words = (search or "").casefold().split()
        found = [c for c in self.shelf.all() if matches(c, words, (tag or "").strip())]
        return sorted(found, key=lambda c: (-c.use_count, c.id))

    def _manager(self) -> str:
        if self._actor is None:
            return ""
        user = self._actor()
        check_role(user.name, user.role, Action.MANAGE_CLAUSES)
        return user.name

    def add(self, title: str, text: str, tags: Iterable[str] = ()) -> Clause:
        """Add a clause; without a title it is named by its first sentence."""
        by = self._manager()
        if not text.strip():
            raise Refused("a clause needs some text")
        return self.shelf.add(NewClause(title.strip() or title_of(text), text, _tags(tags)), by)

    def remove(self, clause_id: int) -> Clause:
        return self.shelf.remove(clause_id, self._manager())

    def use(self, clause_id: int) -> Clause:
        """A clerk took this clause into a letter: it rises in the list. The clause as counted.

        On the office's bank whoever edits letters (or manages the bank) counts a use, as the database's
        grants have it; asked here first, so that both databases refuse anyone else in the same words."""
        if self._actor is not None:
            user = self._actor()
            if not may(user.role, Action.MANAGE_CLAUSES):
                check_role(user.name, user.role, Action.EDIT)
        return self.shelf.used(clause_id)


class DatabaseShelf:
    """The office's clause bank in the drafts database; every change is in the audit log."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[Clause]:
        with self.store.read() as tx:
            return tx.clauses.list()

    def add(self, clause: NewClause, by: str) -> Clause:
        now = utc_now()
        with self.store.write() as tx:
            made = tx.clauses.add(clause.title, clause.text, clause.tags, now)
            tx.audit.append(by, "clause_added", None, {"clause": made.id, "title": made.title}, now)
        return made

    def remove(self, clause_id: int, by: str) -> Clause:
        now = utc_now()
        with self.store.write() as tx:
            gone = tx.clauses.remove(clause_id)
            tx.audit.append(by, "clause_removed", None, {"clause": gone.id, "title": gone.title}, now)
        return gone

    def used(self, clause_id: int) -> Clause:
        with self.store.write() as tx:
            found = [c for c in tx.clauses.list() if c.id == clause_id]
            if not found:
                raise NotFound(f"there is no clause {clause_id}")
            tx.clauses.used(clause_id)
        return replace(found[0], use_count=found[0].use_count + 1)


class ClauseFile:
    """A clause bank in a JSON file on this computer. Until the first change it holds ``starter``'s
    clauses (read once, not written: a bank nobody changed follows the shipped pack)."""

    def __init__(self, path: Path, starter: Callable[[], list[NewClause]] = shipped_starter_clauses) -> None:
        self.path = path
        self._starter = starter
        self._started: list[Clause] | None = None
        self._lock = threading.Lock()

    def _read(self) -> list[Clause]:
        try:
            raw: object = jsondata.load_file(self.path)
        except LetterInvalid:  # missing, unreadable or not JSON: as if never written
            raw = None
        if not isinstance(raw, list):
            if self._started is None:
                self._started = [Clause(i, c.title, c.text, c.tags, 0) for i, c in enumerate(self._starter(), 1)]
            return list(self._started)
        entries = [e for e in raw if isinstance(e, dict) and isinstance(e.get("text"), str)]
        # A file written before clauses had ids (or edited by hand): the missing ones are numbered
        # after the highest, in file order, and kept at the next write.
        taken = {e["id"] for e in entries if isinstance(e.get("id"), int) and not isinstance(e.get("id"), bool)}
        fresh = iter(range(max(taken, default=0) + 1, max(taken, default=0) + len(entries) + 2))
        out: list[Clause] = []
        seen: set[int] = set()
        for e in entries:
            clause_id = e.get("id")
            if not isinstance(clause_id, int) or isinstance(clause_id, bool) or clause_id in seen:
                clause_id = next(fresh)
            seen.add(clause_id)
            raw_tags = e.get("tags")
            tags = _tags(str(t) for t in raw_tags) if isinstance(raw_tags, list) else ()
            count = e.get("use_count")
            out.append(Clause(clause_id, str(e.get("title") or title_of(e["text"])), e["text"], tags,
                              count if isinstance(count, int) and not isinstance(count, bool) else 0))
        return out

    def _write(self, clauses: list[Clause]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = [{"id": c.id, "title": c.title, "text": c.text, "tags": list(c.tags), "use_count": c.use_count}
                for c in clauses]
        atomic_write(self.path, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))

    def all(self) -> list[Clause]:
        with self._lock:
            return self._read()

    def add(self, clause: NewClause, by: str) -> Clause:
        with self._lock:
            clauses = self._read()
            made = Clause(max((c.id for c in clauses), default=0) + 1, clause.title, clause.text, clause.tags, 0)
            self._write([*clauses, made])
        return made

    def remove(self, clause_id: int, by: str) -> Clause:
        with self._lock:
            clauses = self._read()
            gone = self._find(clauses, clause_id)
            self._write([c for c in clauses if c.id != clause_id])
        return gone

    def used(self, clause_id: int) -> Clause:
        with self._lock:
            clauses = self._read()
            found = self._find(clauses, clause_id)
            counted = replace(found, use_count=found.use_count + 1)
            self._write([counted if c.id == clause_id else c for c in clauses])
        return counted

    @staticmethod
    def _find(clauses: list[Clause], clause_id: int) -> Clause:
        for clause in clauses:
            if clause.id == clause_id:
                return clause
        raise NotFound(f"there is no clause {clause_id}")
