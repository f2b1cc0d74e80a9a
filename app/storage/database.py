"""Opening a database: migrations (Alembic, both engines) and PostgreSQL roles and grants."""

from __future__ import annotations

import functools
import re
import threading
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from app.core.workflow import Refused, StorageUnavailable
from app.storage.sql import MIGRATIONS, SqlStore

if TYPE_CHECKING:
    from alembic.config import Config

ROLE_GROUPS = {"clerk": "chambers_clerk", "judge": "chambers_judge", "admin": "chambers_admin"}

# Alembic costs 1.5 s to import, a third of the window's cold start; the schema check on every
# start needs none of it. Revisions are read from the migration scripts' own header lines and
# the database's alembic_version table; Alembic is imported only when there is work to do.
_REVISION = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*["\']?([\w-]+|None)["\']?', re.MULTILINE)


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def head_revision() -> str | None:
    """The newest migration: the one revision no other names as its predecessor."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((key, value) for key, value in _REVISION.findall(script.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            if found.get("down_revision", "None") != "None":
                parents.add(found["down_revision"])
    heads = revisions - parents
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have more than one head: {sorted(heads)}")
    return next(iter(heads), None)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return str(row[0]) if row else None


_ALEMBIC = threading.Lock()  # Alembic keeps its running context in module globals


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Migrate to the newest schema; (revision before, revision after)."""
    before = current_revision(engine)
    if before == head_revision():
        return before, before
    from alembic import command

    config = _config()
    with _ALEMBIC, engine.connect() as conn:
        conn.execution_options(chambers_write=True)
        if conn.dialect.name == "postgresql":
            # A migration may take longer than any one statement of the working day, and it waits
            # a while for the sessions still open to let go, rather than failing at the first one.
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
            conn.exec_driver_sql("SET LOCAL lock_timeout = '60s'")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()
    return before, current_revision(engine)


def open_store(url: str, *, migrate: bool) -> SqlStore:
    """A store for ``url``; ``migrate`` brings the schema up to date first (the embedded default).

    A shared PostgreSQL database is migrated by ``db upgrade`` only: an office's server is not
    changed behind its administrator's back by whichever client starts first.
    """
    store = SqlStore(url)
    try:
        if migrate:
            upgrade(store.engine)
        else:
            current = current_revision(store.engine)
            if current != head_revision():
                store.close()
                raise StorageUnavailable(
                    f"the database {store.location} is at schema {current or 'none'}, this version of Chambers "
                    f"needs {head_revision()}: run `python main.py db upgrade --db URL` first")
    except DBAPIError as exc:
        store.close()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StorageUnavailable(f"the database {store.location} could not be opened: {reason}") from None
    return store


# --- PostgreSQL roles -----------------------------------------------------------------------
_LETTER_COLUMNS_CLERK = ("status", "version", "row_version", "subject", "search_text", "template_id",
                         "template_version", "template_sha256", "updated_by", "updated_at", "approval_id",
                         "signatory", "addressees", "letter_date")
_LETTER_COLUMNS_JUDGE = ("status", "row_version", "updated_by", "updated_at", "approval_id")
# Everything of a user but the signature image, which only its judge (chambers_signature) and the
# approval function read.
_USER_COLUMNS = ("name", "role", "full_name", "created_at", "audit_id", "audit_hash", "active")
# Everything of an approval but the approved bytes, which leave the database only through the
# audited chambers_approved_docx (migration 0007), never by a direct SELECT of a member login.
_APPROVAL_COLUMNS = ("id", "letter_id", "version", "approver", "approved_at", "content_sha256", "voided_at",
                     "voided_by", "audit_id", "audit_hash", "audit_prev", "signed", "signed_for")
# The workflow itself (status rules on INSERT and UPDATE, stamping, approvals, the audit append)
# lives in migration 0003's functions and triggers; the grants below only open the doors to them.
# Per login, so that no session of a person can hold a letter or the audit head for long.
LOGIN_SETTINGS = {"lock_timeout": "5s", "statement_timeout": "30s", "idle_in_transaction_session_timeout": "60s"}


