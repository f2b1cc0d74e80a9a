"""The composition root: settings -> template library (-> engine -> repositories -> services)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import platformdirs

from app import __version__
from app.core.errors import ChambersError
from app.core.files import (
    OutputKind,
    check_output_target,
    make_private_folder,
    protect_database_url,
    protect_folder,
)
from app.core.workflow import NotFound, Refused, StorageUnavailable

# Storage is imported when a database is opened, not for a plain render; the packs (pydantic, YAML, the
# renderer) when a library is made: the window's first paint reads the settings and data folder without them.
if TYPE_CHECKING:
    from app.core.records import User  # the records' dataclasses: not for a merge or a render
    from app.services.clauses import ClauseBank
    from app.services.drafts import Drafts
    from app.services.journal import Journal
    from app.services.office import CourtProfileService, Profile, Users
    from app.services.signing import Signing
    from app.services.templates import TemplateLibrary
    from app.storage.interfaces import Store
    from app.storage.sql import SqlStore

APP_NAME = "Chambers"
log = logging.getLogger(__name__)


def data_dir() -> Path:
    """The platform data folder (overridable with $CHAMBERS_HOME, as tests do)."""
    override = os.environ.get("CHAMBERS_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass
class Settings:
    """Where things are; from the environment for now, from the settings dialog later."""

    template_folders: list[Path] = field(default_factory=list)

    @classmethod
    def from_environment(cls) -> Settings:
        from app.services.templates import SHIPPED

        folders = [SHIPPED, data_dir() / "templates"]
        extra = os.environ.get("CHAMBERS_TEMPLATES")
        if extra:
            folders = [Path(p) for p in extra.split(os.pathsep) if p] + folders
        return cls(template_folders=folders)


def template_library(settings: Settings | None = None) -> TemplateLibrary:
    from app.services.templates import TemplateLibrary

    settings = settings or Settings.from_environment()
    for folder in settings.template_folders:
        protect_folder(folder, "a template folder")  # no letter is ever written into a pack
    return TemplateLibrary(settings.template_folders)


# --- storage and the services over it ---------------------------------------------------------
DATABASE_FILE = "chambers.sqlite3"


def database_url(explicit: str | None = None) -> str:
    """``--db`` first, then $CHAMBERS_DATABASE_URL, else the embedded SQLite file."""
    url = explicit or os.environ.get("CHAMBERS_DATABASE_URL")
    return url or f"sqlite:///{data_dir() / DATABASE_FILE}"


def journal_folder(url: str) -> Path:
    """The recovery journals live next to the database (or in the data folder for a server),
    one folder per user below this one."""
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        db = Path(url.removeprefix("sqlite:///"))
        return db.with_name(db.stem + ".recovery")
    return data_dir() / "journal"


@dataclass
class Services:
    """Everything the GUI and the command line use, over one open database."""

    store: Store
    library: TemplateLibrary
    journal: Journal
    drafts: Drafts
    users: Users
    clauses: ClauseBank
    profile: Profile
    court: CourtProfileService  # the office's letterhead (one per database)
    signing: Signing            # judges' certificates, trust anchors, signed export, PDF verify

    def close(self) -> None:
        self.store.close()


def resolved_database_url(url: str | None = None) -> str:
    """The database's URL as the store names it (a SQLite path made absolute), without opening it."""
    from app.storage.urls import normalize_url

    return normalize_url(database_url(url))


SUPPORTED_DATABASES = ("sqlite:///", "postgresql+psycopg://")


def check_database_url(url: str | None = None) -> str:
    """The resolved URL of a database Chambers can use, or ``StorageUnavailable`` saying why not
    (never a driver's traceback for a URL nobody could open)."""
    given = database_url(url)
    resolved = resolved_database_url(url)
    try:
        parts = urlsplit(resolved)
        _ = parts.port  # a port that is not a number, a broken [IPv6] host
        usable = resolved.startswith(SUPPORTED_DATABASES) and bool(parts.path.strip("/") or parts.netloc)
    except ValueError:
        usable = False
    if not usable:
        shown = re.sub(r"(://[^/:@]*):[^/@]*@", r"\1:***@", given)  # never print a password
        raise StorageUnavailable(
            f"the database URL {shown} is not one Chambers can use: give a SQLite file (a path, or "
            "sqlite:///PATH) or a PostgreSQL server (postgresql://USER@HOST:PORT/DATABASE)")
    return resolved


