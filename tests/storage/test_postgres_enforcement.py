"""PostgreSQL enforces the workflow on every statement, whatever client a person uses: each attack
runs as that person's OWN database login (after `db init-roles`) and is refused with a clear
error, changing nothing; and a lock a clerk holds makes a judge wait seconds, not for ever."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from app.bootstrap import services
from app.core.workflow import Status, StorageUnavailable
from app.storage.database import init_roles
from tests.conftest import sample_data
from tests.storage.dbfixtures import SIGNATURE_PNG, office, postgres_template, postgres_url  # noqa: F401

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles(postgres_url: str) -> str:  # noqa: F811
    s = office(postgres_url)
    init_roles(s.store, {u.name: u.role.value for u in s.users.list()})  # type: ignore[arg-type]
    s.close()
    return postgres_url


def login_url(url: str, user: str) -> str:
    return make_url(url).set(username=user, password=None).render_as_string(hide_password=False)


@pytest.fixture
def logins(roles: str) -> Iterator[dict[str, Engine]]:
    engines = {name: create_engine(login_url(roles, name).replace("postgresql://", "postgresql+psycopg://", 1))
               for name in ("ann", "tani", "ming", "admin")}
    yield engines
    for engine in engines.values():
        engine.dispose()


def letter_at(url: str, status: Status) -> int:
    clerk = services(login_url(url, "ann"))
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    if status is not Status.DRAFT:
        clerk.drafts.submit(letter)
    clerk.close()
    if status is Status.APPROVED:
        judge = services(login_url(url, "tani"))
        judge.drafts.approve(letter, expect_version=1)
        judge.close()
    return letter


def in_one_transaction(engine: Engine, *steps: Callable[[Connection], object]) -> None:
    with engine.begin() as conn:
        for step in steps:
            step(conn)


def refused(engine: Engine, statement: str, params: dict[str, Any], match: str) -> None:
    with pytest.raises(DBAPIError, match=match), engine.begin() as conn:
        conn.execute(text(statement), params)


def state(url: str, letter: int) -> tuple[Any, ...]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        row = conn.execute(text("SELECT status, version, approval_id, created_by, updated_by, row_version "
                                "FROM letters WHERE id = :l"), {"l": letter}).one()
        voided = conn.execute(text("SELECT count(*) FROM approvals WHERE letter_id = :l AND voided_at IS NOT NULL"),
                              {"l": letter}).scalar_one()
        events = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    engine.dispose()
    return (*row, voided, events)


def audit_intact(url: str) -> None:
    s = office(url)
    assert s.drafts.audit_check()[1] is None
    s.close()


NEW_LETTER = ("INSERT INTO letters (template_id, template_version, template_sha256, status, version, row_version, "
              "subject, search_text, created_by, created_at, updated_by, updated_at, approval_id) "
              "VALUES ('officials-concern', '1', 'x', :status, 1, 1, 's', 's', :by, 'x', :by, 'x', :approval) "
              "RETURNING id")


@pytest.mark.parametrize(("status", "approval"), [("approved", None), ("exported", None), ("in_review", None),
                                                  ("draft", 1)])
def test_clerk_cannot_insert_a_letter_past_draft(roles: str, logins: dict[str, Engine], status: str,
                                                 approval: int | None) -> None:
    letter_at(roles, Status.APPROVED)  # an approval exists to point at
    refused(logins["ann"], NEW_LETTER, {"status": status, "by": "ann", "approval": approval},
            "a new letter starts as a draft at version 1 with no approval")
    refused(logins["tani"], NEW_LETTER, {"status": "draft", "by": "tani", "approval": None},
            "permission denied|only a clerk")


def raw_clerk_letter(conn: Connection, by: str) -> int:
    """What a clerk's own client would have to do to create a letter: row, version, audit event."""
    letter = int(conn.execute(text(NEW_LETTER), {"status": "draft", "by": by, "approval": None}).scalar_one())
    conn.execute(text("INSERT INTO letter_versions (letter_id, number, data, author, created_at, note, template_id, "
                      "template_version, template_sha256) VALUES (:l, 1, :d, 'ann', 'x', '', 'officials-concern', "
                      "'1', 'x')"), {"l": letter, "d": json.dumps(sample_data())})
    conn.execute(text("SELECT * FROM chambers_audit_append('ann', 'created', :l, :d, CAST(:v AS jsonb))"),
                 {"l": letter, "d": '{"version":1}', "v": json.dumps({"versions": [[letter, 1]]})})
    return letter


