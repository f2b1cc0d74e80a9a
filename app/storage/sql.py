"""The SQLAlchemy implementation of the repositories, for SQLite and PostgreSQL.

SQLite: WAL, ``synchronous=FULL`` (a committed save survives a power cut), writes in
``BEGIN IMMEDIATE`` so read-check-write sequences never interleave, and a busy timeout so a
second window waits instead of failing. PostgreSQL: psycopg 3, ``pool_pre_ping`` so a
connection the server dropped is replaced before use. Either way a write either commits
entirely or leaves nothing behind, and a lost connection surfaces as ``StorageUnavailable``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    create_engine,
    event,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.engine import Row, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from app.core.audit import GENESIS, AuditReference, canonical, event_hash
from app.core.certificates import BoundCertificate, TrustAnchor
from app.core.errors import ChambersError
from app.core.files import create_private_file
from app.core.records import (
    AddressBookEntry,
    Approval,
    AuditEvent,
    Clause,
    Comment,
    CourtProfile,
    LetterSummary,
    LetterVersion,
    User,
)
from app.core.vocabulary import ADDRESSEE_KEYS
from app.core.workflow import Conflict, NotFound, Refused, Role, Status, StorageUnavailable, reviewers
from app.storage import schema as s
from app.storage.interfaces import KEEP, NewVersion
from app.storage.news import NewsFeed, open_feed
from app.storage.urls import normalize_url

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Every PostgreSQL session: a lock held elsewhere (a clerk's open transaction on a letter or on
# the audit head) makes a statement give up after LOCK_TIMEOUT instead of waiting for ever.
LOCK_TIMEOUT, STATEMENT_TIMEOUT = "5s", "30s"
SQLITE_BUSY_S = 30  # SQLite has one writer at a time: a second window waits this long for it
# PostgreSQL: the connections one store (a window, a command) keeps open, and the ones it may add
# when all are busy; the per-login connection limit of `db init-roles` is counted from these.
POOL_SIZE, POOL_OVERFLOW = 5, 5
_LOCKED = ("55P03", "57014")  # lock_not_available, query_canceled (statement_timeout)
_SIGNATURE_PART = "word/media/chambers-signature.png"
_SIGNED_FOR = "Chambers.SignedFor"  # app.services.drafts.PROP_SIGNED_FOR: whom a judge approved for
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(_TIME_FORMAT)


def parse_time(value: str) -> dt.datetime:
    # fromisoformat is C code (and reads the "Z" as UTC), ~40x faster than strptime: the drafts
    # list parses two per row.
    if len(value) == 27 and value[10] == "T" and value[-1] == "Z":
        return dt.datetime.fromisoformat(value)
    return dt.datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=dt.UTC)


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            create_private_file(Path(path))  # owner-only; SQLite gives its journals the same mode
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_S, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN itself, so writes can say IMMEDIATE.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                           f"busy_timeout={SQLITE_BUSY_S * 1000}"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("chambers_write")
                                 else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW,
                         connect_args={"connect_timeout": 10, "application_name": "chambers",
                                       "options": f"-c lock_timeout={LOCK_TIMEOUT} "
                                                  f"-c statement_timeout={STATEMENT_TIMEOUT}"})


def _unavailable(exc: DBAPIError, location: str) -> StorageUnavailable:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return StorageUnavailable(f"the database ({location}) could not be reached or was busy: {reason}")


def _refused(exc: DBAPIError) -> Refused:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return Refused(f"the database refused the change: {reason}")


def _held(exc: DBAPIError, location: str) -> StorageUnavailable:
    state = _sqlstate(exc)
    waited = LOCK_TIMEOUT if state == "55P03" else STATEMENT_TIMEOUT if state else f"{SQLITE_BUSY_S} s"
    what = "waited longer than " + waited
    return StorageUnavailable(
        f"someone is holding this letter (or the audit log) in another session of the database ({location}); "
        f"Chambers {what} and gave up, and nothing was changed: try again in a moment")


def _sqlstate(exc: DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", "") or "")


class SqlStore:
    """A ``Store`` over one SQLAlchemy engine."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url)
        self.dialect = self.engine.dialect.name
        self.location = make_url(self.url).render_as_string(hide_password=True)
        # What this login may read, asked of the database once (PostgreSQL grants per login).
        self.access: dict[str, bool] = {}

    # --- transactions --------------------------------------------------------------------
    @contextmanager
    def _transaction(self, write: bool) -> Iterator[_Tx]:
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(chambers_write=True)
                with conn.begin():
                    yield _Tx(conn, self.dialect, self.access)
        except ChambersError:
            raise
        except IntegrityError as exc:
            raise Refused(f"the database refused the change: {str(exc.orig).strip().splitlines()[0]}") from exc
        except (ProgrammingError, DBAPIError) as exc:
            if _sqlstate(exc) in _LOCKED or "database is locked" in str(exc.orig):
                raise _held(exc, self.location) from exc
            if _sqlstate(exc) in ("42501",) or "insufficient_privilege" in str(exc) or \
                    "permission denied" in str(exc) or "violates row-level security" in str(exc):
                raise _refused(exc) from exc
            if isinstance(exc, OperationalError) or exc.connection_invalidated:
                raise _unavailable(exc, self.location) from exc
            if _sqlstate(exc).startswith(("08", "57")):
                raise _unavailable(exc, self.location) from exc
            raise

    def read(self) -> Any:
        return self._transaction(write=False)

    def write(self) -> Any:
        return self._transaction(write=True)

    def login(self) -> tuple[str, bool]:
        if self.dialect != "postgresql":
            return "", True
        with self.read() as tx:
            row = tx.conn.execute(text(
                "SELECT current_user, r.rolsuper OR pg_has_role(current_user, t.tableowner, 'MEMBER') "
                "FROM pg_roles r, pg_tables t WHERE r.rolname = current_user "
                "AND t.tablename = 'letters' AND t.schemaname = current_schema()")).one()
        return str(row[0]), bool(row[1])

    def news_feed(self) -> NewsFeed | None:
        return open_feed(self.url, self.dialect)

    def close(self) -> None:
        self.engine.dispose()

    # --- for the benchmark: many letters in one transaction ------------------------------
    def create_many(self, versions: list[NewVersion]) -> None:
        with self.write() as tx:
            for version in versions:
                tx.letters.create(version, Status.DRAFT)
            if versions:
                tx.audit.append(versions[0].author, "created_many", None, {"letters": len(versions)},
                                versions[0].at)


