"""No login can redirect what the database's own functions read (migration 0007).

The attack that was found: a clerk made temp views named pg_roles and pg_tables (saying the clerk
was a superuser and owned the tables), put pg_temp first in the search path, and the workflow
triggers then let forged steps through. Here every earlier attack runs as the person's OWN login,
hijack and all; the login is even given TEMP back (as a careless server administrator might), so
that what is tested is the functions themselves, not only the revoked privilege. Every one is
refused, and nothing changes. And every function of the schema must carry the fixed search path
and name its tables with their schema, including those later migrations add.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from app.core.workflow import Status
from tests.conftest import sample_data
from tests.storage.dbfixtures import execute_autocommit, postgres_template, postgres_url  # noqa: F401
from tests.storage.test_postgres_enforcement import audit_intact, letter_at, login_url, roles, state  # noqa: F401

pytestmark = pytest.mark.postgres

FIXED = "search_path=pg_catalog, pg_temp"

# What the attacker's session says about the world, ahead of the catalog: everyone a superuser,
# every table owned by the attacker.
HIJACK = (
    "CREATE TEMP VIEW pg_roles AS SELECT r.rolname, true AS rolsuper, r.oid FROM pg_catalog.pg_roles r",
    "CREATE TEMP VIEW pg_tables AS SELECT t.schemaname, t.tablename, session_user::name AS tableowner "
    "FROM pg_catalog.pg_tables t",
    "SET LOCAL search_path = pg_temp, pg_catalog, public",
)


@pytest.fixture
def logins(roles: str) -> Iterator[dict[str, Engine]]:  # noqa: F811
    database = make_url(roles).database
    # Give TEMP back to the people (PUBLIC has none after 0007 and init-roles), so that the hijack
    # can be set up at all and the functions must withstand it on their own.
    execute_autocommit(roles, f'GRANT TEMPORARY ON DATABASE "{database}" TO ann, tani, ming')
    engines = {name: create_engine(login_url(roles, name).replace("postgresql://", "postgresql+psycopg://", 1))
               for name in ("ann", "tani", "ming")}
    yield engines
    for engine in engines.values():
        engine.dispose()


def hijacked(engine: Engine, *statements: str, **params: Any) -> None:
    """The statements, in one transaction of the login, after the hijack."""
    with engine.begin() as conn:
        for statement in HIJACK:
            conn.execute(text(statement))
        assert conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = session_user")).scalar_one()
        for statement in statements:
            conn.execute(text(statement), params)


def in_one_transaction(engine: Engine, *statements: str, **params: Any) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def refused_hijacked(engine: Engine, *statements: str, match: str, **params: Any) -> None:
    with pytest.raises(DBAPIError, match=match):
        hijacked(engine, *statements, **params)


REFUSED = r"may not|without an audit event|not the signatory|permission denied|never changed"
NEW_VERSION = ("INSERT INTO letter_versions (letter_id, number, data, author, created_at, note, template_id, "
               "template_version, template_sha256) VALUES (:l, 2, :d, :who, 'x', '', 'officials-concern', '1', 'x')")


def exported_letter(url: str, logins: dict[str, Engine]) -> int:
    letter = letter_at(url, Status.APPROVED)
    with logins["tani"].begin() as conn:  # the judge exports it, as Chambers does
        conn.execute(text("UPDATE letters SET status = 'exported', row_version = row_version + 1 WHERE id = :l"),
                     {"l": letter})
        conn.execute(text("SELECT * FROM chambers_audit_append('tani', 'export_final', :l, '{}', '{}')"),
                     {"l": letter})
    assert state(url, letter)[0] == "exported"
    return letter


def test_a_silent_new_version_of_an_exported_letter_is_refused(roles: str, logins: dict[str, Engine]) -> None:  # noqa: F811
    """Only a clerk may write versions at all (a judge's login has no INSERT on them)."""
    who = "ann"
    letter = exported_letter(roles, logins)
    before = state(roles, letter)
    refused_hijacked(logins[who], NEW_VERSION,
                     "UPDATE letters SET version = 2, row_version = row_version + 1 WHERE id = :l",
                     match=REFUSED, l=letter, d=json.dumps({**sample_data(), "subject": "Forged"}), who=who)
    assert state(roles, letter) == before
    audit_intact(roles)


@pytest.mark.parametrize("who", ["ann", "tani"])
@pytest.mark.parametrize(("status", "to"), [(Status.IN_REVIEW, "approved"), (Status.DRAFT, "exported")])
def test_a_status_no_workflow_allows_is_refused(roles: str, logins: dict[str, Engine], who: str,  # noqa: F811
                                                status: Status, to: str) -> None:
    letter = letter_at(roles, status)
    before = state(roles, letter)
    refused_hijacked(logins[who], "UPDATE letters SET status = :to, row_version = row_version + 1 WHERE id = :l",
                     match=REFUSED, l=letter, to=to)
    # Not even with an audit event to go with it: there is no approval behind it.
    refused_hijacked(logins[who], "UPDATE letters SET status = :to, row_version = row_version + 1 WHERE id = :l",
                     "SELECT * FROM chambers_audit_append(:who, 'approve', :l, '{}', '{}')",
                     match=REFUSED, l=letter, to=to, who=who)
    assert state(roles, letter) == before
    audit_intact(roles)


def test_a_submit_with_no_audit_event_is_refused(roles: str, logins: dict[str, Engine]) -> None:  # noqa: F811
    letter = letter_at(roles, Status.DRAFT)
    before = state(roles, letter)
    refused_hijacked(logins["ann"], "UPDATE letters SET status = 'in_review', row_version = row_version + 1 "
                                    "WHERE id = :l", match="without an audit event", l=letter)
    assert state(roles, letter) == before


@pytest.mark.parametrize("who", ["ann", "tani"])
def test_a_comment_with_no_audit_event_is_refused(roles: str, logins: dict[str, Engine], who: str) -> None:  # noqa: F811
    letter = letter_at(roles, Status.IN_REVIEW)
    refused_hijacked(logins[who], "INSERT INTO comments (letter_id, version, author, created_at, text) "
                                  "VALUES (:l, 1, :who, 'x', 'unrecorded')",
                     match="without an audit event", l=letter, who=who)
    engine = create_engine(roles.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM comments WHERE letter_id = :l"), {"l": letter}).scalar_one() == 0
    engine.dispose()
    audit_intact(roles)


APPROVE = "SELECT chambers_approve(:who, :l, 1, 'x', :sha, :docx, false)"
FORGED = b"PK\x03\x04 not the letter the clerk wrote"


@pytest.mark.parametrize("hijack", [False, True])
def test_a_judge_who_does_not_sign_cannot_approve_by_leaving_out_the_signature(
        roles: str, logins: dict[str, Engine], hijack: bool) -> None:  # noqa: F811
    """ming is a judge but the sample is signed by tani: p_signed => false used to skip the check."""
    letter = letter_at(roles, Status.IN_REVIEW)
    before = state(roles, letter)
    approve_and_record = (APPROVE, "UPDATE letters SET status = 'approved', approval_id = currval("
                          "pg_get_serial_sequence('public.approvals', 'id')), row_version = row_version + 1 "
                          "WHERE id = :l",
                          "SELECT * FROM chambers_audit_append('ming', 'approve', :l, '{}', "
                          "jsonb_build_object('approvals', jsonb_build_array(currval(pg_get_serial_sequence("
                          "'public.approvals', 'id')))))")
    params = {"who": "ming", "l": letter, "sha": "0" * 64, "docx": FORGED}
    if hijack:
        refused_hijacked(logins["ming"], *approve_and_record, match="ming is not the signatory of letter", **params)
    else:
        with pytest.raises(DBAPIError, match="ming is not the signatory of letter"):
            in_one_transaction(logins["ming"], *approve_and_record, **params)
    # Naming someone else than the signatory as signed for does not do either.
    with pytest.raises(DBAPIError, match="not by Someone Else"), logins["ming"].begin() as conn:
        conn.execute(text("SELECT chambers_approve('ming', :l, 1, 'x', :sha, :docx, false, 'Someone Else')"),
                     params)
    assert state(roles, letter) == before
    audit_intact(roles)


def test_a_judge_approves_for_the_signatory_only_by_saying_so_and_it_is_recorded(
        roles: str, logins: dict[str, Engine]) -> None:  # noqa: F811
    letter = letter_at(roles, Status.IN_REVIEW)
    signatory = sample_data()["signatory"]["name"]
    params = {"l": letter, "sha": "0" * 64, "docx": FORGED, "for": f"  {signatory.upper()} "}
    with pytest.raises(DBAPIError, match="may not carry a signature image"), logins["ming"].begin() as conn:
        conn.execute(text("SELECT chambers_approve('ming', :l, 1, 'x', :sha, :docx, true, :for)"), params)
    with logins["ming"].begin() as conn:
        approval = conn.execute(text("SELECT chambers_approve('ming', :l, 1, 'x', :sha, :docx, false, :for)"),
                                params).scalar_one()
        conn.execute(text("SELECT * FROM chambers_audit_append('ming', 'approve', :l, '{}', CAST(:v AS jsonb))"),
                     {"l": letter, "v": json.dumps({"approvals": [approval]})})
    with logins["ann"].connect() as conn:
        assert conn.execute(text("SELECT approver, signed_for FROM approvals WHERE id = :a"),
                            {"a": approval}).one() == ("ming", signatory)
    refused_hijacked(logins["ming"], "UPDATE approvals SET signed_for = NULL WHERE id = :a",
                     match="permission denied|only be voided", a=approval)


def test_no_login_may_create_temporary_objects(roles: str) -> None:  # noqa: F811
    for who in ("ann", "tani", "ming", "admin"):
        engine = create_engine(login_url(roles, who).replace("postgresql://", "postgresql+psycopg://", 1))
        with pytest.raises(DBAPIError, match="permission denied to create temporary tables"), engine.begin() as conn:
            conn.execute(text(HIJACK[0]))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT has_database_privilege(current_database(), 'TEMP')")).scalar_one() \
                is False
        engine.dispose()


def _schema_functions(conn: Connection) -> list[Any]:
    """Every function of the schema Chambers' tables live in, with its settings and source; those an
    extension brings are the extension's business."""
    return conn.execute(text(
        "SELECT p.oid::regprocedure::text AS name, p.proconfig, p.prosrc FROM pg_catalog.pg_proc p "
        "WHERE p.pronamespace = (SELECT c.relnamespace FROM pg_catalog.pg_class c "
        "                        WHERE c.oid = 'public.letters'::pg_catalog.regclass) "
        "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass "
        "                AND d.objid = p.oid AND d.deptype = 'e') ORDER BY 1")).all()


def test_every_function_of_the_schema_has_the_fixed_search_path(postgres_url: str) -> None:  # noqa: F811
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        functions = _schema_functions(conn)
    engine.dispose()
    assert len(functions) >= 17  # the helpers and triggers of 0001-0007 are all there to be checked
    loose = [f"{f.name}: {f.proconfig or 'the caller`s search path'}" for f in functions
             if FIXED not in (f.proconfig or [])]
    assert not loose, "these functions run with a search path the caller chooses; give each " \
                      f"`SET search_path = pg_catalog, pg_temp`: {loose}"


def _code(source: str) -> str:
    """``source`` without its comments and string literals (messages may name tables freely)."""
    source = re.sub(r"--[^\n]*", " ", source)
    return re.sub(r"'(?:[^']|'')*'", "''", source)


def test_every_function_names_each_table_with_its_schema(postgres_url: str) -> None:  # noqa: F811
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        functions = _schema_functions(conn)
        relations = conn.execute(text(
            "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'v', 'p', 'm') "
            "AND c.relnamespace IN ('public'::regnamespace, 'pg_catalog'::regnamespace)")).scalars().all()
        ours = [f.name.split("(")[0].removeprefix("public.") for f in functions]
    engine.dispose()
    # A relation or one of our functions, not preceded by a schema (or by a record's name, as in
    # ``letter.version``), is looked up through the search path.
    names = "|".join(re.escape(n) for n in sorted({*relations, *ours}, key=len, reverse=True))
    unqualified = re.compile(rf"(?<![\w.\"])({names})\b(?!\s*\.)", re.IGNORECASE)
    found = []
    for f in functions:
        for match in unqualified.finditer(_code(f.prosrc)):
            context = _code(f.prosrc)[max(0, match.start() - 30):match.end() + 10].replace("\n", " ")
            found.append(f"{f.name}: {match.group(1)!r} in ...{context}...")
    assert not found, "name these with their schema (public.x, pg_catalog.x):\n" + "\n".join(found)
