"""What the window shows, read from the desk in one go: a line of the drafts list, a review, a user,
an edit to restore, and who the window works as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.records import LetterVersion
from app.core.workflow import Role
from app.services.checking import LetterData

if TYPE_CHECKING:  # the drafts service is imported when first used: not at start-up
    from app.services.drafts import DiffReport, LetterDetail


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


@dataclass(frozen=True)
class Restorable:
    """An edit that never reached the database, offered back at the next start."""

    letter_id: int | None
    base_version: int | None
    data: LetterData


@dataclass(frozen=True)
class ReviewView:
    """What the review pane shows of one version of a letter, read in one go (no loading race)."""

    detail: LetterDetail
    versions: list[LetterVersion]
    since_review: DiffReport
    reviewed_version: int | None  # None: never reviewed, the changes are the whole letter


@dataclass(frozen=True)
class UserRow:
    name: str
    role: Role
    full_name: str
    has_signature: bool
    active: bool


@dataclass(frozen=True)
class Identity:
    """Who the window works as, and where: what a start shows before the database has answered."""

    user: str
    role: str
    full_name: str
    database: str
