"""What storage hands back: frozen plain records, never database objects.

Times are timezone-aware UTC datetimes. Letter data is the letter's JSON as a dict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.core.vocabulary import addressee_data
from app.core.workflow import Role, Status


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    full_name: str = ""
    signature_png: bytes | None = field(default=None, repr=False)
    active: bool = True     # a deactivated user keeps their history but can no longer act

    @property
    def shown(self) -> str:
        return self.full_name or self.name


@dataclass(frozen=True)
class LetterSummary:
    """One row of the drafts browser: everything a row shows, read in one query."""

    id: int
    status: Status
    version: int
    row_version: int
    template_id: str
    template_version: str
    template_sha256: str
    subject: str
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    approval_id: int | None = None
    signatory: str = ""                  # the name in the letter's signature block
    addressees: tuple[str, ...] = ()     # the addressees' names, in the letter's order
    letter_date: dt.date | None = None   # the date the letter bears
    judge: str | None = None             # the active judge user who is the signatory, if any

    @property
    def waiting_for(self) -> str | None:
        """In review: the judge it waits for (None: any judge, the signatory is no user). Else None."""
        return self.judge if self.status is Status.IN_REVIEW else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status.value, "version": self.version,
            "template": self.template_id, "template_version": self.template_version,
            "template_sha256": self.template_sha256, "subject": self.subject,
            "created_by": self.created_by, "created_at": self.created_at.isoformat(),
            "updated_by": self.updated_by, "updated_at": self.updated_at.isoformat(),
            "approved": self.approval_id is not None, "signatory": self.signatory,
            "addressees": list(self.addressees),
            "date": self.letter_date.isoformat() if self.letter_date else None,
            "judge": self.judge, "waiting_for": self.waiting_for,
        }


@dataclass(frozen=True)
class LetterVersion:
    """One immutable saved version of a letter."""

    letter_id: int
    number: int
    data: dict[str, Any]
    author: str
    created_at: dt.datetime
    note: str
    template_id: str
    template_version: str
    template_sha256: str
    working: bool = False    # its author's working copy: their next autosave amends it

    def to_json(self) -> dict[str, Any]:
        return {"letter": self.letter_id, "version": self.number, "author": self.author,
                "at": self.created_at.isoformat(), "note": self.note, "template": self.template_id,
                "template_version": self.template_version, "working": self.working}


@dataclass(frozen=True)
class Comment:
    id: int
    letter_id: int
    version: int
    author: str
    created_at: dt.datetime
    text: str
    paragraph: str | None = None     # a path such as "concerns[1]", or None for the whole letter
    kind: str = "comment"            # "comment" or "changes_requested"


@dataclass(frozen=True)
class Approval:
    """The exact bytes a judge approved, and the hash that proves a file is them."""

    id: int
    letter_id: int
    version: int
    approver: str
    approved_at: dt.datetime
    content_sha256: str
    docx: bytes = field(repr=False)
    voided_at: dt.datetime | None = None
    voided_by: str | None = None
    # The letter's signatory, when the approving judge approved on their behalf (as the seal says).
    signed_for: str | None = None


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: str            # ISO text exactly as hashed
    actor: str
    action: str
    letter_id: int | None
    detail: str        # canonical JSON, exactly as hashed
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Clause:
    id: int
    title: str
    text: str
    tags: tuple[str, ...]
    use_count: int


@dataclass(frozen=True)
class AddressBookEntry:
    id: int
    name: str
    title: str
    honorific: str | None = None
    organization: str | None = None
    address: tuple[str, ...] = ()
    salutation: str | None = None
    # What no forms-of-address rule can know: "Cortez Masto", a family name written first, "Ms."
    surname: str | None = None
    given_name: str | None = None
    courtesy: str | None = None

    def to_addressee(self) -> dict[str, Any]:
        return addressee_data(self)


__all__ = ["AddressBookEntry", "Approval", "AuditEvent", "Clause", "Comment", "LetterSummary",
           "LetterVersion", "User", "utc_now"]


@dataclass(frozen=True)
class CourtProfile:
    """The office's letterhead and default signatory, as the database keeps it (one per office).

    ``seal``: ``"sha256:<hex>"`` of an image in the office's seal store, or None for the pack's
    own placeholder seal. ``version`` 0: nobody has set the profile yet.
    """

    court: str = ""
    chambers: str = ""
    address: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    seal: str | None = None
    signatory_name: str = ""
    signatory_title: str = ""
    version: int = 0
    updated_by: str = ""
    updated_at: str = ""

    def content(self) -> dict[str, Any]:
        """What the profile says (no bookkeeping): the detail of the audit event that set it."""
        return {"court": self.court, "chambers": self.chambers, "address": list(self.address),
                "phone": self.phone, "email": self.email, "seal": self.seal,
                "signatory_name": self.signatory_name, "signatory_title": self.signatory_title}

    def sender(self) -> dict[str, Any]:
        """The letter's ``sender`` from the profile (empty values left out, as the contract wants)."""
        data: dict[str, Any] = {"court": self.court, "address": list(self.address)}
        for key in ("chambers", "phone", "email", "seal"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data

    def signatory(self) -> dict[str, Any]:
        return {"name": self.signatory_name, "title": self.signatory_title}
