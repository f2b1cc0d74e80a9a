"""The review workflow of a letter and who may do what: the rules, with no storage behind them.

draft -> in review -> changes requested | approved -> exported. Clerks create, edit and submit;
judges comment, request changes, approve and export the final letter; admins manage template
packs, users and the clause bank. Any edit after approval voids the approval.
The same rules are enforced a second time by PostgreSQL itself (see app/storage/roles.py).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import NamedTuple

from app.core.errors import ChambersError


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    EXPORTED = "exported"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Role(StrEnum):
    CLERK = "clerk"
    JUDGE = "judge"
    ADMIN = "admin"


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    COMMENT = "comment"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    EXPORT_FINAL = "export_final"
    EXPORT_DRAFT = "export_draft"
    MANAGE_USERS = "manage_users"
    MANAGE_CLAUSES = "manage_clauses"
    MANAGE_PACKS = "manage_packs"
    MANAGE_ADDRESS_BOOK = "manage_address_book"
    EDIT_COURT_PROFILE = "edit_court_profile"

    @property
    def phrase(self) -> str:
        return _PHRASES[self]


_PHRASES = {
    Action.CREATE: "create letters", Action.EDIT: "edit letters", Action.SUBMIT: "submit letters for review",
    Action.COMMENT: "comment on letters", Action.REQUEST_CHANGES: "request changes",
    Action.APPROVE: "approve letters", Action.EXPORT_FINAL: "export the final letter",
    Action.EXPORT_DRAFT: "export draft copies", Action.MANAGE_USERS: "manage users",
    Action.MANAGE_CLAUSES: "manage the clause bank", Action.MANAGE_PACKS: "manage template packs",
    Action.MANAGE_ADDRESS_BOOK: "change the address book",
    Action.EDIT_COURT_PROFILE: "change the court profile (the letterhead every letter prints)",
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CLERK: frozenset({Action.CREATE, Action.EDIT, Action.SUBMIT, Action.COMMENT, Action.EXPORT_DRAFT,
                           Action.MANAGE_ADDRESS_BOOK}),
    Role.JUDGE: frozenset({Action.COMMENT, Action.REQUEST_CHANGES, Action.APPROVE, Action.EXPORT_FINAL,
                           Action.EXPORT_DRAFT}),
    Role.ADMIN: frozenset({Action.MANAGE_USERS, Action.MANAGE_CLAUSES, Action.MANAGE_PACKS,
                           Action.MANAGE_ADDRESS_BOOK, Action.EDIT_COURT_PROFILE}),
}

# (status before, action) -> status after; a pair that is absent is not allowed.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.DRAFT, Action.EDIT): Status.DRAFT,
    (Status.CHANGES_REQUESTED, Action.EDIT): Status.CHANGES_REQUESTED,
    # An edit while a judge reviews takes the letter back: the judge must see it again.
    (Status.IN_REVIEW, Action.EDIT): Status.DRAFT,
    (Status.APPROVED, Action.EDIT): Status.DRAFT,
    (Status.EXPORTED, Action.EDIT): Status.DRAFT,
    (Status.DRAFT, Action.SUBMIT): Status.IN_REVIEW,
    (Status.CHANGES_REQUESTED, Action.SUBMIT): Status.IN_REVIEW,
    (Status.IN_REVIEW, Action.REQUEST_CHANGES): Status.CHANGES_REQUESTED,
    (Status.IN_REVIEW, Action.APPROVE): Status.APPROVED,
    (Status.APPROVED, Action.EXPORT_FINAL): Status.EXPORTED,
    (Status.EXPORTED, Action.EXPORT_FINAL): Status.EXPORTED,
}

_WHY_NOT = {
    Action.SUBMIT: "only a draft or a letter with changes requested can be submitted for review",
    Action.REQUEST_CHANGES: "changes can only be requested on a letter that is in review",
    Action.APPROVE: "only a letter that is in review can be approved",
    Action.EXPORT_FINAL: "only an approved letter can be exported as final",
}


# Actions that do not depend on (or change) the letter's status.
_STATUS_FREE = frozenset({Action.COMMENT, Action.EXPORT_DRAFT, Action.CREATE, Action.MANAGE_USERS,
                          Action.MANAGE_CLAUSES, Action.MANAGE_PACKS, Action.MANAGE_ADDRESS_BOOK,
                          Action.EDIT_COURT_PROFILE})

# An edit to a letter in one of these states withdraws the judge's approval of it.
_APPROVED = frozenset({Status.APPROVED, Status.EXPORTED})


class Refused(ChambersError):
    """The user may not do this, or not to a letter in this state; nothing was changed."""


class NotFound(ChambersError):
    """No such letter, user, clause or version."""


class StorageUnavailable(ChambersError):
    """The database cannot be reached; the user's edit is kept and can be saved on retry."""