def open_database(url: str | None = None, *, create: bool = True) -> SqlStore:
    """The database named by ``url`` (see ``database_url``); an embedded one is migrated first
    (after a copy of it is made). ``create=False``: refuse a SQLite path with no database."""
    from app.storage.database import open_store

    resolved = check_database_url(url)
    protect_database_url(resolved)  # no export may ever be written over it
    return open_store(resolved, migrate=resolved.startswith("sqlite"), create=create)


def services(db: str | None = None, as_user: str | None = None, settings: Settings | None = None,
             *, create: bool = True) -> Services:
    """Everything over the database ``db``; ``create=False`` (the command line) opens only a database
    that exists: only `db init` and the window's first start make one."""
    from app.services.clauses import ClauseBank, DatabaseShelf
    from app.services.drafts import Drafts
    from app.services.journal import Journal
    from app.services.office import CourtProfileService, Profile, Users, resolve_user, seed
    from app.services.signing import Signing
    from app.storage.database import add_login, enable_login

    store = open_database(db, create=create)
    url = store.url
    library = template_library(settings)
    profile = Profile(data_dir() / "profile.json")
    cache: list[User] = []

    def actor() -> User:
        if not cache:
            cache.append(resolve_user(store, profile, as_user))
        return cache[0]

    if store.login()[1]:
        seed(store, library)
    journal = Journal(journal_folder(url), lambda: actor().name)
    drafts = Drafts(store, library, journal, actor)
    return Services(
        store=store, library=library, journal=journal,
        drafts=drafts,
        users=Users(store, actor, lambda name, role, password: add_login(store, name, role, password),
                    lambda name, enabled: enable_login(store, name, enabled), actor_changed=cache.clear),
        clauses=ClauseBank(DatabaseShelf(store), actor), profile=profile, court=CourtProfileService(store, actor),
        signing=Signing(store, drafts, actor),
    )


# --- creating, backing up and restoring the database ---------------------------------------------
@dataclass(frozen=True)
class DatabaseCheck:
    """What opening a database and walking its audit chain found."""

    where: str
    revision: str | None
    letters: int
    events: int
    broken: str  # "" when the audit log is intact, else what `audit verify` would say
    notes: tuple[str, ...] = ()  # what else was done to it, in sentences (a restore's TEMP taken again)

    def summary(self) -> str:
        audit = f"audit log intact ({self.events} events)" if not self.broken else f"AUDIT LOG BROKEN: {self.broken}"
        return f"schema {self.revision}, {self.letters} letter(s), {audit}"


def check_store(store: SqlStore) -> DatabaseCheck:
    """Open ``store``'s letters and run the audit check on it, as `audit verify` does."""
    from app.services.drafts import Drafts
    from app.services.journal import Journal
    from app.storage.database import current_revision

    def nobody() -> User:
        raise StorageUnavailable("checking a database acts as no one")

    drafts = Drafts(store, template_library(), Journal(journal_folder(store.url), "check"), nobody)
    events, broken, why = drafts.audit_check()
    problem = "" if broken is None else (f"event {broken.id}: {why}" if broken.id else why)
    return DatabaseCheck(store.location, current_revision(store.engine), len(drafts.find(limit=10**9)), events,
                         problem)


def init_database(url: str | None = None) -> tuple[str, bool]:
    """Make a new, empty Chambers database at ``url`` (`db init`); (where, whether it was made).

    An existing Chambers database is left as it is; a file or server database holding something
    else is refused."""
    from app.storage.database import current_revision, head_revision, open_store, reachable, sqlite_file
    from app.storage.sql import SqlStore

    resolved = check_database_url(url)
    path = sqlite_file(resolved)
    if path is not None and path.exists():
        open_store(resolved, migrate=True, create=False).close()  # refuses a file that is not ours
        return str(path), False
    protect_database_url(resolved)
    if path is None:  # a server: its database exists (the DBA made it); an empty one gets the schema
        store = SqlStore(resolved)
        try:
            with reachable(store):
                before = current_revision(store.engine)
            if before is not None and before != head_revision():
                raise StorageUnavailable(f"{store.location} already holds a Chambers database at schema {before}; "
                                         "run `chambers db upgrade` for it instead")
        finally:
            store.close()
        if before is not None:
            return store.location, False
    store = open_store(resolved, migrate=True, create=True)
    where = str(path) if path is not None else store.location
    store.close()
    log.info("created the database %s", where)
    return where, True


