"""The repository interfaces the services program against.

A ``Store`` opens transactions; a transaction carries one repository per kind of record.
Everything crosses this boundary as the frozen records of ``app.core.records``.
Writes raise ``Conflict`` when the row changed since it was read, and
``StorageUnavailable`` when the database cannot be reached (nothing was written then).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from app.core.audit import AuditReference
from app.core.certificates import BoundCertificate, TrustAnchor
from app.core.records import (
    AddressBookEntry,
    Approval,
    AuditEvent,
    Clause,
    Comment,
    CourtProfile,
    LetterSummary,
    LetterVersion,
    User,
)
from app.core.workflow import Role, Status

KEEP: Any = object()  # "leave this column as it is"


@dataclass(frozen=True)
class NewVersion:
    """What a save writes: the letter JSON and what is derived from it for listing and search."""

    data: dict[str, Any]
    subject: str
    search_text: str
    template_id: str
    template_version: str
    template_sha256: str
    author: str
    at: dt.datetime
    note: str = ""
    # What the drafts list shows of the letter (its row is read without opening the JSON).
    signatory: str = ""
    addressees: tuple[str, ...] = ()
    letter_date: dt.date | None = None


class LetterRepository(Protocol):
    def create(self, version: NewVersion, status: Status) -> LetterSummary: ...

    def get(self, letter_id: int) -> LetterSummary:
        """``NotFound`` when there is no such letter."""

    def add_version(self, current: LetterSummary, version: NewVersion, status: Status,
                    approval_id: int | None = KEEP, working: bool = False) -> LetterSummary:
        """Version ``current.version + 1``; ``Conflict`` if the row changed since ``current`` was read.

        ``working``: the author's working copy, which ``amend_version`` may replace later.
        """

    def amend_version(self, current: LetterSummary, version: NewVersion, status: Status,
                      working: bool = True) -> LetterSummary:
        """Replace the working copy ``current.version`` by ``version``, numbered ``current.version + 1``.

        The letter's version still counts up, so an edit that started from the replaced copy is a
        ``Conflict``; ``working=False`` makes the result a history version that stays as it is.
        ``Conflict`` if the row changed since ``current`` was read or the newest version is no
        working copy.
        """

    def working_copy(self, letter_id: int) -> LetterVersion | None:
        """The newest version when it is still its author's working copy: no workflow step, no
        other person's save and no comment on it since it was saved."""

    def set_status(self, current: LetterSummary, status: Status, actor: str, at: dt.datetime,
                   approval_id: int | None = KEEP) -> LetterSummary: ...

    def version(self, letter_id: int, number: int) -> LetterVersion: ...

    def versions(self, letter_id: int) -> list[LetterVersion]: ...

    def find(self, status: Status | None = None, search: str | None = None, limit: int = 500,
             like: bool = False, waiting_for: str | None = None) -> list[LetterSummary]:
        """Summaries, newest first, in one query. ``waiting_for``: letters in review that this
        judge signs or whose signatory is no active judge."""

    def add_approval(self, letter_id: int, version: int, approver: str, at: dt.datetime,
                     content_sha256: str, docx: bytes) -> Approval: ...

    def approval(self, approval_id: int) -> Approval:
        """An approval. On PostgreSQL a member login reads it without the approved bytes
        (``docx == b""``): they leave the database only through ``release_approved``."""

    def approvals_with_hash(self, content_sha256: str) -> list[Approval]: ...

    def approvals_of(self, letter_id: int) -> list[Approval]: ...

    def release_approved(self, approval_id: int, actor: str) -> bytes:
        """The approved bytes, for ``actor`` to export. On PostgreSQL the database gives them only
        to a judge, only from the approval the letter holds, and records an
        ``approved_letter_released`` audit event in this transaction; call it in a write."""

    def void_approval(self, approval_id: int, by: str, at: dt.datetime) -> None: ...


class CommentRepository(Protocol):
    def add(self, letter_id: int, version: int, author: str, at: dt.datetime, text: str,
            paragraph: str | None = None, kind: str = "comment") -> Comment: ...

    def of(self, letter_id: int) -> list[Comment]: ...