class _Pending:
    """Rows this transaction wrote that the next audit event must vouch for."""

    def __init__(self) -> None:
        self.versions: list[tuple[int, int]] = []
        self.comments: list[int] = []
        self.approvals: list[int] = []
        self.users: list[str] = []

    def take(self) -> dict[str, list[Any]]:
        taken: dict[str, list[Any]] = {
            "versions": [list(v) for v in self.versions], "comments": list(self.comments),
                 "approvals": list(self.approvals), "users": list(self.users)}
        self.__init__()  # type: ignore[misc]
        return taken


class _Tx:
    def __init__(self, conn: Connection, dialect: str, access: dict[str, bool]) -> None:
        self.conn = conn
        pending = _Pending()
        self.audit = _Audit(conn, dialect, pending)
        self.letters = _Letters(conn, dialect, pending, access)
        self.comments = _Comments(conn, pending)
        self.users = _Users(conn, dialect, pending, self.audit)
        self.clauses = _Clauses(conn)
        self.addresses = _Addresses(conn)
        self.court_profile = _CourtProfiles(conn, self.audit)
        self.signing = _SigningRecords(conn, self.audit)
        self.meta = _Meta(conn)


_STATUSES = {status.value: status for status in Status}


def _summary(row: Any) -> LetterSummary:
    # Positional, in the order of ``_listed``: the drafts list builds a thousand of these per call,
    # and looking each column up by name cost as much as the query itself.
    (letter_id, status, version, row_version, template_id, template_version, template_sha256, subject,
     created_by, created_at, updated_by, updated_at, approval_id, signatory, addressees, letter_date, judge) = row
    return LetterSummary(
        letter_id, _STATUSES[status], version, row_version, template_id, template_version, template_sha256,
        subject, created_by, parse_time(created_at), updated_by, parse_time(updated_at), approval_id,
        signatory, tuple(addressees.split("\n")) if addressees else (),
        dt.date.fromisoformat(letter_date) if letter_date else None, judge)


def _version(row: Row[Any], working: bool = False) -> LetterVersion:
    m = row._mapping
    return LetterVersion(
        letter_id=m["letter_id"], number=m["number"], data=json.loads(m["data"]), author=m["author"],
        created_at=parse_time(m["created_at"]), note=m["note"], template_id=m["template_id"],
        template_version=m["template_version"], template_sha256=m["template_sha256"], working=working,
    )


def _listed_columns(v: NewVersion) -> dict[str, Any]:
    """The letters columns the drafts list shows, from a save."""
    return {"signatory": " ".join(v.signatory.split()),
            "addressees": "\n".join(" ".join(name.split()) for name in v.addressees),
            "letter_date": v.letter_date.isoformat() if v.letter_date else ""}


def _signing_judge() -> Any:
    """The active judge whose user name or full name is the letter's signatory (one query with
    the list: a correlated subquery over the few users)."""
    u, signatory = s.users, func.lower(s.letters.c.signatory)
    return (select(func.min(u.c.name))
            .where(u.c.role.in_([r.value for r in reviewers()]), u.c.active.is_(true()),
                   s.letters.c.signatory != "",
                   or_(func.lower(u.c.name) == signatory, func.lower(u.c.full_name) == signatory))
            .scalar_subquery())


def _listed() -> Any:
    """What a row of the drafts list shows (never the full text), in the order ``_summary`` reads."""
    c = s.letters.c
    return select(c.id, c.status, c.version, c.row_version, c.template_id, c.template_version, c.template_sha256,
                  c.subject, c.created_by, c.created_at, c.updated_by, c.updated_at, c.approval_id, c.signatory,
                  c.addressees, c.letter_date, _signing_judge().label("judge"))


def _approval(row: Row[Any]) -> Approval:
    m = row._mapping
    return Approval(
        id=m["id"], letter_id=m["letter_id"], version=m["version"], approver=m["approver"],
        approved_at=parse_time(m["approved_at"]), content_sha256=m["content_sha256"], docx=bytes(m["docx"]),
        voided_at=parse_time(m["voided_at"]) if m["voided_at"] else None, voided_by=m["voided_by"],
        signed_for=m["signed_for"],
    )


def _tokens(search: str) -> list[str]:
    return re.findall(r"\w+", search.lower())[:12]


