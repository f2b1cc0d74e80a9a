"""What the preview says of the letter on screen: the approved version and who approved it, or nothing
beyond the template's own DRAFT mark.

The preview was always rendered as a draft, so an approved letter read "DRAFT — not approved". A
letter on screen is the approved one only while its record says approved (approval not withdrawn)
and nothing typed since: the first edit of an approved letter withdraws the approval once saved,
so from then on the draft mark is what is true.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.core.workflow import Status

if TYPE_CHECKING:  # the drafts service (and storage behind it) is imported when first used
    from app.services.drafts import LetterDetail


def approved_standing(detail: LetterDetail | None, *, edited: bool,
                      shown_name: Callable[[str], str] = str) -> str | None:
    """"Approved version N by Judge X" (signing for the signatory, exported) when ``detail`` is an approved
    letter shown as saved; None for a draft, a letter in review, a withdrawn approval, or one being edited
    (``edited``: typed since it was read). ``shown_name``: a user's name as the window shows it."""
    if detail is None or edited:
        return None
    approval = detail.approval
    status = detail.summary.status
    if status not in (Status.APPROVED, Status.EXPORTED) or approval is None or approval.voided_at is not None:
        return None
    line = f"Approved version {approval.version} by Judge {shown_name(approval.approver)}"
    if approval.signed_for:
        line += f", signing for {approval.signed_for}"
    return line + (" (exported)" if status is Status.EXPORTED else "")
