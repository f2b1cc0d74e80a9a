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
from collections.abc import Callable
from contextlib import ExitStack, closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from app.bootstrap import Services
from app.core.workflow import Status
from app.storage.database import init_roles
from app.storage.news import CHANNEL, Announcement, ListenFeed, NewsFeed, announcement
from app.storage.sql import SqlStore
from tests.conftest import DeskFactory, sample_data
from tests.storage.dbfixtures import db_url, office, postgres_template, postgres_url  # noqa: F401
from tests.storage.test_postgres_enforcement import login_url

NEWS_WITHIN_S = 30.0  # a generous bound: the wait ends at the first news


def heard(feed: NewsFeed) -> bool:
    """Wait until the feed says the database changed (False only if nothing came in the bound)."""
    return feed.wait(NEWS_WITHIN_S)


def newest(desk: Services) -> int:
    with desk.store.read() as tx:
        return tx.audit.newest_id()


@pytest.fixture
def desks(db_url: str, desk: DeskFactory) -> tuple[Services, Services]:  # noqa: F811
    """A clerk's desk and a judge's desk on one database (one login each on PostgreSQL)."""
    postgres = db_url.startswith("postgresql")
    with closing(office(db_url)) as admin:
        if postgres:
            init_roles(admin.store, {u.name: u.role.value for u in admin.users.list()})  # type: ignore[arg-type]

    def seat(user: str) -> Services:
        return desk(login_url(db_url, user)) if postgres else desk(db_url, as_user=user)

    return seat("ann"), seat("tani")


@pytest.fixture
def feed_of(at_end: ExitStack) -> Callable[[Services], NewsFeed]:
    """A desk's news feed, ``feed_of(desk)``, closed at the test's end."""

    def listen(desk: Services) -> NewsFeed:
        feed = desk.store.news_feed()
        assert feed is not None
        return at_end.enter_context(closing(feed))

    return listen


@pytest.fixture
def listener(desks: tuple[Services, Services], feed_of: Callable[[Services], NewsFeed]) -> ListenFeed:
    """The judge's feed on PostgreSQL: a connection that LISTENs."""
    feed = feed_of(desks[1])
    assert isinstance(feed, ListenFeed)
    return feed


@pytest.fixture
def autocommit(at_end: ExitStack) -> Callable[[str], Engine]:
    """An engine that runs each statement on its own, ``autocommit(url)``, disposed at the test's end."""

    def engine(url: str) -> Engine:
        made = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
        at_end.callback(made.dispose)
        return made

    return engine


def test_each_desk_hears_what_the_other_did_and_reads_who_from_the_audit_log(
        desks: tuple[Services, Services], feed_of: Callable[[Services], NewsFeed]) -> None:
    clerk, judge = desks
    judges_feed, clerks_feed = feed_of(judge), feed_of(clerk)
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


def test_after_gives_the_newest_events_oldest_first(desks: tuple[Services, Services]) -> None:
    clerk, _judge = desks
    seen = newest(clerk)
    letters = [clerk.drafts.create("officials-concern", sample_data()).id for _ in range(3)]
    with clerk.store.read() as tx:
        assert [e.letter_id for e in tx.audit.after(seen)] == letters
        assert [e.letter_id for e in tx.audit.after(seen, limit=2)] == letters[1:]


def test_a_feed_asked_to_stop_returns_at_once_without_news(
        desks: tuple[Services, Services], feed_of: Callable[[Services], NewsFeed]) -> None:
    feed = feed_of(desks[0])
    feed.stop()
    assert feed.wait(NEWS_WITHIN_S) is False


# --- PostgreSQL: what the notification says, and the listening connection ------------------------
pg = pytest.mark.postgres


@pg
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_the_notification_names_event_letter_action_and_actor_never_the_text(
        desks: tuple[Services, Services], listener: ListenFeed) -> None:
    clerk, judge = desks
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    assert heard(listener)
    with judge.store.read() as tx:
        event = tx.audit.after(0)[-1]
    assert listener.heard == [Announcement(event.id, letter, "created", "ann")]


@pg
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_change_rolled_back_is_never_announced(desks: tuple[Services, Services], listener: ListenFeed) -> None:
    clerk, _judge = desks
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    assert heard(listener)

    def fails_after_its_audit_event() -> None:
        with clerk.store.write() as tx:
            tx.audit.append("ann", "commented", letter, {"version": 1}, dt.datetime.now(dt.UTC))
            raise RuntimeError("the clerk's transaction fails after its audit event")

    with pytest.raises(RuntimeError):
        fails_after_its_audit_event()
    clerk.drafts.submit(letter)
    assert heard(listener)
    assert [(a.action, a.actor) for a in listener.heard] == [("submit", "ann")]


@pg
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_the_listener_holds_no_transaction_and_listens_again_after_the_server_drops_it(
        desks: tuple[Services, Services], listener: ListenFeed, autocommit: Callable[[str], Engine],
        db_url: str) -> None:  # noqa: F811
    clerk, _judge = desks
    pid = listener.backend_pid()
    assert listener.wait(0) is False
    with autocommit(db_url).connect() as conn:
        row = conn.execute(text("SELECT state, xact_start, backend_xmin, usename FROM pg_stat_activity "
                                "WHERE pid = :p"), {"p": pid}).one()
        assert (row.state, row.xact_start, row.backend_xmin, row.usename) == ("idle", None, None, "tani")
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
    assert heard(listener)  # the drop itself: something may have been missed
    assert listener.wait(NEWS_WITHIN_S)  # listening again: "changed", as nobody listened meanwhile
    assert listener.connections == 2
    assert listener.backend_pid() not in (None, pid)
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    assert heard(listener)
    assert [(a.letter_id, a.action) for a in listener.heard] == [(letter, "created")]


@pg
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_notification_from_someone_else_on_the_channel_wakes_but_is_not_believed(
        listener: ListenFeed, autocommit: Callable[[str], Engine], db_url: str) -> None:  # noqa: F811
    with autocommit(login_url(db_url, "ann")).connect() as conn:  # the clerk's login, forging a wake-up
        conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": json.dumps({"event": "x"})})
    assert heard(listener)
    assert listener.heard == []  # the reader goes to the audit log, which holds nothing new


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
