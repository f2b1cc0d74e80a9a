"""Hearing that the database changed, without asking it every second what it holds.

A window follows what others do (``app.ui.watching``): it waits on a feed here on a thread of its
own and, when the feed says something may have changed, reads the audit events after the last one
it saw (``AuditLog.after``). The feed only wakes it; the audit log says what happened, so a
notification missed while a connection was down is never a change missed.

- PostgreSQL: ``LISTEN chambers_news`` on a connection of the feed's own, in autocommit (it never
  holds a transaction, so it never holds a lock, a snapshot or ``idle_in_transaction`` against the
  office's limits). Migration 0009 notifies from the very commit that writes an audit event. A
  connection the server dropped is made again at the next wait, and that wait says "changed",
  since anything may have happened meanwhile.
- SQLite: ``PRAGMA data_version`` on a connection of the feed's own, read at most every ``every``
  seconds. It changes when any other connection (another window, the CLI, this window's own pool)
  commits: one integer read from the shared memory, not a query of any table.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # psycopg is imported when a PostgreSQL feed is opened, never for SQLite
    import psycopg

log = logging.getLogger(__name__)

CHANNEL = "chambers_news"  # migration 0009's channel
SQLITE_EVERY_S = 1.0       # how often a SQLite feed reads data_version
RECONNECT_EVERY_S = 2.0    # how long a PostgreSQL feed waits between attempts to listen again


@dataclass(frozen=True)
class Announcement:
    """What a notification says (migration 0009): which audit event, about which letter, who did what."""

    event: int
    letter_id: int | None
    action: str
    actor: str


def announcement(payload: str) -> Announcement | None:
    """The announcement in a notification's payload; None for one that is not Chambers' (any
    login may NOTIFY on any channel, so the payload is read as untrusted)."""
    try:
        got = json.loads(payload)
        event, letter, action, actor = got["event"], got["letter"], got["action"], got["actor"]
    except (ValueError, TypeError, KeyError):
        return None
    if not (isinstance(event, int) and (letter is None or isinstance(letter, int))
            and isinstance(action, str) and isinstance(actor, str)):
        return None
    return Announcement(event, letter, action, actor)


class NewsFeed(Protocol):
    """Wakes whoever follows the database. One thread uses a feed: ``wait`` and then ``close``."""

    heard: list[Announcement]  # what the last wait heard (PostgreSQL); the audit log says it all

    def wait(self, timeout: float) -> bool:
        """Block for at most ``timeout`` seconds; True when the database may have changed since the
        last call (or since the feed was opened), False when it did not."""
        ...

    def stop(self) -> None:
        """Make a ``wait`` under way return soon (from any thread)."""
        ...

    def close(self) -> None: ...


class DataVersionFeed:
    """SQLite: ``PRAGMA data_version`` on a connection that never writes."""

    def __init__(self, path: Path, every: float = SQLITE_EVERY_S) -> None:
        self.heard: list[Announcement] = []
        self.every = every
        self._stopped = threading.Event()
        # Autocommit (isolation_level None): the pragma is read outside any transaction, so this
        # connection never pins an old snapshot of the WAL and never blocks a checkpoint.
        # mode=rw: a feed never creates a database where there was none.
        self._conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None,
                                     check_same_thread=False)
        self._seen = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self._stopped.is_set():
            try:
                now = self._version()
            except sqlite3.Error as exc:
                log.warning("the drafts database could not be watched: %s", exc)
                return False
            if now != self._seen:
                self._seen = now
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._stopped.wait(min(self.every, left))
        return False

    def stop(self) -> None:
        self._stopped.set()

    def close(self) -> None:
        self._stopped.set()
        self._conn.close()


class ListenFeed:
    """PostgreSQL: LISTEN on a connection of its own, in autocommit, made again when it drops."""

    def __init__(self, url: str, retry: float = RECONNECT_EVERY_S) -> None:
        self.heard: list[Announcement] = []
        self.retry = retry
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        # libpq's own URI form (psycopg's), from the SQLAlchemy URL the store was opened with.
        self._conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self._stopped = threading.Event()
        self._conn: psycopg.Connection[Any] | None = None
        self.connections = 0  # how many times it listened (again): a dropped connection is made anew
        self._unreachable = False
        self._listen()

    def _listen(self) -> bool:
        import psycopg

        try:
            conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10,
                                   application_name="chambers-news")
            conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            if not self._unreachable:  # once per outage, not at every attempt
                log.warning("others' changes cannot be heard for now (the database is not reachable): %s", exc)
            self._unreachable = True
            return False
        self._unreachable = False
        self._conn = conn
        self.connections += 1
        return True

    def backend_pid(self) -> int | None:
        """The server process of the listening connection (None while there is none)."""
        return None if self._conn is None else self._conn.info.backend_pid

    def wait(self, timeout: float) -> bool:
        import psycopg

        self.heard = []
        if self._stopped.is_set():
            return False
        if self._conn is None or self._conn.closed:
            if self._listen():
                return True  # anything may have happened while nobody listened
            self._stopped.wait(min(timeout, self.retry))
            return False
        try:
            # stop_after=1 still returns every notification already queued.
            got = list(self._conn.notifies(timeout=timeout, stop_after=1))
        except psycopg.Error as exc:
            log.warning("the database dropped the connection that hears others' changes: %s", exc)
            self._drop()
            return True  # one may have been missed: the reader looks at the audit log anyway
        self.heard = [a for n in got if n.channel == CHANNEL and (a := announcement(n.payload)) is not None]
        return bool(got)

    def _drop(self) -> None:
        import psycopg

        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):  # a dropped connection is gone already
                self._conn.close()
        self._conn = None

    def stop(self) -> None:
        self._stopped.set()

    def close(self) -> None:
        self._stopped.set()
        self._drop()


def open_feed(url: str, dialect: str) -> NewsFeed | None:
    """The feed for the database at ``url``; None for one that cannot be followed (in memory)."""
    from sqlalchemy.engine import make_url

    if dialect == "postgresql":
        return ListenFeed(url)
    database = make_url(url).database
    if dialect == "sqlite" and database and database != ":memory:":
        return DataVersionFeed(Path(database))
    return None
