"""Versions that mean something: autosaves replace the author's working copy; workflow steps,
another person's edit and explicit save points make history. The lock still counts every save."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import text

from app.bootstrap import Services
from app.core.workflow import Conflict, Role, Status
from tests.conftest import sample_data
from tests.storage.dbfixtures import as_user, db_url, office, postgres_template, postgres_url  # noqa: F401


def edited(subject: str) -> dict[str, Any]:
    data = copy.deepcopy(sample_data())
    data["subject"] = subject
    return data


def autosave(s: Services, letter_id: int, times: int, start: int) -> int:
    """``times`` saves as a window's autosave makes them; the version after the last."""
    version = start
    for i in range(times):
        version = s.drafts.update(letter_id, edited(f"Typing, pause {i}"), version).version
    return version


def kept(s: Services, letter_id: int) -> list[int]:
    return [v.number for v in s.drafts.history(letter_id)[1]]


def test_autosaves_of_one_session_replace_the_working_copy_and_still_count(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        letter = clerk.drafts.create("officials-concern", sample_data())
        version = autosave(clerk, letter.id, 5, letter.version)
        assert version == 6                      # the letter's version counts every save...
        assert kept(clerk, letter.id) == [1, 6]  # ...the history keeps the letter as created and now
        _summary, versions, events = clerk.drafts.history(letter.id)
        assert [v.working for v in versions] == [False, True]
        assert versions[-1].data["subject"] == "Typing, pause 4"
        assert len([e for e in events if e.action == "edited"]) == 5
        # A save that started from a replaced copy is a conflict, never an overwrite.
        with pytest.raises(Conflict) as conflict:
            clerk.drafts.update(letter.id, edited("From a stale window"), 4)
        assert (conflict.value.expected, conflict.value.current) == (4, 6)
        assert clerk.drafts.get(letter.id).current.data["subject"] == "Typing, pause 4"
        assert clerk.drafts.audit_check()[1] is None
    finally:
        clerk.close()


def test_workflow_steps_comments_and_save_points_make_history(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk, judge = as_user(db_url, "ann"), as_user(db_url, "tani")
    try:
        letter = clerk.drafts.create("officials-concern", sample_data())
        version = autosave(clerk, letter.id, 3, 1)                    # working copy 4
        clerk.drafts.submit(letter.id, version)                       # a step: 4 is history
        judge.drafts.request_changes(letter.id, "Shorter, please.")
        version = autosave(clerk, letter.id, 2, version)              # 5 new, replaced by 6
        assert kept(clerk, letter.id) == [1, 4, 6]
        assert clerk.drafts.get(letter.id).summary.status is Status.CHANGES_REQUESTED

        judge.drafts.comment(letter.id, "Version 6 reads well so far.")  # a comment pins version 6
        version = autosave(clerk, letter.id, 2, version)                 # 7 new, replaced by 8
        assert kept(clerk, letter.id) == [1, 4, 6, 8]
        assert [c.version for c in clerk.drafts.get(letter.id).comments] == [4, 6]

        version = clerk.drafts.update(letter.id, edited("A save point"), version, save_point=True).version
        version = autosave(clerk, letter.id, 2, version)                 # 9 kept; 10 new, replaced by 11
        assert kept(clerk, letter.id) == [1, 4, 6, 9, 11]
        # "What changed" for the judge: since the version they last looked at.
        assert clerk.drafts.diff(letter.id).from_version == 6
        assert clerk.drafts.audit_check()[1] is None
    finally:
        clerk.close()
        judge.close()


def test_another_persons_edit_starts_their_own_working_copy(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    admin = as_user(db_url, "admin")
    admin.users.add("bob", Role.CLERK, "Bob Clerk")
    admin.close()
    ann, bob = as_user(db_url, "ann"), as_user(db_url, "bob")
    try:
        letter = ann.drafts.create("officials-concern", sample_data())
        version = autosave(ann, letter.id, 2, 1)           # ann's copy: 3
        version = autosave(bob, letter.id, 2, version)     # bob's: 4, replaced by 5
        version = autosave(ann, letter.id, 1, version)     # ann again: 6
        assert kept(ann, letter.id) == [1, 3, 5, 6]
        assert [v.author for v in ann.drafts.history(letter.id)[1]] == ["ann", "ann", "bob", "ann"]
        # Without a review, "what changed" is since the kept version before, across replaced numbers.
        diff = ann.drafts.diff(letter.id)
        assert (diff.from_version, diff.to_version) == (5, 6)
        assert [c.path for c in diff.fields] == ["subject"]
    finally:
        ann.close()
        bob.close()


def test_an_edit_that_withdraws_an_approval_keeps_the_approved_version(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk, judge = as_user(db_url, "ann"), as_user(db_url, "tani")
    try:
        letter = clerk.drafts.create("officials-concern", sample_data())
        version = autosave(clerk, letter.id, 1, 1)
        clerk.drafts.submit(letter.id, version)
        approval = judge.drafts.approve(letter.id, version)
        after = clerk.drafts.update(letter.id, edited("After approval"), version)
        assert after.status is Status.DRAFT
        assert approval.version in kept(clerk, letter.id)
        assert clerk.drafts.history(letter.id)[1][-1].number == after.version
    finally:
        clerk.close()
        judge.close()


def test_a_kept_version_cannot_be_changed_even_behind_the_apps_back(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        letter = clerk.drafts.create("officials-concern", sample_data())
        autosave(clerk, letter.id, 1, 1)
        store: Any = clerk.store
        with pytest.raises(Exception, match="never changed"), store.engine.begin() as conn:
            conn.execute(text("UPDATE letter_versions SET data = '{}' WHERE letter_id = :l AND number = 1"),
                         {"l": letter.id})
        with pytest.raises(Exception, match="never changed"), store.engine.begin() as conn:
            conn.execute(text("DELETE FROM letter_versions WHERE letter_id = :l AND number = 2"), {"l": letter.id})
    finally:
        clerk.close()


@pytest.mark.postgres
def test_a_clerks_own_login_replaces_only_their_own_working_copy(postgres_url: str) -> None:  # noqa: F811
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    from app.bootstrap import services
    from app.storage.database import init_roles
    from tests.storage.test_postgres_roles import login_url

    admin = office(postgres_url)
    admin.users.add("bob", Role.CLERK)
    init_roles(admin.store, {u.name: u.role.value for u in admin.users.list()})  # type: ignore[arg-type]
    admin.close()
    ann = services(login_url(postgres_url, "ann"))
    try:
        letter = ann.drafts.create("officials-concern", sample_data())
        version = autosave(ann, letter.id, 3, 1)
        assert (version, kept(ann, letter.id)) == (4, [1, 4])
        assert ann.drafts.audit_check()[1] is None
    finally:
        ann.close()
    engine = create_engine(login_url(postgres_url, "bob"))
    try:
        with pytest.raises(DBAPIError, match=r"never changed|row-level security|permission denied"), \
                engine.begin() as conn:
            conn.execute(text("UPDATE letter_versions SET number = 99, audit_id = NULL, audit_hash = NULL "
                              "WHERE letter_id = :l AND number = 4"), {"l": letter.id})
    finally:
        engine.dispose()