class _Letters:
    def __init__(self, conn: Connection, dialect: str, pending: _Pending, access: dict[str, bool]) -> None:
        self.conn = conn
        self.dialect = dialect
        self.pending = pending
        self.access = access

    def _version_row(self, letter_id: int, number: int, v: NewVersion) -> dict[str, Any]:
        return {
            "letter_id": letter_id, "number": number, "data": json.dumps(v.data, ensure_ascii=False),
            "author": v.author, "created_at": iso(v.at), "note": v.note, "template_id": v.template_id,
            "template_version": v.template_version, "template_sha256": v.template_sha256,
        }

    def create(self, version: NewVersion, status: Status) -> LetterSummary:
        at = iso(version.at)
        result = self.conn.execute(s.letters.insert().values(
            template_id=version.template_id, template_version=version.template_version,
            template_sha256=version.template_sha256, status=status.value, version=1, row_version=1,
            subject=version.subject, search_text=version.search_text, created_by=version.author,
            created_at=at, updated_by=version.author, updated_at=at, **_listed_columns(version),
        ).returning(s.letters.c.id))
        letter_id = int(result.scalar_one())
        # Creating the letter is a workflow step: version 1 stays in the history as first saved.
        self.conn.execute(s.letter_versions.insert().values(**self._version_row(letter_id, 1, version)))
        self.pending.versions.append((letter_id, 1))
        return self.get(letter_id)

    def get(self, letter_id: int) -> LetterSummary:
        row = self.conn.execute(_listed().where(s.letters.c.id == letter_id)).first()
        if row is None:
            raise NotFound(f"there is no letter {letter_id}")
        return _summary(row)

    def _conflict(self, current: LetterSummary) -> Conflict:
        now = self.get(current.id)
        latest = self.version(now.id, now.version)
        author, at = (latest.author, latest.created_at) if now.version != current.version else \
            (now.updated_by, now.updated_at)
        return Conflict(current.id, current.version, now.version, author, at)

    def _update(self, current: LetterSummary, values: dict[str, Any]) -> LetterSummary:
        result = self.conn.execute(
            s.letters.update()
            .where(and_(s.letters.c.id == current.id, s.letters.c.row_version == current.row_version))
            .values(row_version=current.row_version + 1, **values))
        if result.rowcount != 1:
            raise self._conflict(current)
        return self.get(current.id)

    def _saved(self, version: NewVersion, number: int, status: Status) -> dict[str, Any]:
        return {
            "version": number, "status": status.value, "subject": version.subject,
            "search_text": version.search_text, "template_id": version.template_id,
            "template_version": version.template_version, "template_sha256": version.template_sha256,
            "updated_by": version.author, "updated_at": iso(version.at), **_listed_columns(version),
        }

    def add_version(self, current: LetterSummary, version: NewVersion, status: Status,
                    approval_id: int | None = KEEP, working: bool = False) -> LetterSummary:
        number = current.version + 1
        try:
            # A savepoint, so that losing the race on the version number is a Conflict
            # rather than an aborted transaction.
            with self.conn.begin_nested():
                self.conn.execute(s.letter_versions.insert().values(
                    **self._version_row(current.id, number, version), working=working))
        except IntegrityError:
            raise self._conflict(current) from None
        self.pending.versions.append((current.id, number))
        values = self._saved(version, number, status)
        if approval_id is not KEEP:
            values["approval_id"] = approval_id
        return self._update(current, values)

    def amend_version(self, current: LetterSummary, version: NewVersion, status: Status,
                      working: bool = True) -> LetterSummary:
        number = current.version + 1
        v = s.letter_versions.c
        row = {k: value for k, value in self._version_row(current.id, number, version).items() if k != "letter_id"}
        try:
            with self.conn.begin_nested():
                # Unlinked from the event of the save it replaces; the next audit event vouches for it.
                changed = self.conn.execute(s.letter_versions.update().where(
                    v.letter_id == current.id, v.number == current.version, v.working.is_(true()),
                    v.author == version.author).values(**row, working=working, audit_id=None,
                                                       audit_hash=None, audit_prev=None)).rowcount
        except IntegrityError:
            raise self._conflict(current) from None
        if changed != 1:
            raise self._conflict(current)
        self.pending.versions.append((current.id, number))
        return self._update(current, self._saved(version, number, status))

    def working_copy(self, letter_id: int) -> LetterVersion | None:
        letter = self.conn.execute(select(s.letters.c.version, s.letters.c.updated_by, s.letters.c.audit_id)
                                   .where(s.letters.c.id == letter_id)).first()
        if letter is None:
            raise NotFound(f"there is no letter {letter_id}")
        row = self.conn.execute(select(s.letter_versions).where(
            s.letter_versions.c.letter_id == letter_id, s.letter_versions.c.number == letter.version)).first()
        # The letter's newest audit event is still the save of this version: no workflow step,
        # comment, export or other person's save since.
        if row is None or not row.working or row.author != letter.updated_by or not row.audit_id or \
                row.audit_id != letter.audit_id:
            return None
        return _version(row, working=True)

    def set_status(self, current: LetterSummary, status: Status, actor: str, at: dt.datetime,
                   approval_id: int | None = KEEP) -> LetterSummary:
        values: dict[str, Any] = {"status": status.value, "updated_by": actor, "updated_at": iso(at)}
        if approval_id is not KEEP:
            values["approval_id"] = approval_id
        return self._update(current, values)

    def version(self, letter_id: int, number: int) -> LetterVersion:
        row = self.conn.execute(select(s.letter_versions).where(and_(
            s.letter_versions.c.letter_id == letter_id, s.letter_versions.c.number == number))).first()
        if row is None:
            self.get(letter_id)
            raise NotFound(f"letter {letter_id} has no version {number}")
        working = self.working_copy(letter_id) if row.working else None
        return _version(row, working is not None and working.number == number)

    def versions(self, letter_id: int) -> list[LetterVersion]:
        working = self.working_copy(letter_id)
        rows = self.conn.execute(select(s.letter_versions).where(s.letter_versions.c.letter_id == letter_id)
                                 .order_by(s.letter_versions.c.number))
        return [_version(r, working is not None and r.number == working.number) for r in rows]

    def find(self, status: Status | None = None, search: str | None = None, limit: int = 500,
             like: bool = False, waiting_for: str | None = None) -> list[LetterSummary]:
        query = _listed()
        if status is not None:
            query = query.where(s.letters.c.status == status.value)
        if waiting_for is not None:
            judge = _signing_judge()
            query = query.where(s.letters.c.status == Status.IN_REVIEW.value,
                                or_(judge == waiting_for, judge.is_(None)))
        if search and search.strip():
            query = query.where(self._search(search, like))
        query = query.order_by(s.letters.c.updated_at.desc(), s.letters.c.id.desc()).limit(limit)
        return [_summary(r) for r in self.conn.execute(query).all()]

    def _search(self, search: str, like: bool) -> Any:
        tokens = _tokens(search)
        if like or not tokens:
            pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            return or_(s.letters.c.subject.ilike(pattern, escape="\\"),
                       s.letters.c.search_text.ilike(pattern, escape="\\"))
        if self.dialect == "sqlite":
            match = " ".join(f'"{t}"*' for t in tokens)
            return s.letters.c.id.in_(text("SELECT rowid FROM letters_fts WHERE letters_fts MATCH :match")
                                      .bindparams(match=match))
        query = " & ".join(f"{t}:*" for t in tokens)
        # search_vector is a stored column with a GIN index (migration 0002), so no plan the
        # planner picks recomputes to_tsvector for every letter.
        return literal_column("letters.search_vector").op("@@")(
            func.to_tsquery(literal_column("'simple'"), query))

    def add_approval(self, letter_id: int, version: int, approver: str, at: dt.datetime,
                     content_sha256: str, docx: bytes) -> Approval:
        signed = _carries_signature(docx)
        signing_for = _seal_property(docx, _SIGNED_FOR)
        if self.dialect == "postgresql":
            # Through the definer function only: it stamps the login as approver, checks that the
            # approver signs the letter or says whom they sign for, and that a signature image
            # goes only on a letter its judge signs.
            approval_id = self.conn.execute(
                text("SELECT chambers_approve(:approver, :letter, :version, :at, :sha, :docx, :signed, "
                     ":signing_for)"),
                {"approver": approver, "letter": letter_id, "version": version, "at": iso(at),
                 "sha": content_sha256, "docx": docx, "signed": signed, "signing_for": signing_for}).scalar_one()
        else:
            approval_id = self.conn.execute(s.approvals.insert().values(
                letter_id=letter_id, version=version, approver=approver, approved_at=iso(at),
                content_sha256=content_sha256, docx=docx, signed=signed, signed_for=signing_for)
                .returning(s.approvals.c.id)).scalar_one()
        self.pending.approvals.append(int(approval_id))
        return self.approval(int(approval_id))

    def _approvals(self) -> Any:
        """Approvals as this login may read them: on PostgreSQL a member login (migration 0007) is
        given everything but the approved bytes, which only ``release_approved`` hands out."""
        if self.dialect == "postgresql" and not self._reads_approved_bytes():
            return select(*(c for c in s.approvals.c if c.name != "docx"), literal_column("''::bytea").label("docx"))
        return select(s.approvals)

    def _reads_approved_bytes(self) -> bool:
        if "approved_bytes" not in self.access:
            self.access["approved_bytes"] = bool(self.conn.execute(text(
                "SELECT has_column_privilege('public.approvals', 'docx', 'SELECT')")).scalar_one())
        return self.access["approved_bytes"]

    def approval(self, approval_id: int) -> Approval:
        row = self.conn.execute(self._approvals().where(s.approvals.c.id == approval_id)).first()
        if row is None:
            raise NotFound(f"there is no approval {approval_id}")
        return _approval(row)

    def approvals_with_hash(self, content_sha256: str) -> list[Approval]:
        rows = self.conn.execute(self._approvals().where(s.approvals.c.content_sha256 == content_sha256)
                                 .order_by(s.approvals.c.id))
        return [_approval(r) for r in rows]

    def approvals_of(self, letter_id: int) -> list[Approval]:
        rows = self.conn.execute(self._approvals().where(s.approvals.c.letter_id == letter_id)
                                 .order_by(s.approvals.c.id))
        return [_approval(r) for r in rows]

    def release_approved(self, approval_id: int, actor: str) -> bytes:
        if self.dialect == "postgresql":
            # The definer function refuses anyone but a judge and any approval its letter no longer
            # holds, and records the release as an audit event in this transaction.
            return bytes(self.conn.execute(text("SELECT chambers_approved_docx(:actor, :id)"),
                                           {"actor": actor, "id": approval_id}).scalar_one())
        return self.approval(approval_id).docx

    def void_approval(self, approval_id: int, by: str, at: dt.datetime) -> None:
        if self.dialect == "postgresql":
            # The edit already voided it in the database (letters trigger); this records nothing
            # new for a member login and refuses to void an approval the letter still holds.
            self.conn.execute(text("SELECT chambers_void_approval(:by, :id)"), {"by": by, "id": approval_id})
            return
        self.conn.execute(s.approvals.update().where(and_(
            s.approvals.c.id == approval_id, s.approvals.c.voided_at.is_(None)))
            .values(voided_at=iso(at), voided_by=by))