class Conflict(ChambersError):
    """Someone saved the letter after the version this edit started from."""

    def __init__(self, letter_id: int, expected: int, current: int, author: str, at: dt.datetime) -> None:
        self.letter_id, self.expected, self.current, self.author, self.at = letter_id, expected, current, author, at
        super().__init__(str(self))

    def __str__(self) -> str:
        return (f"letter {self.letter_id} was changed by {self.author} at {self.at:%Y-%m-%d %H:%M:%S} "
                f"(now version {self.current}, your edit started from version {self.expected}); "
                f"nothing was overwritten: reload it, or keep yours as a new version on top of "
                f"version {self.current}")


def may(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]


def voids_approval(status: Status) -> bool:
    """Whether an edit to a letter in ``status`` withdraws its approval (the window asks first)."""
    return status in _APPROVED


def reviewers() -> frozenset[Role]:
    """The roles whose comments and decisions count as a review of the letter."""
    return frozenset(r for r in Role if may(r, Action.APPROVE))


def next_status(status: Status, action: Action) -> Status:
    """The status after ``action``; ``Refused`` when the workflow does not allow it now."""
    if action in _STATUS_FREE:
        return status
    after = TRANSITIONS.get((status, action))
    if after is None:
        raise Refused(_why_not_now(status, action))
    return after


def _why_not_now(status: Status, action: Action) -> str:
    why = _WHY_NOT.get(action, f"a letter that is {status.label} cannot be changed that way")
    return f"the letter is {status.label}: {why}"


class Verdict(NamedTuple):
    """Whether ``role`` may do ``action`` to a letter in ``status`` now, and if not, why not."""

    allowed: bool
    why: str


def verdict(role: Role, status: Status | None, action: Action) -> Verdict:
    """The one answer to "may this person do this to this letter now?".

    The window (which buttons and keys are live, with the reason as a tooltip), the services
    and the command line all ask this function, so they can never disagree. ``status`` is None
    for an action on no letter yet (create) or on the office (users, clauses, packs).
    """
    if not may(role, action):
        allowed = [r.value for r in Role if may(r, action)]
        return Verdict(False, f"{_article(role.value)} may not {action.phrase}; that needs "
                              f"{' or '.join(_article(r) for r in allowed)}")
    if status is None or action in _STATUS_FREE:
        return Verdict(True, "")
    if (status, action) not in TRANSITIONS:
        return Verdict(False, _why_not_now(status, action))
    return Verdict(True, "")


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _refuse(name: str, role: Role, action: Action, answer: Verdict) -> None:
    if not answer.allowed:
        raise Refused(f"{name} is {_article(role.value)} and {answer.why}" if not may(role, action)
                      else answer.why)


def check(name: str, role: Role, action: Action, status: Status) -> Status:
    """``verdict``, raised as ``Refused`` naming the person; the status the letter moves to."""
    _refuse(name, role, action, verdict(role, status, action))
    return next_status(status, action)


def check_role(name: str, role: Role, action: Action) -> None:
    """The role alone, before the letter is read: ``verdict`` on no letter."""
    _refuse(name, role, action, verdict(role, None, action))
