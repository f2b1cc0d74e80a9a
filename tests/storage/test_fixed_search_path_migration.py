"""Migration 0007 on an office's database at 0006, with letters in every state, approvals (one
by a judge for the signatory), comments, an export and their audit events: after the upgrade the
chain is intact (`audit verify` says so), the exported file still verifies, each approval records
whom it was signed for, and on PostgreSQL every function has the fixed search path."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from app.bootstrap import services
from app.cli import main
from app.core.workflow import Role
from app.services.drafts import VERIFIED
from app.storage.database import _ALEMBIC, _config, current_revision, head_revision, upgrade
from app.storage.sql import make_engine
from tests.conftest import sample_data
from tests.storage.dbfixtures import ENGINES, SIGNATURE_PNG, _admin_url, execute_autocommit, with_database

FIXED = "search_path=pg_catalog, pg_temp"


@pytest.fixture(params=ENGINES)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'office.sqlite3'}"
        return
    admin = _admin_url()
    name = f"chambers_0006_{uuid.uuid4().hex[:10]}"
    execute_autocommit(admin, f'CREATE DATABASE "{name}"')
    try:
        yield with_database(admin, name)
    finally:
        execute_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate(url: str, target: str, down: bool = False) -> None:
    engine = make_engine(url)
    config = _config()
    try:
        with _ALEMBIC, engine.connect() as conn:
            config.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(config, target)
            conn.commit()
    finally:
        engine.dispose()


def office_at_0006(url: str, tmp_path: Path) -> dict[str, int]:
    """An office's work, then the database taken back to 0006's schema: the rows stay, the
    approvals lose the column that records whom they were signed for."""
    _migrate(url, "head")
    owner = services(url, as_user="admin")
    owner.users.add("admin", Role.ADMIN)
    owner.users.add("ann", Role.CLERK, "Ann Clerk")
    owner.users.add("tani", Role.JUDGE, "Tani G. Cantil-Sakauye", SIGNATURE_PNG)
    owner.users.add("ming", Role.JUDGE, "Ming W. Chin")
    owner.close()
    clerk, tani, ming = (services(url, as_user=name) for name in ("ann", "tani", "ming"))
    letters = {state: clerk.drafts.create("officials-concern", {**sample_data(), "subject": state}).id
               for state in ("draft", "changes", "approved", "signed for", "exported", "withdrawn")}
    for state in ("changes", "approved", "signed for", "exported", "withdrawn"):
        clerk.drafts.submit(letters[state])
    tani.drafts.request_changes(letters["changes"], "Say which courthouses.")
    tani.drafts.comment(letters["approved"], "Good.")
    for state in ("approved", "exported", "withdrawn"):
        tani.drafts.approve(letters[state], expect_version=1)
    ming.drafts.approve(letters["signed for"], expect_version=1, signing_for=sample_data()["signatory"]["name"])
    tani.drafts.export(letters["exported"], tmp_path / "exported.docx")
    clerk.drafts.update(letters["withdrawn"], {**sample_data(), "subject": "edited after approval"}, 1)
    for chambers in (clerk, tani, ming):
        chambers.close()
    _migrate(url, "0006", down=True)
    engine = make_engine(url)
    assert current_revision(engine) == "0006"
    with engine.connect() as conn:
        assert "signed_for" not in {c["name"] for c in inspect(conn).get_columns("approvals")}
    engine.dispose()
    return letters


def test_an_office_at_0006_upgrades_with_its_chain_intact(empty_url: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    url = empty_url
    letters = office_at_0006(url, tmp_path)
    engine = make_engine(url)
    assert upgrade(engine) == ("0006", head_revision())
    engine.dispose()

    assert main(["audit", "verify", "--db", url, "--as", "ann"]) == 0
    assert "The audit log is intact" in capsys.readouterr().out
    office = services(url, as_user="tani")
    try:
        assert office.drafts.verify(tmp_path / "exported.docx").code == VERIFIED
        for state, status in (("draft", "draft"), ("changes", "changes_requested"), ("approved", "approved"),
                              ("signed for", "approved"), ("exported", "exported"), ("withdrawn", "draft")):
            assert office.drafts.get(letters[state]).summary.status.value == status
        # Approved at 0006 and exported after the upgrade: the release goes through 0007's function.
        office.drafts.export(letters["approved"], tmp_path / "approved.docx")
        assert office.drafts.verify(tmp_path / "approved.docx").code == VERIFIED
        assert office.drafts.audit_check()[1] is None
    finally:
        office.close()

    check = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with check.connect() as conn:
        signed_for = dict(conn.execute(text("SELECT letter_id, signed_for FROM approvals")).all())
        assert signed_for == {letters["approved"]: None, letters["exported"]: None, letters["withdrawn"]: None,
                              letters["signed for"]: sample_data()["signatory"]["name"]}
        if check.dialect.name == "postgresql":
            loose = conn.execute(text(
                "SELECT p.proname FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
                "AND NOT (COALESCE(p.proconfig, '{}') @> ARRAY[:fixed])"), {"fixed": FIXED}).scalars().all()
            assert loose == []
            assert not conn.execute(text(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database d, pg_catalog.aclexplode(COALESCE(d.datacl, "
                "pg_catalog.acldefault('d', d.datdba))) a WHERE d.datname = current_database() AND a.grantee = 0 "
                "AND a.privilege_type = 'TEMPORARY')")).scalar_one(), "PUBLIC still has TEMP on the database"
    check.dispose()


@pytest.mark.postgres
def test_an_upgrade_that_cannot_take_temp_from_public_stops_and_says_who_can(tmp_path: Path) -> None:
    """The tables' owner who does not own the database cannot revoke TEMP; PostgreSQL would only
    warn, so the migration checks and stops, and the database stays at 0006."""
    admin = _admin_url()
    suffix = uuid.uuid4().hex[:10]
    name, owner = f"chambers_own_{suffix}", f"chambers_owner_{suffix}"
    execute_autocommit(admin, f"CREATE ROLE {owner} LOGIN", f'CREATE DATABASE "{name}"')
    url = with_database(admin, name)
    try:
        execute_autocommit(url, f"GRANT CREATE ON SCHEMA public TO {owner}")
        as_owner = with_database(admin, name).replace("postgres@", f"{owner}@", 1)
        _migrate(as_owner, "0006")
        with pytest.raises(DBAPIError, match=f"TEMP on database {name} could not be taken from PUBLIC: run "
                                             "`db upgrade` as the database's owner or a superuser"):
            _migrate(as_owner, "head")
        engine = make_engine(url)
        assert current_revision(engine) == "0006"
        engine.dispose()
        _migrate(url, "head")  # as the superuser it goes through
        engine = make_engine(url)
        assert current_revision(engine) == head_revision()
        engine.dispose()
    finally:
        execute_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f"DROP ROLE IF EXISTS {owner}")