class _Comments:
    def __init__(self, conn: Connection, pending: _Pending) -> None:
        self.conn = conn
        self.pending = pending

    def add(self, letter_id: int, version: int, author: str, at: dt.datetime, text: str,
            paragraph: str | None = None, kind: str = "comment") -> Comment:
        comment_id = self.conn.execute(s.comments.insert().values(
            letter_id=letter_id, version=version, author=author, created_at=iso(at), text=text,
            paragraph=paragraph, kind=kind).returning(s.comments.c.id)).scalar_one()
        self.pending.comments.append(int(comment_id))
        return Comment(int(comment_id), letter_id, version, author, at, text, paragraph, kind)

    def of(self, letter_id: int) -> list[Comment]:
        rows = self.conn.execute(select(s.comments).where(s.comments.c.letter_id == letter_id)
                                 .order_by(s.comments.c.id))
        return [Comment(r.id, r.letter_id, r.version, r.author, parse_time(r.created_at), r.text,
                        r.paragraph, r.kind) for r in rows]


class _Users:
    def __init__(self, conn: Connection, dialect: str, pending: _Pending, audit: _Audit) -> None:
        self.conn = conn
        self.dialect = dialect
        self.pending = pending
        self.audit = audit

    def audited(self, actor: str, action: str, name: str, detail: dict[str, Any], at: dt.datetime) -> None:
        """Record an admin's change to user ``name``; every method that changes a user calls it, so
        no caller can change a user without an audit event."""
        self.pending.users.append(name)
        self.audit.append(actor, action, None, {"user": name, **detail}, at)

    def add(self, user: User, at: dt.datetime, actor: str | None = None) -> None:
        """Add ``user`` as ``actor`` (the admin; the very first user adds itself), audited."""
        if self.get(user.name) is not None:
            raise Refused(f"there is already a user called {user.name}")
        self.conn.execute(s.users.insert().values(name=user.name, role=user.role.value, full_name=user.full_name,
                                                  signature_png=user.signature_png, created_at=iso(at),
                                                  active=user.active))
        self.audited(actor or user.name, "user_added", user.name,
                     {"role": user.role.value, "full_name": user.full_name,
                      "signature": _digest(user.signature_png)}, at)

    def _select(self) -> Any:
        columns = [c for c in s.users.c if c.name != "signature_png"]
        if self.dialect == "postgresql":
            # Only the judge's own login (or the owner's) reads a signature image.
            return select(*columns, func.chambers_signature(s.users.c.name).label("signature_png"))
        return select(*columns, s.users.c.signature_png)

    def update(self, name: str, actor: str, at: dt.datetime, *, role: Role = KEEP, full_name: str = KEEP,
               signature_png: bytes | None = KEEP, active: bool = KEEP) -> User:
        before = self.get(name)
        if before is None:
            raise NotFound(f"there is no user called {name}")
        given = {"role": role.value if role is not KEEP else KEEP, "full_name": full_name,
                 "signature_png": signature_png, "active": active}
        values = {key: value for key, value in given.items() if value is not KEEP}
        if not values:
            return before
        self.conn.execute(s.users.update().where(s.users.c.name == name).values(**values))
        detail: dict[str, Any] = {}
        if role is not KEEP:
            detail |= {"from": before.role.value, "to": role.value}
        if full_name is not KEEP:
            detail["full_name"] = full_name
        if signature_png is not KEEP:
            detail["signature"] = _digest(signature_png)
        if active is not KEEP:
            detail["active"] = bool(active)
        action = ("user_role_changed" if role is not KEEP else
                  "user_signature_set" if signature_png is not KEEP and signature_png is not None else
                  "user_signature_removed" if signature_png is not KEEP else
                  ("user_activated" if active else "user_deactivated") if active is not KEEP else "user_updated")
        self.audited(actor, action, name, detail, at)
        after = self.get(name)
        assert after is not None
        return after

    @staticmethod
    def _user(row: Row[Any]) -> User:
        return User(row.name, Role(row.role), row.full_name, bytes(row.signature_png) if row.signature_png else None,
                    bool(row.active))

    def get(self, name: str) -> User | None:
        row = self.conn.execute(self._select().where(s.users.c.name == name)).first()
        return None if row is None else self._user(row)

    def list(self) -> list[User]:
        return [self._user(r) for r in self.conn.execute(self._select().order_by(s.users.c.name))]

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(s.users)).scalar_one())