def _is_database_backup(path: Path) -> bool:
    """Whether ``path`` is a backup ``db backup`` could have written: a SQLite file holding a Chambers
    schema, or a pg_dump archive (custom format)."""
    from app.storage.database import file_revision

    try:
        with open(path, "rb") as stream:
            if stream.read(5) == b"PGDMP":
                return True
        return file_revision(path) is not None
    except (OSError, ChambersError):
        return False


# `db backup FILE` writes where a person says: through the output policy, as a kind of its own. Any
# name will do (courts name backups by date); an existing file is replaced only if it is a backup.
DATABASE_BACKUP = OutputKind("a Chambers database backup", (), _is_database_backup)


def backup_database(target: Path, url: str | None = None) -> DatabaseCheck:
    """Copy the database to ``target`` (SQLite's online backup API), open the copy and run the audit
    check on it; the copy is put in place only once it was opened, so a failed backup writes nothing.
    A copy whose audit log is broken is still written (it holds the office's letters) and the
    check says so."""
    from app.storage.database import copy_sqlite, open_store, sqlite_file

    resolved = check_database_url(url)
    path = sqlite_file(resolved)
    if path is None:
        return _backup_postgres(resolved, target)
    # What the policy refuses by any name: the database and its journals, the recovery folder, the packs.
    protect_database_url(resolved)
    protect_folder(journal_folder(resolved), "the recovery folder")
    template_library()
    open_store(resolved, migrate=True, create=False).close()  # exists, is ours, is up to date

    def copy_and_check(tmp: Path) -> DatabaseCheck:
        copy_sqlite(path, tmp)
        return _check_file(tmp)
    check = _put_backup_in_place(target, copy_and_check)
    log.info("backed up %s to %s: %s", path, target, check.summary())
    return check


