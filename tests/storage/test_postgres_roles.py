"""On PostgreSQL the database itself enforces the roles: a clerk's own login cannot approve,
cannot move a letter to a status it may not, and nobody can change audit rows."""

from __future__ import annotations

import uuid
from contextlib import ExitStack

import psycopg
import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from app.bootstrap import services
from app.core.workflow import Refused, Status
from app.storage.database import LOGIN_CONNECTION_LIMIT, init_roles
from app.storage.news import ListenFeed
from app.storage.sql import make_engine
from tests.conftest import sample_data
from tests.storage.dbfixtures import execute_autocommit, office, postgres_template, postgres_url  # noqa: F401

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles(postgres_url: str) -> str:  # noqa: F811
    s = office(postgres_url)
    init_roles(s.store, {u.name: u.role.value for u in s.users.list()})  # type: ignore[arg-type]
    s.close()
    return postgres_url


def login_url(url: str, user: str) -> str:
    return make_url(url).set(username=user, password=None).render_as_string(hide_password=False)


def in_review_letter(url: str) -> int:
    clerk = services(login_url(url, "ann"))
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter)
    clerk.close()
    return letter


def test_clerk_login_cannot_approve_through_the_app(roles: str) -> None:
    letter = in_review_letter(roles)
    clerk = services(login_url(roles, "ann"))
    assert clerk.drafts.user.name == "ann"  # the login is the user
    with pytest.raises(Refused):
        clerk.drafts.approve(letter, 1)
    clerk.close()
    pretender = services(login_url(roles, "ann"), as_user="tani")
    with pytest.raises(Refused, match="cannot act as tani"):
        pretender.drafts.user  # noqa: B018
    pretender.close()


@pytest.mark.parametrize("statement", [
    "UPDATE letters SET status = 'approved' WHERE id = :id",
    "UPDATE letters SET status = 'changes_requested' WHERE id = :id",
    "UPDATE letters SET status = 'exported' WHERE id = :id",
    "INSERT INTO approvals (letter_id, version, approver, approved_at, content_sha256, docx) "
    "VALUES (:id, 1, 'ann', 'x', 'x', '\\x00')",
    "UPDATE audit_log SET actor = 'mallory'",
    "DELETE FROM audit_log",
    "UPDATE letter_versions SET data = '{}'",
    "INSERT INTO comments (letter_id, version, author, created_at, text) VALUES (:id, 1, 'tani', 'x', 'forged')",
    "UPDATE users SET role = 'judge' WHERE name = 'ann'",
])
def test_clerk_login_is_refused_by_the_database_with_any_client(roles: str, statement: str) -> None:
    letter = in_review_letter(roles)
    engine = create_engine(login_url(roles, "ann"))
    with pytest.raises(DBAPIError, match=r"permission denied|may not|never changed|row-level security"), \
            engine.begin() as conn:
        conn.execute(text(statement), {"id": letter})
    engine.dispose()
    s = office(roles)
    assert s.drafts.get(letter).summary.status is Status.IN_REVIEW
    assert s.drafts.audit_check()[1] is None
    s.close()


def test_judge_login_approves_and_clerk_login_edits(roles: str) -> None:
    letter = in_review_letter(roles)
    judge = services(login_url(roles, "tani"))
    judge.drafts.approve(letter, 1)
    judge.close()
    clerk = services(login_url(roles, "ann"))
    edited = clerk.drafts.update(letter, {**sample_data(), "subject": "Edited after approval"}, 1)
    assert edited.status is Status.DRAFT
    assert edited.approval_id is None
    assert clerk.drafts.audit_check()[1] is None
    clerk.close()


def test_nobody_changes_audit_rows_not_even_the_owner(roles: str) -> None:
    engine = create_engine(roles)
    with pytest.raises(DBAPIError, match="never changed"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory'"))
    engine.dispose()


def test_a_login_may_hold_two_windows_and_a_command_and_no_more(postgres_url: str) -> None:  # noqa: F811
    # Logins belong to the whole server, and other test runs may be connected as ann or tani: a
    # login of this test's own, dropped at its end, is the only one whose connections it can count.
    name = f"limit_{uuid.uuid4().hex[:10]}"
    s = office(postgres_url)
    done = init_roles(s.store, {name: "clerk"})
    s.close()
    assert f"login {name} in chambers_clerk (lock timeout 5s, statement timeout 30s, idle in transaction " \
           f"session timeout 60s, at most {LOGIN_CONNECTION_LIMIT} connections)" in done
    url = login_url(postgres_url, name)
    try:
        with ExitStack() as held:
            # Each window and the command with all of its pool checked out; each window listening.
            for store in ("bench window", "chambers window", "command"):
                engine = make_engine(url)
                held.callback(engine.dispose)
                for _ in range(engine.pool.size() + engine.pool._max_overflow):  # type: ignore[attr-defined]
                    held.enter_context(engine.connect())
                if store != "command":
                    feed = ListenFeed(url)
                    held.callback(feed.close)
                    assert feed.connections == 1
            counted = connections_of(postgres_url, name)
            assert counted == LOGIN_CONNECTION_LIMIT
            conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            with pytest.raises(psycopg.OperationalError, match=f'too many connections for role "{name}"'):
                psycopg.connect(conninfo).close()
    finally:
        execute_autocommit(postgres_url, f'DROP OWNED BY "{name}"', f'DROP ROLE "{name}"')


def connections_of(url: str, login: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        counted = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE usename = :n"), {"n": login})
        number = int(counted.scalar_one())
    engine.dispose()
    return number