def _digest(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data else None


def _seal_property(docx: bytes, name: str) -> str | None:
    """A custom property of the seal on ``docx`` (storage reads no more of a Word file than this,
    with the standard library: the rendering layer is not a dependency of storage)."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            root = ElementTree.fromstring(package.read("docProps/custom.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return None
    for prop in root.iter(f"{{{_CUSTOM_NS}}}property"):
        if prop.get("name") == name:
            value = prop.find(f"{{{_VT_NS}}}lpwstr")
            return (value.text or None) if value is not None else None
    return None


def _carries_signature(docx: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            return _SIGNATURE_PART in package.namelist()
    except zipfile.BadZipFile:
        return False


def _clause(row: Row[Any]) -> Clause:
    tags = tuple(t for t in row.tags.split(",") if t)
    return Clause(row.id, row.title, row.text, tags, row.use_count)


class _Clauses:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, title: str, text: str, tags: tuple[str, ...], at: dt.datetime) -> Clause:
        clause_id = self.conn.execute(s.clauses.insert().values(
            title=title, text=text, tags=",".join(tags), use_count=0, created_at=iso(at))
            .returning(s.clauses.c.id)).scalar_one()
        return Clause(int(clause_id), title, text, tags, 0)

    def list(self) -> list[Clause]:
        return [_clause(r) for r in self.conn.execute(select(s.clauses).order_by(s.clauses.c.id))]

    def remove(self, clause_id: int) -> Clause:
        row = self.conn.execute(select(s.clauses).where(s.clauses.c.id == clause_id)).first()
        if row is None:
            raise NotFound(f"there is no clause {clause_id}")
        self.conn.execute(s.clauses.delete().where(s.clauses.c.id == clause_id))
        return _clause(row)

    def used(self, clause_id: int) -> None:
        self.conn.execute(s.clauses.update().where(s.clauses.c.id == clause_id)
                          .values(use_count=s.clauses.c.use_count + 1))

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(s.clauses)).scalar_one())


class _Addresses:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _values(entry: AddressBookEntry) -> dict[str, Any]:
        # One column per addressee field, named as the letter's JSON names it; lines as a JSON list.
        return {key: json.dumps(list(entry.address)) if key == "address" else getattr(entry, key)
                for key in ADDRESSEE_KEYS}

    def add(self, entry: AddressBookEntry) -> AddressBookEntry:
        entry_id = self.conn.execute(s.addressees.insert().values(**self._values(entry))
                                     .returning(s.addressees.c.id)).scalar_one()
        return replace(entry, id=int(entry_id))

    def update(self, entry: AddressBookEntry) -> AddressBookEntry:
        changed = self.conn.execute(s.addressees.update().where(s.addressees.c.id == entry.id)
                                    .values(**self._values(entry))).rowcount
        if not changed:
            raise NotFound(f"there is no address book entry {entry.id}")
        return entry

    def list(self) -> list[AddressBookEntry]:
        rows = self.conn.execute(select(s.addressees).order_by(s.addressees.c.name))
        return [AddressBookEntry(r.id, **self._fields(r)) for r in rows]

    @staticmethod
    def _fields(row: Row[Any]) -> dict[str, Any]:
        return {key: tuple(json.loads(row.address)) if key == "address" else getattr(row, key)
                for key in ADDRESSEE_KEYS}


class _CourtProfiles:
    """The court profile row and the seal store. Every write appends its audit event first and the
    row records it (id, hash, preceding hash); on PostgreSQL migration 0006 checks at commit that
    the event is the login's own and holds the row's content."""

    _PREFIX = "sha256:"

    def __init__(self, conn: Connection, audit: _Audit) -> None:
        self.conn = conn
        self.audit = audit

    def get(self) -> CourtProfile:
        row = self.conn.execute(select(s.court_profile).where(s.court_profile.c.id == 1)).first()
        if row is None:
            return CourtProfile()
        return CourtProfile(row.court, row.chambers, tuple(json.loads(row.address)), row.phone, row.email,
                            self._PREFIX + row.seal_sha256 if row.seal_sha256 else None, row.signatory_name,
                            row.signatory_title, row.version, row.updated_by, row.updated_at)

    def set(self, profile: CourtProfile, expect_version: int, actor: str, at: dt.datetime) -> CourtProfile:
        before = self.get()
        if before.version != expect_version:
            raise Refused(f"the court profile was changed by {before.updated_by or 'someone'} at "
                          f"{before.updated_at or 'an unknown time'} (now version {before.version}, yours started "
                          f"from version {expect_version}); nothing was overwritten: open it again and "
                          "make your change there")
        sha = None
        if profile.seal is not None:
            sha = profile.seal.removeprefix(self._PREFIX)
            if not profile.seal.startswith(self._PREFIX) or self.seal(profile.seal) is None:
                raise Refused(f"the seal {profile.seal} is not in this office's seal store: add the image first")
        version = before.version + 1
        event = self.audit.append(actor, "court_profile_changed", None,
                                  {**profile.content(), "version": version}, at)
        values = {"court": profile.court, "chambers": profile.chambers, "address": json.dumps(list(profile.address)),
                  "phone": profile.phone, "email": profile.email, "seal_sha256": sha,
                  "signatory_name": profile.signatory_name, "signatory_title": profile.signatory_title,
                  "version": version, "updated_by": actor, "updated_at": iso(at),
                  "audit_id": event.id, "audit_hash": event.hash, "audit_prev": event.prev_hash}
        if before.version == 0:
            self.conn.execute(s.court_profile.insert().values(id=1, **values))
        else:
            changed = self.conn.execute(s.court_profile.update().where(and_(
                s.court_profile.c.id == 1, s.court_profile.c.version == before.version)).values(**values)).rowcount
            if changed != 1:
                raise Refused("the court profile was changed while yours was being saved; nothing was "
                              "overwritten: open it again")
        return self.get()

    def add_seal(self, png: bytes, width: int, height: int, actor: str, at: dt.datetime) -> str:
        digest = hashlib.sha256(png).hexdigest()
        exists = self.conn.execute(select(s.court_seals.c.sha256).where(s.court_seals.c.sha256 == digest)).first()
        if exists is None:
            event = self.audit.append(actor, "court_seal_added", None,
                                      {"seal": self._PREFIX + digest, "bytes": len(png),
                                       "width": width, "height": height}, at)
            self.conn.execute(s.court_seals.insert().values(
                sha256=digest, png=png, width=width, height=height, added_by=actor, added_at=iso(at),
                audit_id=event.id, audit_hash=event.hash, audit_prev=event.prev_hash))
        return self._PREFIX + digest

    def seal(self, reference: str) -> bytes | None:
        if not reference.startswith(self._PREFIX):
            return None
        found = self.conn.execute(select(s.court_seals.c.png).where(
            s.court_seals.c.sha256 == reference.removeprefix(self._PREFIX))).scalar_one_or_none()
        return None if found is None else bytes(found)


class _SigningRecords:
    """Judges' certificates and the trust anchors (migration 0008). As with the court profile,
    every write appends its audit event first and the row records it (id, hash, preceding hash)."""

    def __init__(self, conn: Connection, audit: _Audit) -> None:
        self.conn = conn
        self.audit = audit

    @staticmethod
    def _bound(r: Any) -> BoundCertificate:
        return BoundCertificate(r.user_name, r.sha256, bytes(r.der), r.subject, parse_time(r.not_after),
                                r.bound_by, parse_time(r.bound_at))

    @staticmethod
    def _anchor(r: Any) -> TrustAnchor:
        return TrustAnchor(r.sha256, bytes(r.der), r.subject, r.added_by, parse_time(r.added_at), r.removed_by,
                           parse_time(r.removed_at) if r.removed_at else None)

    def bind(self, user: str, sha256: str, der: bytes, subject: str, not_after: dt.datetime,
             actor: str, at: dt.datetime) -> BoundCertificate:
        event = self.audit.append(actor, "signing_certificate_bound", None,
                                  {"user": user, "certificate_sha256": sha256, "subject": subject,
                                   "not_after": iso(not_after)}, at)
        self.conn.execute(s.signing_certificates.insert().values(
            user_name=user, sha256=sha256, der=der, subject=subject, not_after=iso(not_after), bound_by=actor,
            bound_at=iso(at), audit_id=event.id, audit_hash=event.hash, audit_prev=event.prev_hash))
        found = self.certificate(user)
        assert found is not None
        return found

    def certificate(self, user: str) -> BoundCertificate | None:
        c = s.signing_certificates.c
        row = self.conn.execute(select(s.signing_certificates).where(c.user_name == user)
                                .order_by(c.id.desc()).limit(1)).first()
        return None if row is None else self._bound(row)

    def certificate_by_hash(self, sha256: str) -> BoundCertificate | None:
        c = s.signing_certificates.c
        row = self.conn.execute(select(s.signing_certificates).where(c.sha256 == sha256)
                                .order_by(c.id.desc()).limit(1)).first()
        return None if row is None else self._bound(row)

    def anchors(self, include_removed: bool = False) -> list[TrustAnchor]:
        query = select(s.trust_anchors).order_by(s.trust_anchors.c.added_at)
        if not include_removed:
            query = query.where(s.trust_anchors.c.removed_at.is_(None))
        return [self._anchor(r) for r in self.conn.execute(query)]

    def add_anchor(self, sha256: str, der: bytes, subject: str, actor: str, at: dt.datetime) -> TrustAnchor:
        c = s.trust_anchors.c
        row = self.conn.execute(select(s.trust_anchors).where(c.sha256 == sha256)).first()
        if row is not None and row.removed_at is None:
            raise Refused(f"the office already trusts {subject} (SHA-256 {sha256[:16]}...)")
        event = self.audit.append(actor, "trust_anchor_added", None,
                                  {"certificate_sha256": sha256, "subject": subject}, at)
        values = {"der": der, "subject": subject, "added_by": actor, "added_at": iso(at), "removed_by": None,
                  "removed_at": None, "audit_id": event.id, "audit_hash": event.hash, "audit_prev": event.prev_hash}
        if row is None:
            self.conn.execute(s.trust_anchors.insert().values(sha256=sha256, **values))
        else:
            self.conn.execute(s.trust_anchors.update().where(c.sha256 == sha256).values(**values))
        return self._anchor(self.conn.execute(select(s.trust_anchors).where(c.sha256 == sha256)).one())

    def remove_anchor(self, sha256: str, actor: str, at: dt.datetime) -> TrustAnchor:
        c = s.trust_anchors.c
        row = self.conn.execute(select(s.trust_anchors).where(c.sha256 == sha256, c.removed_at.is_(None))).first()
        if row is None:
            raise NotFound(f"the office trusts no certificate with SHA-256 {sha256} (see `office trust list`)")
        event = self.audit.append(actor, "trust_anchor_removed", None,
                                  {"certificate_sha256": sha256, "subject": row.subject}, at)
        self.conn.execute(s.trust_anchors.update().where(c.sha256 == sha256).values(
            removed_by=actor, removed_at=iso(at), audit_id=event.id, audit_hash=event.hash,
            audit_prev=event.prev_hash))
        return self._anchor(self.conn.execute(select(s.trust_anchors).where(c.sha256 == sha256)).one())


class _Audit:
    def __init__(self, conn: Connection, dialect: str, pending: _Pending) -> None:
        self.conn = conn
        self.dialect = dialect
        self.pending = pending

    def append(self, actor: str, action: str, letter_id: int | None, detail: dict[str, Any],
               at: dt.datetime) -> AuditEvent:
        """Chain an event onto the head kept in chambers_meta, move the head, and link the rows this
        transaction wrote (and the letter) to it, all in the caller's transaction."""
        vouch = self.pending.take()
        detail_text = canonical(detail)
        if self.dialect == "postgresql":
            row = self.conn.execute(
                text("SELECT * FROM chambers_audit_append(:actor, :action, :letter, :detail, "
                     "CAST(:vouch AS jsonb))"),
                {"actor": actor, "action": action, "letter": letter_id, "detail": detail_text,
                 "vouch": json.dumps(vouch)}).one()
            return AuditEvent(row.event_id, row.event_at, row.event_actor, action, letter_id, detail_text,
                              row.event_prev, row.event_hash)
        count, prev = self.head()
        last = self.conn.execute(select(func.max(s.audit_log.c.id))).scalar()
        # After a row was slipped in behind the application's back the next id steps over it,
        # while the chain itself goes on from the head: one junk row does not break what follows.
        event_id = int(last or 0) + 1
        at_text = iso(at)
        digest = event_hash(prev, event_id, at_text, actor, action, letter_id, detail_text)
        self.conn.execute(s.audit_log.insert().values(id=event_id, at=at_text, actor=actor, action=action,
                                                      letter_id=letter_id, detail=detail_text,
                                                      prev_hash=prev, hash=digest))
        meta = _Meta(self.conn)
        meta.set("audit_head", digest)
        meta.set("audit_count", str(count + 1))
        link = {"audit_id": event_id, "audit_hash": digest, "audit_prev": prev}
        if letter_id is not None:
            self.conn.execute(s.letters.update().where(s.letters.c.id == letter_id).values(**link))
        for letter, number in vouch["versions"]:
            self.conn.execute(s.letter_versions.update().where(and_(
                s.letter_versions.c.letter_id == letter, s.letter_versions.c.number == number,
                s.letter_versions.c.audit_id.is_(None))).values(**link))
        for table, key, wanted in ((s.comments, s.comments.c.id, vouch["comments"]),
                                   (s.approvals, s.approvals.c.id, vouch["approvals"]),
                                   (s.users, s.users.c.name, vouch["users"])):
            if wanted:
                self.conn.execute(table.update().where(key.in_(wanted)).values(**link))
        return AuditEvent(event_id, at_text, actor, action, letter_id, detail_text, prev, digest)

    def head(self) -> tuple[int, str]:
        """(how many events the chain holds, hash of the newest), as the last append left them."""
        meta = _Meta(self.conn)
        count, head = meta.get("audit_count"), meta.get("audit_head")
        if count is None or head is None:
            return 0, GENESIS
        return int(count), head

    def events(self, letter_id: int | None = None) -> Iterator[AuditEvent]:
        query = select(s.audit_log).order_by(s.audit_log.c.id)
        if letter_id is not None:
            query = query.where(s.audit_log.c.letter_id == letter_id)
        for r in self.conn.execute(query):
            yield AuditEvent(r.id, r.at, r.actor, r.action, r.letter_id, r.detail, r.prev_hash, r.hash)

    def after(self, event_id: int, limit: int = 200) -> list[AuditEvent]:
        # Ids grow in the order of the commits on both engines (SQLite has one writer; on PostgreSQL
        # chambers_audit_append takes the next id under the lock on the chain's head, held to the
        # commit), so no event can appear later behind one already read.
        query = select(s.audit_log).where(s.audit_log.c.id > event_id).order_by(s.audit_log.c.id.desc()).limit(limit)
        return [AuditEvent(r.id, r.at, r.actor, r.action, r.letter_id, r.detail, r.prev_hash, r.hash)
                for r in reversed(self.conn.execute(query).all())]

    def newest_id(self) -> int:
        return int(self.conn.execute(select(func.max(s.audit_log.c.id))).scalar() or 0)

    def references(self) -> list[AuditReference]:
        """Every row that vouches for an audit event (or should): what it is, and the id, hash and
        preceding hash it recorded (``None`` when it recorded none)."""
        found: list[AuditReference] = []
        r: Any
        for table, what, newest in (
                (s.letters, lambda r: f"letter {r.id}", True),
                (s.letter_versions, lambda r: f"version {r.number} of letter {r.letter_id}", False),
                (s.approvals, lambda r: f"approval {r.id} of letter {r.letter_id}", False),
                (s.comments, lambda r: f"comment {r.id} on letter {r.letter_id}", False),
                (s.users, lambda r: f"user {r.name}", False),
                (s.court_profile, lambda r: "the court profile", False),
                (s.court_seals, lambda r: f"court seal sha256:{r.sha256}", False),
                (s.signing_certificates, lambda r: f"signing certificate {r.id}", False),
                (s.trust_anchors, lambda r: f"trust anchor sha256:{r.sha256}", False)):
            keys = [c for c in table.c if c.name in ("id", "letter_id", "number", "name", "sha256")]
            for r in self.conn.execute(select(*keys, table.c.audit_id, table.c.audit_hash, table.c.audit_prev)):
                found.append(AuditReference(what(r), r.audit_id, r.audit_hash, newest, r.audit_prev))
        return found


class _Meta:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, key: str) -> str | None:
        value = self.conn.execute(select(s.meta.c.value).where(s.meta.c.key == key)).scalar_one_or_none()
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        if self.get(key) is None:
            self.conn.execute(s.meta.insert().values(key=key, value=value))
        else:
            self.conn.execute(s.meta.update().where(s.meta.c.key == key).values(value=value))