def _put_backup_in_place(target: Path, write_and_check: Callable[[Path], DatabaseCheck]) -> DatabaseCheck:
    """Write a backup with ``write_and_check`` (which also opens and checks what it wrote) to a temporary
    beside ``target``, then rename it over ``target``: a failed or refused backup writes nothing. The
    output policy is asked before the copy and again just before the rename, as the copy takes time."""
    import tempfile

    from app.core.files import check_output_folder, fsync_folder

    check_output_target(target, DATABASE_BACKUP, "FILE")
    check_output_folder(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        check = write_and_check(tmp)
        check_output_target(target, DATABASE_BACKUP, "FILE")  # again: something may have been put there since
        os.replace(tmp, target)
        fsync_folder(target.parent)
    finally:
        _remove_sqlite_file(tmp)
    return DatabaseCheck(str(target), check.revision, check.letters, check.events, check.broken)


def _remove_sqlite_file(path: Path) -> None:
    """``path`` and the journals SQLite may have left beside it."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def _backup_postgres(url: str, target: Path) -> DatabaseCheck:
    """pg_dump to a temporary beside ``target``, restored into a scratch database on the same server
    and checked there (or, where this login may not create databases, read back and the server's
    own audit log checked), then put in place."""
    from app.storage.database import dump_postgres, dump_revision, open_store, scratch_copy

    live_store = open_store(url, migrate=False, create=False)
    try:
        live = check_store(live_store)
    finally:
        live_store.close()
    protect_folder(journal_folder(url), "the recovery folder")
    template_library()

    def dump_and_check(tmp: Path) -> DatabaseCheck:
        dump_postgres(url, tmp)
        revision = dump_revision(tmp)
        with scratch_copy(url, tmp) as scratch:
            if scratch is None:
                log.warning("%s: this login may not create a scratch database, so the dump was read back "
                            "and the server's own audit log checked instead", target)
                check = live
            else:
                copy = open_store(scratch, migrate=False, create=False)
                try:
                    check = check_store(copy)
                finally:
                    copy.close()
        if revision != live.revision:
            raise StorageUnavailable(f"the dump holds schema {revision}, the database {live.revision}; not written")
        return check
    return _put_backup_in_place(target, dump_and_check)


def _restorable_revision(source: Path, revision: str | None) -> str:
    """The schema of the backup ``source`` when this version can restore it; ``Refused`` saying why not."""
    from app.storage.database import head_revision, known_revisions

    if revision is None:
        raise Refused(f"{source} is not a Chambers backup: it holds no Chambers schema")
    if revision not in known_revisions():
        raise Refused(f"{source} was made by a newer version of Chambers (its schema {revision} is unknown to "
                      f"this version, {__version__}, whose newest is {head_revision()}); restore it with that "
                      "version or newer. Nothing was changed")
    return revision


def _check_file(path: Path, *, migrate: bool = False) -> DatabaseCheck:
    """Open the SQLite file ``path`` (migrating it first if asked) and check it; left a single file."""
    import sqlite3

    from app.storage.database import upgrade
    from app.storage.sql import SqlStore

    store = SqlStore(f"sqlite:///{path}")
    try:
        if migrate:
            upgrade(store.engine)
        check = check_store(store)
    finally:
        store.close()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # the -wal folded back in: one file to keep
    finally:
        conn.close()
    return check


def restore_database(source: Path, url: str | None = None) -> tuple[DatabaseCheck, Path | None]:
    """Replace the database with the backup ``source``, after checking it; (what the database now
    holds, the copy made of the database it replaced or None).

    A backup made by a newer Chambers (a schema this one does not know) is refused; an older one
    is migrated on its copy before anything is replaced; a backup whose audit log is broken is
    refused. The database being replaced is copied first, beside it, so a wrong restore can be
    undone.
    """
    import tempfile

    from app.storage.database import (
        automatic_backups,
        copy_sqlite,
        file_revision,
        fresh_name,
        head_revision,
        restore_sqlite,
        sqlite_file,
    )

    resolved = check_database_url(url)
    path = sqlite_file(resolved)
    if not source.is_file():
        raise NotFound(f"{source}: no such backup file")
    if path is None:
        return _restore_postgres(resolved, source)
    if path.exists() and source.resolve() == path.resolve():
        raise Refused(f"{source} is the database itself")
    revision = _restorable_revision(source, file_revision(source))
    if not path.parent.is_dir():
        raise StorageUnavailable(f"the folder of the database, {path.parent}, does not exist; nothing was restored")
    protect_database_url(resolved)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.restore.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    kept: Path | None = None
    try:
        copy_sqlite(source, tmp)
        check = _check_file(tmp, migrate=revision != head_revision())
        if check.broken:
            raise Refused(f"{source} was not restored: its audit log is broken at {check.broken}")
        if path.exists() and path.stat().st_size:
            folder = automatic_backups(path)
            make_private_folder(folder)
            kept = fresh_name(folder, "before-restore")
            copy_sqlite(path, kept)
        restore_sqlite(tmp, path)
    finally:
        _remove_sqlite_file(tmp)
    from app.storage.database import open_store

    store = open_store(resolved, migrate=True, create=False)
    try:
        return check_store(store), kept
    finally:
        store.close()


def upgrade_database(url: str | None = None, *, backup: bool = True) -> tuple[str, str | None, str | None, Path | None]:
    """`db upgrade`: migrate an existing database to this version's schema after a copy of it (kept
    until the next migration succeeds): beside an embedded database, or for an office's server a
    pg_dump in the data folder's backups/; (where, before, after, the copy or None)."""
    from app.storage.database import (
        current_revision,
        dump_postgres,
        fresh_name,
        head_revision,
        reachable,
        require_existing,
        upgrade,
        upgrade_keeping_backup,
    )
    from app.storage.sql import SqlStore

    resolved = check_database_url(url)
    require_existing(resolved)
    protect_database_url(resolved)
    store = SqlStore(resolved)
    try:
        with reachable(store):
            current = current_revision(store.engine)
        if resolved.startswith("sqlite"):
            if current is None:
                raise StorageUnavailable(f"{store.location} is not a Chambers database (it has no Chambers schema); "
                                         "nothing was changed. Create one with `chambers db init`")
            before, after, copy = upgrade_keeping_backup(store)
            return store.location, before, after, copy
        if current is None or current == head_revision() or not backup:
            with reachable(store):
                return store.location, *upgrade(store.engine), None
        folder = data_dir() / "backups"
        make_private_folder(folder)
        stem = f"before-upgrade-{current}"
        dump = fresh_name(folder, stem, ".dump")
        try:
            dump_postgres(resolved, dump)
        except StorageUnavailable as exc:
            dump.unlink(missing_ok=True)
            raise StorageUnavailable(f"{exc}; nothing was migrated. Back the database up yourself and run "
                                     "`chambers db upgrade --without-backup`") from None
        try:
            before, after = upgrade(store.engine)
        except Exception as exc:
            raise StorageUnavailable(f"the database {store.location} could not be migrated from schema {current} "
                                     f"({exc}); the dump made just before is {dump}") from exc
        for older in folder.glob("before-upgrade-*.dump"):
            if older != dump:
                older.unlink(missing_ok=True)
        return store.location, before, after, dump
    finally:
        store.close()


