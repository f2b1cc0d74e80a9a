"""The audit log cannot be cut or rewritten unnoticed: whoever edits, removes, reorders, re-chains,
forges or slips in audit rows directly in the database, `audit verify` names the first bad event.

The attacks run as the database's owner (SQLite: whoever holds the file; PostgreSQL: a superuser
who can switch the immutability triggers off). A clerk's own PostgreSQL login cannot write the
audit table at all: see test_postgres_enforcement.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, text

from app.bootstrap import Services
from app.core.audit import GENESIS, event_hash
from tests.conftest import ROOT, sample_data
from tests.storage.dbfixtures import as_user, db_url, office, postgres_template  # noqa: F401

# A note with everything JSON escapes differently somewhere: PostgreSQL's hash must match Python's.
AWKWARD_NOTE = 'quote " backslash \\ tab \t newline \n bell \x07 del \x7f é 😀 \u2028 </w:t>'


def letter_with_history(url: str) -> tuple[int, dict[str, int]]:
    """A letter created, edited twice, submitted, commented on and approved; {action: first event id}."""
    office(url).close()
    clerk = as_user(url, "ann")
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.update(letter, {**sample_data(), "subject": "Second"}, 1, note=AWKWARD_NOTE)
    clerk.drafts.update(letter, {**sample_data(), "subject": "Third"}, 2)
    clerk.drafts.submit(letter)
    clerk.close()
    judge = as_user(url, "tani")
    judge.drafts.comment(letter, "Reads well")
    judge.drafts.approve(letter, expect_version=3)
    first: dict[str, int] = {}
    for event in judge.drafts.history(letter)[2]:
        first.setdefault(event.action, event.id)
    judge.close()
    return letter, first


@pytest.fixture
def history(db_url: str) -> Iterator[tuple[Services, int, dict[str, int]]]:  # noqa: F811
    letter, ids = letter_with_history(db_url)
    s = as_user(db_url, "ann")
    assert s.drafts.audit_check()[1] is None
    yield s, letter, ids
    s.close()


def tamper(s: Services, change: Callable[[Connection], None]) -> None:
    store: Any = s.store
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            for trigger in ("audit_log_no_update", "audit_log_no_delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        change(conn)
        if store.dialect != "sqlite":
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


def rechain(conn: Connection, from_id: int, *, move_head: bool = True) -> None:
    """Recompute every hash from ``from_id`` on, as an attacker covering an edit would."""
    rows = conn.execute(text("SELECT id, at, actor, action, letter_id, detail FROM audit_log ORDER BY id")).all()
    prev = GENESIS
    for row in rows:
        if row.id >= from_id:
            digest = event_hash(prev, row.id, row.at, row.actor, row.action, row.letter_id, row.detail)
            conn.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i"),
                         {"p": prev, "h": digest, "i": row.id})
            prev = digest
        else:
            prev = conn.execute(text("SELECT hash FROM audit_log WHERE id = :i"), {"i": row.id}).scalar_one()
    if move_head:
        conn.execute(text("UPDATE chambers_meta SET value = :h WHERE key = 'audit_head'"), {"h": prev})
        conn.execute(text("UPDATE chambers_meta SET value = :n WHERE key = 'audit_count'"), {"n": str(len(rows))})


def newest(conn: Connection) -> Any:
    return conn.execute(text("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")).one()


def broken_at(s: Services) -> tuple[int, str]:
    _count, broken, why = s.drafts.audit_check()
    assert broken is not None, "the tampering went unnoticed"
    return broken.id, why


def test_untouched_log_is_intact_and_the_cli_says_so(history: tuple[Services, int, dict[str, int]]) -> None:
    s, _letter, _ids = history
    count, broken, why = s.drafts.audit_check()
    assert (broken, why) == (None, "")
    assert count >= 10
    proc = cli(s, "audit", "verify", "--as", "ann")
    assert proc.returncode == 0, proc.stderr
    assert "intact" in proc.stdout


def cli(s: Services, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--db", s.store.url],  # type: ignore[attr-defined]
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_deleting_a_middle_event_names_it(history: tuple[Services, int, dict[str, int]]) -> None:
    s, _letter, ids = history
    tamper(s, lambda c: c.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids["edited"]}))
    event_id, why = broken_at(s)
    assert event_id == ids["edited"]
    assert "missing" in why
    proc = cli(s, "audit", "verify", "--as", "ann")
    assert proc.returncode == 1
    assert f"broken at event {ids['edited']}" in proc.stderr


def test_deleting_the_newest_event_names_it(history: tuple[Services, int, dict[str, int]]) -> None:
    s, _letter, ids = history
    tamper(s, lambda c: c.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids["approve"]}))
    event_id, why = broken_at(s)
    assert event_id == ids["approve"]
    assert "missing" in why


def test_deleting_the_newest_events_and_moving_the_head_back_is_still_caught(
        history: tuple[Services, int, dict[str, int]]) -> None:
    s, _letter, ids = history

    def cut(conn: Connection) -> None:
        conn.execute(text("DELETE FROM audit_log WHERE id >= :i"), {"i": ids["submit"]})
        rechain(conn, 1)  # the head now agrees with what is left

    tamper(s, cut)
    event_id, why = broken_at(s)
    assert event_id == ids["submit"]  # the letter row and the approval still record the cut events
    assert "missing" in why


@pytest.mark.parametrize("action", ["created", "submit"])
def test_deleting_a_middle_event_and_recomputing_the_chain_names_it(
        history: tuple[Services, int, dict[str, int]], action: str) -> None:
    s, _letter, ids = history

    def cut(conn: Connection) -> None:
        conn.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids[action]})
        rechain(conn, ids[action] + 1)
        conn.execute(text("UPDATE chambers_meta SET value = :n WHERE key = 'audit_count'"),
                     {"n": str(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())})

    tamper(s, cut)
    event_id, why = broken_at(s)
    assert event_id == ids[action]
    assert "missing" in why


def test_deleting_every_event_is_caught(history: tuple[Services, int, dict[str, int]]) -> None:
    s, _letter, _ids = history
    tamper(s, lambda c: c.execute(text("DELETE FROM audit_log")))
    event_id, why = broken_at(s)
    assert event_id == 1
    assert "every event is missing" in why or "missing" in why
    proc = cli(s, "audit", "verify", "--as", "ann")
    assert proc.returncode == 1


def test_deleting_every_event_and_the_head_is_caught_by_the_rows(history: tuple[Services, int, dict[str, int]]) -> None:
    s, _letter, _ids = history

    def wipe(conn: Connection) -> None:
        conn.execute(text("DELETE FROM audit_log"))
        conn.execute(text("UPDATE chambers_meta SET value = '0' WHERE key = 'audit_count'"))
        conn.execute(text("UPDATE chambers_meta SET value = :g WHERE key = 'audit_head'"), {"g": GENESIS})

    tamper(s, wipe)
    event_id, why = broken_at(s)
    assert event_id == 1
    assert "missing" in why
    assert "records event" in why


@pytest.mark.parametrize("move_head", [True, False])
@pytest.mark.parametrize(("action", "named"), [
    ("created", "created"), ("edited", "edited"), ("submit", "submit"), ("commented", "commented"),
    ("approve", "approve"),
])
def test_an_edit_covered_by_recomputing_the_chain_is_caught(
        history: tuple[Services, int, dict[str, int]], action: str, named: str, move_head: bool) -> None:
    s, _letter, ids = history
    target = ids[action]

    def rewrite(conn: Connection) -> None:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :i"), {"i": target})
        rechain(conn, target, move_head=move_head)

    tamper(s, rewrite)
    event_id, why = broken_at(s)
    assert event_id == ids[named]
    assert "recomputed" in why


def test_an_edit_without_rechaining_is_named(history: tuple[Services, int, dict[str, int]]) -> None:
    s, _letter, ids = history
    tamper(s, lambda c: c.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = :i"), {"i": ids["submit"]}))
    event_id, why = broken_at(s)
    assert event_id == ids["submit"]
    assert "changed after it was written" in why


@pytest.mark.parametrize("rechained", [False, True])
def test_reordering_two_events_is_caught(history: tuple[Services, int, dict[str, int]], rechained: bool) -> None:
    s, _letter, ids = history
    first, second = ids["edited"], ids["edited"] + 1

    def swap(conn: Connection) -> None:
        rows = {r.id: r for r in conn.execute(text("SELECT * FROM audit_log WHERE id IN (:a, :b)"),
                                              {"a": first, "b": second})}
        for here, there in ((first, second), (second, first)):
            r = rows[there]
            conn.execute(text("UPDATE audit_log SET at = :at, actor = :actor, action = :action, "
                              "letter_id = :letter, detail = :detail, prev_hash = :prev, hash = :hash WHERE id = :i"),
                         {"at": r.at, "actor": r.actor, "action": r.action, "letter": r.letter_id,
                          "detail": r.detail, "prev": r.prev_hash, "hash": r.hash, "i": here})
        if rechained:
            rechain(conn, first)

    tamper(s, swap)
    event_id, _why = broken_at(s)
    assert event_id == first


@pytest.mark.parametrize("move_head", [False, True])
def test_a_forged_append_is_caught(history: tuple[Services, int, dict[str, int]], move_head: bool) -> None:
    s, letter, _ids = history

    def forge(conn: Connection) -> None:
        last = newest(conn)
        at = last.at
        detail = '{"version":3}'
        digest = event_hash(last.hash, last.id + 1, at, "tani", "approve", letter, detail)
        conn.execute(text("INSERT INTO audit_log (id, at, actor, action, letter_id, detail, prev_hash, hash) "
                          "VALUES (:i, :at, 'tani', 'approve', :l, :d, :p, :h)"),
                     {"i": last.id + 1, "at": at, "l": letter, "d": detail, "p": last.hash, "h": digest})
        if move_head:
            rechain(conn, last.id + 1)

    forged = None
    tamper(s, forge)
    with s.store.read() as tx:
        forged = max(e.id for e in tx.audit.events())
    event_id, why = broken_at(s)
    assert event_id == forged
    assert "behind Chambers' back" in why


def test_a_junk_row_is_named_and_the_chain_goes_on_after_it(history: tuple[Services, int, dict[str, int]]) -> None:
    s, letter, _ids = history

    def junk(conn: Connection) -> None:
        last = newest(conn)
        conn.execute(text("INSERT INTO audit_log (id, at, actor, action, letter_id, detail, prev_hash, hash) "
                          "VALUES (:i, 'x', 'ann', 'junk', NULL, '{}', 'x', 'y')"), {"i": last.id + 1})

    tamper(s, junk)
    with s.store.read() as tx:
        junk_id = max(e.id for e in tx.audit.events())
    assert broken_at(s)[0] == junk_id
    # Work goes on: later events chain past the junk row, and it stays the one thing reported.
    clerk = as_user(s.store.url, "ann")  # type: ignore[attr-defined]
    clerk.drafts.update(letter, {**sample_data(), "subject": "After the junk"}, 3)
    clerk.close()
    event_id, why = broken_at(s)
    assert event_id == junk_id
    assert "slipped in" in why
    with s.store.read() as tx:
        after = [e for e in tx.audit.events() if e.id > junk_id]
    assert [e.action for e in after] == ["edited", "approval_voided"]


def test_an_unvouched_version_row_is_reported(history: tuple[Services, int, dict[str, int]]) -> None:
    s, letter, _ids = history
    store: Any = s.store

    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            conn.execute(text("INSERT INTO letter_versions (letter_id, number, data, author, created_at, note, "
                              "template_id, template_version, template_sha256) SELECT letter_id, 99, data, author, "
                              "created_at, note, template_id, template_version, template_sha256 "
                              "FROM letter_versions WHERE letter_id = :l AND number = 1"), {"l": letter})
        else:
            conn.execute(text("SET session_replication_role = replica"))  # no triggers, as a superuser could
            conn.execute(text("INSERT INTO letter_versions (letter_id, number, data, author, created_at, note, "
                              "template_id, template_version, template_sha256) SELECT letter_id, 99, data, author, "
                              "created_at, note, template_id, template_version, template_sha256 "
                              "FROM letter_versions WHERE letter_id = :l AND number = 1"), {"l": letter})
    _count, broken, why = s.drafts.audit_check()
    assert broken is not None
    assert f"version 99 of letter {letter}" in why


def test_concurrent_appends_keep_one_unbroken_chain(history: tuple[Services, int, dict[str, int]]) -> None:
    import threading

    s, letter, _ids = history
    url = s.store.url  # type: ignore[attr-defined]
    failures: list[BaseException] = []

    def comment(who: str) -> None:
        person = as_user(url, who)
        try:
            for n in range(8):
                person.drafts.comment(letter, f"{who} {n}")
        except BaseException as exc:  # reported below, on the test thread
            failures.append(exc)
        finally:
            person.close()

    threads = [threading.Thread(target=comment, args=(who,)) for who in ("ann", "tani", "ming", "ann")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    count, broken, why = s.drafts.audit_check()
    assert (broken, why) == (None, "")
    with s.store.read() as tx:
        assert tx.audit.head()[0] == count
        assert [e.id for e in tx.audit.events()] == list(range(1, count + 1))


def test_a_writer_holding_sqlite_gives_the_clear_message(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from app.core.workflow import StorageUnavailable
    from app.storage import sql

    monkeypatch.setattr(sql, "SQLITE_BUSY_S", 1)
    url = f"sqlite:///{tmp_path / 'held.sqlite3'}"
    letter, _ids = letter_with_history(url)
    holder = sqlite3.connect(tmp_path / "held.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        clerk = as_user(url, "ann")
        with pytest.raises(StorageUnavailable, match="someone is holding this letter"):
            clerk.drafts.comment(letter, "while someone else writes")
        clerk.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
