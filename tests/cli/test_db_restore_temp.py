"""``chambers db restore`` on PostgreSQL takes TEMP away again: a database made anew to restore into
gives it to PUBLIC (nothing in a dump takes it), and a login with TEMP could shadow what a Chambers
function reads with a temporary table or view of its own."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from app.cli import main
from tests.storage.dbfixtures import execute_autocommit, postgres_template, postgres_url, with_database  # noqa: F401
from tests.storage.test_postgres_enforcement import login_url, roles  # noqa: F401

PUBLIC_HAS_TEMP = ("SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(COALESCE(d.datacl, acldefault('d', "
                   "d.datdba))) a WHERE d.datname = current_database() AND a.grantee = 0 "
                   "AND a.privilege_type = 'TEMPORARY')")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _scalar(url: str, query: str) -> object:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


def _may_make_a_temporary_table(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE TEMPORARY TABLE pg_tables_shadow (x int)"))
        return True
    except DBAPIError as exc:
        if "permission denied to create temporary tables" not in str(exc.orig):
            raise
        return False
    finally:
        engine.dispose()


def _made_anew(url: str) -> None:
    """The office's database dropped and created again, empty, as before a restore onto a new server."""
    name = make_url(url).database
    execute_autocommit(with_database(url, "postgres"), f'DROP DATABASE "{name}" WITH (FORCE)',
                       f'CREATE DATABASE "{name}"')


@pytest.mark.postgres
def test_a_restore_into_a_database_made_anew_takes_temp_from_public_and_every_login(
        roles: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    backup = tmp_path / "office.dump"
    assert run(capsys, "db", "backup", str(backup), "--db", roles)[0] == 0
    _made_anew(roles)
    assert _scalar(roles, PUBLIC_HAS_TEMP) is True  # what a new database gives everyone
    code, out, err = run(capsys, "db", "restore", str(backup), "--db", roles)
    assert code == 0, err
    assert _scalar(roles, PUBLIC_HAS_TEMP) is False
    for person in ("ann", "tani", "admin"):
        assert not _may_make_a_temporary_table(login_url(roles, person)), person
    said = re.search(r"^TEMP on the database is taken again from PUBLIC and the (\d+) Chambers role\(s\) \(groups and "
                     r"logins\), as `db init-roles` takes it: a restored database would otherwise let any login "
                     r"create temporary objects\.$", out, re.MULTILINE)
    assert said is not None, out
    assert int(said[1]) >= 7  # the three groups and the office's four logins (others' on this server too)
    assert run(capsys, "drafts", "list", "--db", login_url(roles, "ann"))[0] == 0


@pytest.mark.postgres
def test_a_login_that_cannot_take_temp_is_refused_before_anything_is_restored(
        postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    from tests.storage.dbfixtures import office

    office(postgres_url).close()
    backup = tmp_path / "office.dump"
    assert run(capsys, "db", "backup", str(backup), "--db", postgres_url)[0] == 0
    _made_anew(postgres_url)
    name = make_url(postgres_url).database
    stranger = f"mend_not_owner_{uuid.uuid4().hex[:8]}"
    execute_autocommit(postgres_url, f'CREATE ROLE "{stranger}" LOGIN',
                       f'GRANT CONNECT ON DATABASE "{name}" TO "{stranger}"')
    try:
        code, out, err = run(capsys, "db", "restore", str(backup), "--db", login_url(postgres_url, stranger))
        assert (code, out) == (5, "")
        assert err.startswith(f"Refused: TEMP on the database {name} could not be taken from PUBLIC (and so every "
                              "login)")
        assert err.endswith(", so they could create temporary objects: connect as the database's owner or a "
                            "superuser; nothing was restored.\n")
        assert _scalar(postgres_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
    finally:
        execute_autocommit(postgres_url, f'DROP OWNED BY "{stranger}"', f'DROP ROLE "{stranger}"')