def test_created_by_and_updated_by_are_stamped_by_the_database(roles: str, logins: dict[str, Engine]) -> None:
    with logins["ann"].begin() as conn:
        letter = raw_clerk_letter(conn, by="tani")  # claims a judge wrote it
    assert state(roles, letter)[3:5] == ("ann", "ann")
    with logins["ann"].begin() as conn:
        conn.execute(text("UPDATE letters SET status = 'in_review', updated_by = 'tani', row_version = 2 "
                          "WHERE id = :l"), {"l": letter})
        conn.execute(text("SELECT * FROM chambers_audit_append('ann', 'submit', :l, '{}', '{}')"), {"l": letter})
    assert state(roles, letter)[:2] == ("in_review", 1)
    assert state(roles, letter)[4] == "ann"
    refused(logins["ann"], "UPDATE letters SET created_by = 'tani' WHERE id = :l", {"l": letter},
            "permission denied")
    audit_intact(roles)


def test_a_letter_written_without_its_audit_event_is_refused_at_commit(roles: str, logins: dict[str, Engine]) -> None:
    before = state(roles, letter_at(roles, Status.DRAFT))[-1]
    def letter_and_version(conn: Connection) -> None:
        letter = int(conn.execute(text(NEW_LETTER), {"status": "draft", "by": "ann", "approval": None}).scalar_one())
        new_version(conn, letter, 1)

    with pytest.raises(DBAPIError, match="without an audit event"):
        in_one_transaction(logins["ann"], letter_and_version)
    refused(logins["ann"], NEW_LETTER, {"status": "draft", "by": "ann", "approval": None},
            "fk_letters_current_version|is not present")  # a letter with no version 1 at all
    engine = create_engine(roles.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == before
    engine.dispose()


def new_version(conn: Connection, letter: int, number: int) -> None:
    conn.execute(text("INSERT INTO letter_versions (letter_id, number, data, author, created_at, note, template_id, "
                      "template_version, template_sha256) VALUES (:l, :n, :d, 'ann', 'x', '', 'officials-concern', "
                      "'1', 'x')"), {"l": letter, "n": number, "d": json.dumps(sample_data())})


def test_editing_an_approved_letter_voids_the_approval_and_needs_an_audit_event(
        roles: str, logins: dict[str, Engine]) -> None:
    letter = letter_at(roles, Status.APPROVED)
    before = state(roles, letter)
    # Change the approved text in place: refused.
    refused(logins["ann"], "UPDATE letters SET subject = 'other', row_version = row_version + 1 WHERE id = :l",
            {"l": letter}, "may not change letter")
    refused(logins["ann"], "UPDATE letter_versions SET data = '{}' WHERE letter_id = :l", {"l": letter},
            "never changed|permission denied")
    # A new version with no audit event: refused when the transaction commits.
    def version_2(conn: Connection) -> None:
        new_version(conn, letter, 2)

    def point_at(status: str) -> Callable[[Connection], object]:
        return lambda conn: conn.execute(text(f"UPDATE letters SET version = 2, status = {status}, "
                                              "row_version = row_version + 1 WHERE id = :l"), {"l": letter})

    with pytest.raises(DBAPIError, match="without an audit event"):
        in_one_transaction(logins["ann"], version_2, point_at("'draft'"))
    assert state(roles, letter) == before
    # Keeping the letter "approved" over a new version: refused.
    with pytest.raises(DBAPIError, match="may not change letter"):
        in_one_transaction(logins["ann"], version_2, point_at("status"))
    assert state(roles, letter) == before
    # Done properly (new version, audited): the database voids the approval itself.
    with logins["ann"].begin() as conn:
        new_version(conn, letter, 2)
        conn.execute(text("UPDATE letters SET version = 2, status = 'draft', approval_id = approval_id, "
                          "row_version = row_version + 1 WHERE id = :l"), {"l": letter})
        conn.execute(text("SELECT * FROM chambers_audit_append('ann', 'edited', :l, :d, CAST(:v AS jsonb))"),
                     {"l": letter, "d": '{"version":2}', "v": json.dumps({"versions": [[letter, 2]]})})
    status, version, approval, *_rest, voided, _events = state(roles, letter)
    assert (status, version, approval, voided) == ("draft", 2, None, 1)
    audit_intact(roles)


@pytest.mark.parametrize(("who", "status", "to"), [("ann", Status.DRAFT, "in_review"),
                                                   ("tani", Status.APPROVED, "exported"),
                                                   ("tani", Status.IN_REVIEW, "changes_requested")])
def test_a_workflow_step_without_its_audit_event_is_refused_at_commit(
        roles: str, logins: dict[str, Engine], who: str, status: Status, to: str) -> None:
    letter = letter_at(roles, status)
    before = state(roles, letter)
    refused(logins[who], "UPDATE letters SET status = :to, row_version = row_version + 1 WHERE id = :l",
            {"l": letter, "to": to}, "letters row written without an audit event")
    assert state(roles, letter) == before


def test_a_letter_cannot_point_at_a_version_that_does_not_exist(roles: str, logins: dict[str, Engine]) -> None:
    letter = letter_at(roles, Status.DRAFT)
    before = state(roles, letter)
    refused(logins["ann"], "UPDATE letters SET version = 7, row_version = row_version + 1 WHERE id = :l",
            {"l": letter}, "may not change letter")
    refused(logins["ann"], "UPDATE letters SET version = 2, row_version = row_version + 1 WHERE id = :l",
            {"l": letter}, "fk_letters_current_version")
    assert state(roles, letter) == before


def test_approvals_only_through_the_function_in_the_judges_own_name(roles: str, logins: dict[str, Engine]) -> None:
    letter = letter_at(roles, Status.IN_REVIEW)
    before = state(roles, letter)
    insert = ("INSERT INTO approvals (letter_id, version, approver, approved_at, content_sha256, docx) "
              "VALUES (:l, 1, 'ming', 'x', 'x', '\\x00')")
    refused(logins["tani"], insert, {"l": letter}, "permission denied")
    approve = "SELECT chambers_approve(:who, :l, 1, 'x', 'x', '\\x00', :signed)"
    refused(logins["tani"], approve, {"who": "ming", "l": letter, "signed": False},
            "may not approve letters in the name of ming")
    refused(logins["ann"], approve, {"who": "ann", "l": letter, "signed": False}, "permission denied")
    # The signature image goes only on a letter its judge signs (the sample's signatory is Tani).
    refused(logins["ming"], approve, {"who": "ming", "l": letter, "signed": True},
            "ming is not the signatory of letter")
    # An approval must be recorded in the audit log as it is made.
    refused(logins["tani"], approve, {"who": "tani", "l": letter, "signed": True}, "without an audit event")
    assert state(roles, letter) == before


def test_a_clerk_cannot_void_an_approval(roles: str, logins: dict[str, Engine]) -> None:
    letter = letter_at(roles, Status.APPROVED)
    before = state(roles, letter)
    refused(logins["ann"], "UPDATE approvals SET voided_at = 'x', voided_by = 'tani' WHERE letter_id = :l",
            {"l": letter}, "permission denied")
    refused(logins["ann"], "SELECT chambers_void_approval('tani', id) FROM approvals WHERE letter_id = :l",
            {"l": letter}, "is in force: it is voided only by editing its letter")
    with logins["ann"].begin() as conn:  # without a new version of the clerk's own, nothing happens
        conn.execute(text("SELECT chambers_void_for_edit(:l)"), {"l": letter})
    assert state(roles, letter) == before


def test_signature_images_are_readable_only_by_their_judge(roles: str, logins: dict[str, Engine]) -> None:
    for who in ("ann", "ming", "admin"):
        refused(logins[who], "SELECT signature_png FROM users WHERE name = 'tani'", {}, "permission denied")
        refused(logins[who], "SELECT * FROM users", {}, "permission denied")
        with logins[who].connect() as conn:
            assert conn.execute(text("SELECT chambers_signature('tani')")).scalar_one() is None
    with logins["tani"].connect() as conn:
        assert bytes(conn.execute(text("SELECT chambers_signature('tani')")).scalar_one()) == SIGNATURE_PNG
    clerk = services(login_url(roles, "ann"))
    assert {u.name: u.signature_png for u in clerk.users.list()}["tani"] is None
    clerk.close()
    judge = services(login_url(roles, "tani"))
    assert judge.drafts.user.signature_png == SIGNATURE_PNG
    judge.close()


def test_nobody_writes_the_audit_log_directly_and_appends_are_stamped(roles: str, logins: dict[str, Engine]) -> None:
    letter = letter_at(roles, Status.DRAFT)
    for who in ("ann", "tani", "admin"):
        refused(logins[who], "INSERT INTO audit_log (id, at, actor, action, letter_id, detail, prev_hash, hash) "
                             "VALUES (999, 'x', :w, 'junk', NULL, '{}', 'x', 'y')", {"w": who}, "permission denied")
        refused(logins[who], "UPDATE chambers_meta SET value = '0' WHERE key = 'audit_count'", {},
                "permission denied")
    refused(logins["ann"], "SELECT * FROM chambers_audit_append('tani', 'approve', :l, '{}', '{}')", {"l": letter},
            "only in its own name, not as tani")
    with logins["ann"].begin() as conn:
        row = conn.execute(text("SELECT * FROM chambers_audit_append('ann', 'note', :l, '{}', '{}')"),
                           {"l": letter}).one()
    assert row.event_actor == "ann"
    audit_intact(roles)


def test_every_login_has_lock_and_statement_timeouts(roles: str, logins: dict[str, Engine]) -> None:
    for engine in logins.values():
        with engine.connect() as conn:
            assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "5s"
            assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "30s"


def test_a_lock_held_by_a_clerk_gives_the_judge_a_clear_message_not_a_hang(roles: str,
                                                                          logins: dict[str, Engine]) -> None:
    letter = letter_at(roles, Status.IN_REVIEW)
    holding = threading.Event()
    release = threading.Event()

    def clerk_holds_the_letter() -> None:
        with logins["ann"].begin() as conn:
            conn.execute(text("SELECT id FROM letters WHERE id = :l FOR UPDATE"), {"l": letter})
            holding.set()
            release.wait(60)

    holder = threading.Thread(target=clerk_holds_the_letter)
    holder.start()
    try:
        assert holding.wait(30)
        judge = services(login_url(roles, "tani"))
        started = time.monotonic()
        with pytest.raises(StorageUnavailable, match="someone is holding this letter") as caught:
            judge.drafts.approve(letter, expect_version=1)
        waited = time.monotonic() - started
        judge.close()
    finally:
        release.set()
        holder.join(60)
    assert waited < 15, f"the judge waited {waited:.1f} s"
    assert "nothing was changed" in str(caught.value)
    assert state(roles, letter)[0] == "in_review"
    audit_intact(roles)


def test_roles_made_before_the_upgrade_lose_what_0003_closes(postgres_url: str) -> None:  # noqa: F811
    """An office that ran `db init-roles` before migration 0003: `db upgrade` alone closes direct
    audit writes, approvals and signature reads for the existing logins."""
    from alembic import command

    from app.storage.database import _config, open_store
    from app.storage.sql import make_engine
    from tests.storage.dbfixtures import execute_autocommit, with_database

    name = f"chambers_pre_{make_url(postgres_url).database}"[:60]
    admin_url = with_database(postgres_url, "postgres")
    execute_autocommit(admin_url, f'CREATE DATABASE "{name}"')
    url = with_database(postgres_url, name)
    try:
        engine = make_engine(url)
        config = _config()
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
            conn.commit()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO users (name, role, full_name, signature_png, created_at) VALUES "
                              "('ann', 'clerk', '', NULL, 't'), ('tani', 'judge', '', :png, 't')"),
                         {"png": SIGNATURE_PNG})
            for group in ("chambers_clerk", "chambers_judge"):  # what init-roles granted before 0003
                conn.execute(text(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') "
                                  f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$"))
                conn.execute(text(f'GRANT CONNECT ON DATABASE "{name}" TO {group}'))
                conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {group}"))
                conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {group}"))
                conn.execute(text(f"GRANT INSERT ON audit_log, approvals TO {group}"))
                conn.execute(text(f"GRANT UPDATE (voided_at, voided_by) ON approvals TO {group}"))
            conn.execute(text("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ann') "
                              "THEN CREATE ROLE ann LOGIN; END IF; END $$"))
            conn.execute(text("GRANT chambers_clerk TO ann"))
        engine.dispose()
        open_store(url, migrate=True).close()
        clerk = create_engine(login_url(url, "ann").replace("postgresql://", "postgresql+psycopg://", 1))
        refused(clerk, "INSERT INTO audit_log (id, at, actor, action, letter_id, detail, prev_hash, hash) "
                       "VALUES (99, 'x', 'ann', 'junk', NULL, '{}', 'x', 'y')", {}, "permission denied")
        refused(clerk, "SELECT signature_png FROM users", {}, "permission denied")
        refused(clerk, "UPDATE approvals SET voided_at = 'x'", {}, "permission denied")
        with clerk.connect() as conn:
            assert conn.execute(text("SELECT chambers_signature('tani')")).scalar_one() is None
        clerk.dispose()
    finally:
        execute_autocommit(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
