"""Opening a database: migrations (Alembic, both engines) and PostgreSQL roles and grants."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, make_url, text
from sqlalchemy.exc import DBAPIError

from app.core.files import create_private_file, make_private_folder
from app.core.workflow import Refused, StorageUnavailable
from app.storage.sql import MIGRATIONS, POOL_OVERFLOW, POOL_SIZE, SQLITE_BUSY_S, SqlStore
from app.storage.urls import normalize_url

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


def open_store(url: str, *, migrate: bool, create: bool = True) -> SqlStore:
    """A store for ``url``; ``migrate`` brings the schema up to date first (the embedded default),
    after a copy of the data (``upgrade_keeping_backup``).

    A shared PostgreSQL database is migrated by ``db upgrade`` only: an office's server is not
    changed behind its administrator's back by whichever client starts first. Without ``create``
    a SQLite path must already hold a Chambers database: nothing is made.
    """
    if not create:
        require_existing(url)
    store = SqlStore(url)
    try:
        if migrate and not create and current_revision(store.engine) is None:
            store.close()
            raise StorageUnavailable(
                f"{store.location} is not a Chambers database (it has no Chambers schema); nothing was "
                f"changed. Create a database with `chambers db init --db PATH`")
        if migrate:
            upgrade_keeping_backup(store)
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
# A window holds at most its pool and the one connection that listens for others' changes (news.py).
WINDOW_CONNECTIONS = POOL_SIZE + POOL_OVERFLOW + 1
# Per login: two windows (a judge at the bench and in chambers, or a window opening while the last
# one is still closing) and a command-line run beside them, 2 * 11 + 10 = 32. A login past that is
# a leak or someone else with its password, and it must not use up the server's max_connections
# that the whole office shares.
LOGIN_CONNECTION_LIMIT = 2 * WINDOW_CONNECTIONS + POOL_SIZE + POOL_OVERFLOW


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
    conn.exec_driver_sql(f"ALTER ROLE {ident} CONNECTION LIMIT {LOGIN_CONNECTION_LIMIT}")
    limits = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in LOGIN_SETTINGS.items())
    return f"login {user} in {group} ({limits}, at most {LOGIN_CONNECTION_LIMIT} connections)"


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


# --- creating, backing up and restoring (SQLite) -------------------------------------------------
# A database comes into being only when asked (`db init`, or the window's first start); every
# other command refuses a path with no database and creates nothing. Backups use SQLite's online
# backup API, which copies a consistent snapshot page by page while others keep working, and a
# backup is only put in place after it was opened and checked.
AUTOMATIC_PREFIX = "before-upgrade-"


def sqlite_file(url: str) -> Path | None:
    """The file of an embedded database URL; None for a server or an in-memory database."""
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        return None
    path = make_url(url).database
    return Path(path) if path and path != ":memory:" else None


def require_existing(url: str) -> None:
    """Refuse a SQLite path with no database there, before anything (a folder, a file) is made."""
    path = sqlite_file(url)
    if path is None or path.is_file():
        return
    where = ("that folder does not exist" if not path.parent.is_dir()
             else "it is not a file" if path.exists() else "no such file")
    raise StorageUnavailable(
        f"there is no Chambers database at {path} ({where}); nothing was created. Check the path, or "
        f"create a new database there with `chambers db init --db {path}`")


def known_revisions() -> dict[str, str | None]:
    """Every schema revision this version of Chambers knows, with the one before it."""
    known: dict[str, str | None] = {}
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION.findall(script.read_text(encoding="utf-8")))
        if "revision" in found:
            parent = found.get("down_revision", "None")
            known[found["revision"]] = None if parent == "None" else parent
    return known


def file_revision(path: Path) -> str | None:
    """The schema revision of the SQLite file ``path``, read without changing it; None for a
    database with no Chambers schema. Raises ``Refused`` for a file that is not a SQLite database."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                                ).fetchone():
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise Refused(f"{path} is not a Chambers database ({exc})") from None
    return str(row[0]) if row else None


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of the live database ``source`` in the new file ``target``, made durable and
    checked (SQLite's integrity check) before it is called done."""
    create_private_file(target)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            # The copy is a single file: no -wal beside it that a later move could leave behind.
            dst.execute("PRAGMA journal_mode=DELETE")
            verdict = dst.execute("PRAGMA integrity_check").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    if not verdict or verdict[0] != "ok":
        raise StorageUnavailable(f"the copy of {source} in {target} failed SQLite's integrity check: {verdict}")
    with open(target, "rb+") as stream:
        os.fsync(stream.fileno())


def restore_sqlite(source: Path, target: Path) -> None:
    """Replace the database ``target`` with the (checked) database ``source``, through SQLite's
    backup API, so the live file, its -wal and every open connection see the restored pages."""
    create_private_file(target)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=SQLITE_BUSY_S)
        try:
            src.backup(dst)
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            dst.close()
    finally:
        src.close()