def _restore_postgres(url: str, source: Path) -> tuple[DatabaseCheck, Path | None]:
    """pg_restore ``source`` over the office's database, after checking it in a scratch database
    and dumping the database it replaces into the data folder's backups/."""
    from app.storage.database import (
        dump_postgres,
        dump_revision,
        fresh_name,
        head_revision,
        open_store,
        restore_postgres,
        scratch_copy,
        upgrade,
    )
    from app.storage.temporary import take_temporary

    with open(source, "rb") as stream:
        if stream.read(5) != b"PGDMP":
            raise Refused(f"{source} is not a PostgreSQL backup made by `chambers db backup` (pg_dump's custom format)")
    revision = _restorable_revision(source, dump_revision(source))
    if revision == head_revision():
        with scratch_copy(url, source) as scratch:
            if scratch is not None:
                copy = open_store(scratch, migrate=False, create=False)
                try:
                    check = check_store(copy)
                finally:
                    copy.close()
                if check.broken:
                    raise Refused(f"{source} was not restored: its audit log is broken at {check.broken}")
    # A database made anew to restore into gives TEMP to PUBLIC again (nothing in a dump takes it), so
    # it is taken before anything is replaced (a login that cannot is refused here, nothing changed)
    # and again after, in case the dump granted it.
    try:
        take_temporary(url)
    except Refused as exc:
        raise Refused(f"{exc}; nothing was restored") from None
    folder = data_dir() / "backups"
    make_private_folder(folder)
    kept = fresh_name(folder, "before-restore", ".dump")
    dump_postgres(url, kept)
    restore_postgres(url, source)
    from app.storage.sql import SqlStore

    store = SqlStore(url)
    try:
        if revision != head_revision():
            upgrade(store.engine)  # an explicit restore of an older backup brings it up to this version
        check = check_store(store)
    finally:
        store.close()
    try:
        taken = take_temporary(url)
    except Refused as exc:
        raise Refused(f"{source} was restored, but {exc}; until then any login can create temporary objects "
                      f"(the database it replaced is kept in {kept})") from None
    return replace(check, notes=(f"TEMP on the database is taken again from PUBLIC and the {len(taken)} Chambers "
                                 "role(s) (groups and logins), as `db init-roles` takes it: a restored database "
                                 "would otherwise let any login create temporary objects",)), kept


# --- the window's first start: a database is made only when the person says so --------------------
@dataclass(frozen=True)
class DatabaseToCreate:
    """A configured database that is not there yet, in the words of the window's question."""

    url: str  # resolved, as the store names it
    question: str
    where: str  # the file, or the database and its server: what "working alone" is said about
    detail: str = ""  # what a person should know before answering (a folder that is not there either)


def embedded_database_file(url: str | None = None) -> Path | None:
    """The file of an embedded (SQLite) database, None for a server or an in-memory one.

    Read from the URL without SQLAlchemy (as ``make_url`` would give it): a start from the card
    looks before the window shows, and importing the storage layer there would hold the first paint."""
    resolved = resolved_database_url(url)
    if not resolved.startswith("sqlite:///"):
        return None
    path = resolved[len("sqlite:///"):].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def database_to_create(url: str | None = None) -> DatabaseToCreate | None:
    """The configured database when it does not exist yet: no SQLite file at its path, or a reachable
    server database with no Chambers schema. ``StorageUnavailable`` for a URL Chambers cannot use or
    a server that cannot be reached (nothing could be created there anyway)."""
    resolved = check_database_url(url)
    path = embedded_database_file(resolved)
    if path is not None:
        if path.exists() or path.is_symlink():
            return None  # whatever is there, opening it says what it is; nothing is made over it
        # A path typed wrong usually names a folder that is not there either: say so before it is made.
        detail = ("" if path.parent.is_dir() else
                  f"The folder {path.parent} does not exist either; it is made too. If the path was typed "
                  "wrong, work on this computer alone and correct it in the settings.")
        return DatabaseToCreate(resolved, f"There is no drafts database at {path} yet. Create it?", str(path),
                                detail)
    from app.storage.database import current_revision, reachable
    from app.storage.sql import SqlStore

    store = SqlStore(resolved)
    try:
        with reachable(store):
            if current_revision(store.engine) is not None:
                return None
    finally:
        store.close()
    parts = urlsplit(resolved)
    database = parts.path.strip("/")
    server = parts.hostname or "localhost"
    if parts.port is not None:
        server = f"{server}:{parts.port}"
    return DatabaseToCreate(resolved, f"Set up Chambers in database {database} on server {server}?",
                            f"database {database} on server {server}")