def _role_sql(database: str) -> list[str]:
    q = '"{}"'.format
    sql = []
    for group in ROLE_GROUPS.values():
        sql.append(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') "
                   f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$")
        sql.append(f"GRANT CONNECT ON DATABASE {q(database)} TO {group}")
        sql.append(f"GRANT USAGE ON SCHEMA public TO {group}")
        sql.append(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {group}")
        sql.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {group}")
        # The audit log is read by all and written by nobody directly: appends go through the
        # definer function that stamps the login and computes the hash.
        sql.append(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_log, chambers_meta FROM {group}")
        sql.append(f"REVOKE SELECT ON users FROM {group}")
        sql.append(f"GRANT SELECT ({', '.join(_USER_COLUMNS)}) ON users TO {group}")
        sql.append(f"GRANT SELECT (audit_prev) ON users TO {group}")
        sql.append(f"REVOKE SELECT ON approvals FROM {group}")
        sql.append(f"GRANT SELECT ({', '.join(_APPROVAL_COLUMNS)}) ON approvals TO {group}")
        # No temporary objects: nothing a session creates may stand in for what a function reads.
        sql.append(f"REVOKE TEMPORARY ON DATABASE {q(database)} FROM {group}")
        sql.append("GRANT EXECUTE ON FUNCTION chambers_audit_append(text, text, integer, text, jsonb), "
                   "chambers_signature(text), chambers_void_approval(text, integer), "
                   f"chambers_void_for_edit(integer) TO {group}")
    clerk, judge, admin = ROLE_GROUPS["clerk"], ROLE_GROUPS["judge"], ROLE_GROUPS["admin"]
    sql += [
        # Before PostgreSQL 15 anyone could create objects in public, next to the definer functions.
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        # Every role has TEMP on a new database; a database copied from a template or restored
        # into a new one has it again, so it is taken away here as well as in migration 0007.
        f"REVOKE TEMPORARY ON DATABASE {q(database)} FROM PUBLIC",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON approvals FROM {clerk}, {judge}, {admin}",
        f"REVOKE DELETE, TRUNCATE ON users, letters, letter_versions, comments FROM {clerk}, {judge}, {admin}",
        f"GRANT INSERT ON letters, letter_versions, comments TO {clerk}",
        f"GRANT UPDATE ({', '.join(_LETTER_COLUMNS_CLERK)}) ON letters TO {clerk}",
        # A clerk replaces their own working copy (migration 0004: trigger and row policy).
        f"GRANT UPDATE ON letter_versions TO {clerk}",
        f"GRANT UPDATE (use_count) ON clauses TO {clerk}",
        f"GRANT INSERT ON comments TO {judge}",
        "GRANT EXECUTE ON FUNCTION chambers_approve(text, integer, integer, text, text, bytea, boolean, text), "
        f"chambers_approved_docx(text, integer) TO {judge}",
        f"GRANT UPDATE ({', '.join(_LETTER_COLUMNS_JUDGE)}) ON letters TO {judge}",
        f"GRANT INSERT, UPDATE ON users TO {admin}",
        # The letterhead: read by all, set by an admin only (migration 0006 checks each write's audit).
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON court_profile, court_seals FROM {clerk}, {judge}, {admin}",
        f"GRANT INSERT, UPDATE ON court_profile TO {admin}",
        f"GRANT INSERT ON court_seals TO {admin}",
        # Signing (migration 0008): judges' public certificates and the trust anchors, set by an admin.
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON signing_certificates, trust_anchors FROM {clerk}, {judge}, "
        f"{admin}",
        f"GRANT INSERT ON signing_certificates TO {admin}",
        f"GRANT INSERT, UPDATE ON trust_anchors TO {admin}",
        f"GRANT INSERT, UPDATE, DELETE ON clauses, addressees TO {admin}",
        # Row-level security where it helps: a login writes comments and versions in its own name.
        "ALTER TABLE comments ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS comments_read ON comments",
        "CREATE POLICY comments_read ON comments FOR SELECT USING (true)",
        "DROP POLICY IF EXISTS comments_own ON comments",
        "CREATE POLICY comments_own ON comments FOR INSERT WITH CHECK (author = session_user)",
        "ALTER TABLE letter_versions ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS versions_read ON letter_versions",
        "CREATE POLICY versions_read ON letter_versions FOR SELECT USING (true)",
        "DROP POLICY IF EXISTS versions_own ON letter_versions",
        "CREATE POLICY versions_own ON letter_versions FOR INSERT WITH CHECK (author = session_user)",
        "DROP POLICY IF EXISTS audit_own ON audit_log",
    ]
    return sql


_PUBLIC_HAS_TEMP = ("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database d, pg_catalog.aclexplode(COALESCE("
                    "d.datacl, pg_catalog.acldefault('d', d.datdba))) a WHERE d.datname = current_database() "
                    "AND a.grantee = 0 AND a.privilege_type = 'TEMPORARY')")


def init_roles(store: SqlStore, logins: dict[str, str], passwords: dict[str, str] | None = None) -> list[str]:
    """Create the group roles and grants, and a login for each ``{user: role}``; what was done."""
    if store.dialect != "postgresql":
        raise Refused("database roles exist only on PostgreSQL; on SQLite the app checks roles itself")
    passwords = passwords or {}
    done: list[str] = []
    try:
        with store.engine.begin() as conn:
            database = conn.execute(text("SELECT current_database()")).scalar_one()
            for statement in _role_sql(str(database)):
                conn.exec_driver_sql(statement.replace("%", "%%"))
            if conn.execute(text(_PUBLIC_HAS_TEMP)).scalar_one():
                # Only the database's owner can take it; anyone else's REVOKE is a silent warning.
                raise Refused(f"TEMP on the database {database} could not be taken from PUBLIC, so any login could "
                              "create temporary objects: run `db init-roles` connected as the database's owner or "
                              "a superuser; nothing was changed")
            done.append("group roles " + ", ".join(ROLE_GROUPS.values()) + " with their grants: audit events, "
                        "approvals and signature images only through the chambers_* functions")
            for user, role in sorted(logins.items()):
                done.append(_ensure_login(conn, user, role, passwords.get(user)))
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise Refused(f"the roles could not be set up (connect as the database owner or a superuser): "
                      f"{reason}") from None
    return done


def _ensure_login(conn: Connection, user: str, role: str, password: str | None) -> str:
    group = ROLE_GROUPS[role]
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": user}).first()
    ident = conn.dialect.identifier_preparer.quote(user)
    if not exists:
        conn.exec_driver_sql(f"CREATE ROLE {ident} LOGIN")
    if password:
        literal = "'" + password.replace("'", "''") + "'"
        conn.exec_driver_sql(f"ALTER ROLE {ident} PASSWORD {literal}".replace("%", "%%"))
    for other in ROLE_GROUPS.values():
        if other != group:
            conn.exec_driver_sql(f"REVOKE {other} FROM {ident}")
    conn.exec_driver_sql(f"GRANT {group} TO {ident}")
    database = conn.dialect.identifier_preparer.quote(str(conn.execute(text("SELECT current_database()")).scalar_one()))
    conn.exec_driver_sql(f"REVOKE TEMPORARY ON DATABASE {database} FROM {ident}")
    for setting, value in LOGIN_SETTINGS.items():
        conn.exec_driver_sql(f"ALTER ROLE {ident} SET {setting} = '{value}'")
    limits = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in LOGIN_SETTINGS.items())
    return f"login {user} in {group} ({limits})"


def add_login(store: SqlStore, user: str, role: str, password: str | None = None) -> str:
    """On PostgreSQL, the database login for a new user (needs CREATEROLE); '' on SQLite."""
    if store.dialect != "postgresql":
        return ""
    try:
        with store.engine.begin() as conn:
            group = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :g"), {"g": ROLE_GROUPS[role]})
            if group.first() is None:
                return ""  # `db init-roles` has not run yet; it makes the logins of all users then
            return _ensure_login(conn, user, role, password)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise Refused(f"the database login for {user} could not be created: {reason}") from None


def enable_login(store: SqlStore, user: str, enabled: bool) -> str:
    """On PostgreSQL, let ``user``'s database login connect again, or not at all (a deactivated
    user must not reach the data with another client either); '' on SQLite or without a login."""
    if store.dialect != "postgresql":
        return ""
    try:
        with store.engine.begin() as conn:
            # Roles belong to the whole server: act only where `db init-roles` gave this database's
            # tables to the groups, and only on a login that is in one of them.
            ours = conn.execute(text(
                "SELECT bool_or(pg_has_role(u.oid, g.oid, 'MEMBER') "
                "AND has_table_privilege(g.oid, 'letters', 'SELECT')) "
                "FROM pg_roles u, pg_roles g WHERE u.rolname = :n AND g.rolname = ANY(:groups)"),
                {"n": user, "groups": list(ROLE_GROUPS.values())}).scalar()
            if not ours:
                return ""
            ident = conn.dialect.identifier_preparer.quote(user)
            conn.exec_driver_sql(f"ALTER ROLE {ident} {'LOGIN' if enabled else 'NOLOGIN'}")
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise Refused(f"the database login of {user} could not be {'enabled' if enabled else 'disabled'}: "
                      f"{reason}") from None
    return f"login {user} {'may connect again' if enabled else 'can no longer connect'}"