def fresh_name(folder: Path, stem: str, suffix: str = ".sqlite3") -> Path:
    """A new file ``stem-<UTC time>[-n]<suffix>`` in ``folder``, made empty and owner-only so that two
    copies made within one second never share a name (the time is for people; the name is unique)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 10_000):
        path = folder / (f"{stem}-{stamp}{suffix}" if n == 1 else f"{stem}-{stamp}-{n}{suffix}")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return path
    raise StorageUnavailable(f"no free name for a copy of the database in {folder}")


def automatic_backups(database: Path) -> Path:
    """The folder of the backups made before migrations, beside the database."""
    return database.with_name(database.name + ".backups")


def upgrade_keeping_backup(store: SqlStore) -> tuple[str | None, str | None, Path | None]:
    """Migrate like ``upgrade``, first copying an embedded database that holds data.

    The copy is kept until the next migration succeeds: a failed migration leaves it (and says
    where), a successful one removes the copies of earlier migrations. (revision before, after,
    the backup made or None.)
    """
    path = sqlite_file(store.url)
    before = current_revision(store.engine)
    if path is None or before is None or before == head_revision():
        return (*upgrade(store.engine), None)
    folder = automatic_backups(path)
    make_private_folder(folder)
    backup = fresh_name(folder, f"{AUTOMATIC_PREFIX}{before}")
    copy_sqlite(path, backup)
    try:
        done = upgrade(store.engine)
    except Exception as exc:
        raise StorageUnavailable(f"the database {path} could not be migrated from schema {before} to "
                                 f"{head_revision()} ({exc}); the copy made just before is {backup}") from exc
    for older in folder.glob(f"{AUTOMATIC_PREFIX}*.sqlite3"):
        if older != backup:
            older.unlink(missing_ok=True)
    return (*done, backup)


# --- backing up and restoring (PostgreSQL) -------------------------------------------------------
# An office's server is copied with PostgreSQL's own pg_dump (custom format) and put back with
# pg_restore, the tools its DBA trusts; Chambers checks what they made. The password travels in
# the tools' environment, never on their command line.
def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StorageUnavailable(f"{name} is not installed, so an office's PostgreSQL database cannot be backed up "
                                 "or restored here (Debian/Ubuntu: sudo apt-get install postgresql-client)")
    return found


def _pg_call(name: str, url: str | None, *args: str) -> str:
    """Run pg_dump or pg_restore on the database ``url`` (None: on a file alone); its output."""
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    command = [_pg_tool(name), *args]
    if url is not None:
        parsed = make_url(normalize_url(url))
        if parsed.password:
            env["PGPASSWORD"] = str(parsed.password)
        libpq = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        command.insert(1, f"--dbname={libpq}")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise StorageUnavailable(f"{name} failed: {reason}")
    return done.stdout


def dump_postgres(url: str, target: Path) -> None:
    """The whole database (schema, data, grants, row policies, functions) in ``target`` (pg_dump's
    custom format), read back with pg_restore --list before it is called done."""
    _pg_call("pg_dump", url, "--format=custom", f"--file={target}")
    _pg_call("pg_restore", None, "--list", str(target))


def dump_revision(dump: Path) -> str | None:
    """The schema revision a pg_dump archive holds (its alembic_version row), read without a server."""
    text_of = _pg_call("pg_restore", None, "--data-only", "--table=alembic_version", "--file=-", str(dump))
    lines = text_of.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and number + 1 < len(lines):
            value = lines[number + 1].strip()
            return None if value == "\\." else value
    return None


def restore_postgres(url: str, dump: Path) -> None:
    """Replace the database's objects with those in ``dump``, in one transaction (all or nothing)."""
    _pg_call("pg_restore", url, "--clean", "--if-exists", "--single-transaction", "--exit-on-error", str(dump))


@contextlib.contextmanager
def scratch_copy(url: str, dump: Path) -> Iterator[str | None]:
    """A new database on the same server holding ``dump``, dropped afterwards, so a dump can be
    opened and checked like the database itself; None when this login may not create databases."""
    from sqlalchemy import create_engine

    name = f"chambers_check_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    try:
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        except DBAPIError:
            yield None
            return
        scratch = make_url(normalize_url(url)).set(database=name).render_as_string(hide_password=False)
        try:
            _pg_call("pg_restore", scratch, "--exit-on-error", "--single-transaction", str(dump))
            yield scratch
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextlib.contextmanager
def reachable(store: SqlStore) -> Iterator[None]:
    """A database error inside the block as ``StorageUnavailable`` naming the database and the
    server's own words, as ``open_store`` says it."""
    try:
        yield
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StorageUnavailable(f"the database {store.location} could not be opened: {reason}") from None
