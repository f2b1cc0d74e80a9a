"""The one verdict function the window, the services and the CLI all ask."""

from __future__ import annotations

import pytest

from app.core.workflow import TRANSITIONS, Action, Refused, Role, Status, check, check_role, verdict, voids_approval


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_verdict_agrees_with_check(role: Role, status: Status, action: Action) -> None:
    answer = verdict(role, status, action)
    try:
        check("ann", role, action, status)
    except Refused:
        assert not answer.allowed
        assert answer.why
    else:
        assert answer.allowed
        assert answer.why == ""


def test_verdict_says_why_in_plain_words() -> None:
    assert verdict(Role.CLERK, Status.IN_REVIEW, Action.APPROVE).why == (
        "a clerk may not approve letters; that needs a judge")
    assert verdict(Role.ADMIN, Status.DRAFT, Action.EDIT).why.startswith("an admin may not edit letters")
    assert verdict(Role.JUDGE, Status.DRAFT, Action.APPROVE).why.startswith("the letter is draft")
    assert (Status.APPROVED, Action.EDIT) in TRANSITIONS


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_the_role_alone_agrees_with_the_verdict_on_no_letter(role: Role, action: Action) -> None:
    answer = verdict(role, None, action)
    if answer.allowed:
        check_role("ann", role, action)
    else:
        article = "an" if role is Role.ADMIN else "a"
        with pytest.raises(Refused) as refused:
            check_role("ann", role, action)
        assert str(refused.value) == f"ann is {article} {role.value} and {answer.why}"


def test_an_edit_withdraws_an_approval_only_of_an_approved_or_exported_letter() -> None:
    assert {s for s in Status if voids_approval(s)} == {Status.APPROVED, Status.EXPORTED}