class UserRepository(Protocol):
    def add(self, user: User, at: dt.datetime, actor: str | None = None) -> None:
        """Add ``user``; ``actor`` (the admin, or the first user itself) is recorded in the audit log."""

    def update(self, name: str, actor: str, at: dt.datetime, *, role: Role = KEEP, full_name: str = KEEP,
               signature_png: bytes | None = KEEP, active: bool = KEEP) -> User:
        """Change what is given, audited as done by ``actor``; the user as it is now.
        ``NotFound`` when there is no such user."""

    def get(self, name: str) -> User | None: ...

    def list(self) -> list[User]: ...

    def count(self) -> int: ...


class ClauseRepository(Protocol):
    def add(self, title: str, text: str, tags: tuple[str, ...], at: dt.datetime) -> Clause: ...

    def list(self) -> list[Clause]:
        """Every clause; the search and the order are the clause bank's (``app.services.clauses``)."""
        ...

    def remove(self, clause_id: int) -> Clause: ...

    def used(self, clause_id: int) -> None: ...

    def count(self) -> int: ...


class AddressBook(Protocol):
    def add(self, entry: AddressBookEntry) -> AddressBookEntry: ...

    def update(self, entry: AddressBookEntry) -> AddressBookEntry:
        """Replace the entry with ``entry.id``; ``NotFound`` when there is none."""

    def list(self) -> list[AddressBookEntry]: ...


class AuditLog(Protocol):
    def append(self, actor: str, action: str, letter_id: int | None, detail: dict[str, Any],
               at: dt.datetime) -> AuditEvent: ...

    def events(self, letter_id: int | None = None) -> Iterator[AuditEvent]: ...

    def head(self) -> tuple[int, str]:
        """(how many events the chain holds, the newest hash), kept beside the log by every append."""

    def references(self) -> list[AuditReference]:
        """The rows that recorded the audit event that wrote them."""


class CourtProfiles(Protocol):
    """The office's one court profile and its seal images (stored by content, never changed)."""

    def get(self) -> CourtProfile:
        """The profile as last set; ``CourtProfile()`` (version 0) before anyone set it."""

    def set(self, profile: CourtProfile, expect_version: int, actor: str, at: dt.datetime) -> CourtProfile:
        """Replace the profile's content with ``profile``'s, audited as done by ``actor``; the
        profile as it is now (version one up). ``Refused`` when it is no longer at
        ``expect_version`` (someone else changed it since it was read) or names a seal not stored."""

    def add_seal(self, png: bytes, width: int, height: int, actor: str, at: dt.datetime) -> str:
        """Store a seal image (audited when new); its reference ``"sha256:<hex>"``."""

    def seal(self, reference: str) -> bytes | None:
        """The image stored under ``"sha256:<hex>"``, or None."""


class SigningRecords(Protocol):
    """Judges' public signing certificates and the office's trust anchors (migration 0008); each
    change is audited as done by ``actor`` and the row records its event."""

    def bind(self, user: str, sha256: str, der: bytes, subject: str, not_after: dt.datetime,
             actor: str, at: dt.datetime) -> BoundCertificate: ...

    def certificate(self, user: str) -> BoundCertificate | None:
        """The certificate in force for ``user`` (the newest bound), or None."""

    def certificate_by_hash(self, sha256: str) -> BoundCertificate | None:
        """Whose binding (the newest) this certificate is, or None."""

    def anchors(self, include_removed: bool = False) -> list[TrustAnchor]: ...

    def add_anchor(self, sha256: str, der: bytes, subject: str, actor: str, at: dt.datetime) -> TrustAnchor:
        """Add (or put back a removed) anchor; ``Refused`` when it is already trusted."""

    def remove_anchor(self, sha256: str, actor: str, at: dt.datetime) -> TrustAnchor:
        """Mark the anchor removed; ``NotFound`` when no trusted anchor has that hash."""


class Meta(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class Transaction(Protocol):
    letters: LetterRepository
    comments: CommentRepository
    users: UserRepository
    clauses: ClauseRepository
    addresses: AddressBook
    court_profile: CourtProfiles
    signing: SigningRecords
    audit: AuditLog
    meta: Meta


class Store(Protocol):
    dialect: str          # "sqlite" or "postgresql"
    location: str         # the database, for messages (password hidden)

    def read(self) -> AbstractContextManager[Transaction]: ...

    def write(self) -> AbstractContextManager[Transaction]:
        """One atomic write: all of it is committed, or none of it."""

    def login(self) -> tuple[str, bool]:
        """The database login and whether it may act for any user (owner or superuser)."""

    def close(self) -> None: ...
