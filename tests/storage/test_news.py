"""Two desks on one database: each hears what the other did from the database itself.

PostgreSQL: LISTEN/NOTIFY from the commit that writes the audit event (migration 0009), on a
connection that holds no transaction and comes back after the server drops it. SQLite: PRAGMA
data_version. Either way the feed only wakes the follower; the audit log after the last event
seen says who did what. Waits are bounded generously and end as soon as the news is there: no
verdict depends on how long anything took.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.bootstrap import Services, services
from app.core.workflow import Status
from app.storage.database import init_roles
from app.storage.news import CHANNEL, Announcement, ListenFeed, NewsFeed, announcement
from app.storage.sql import SqlStore
from tests.conftest import sample_data
from tests.storage.dbfixtures import db_url, office, postgres_template, postgres_url  # noqa: F401
from tests.storage.test_postgres_enforcement import login_url

NEWS_WITHIN_S = 30.0  # a generous bound: the wait ends at the first news


def heard(feed: NewsFeed) -> bool:
    """Wait until the feed says the database changed (False only if nothing came in the bound)."""
    return feed.wait(NEWS_WITHIN_S)


def feed_of(desk: Services) -> NewsFeed:
    feed = desk.store.news_feed()
    assert feed is not None
    return feed


def newest(desk: Services) -> int:
    with desk.store.read() as tx:
        return tx.audit.newest_id()


@pytest.fixture
def desks(db_url: str) -> Iterator[tuple[Services, Services]]:  # noqa: F811
    """A clerk's desk and a judge's desk on one database (one login each on PostgreSQL)."""
    office(db_url).close()
    if db_url.startswith("postgresql"):
        admin = office(db_url)
        init_roles(admin.store, {u.name: u.role.value for u in admin.users.list()})  # type: ignore[arg-type]
        admin.close()
        clerk, judge = services(login_url(db_url, "ann")), services(login_url(db_url, "tani"))
    else:
        clerk, judge = services(db_url, as_user="ann"), services(db_url, as_user="tani")
    yield clerk, judge
    clerk.close()
    judge.close()


def test_each_desk_hears_what_the_other_did_and_reads_who_from_the_audit_log(
        desks: tuple[Services, Services]) -> None:
    clerk, judge = desks
    judges_feed, clerks_feed = feed_of(judge), feed_of(clerk)
    try:
        seen = newest(judge)
        letter = clerk.drafts.create("officials-concern", sample_data()).id
        clerk.drafts.submit(letter)
        assert heard(judges_feed)
        with judge.store.read() as tx:
            events = tx.audit.after(seen)
        assert [(e.actor, e.action, e.letter_id) for e in events] == [
            ("ann", "created", letter), ("ann", "submit", letter)]
        seen = events[-1].id
        while clerks_feed.wait(0):  # the clerk's own steps woke the clerk's feed too
            pass
        judge.drafts.approve(letter, 1)
        assert heard(clerks_feed)
        with clerk.store.read() as tx:
            assert [(e.actor, e.action) for e in tx.audit.after(seen)] == [("tani", "approve")]
            assert tx.audit.after(newest(clerk)) == []
        assert clerk.drafts.get(letter).summary.status is Status.APPROVED
    finally:
        judges_feed.close()
        clerks_feed.close()


def test_after_gives_the_newest_events_oldest_first(desks: tuple[Services, Services]) -> None:
    clerk, _judge = desks
    seen = newest(clerk)
    letters = [clerk.drafts.create("officials-concern", sample_data()).id for _ in range(3)]
    with clerk.store.read() as tx:
        assert [e.letter_id for e in tx.audit.after(seen)] == letters
        assert [e.letter_id for e in tx.audit.after(seen, limit=2)] == letters[1:]


def test_a_feed_asked_to_stop_returns_at_once_without_news(desks: tuple[Services, Services]) -> None:
    feed = feed_of(desks[0])
    try:
        feed.stop()
        assert feed.wait(NEWS_WITHIN_S) is False
    finally:
        feed.close()


# --- PostgreSQL: what the notification says, and the listening connection ------------------------
pg = pytest.mark.postgres


@pg
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_the_notification_names_event_letter_action_and_actor_never_the_text(
        desks: tuple[Services, Services]) -> None:
    clerk, judge = desks
    feed = feed_of(judge)
    assert isinstance(feed, ListenFeed)
    try:
        letter = clerk.drafts.create("officials-concern", sample_data()).id
        assert heard(feed)
        with judge.store.read() as tx:
            event = tx.audit.after(0)[-1]
        assert feed.heard == [Announcement(event.id, letter, "created", "ann")]
    finally:
        feed.close()


@pg
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_change_rolled_back_is_never_announced(desks: tuple[Services, Services]) -> None:
    clerk, judge = desks
    feed = feed_of(judge)
    assert isinstance(feed, ListenFeed)
    try:
        letter = clerk.drafts.create("officials-concern", sample_data()).id
        assert heard(feed)

        def fails_after_its_audit_event() -> None:
            with clerk.store.write() as tx:
                tx.audit.append("ann", "commented", letter, {"version": 1}, dt.datetime.now(dt.UTC))
                raise RuntimeError("the clerk's transaction fails after its audit event")

        with pytest.raises(RuntimeError):
            fails_after_its_audit_event()
        clerk.drafts.submit(letter)
        assert heard(feed)
        assert [(a.action, a.actor) for a in feed.heard] == [("submit", "ann")]
    finally:
        feed.close()


@pg
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_the_listener_holds_no_transaction_and_listens_again_after_the_server_drops_it(
        desks: tuple[Services, Services], db_url: str) -> None:  # noqa: F811
    clerk, judge = desks
    feed = feed_of(judge)
    assert isinstance(feed, ListenFeed)
    server = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    try:
        pid = feed.backend_pid()
        assert feed.wait(0) is False
        with server.connect() as conn:
            row = conn.execute(text("SELECT state, xact_start, backend_xmin, usename FROM pg_stat_activity "
                                    "WHERE pid = :p"), {"p": pid}).one()
            assert (row.state, row.xact_start, row.backend_xmin, row.usename) == ("idle", None, None, "tani")
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
        assert heard(feed)  # the drop itself: something may have been missed
        assert feed.wait(NEWS_WITHIN_S)  # listening again: "changed", as nobody listened meanwhile
        assert feed.connections == 2
        assert feed.backend_pid() not in (None, pid)
        letter = clerk.drafts.create("officials-concern", sample_data()).id
        assert heard(feed)
        assert [(a.letter_id, a.action) for a in feed.heard] == [(letter, "created")]
    finally:
        feed.close()
        server.dispose()


@pg
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_notification_from_someone_else_on_the_channel_wakes_but_is_not_believed(
        desks: tuple[Services, Services], db_url: str) -> None:  # noqa: F811
    _clerk, judge = desks
    feed = feed_of(judge)
    assert isinstance(feed, ListenFeed)
    forged = create_engine(login_url(db_url, "ann").replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    try:
        with forged.connect() as conn:
            conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": json.dumps({"event": "x"})})
        assert heard(feed)
        assert feed.heard == []  # the reader goes to the audit log, which holds nothing new
    finally:
        feed.close()
        forged.dispose()


def test_an_announcement_is_read_as_untrusted_text() -> None:
    assert announcement('{"event": 3, "letter": null, "action": "user_added", "actor": "admin"}') == \
        Announcement(3, None, "user_added", "admin")
    for junk in ("", "[]", "{}", '{"event": "3", "letter": 1, "action": "a", "actor": "b"}', "\x00"):
        assert announcement(junk) is None


def test_a_database_in_memory_has_no_feed() -> None:
    store = SqlStore("sqlite://")
    try:
        assert store.news_feed() is None
    finally:
        store.close()


def test_a_feed_never_creates_a_database(tmp_path: Path) -> None:
    import sqlite3

    from app.storage.news import DataVersionFeed

    with pytest.raises(sqlite3.OperationalError):
        DataVersionFeed(tmp_path / "nothing-here.sqlite3")
    assert list(tmp_path.iterdir()) == []
