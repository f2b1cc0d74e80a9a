"""Migration 0003 re-anchors an existing audit chain: old rows are linked to the events that
recorded them, the head is set from the log, and a chain that was already broken stays broken."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text

from app.bootstrap import services
from app.core.audit import GENESIS, event_hash
from app.storage.database import _config, open_store
from app.storage.sql import make_engine
from tests.conftest import sample_data
from tests.storage.dbfixtures import ENGINES, _admin_url, execute_autocommit, with_database

T = "2026-01-01T00:00:00.000000Z"


@pytest.fixture(params=ENGINES)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    admin = _admin_url()
    name = f"chambers_old_{uuid.uuid4().hex[:10]}"
    execute_autocommit(admin, f'CREATE DATABASE "{name}"')
    try:
        yield with_database(admin, name)
    finally:
        execute_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def old_database(url: str) -> dict[str, int]:
    """A database at revision 0002 with users, a letter in two versions, a comment and their events."""
    engine = make_engine(url)
    config = _config()
    ids: dict[str, int] = {}
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        conn.commit()
    with engine.begin() as conn:
        chain = Chain(conn)
        for name, role in (("admin", "admin"), ("ann", "clerk"), ("tani", "judge")):
            conn.execute(text("INSERT INTO users (name, role, full_name, created_at) VALUES (:n, :r, '', :t)"),
                         {"n": name, "r": role, "t": T})
            ids[f"user_added {name}"] = chain.append(name, "user_added", None, {"user": name, "role": role})
        letter = conn.execute(text(
            "INSERT INTO letters (template_id, template_version, template_sha256, status, version, row_version, "
            "subject, search_text, created_by, created_at, updated_by, updated_at) VALUES ('officials-concern', "
            "'1', 'x', 'draft', 2, 2, 's', 's', 'ann', :t, 'ann', :t) RETURNING id"), {"t": T}).scalar_one()
        ids["letter"] = letter
        for number, action in ((1, "created"), (2, "edited")):
            conn.execute(text("INSERT INTO letter_versions (letter_id, number, data, author, created_at, note, "
                              "template_id, template_version, template_sha256) VALUES (:l, :n, :d, 'ann', :t, '', "
                              "'officials-concern', '1', 'x')"), {"l": letter, "n": number, "t": T,
                                                                  "d": json.dumps(sample_data())})
            ids[action] = chain.append("ann", action, letter, {"version": number})
        comment = conn.execute(text("INSERT INTO comments (letter_id, version, author, created_at, text) "
                                    "VALUES (:l, 2, 'tani', :t, 'fine') RETURNING id"),
                               {"l": letter, "t": T}).scalar_one()
        ids["commented"] = chain.append("tani", "commented", letter, {"version": 2, "comment": comment})
    engine.dispose()
    return ids


class Chain:
    def __init__(self, conn: Connection) -> None:
        self.conn, self.prev, self.id = conn, GENESIS, 0

    def append(self, actor: str, action: str, letter: int | None, detail: dict[str, object]) -> int:
        self.id += 1
        body = json.dumps(detail, sort_keys=True, separators=(",", ":"))
        at = f"2026-01-01T00:00:{self.id:02d}.000000Z"
        digest = event_hash(self.prev, self.id, at, actor, action, letter, body)
        self.conn.execute(text("INSERT INTO audit_log (id, at, actor, action, letter_id, detail, prev_hash, hash) "
                               "VALUES (:i, :at, :a, :ac, :l, :d, :p, :h)"),
                          {"i": self.id, "at": at, "a": actor, "ac": action, "l": letter, "d": body,
                           "p": self.prev, "h": digest})
        self.prev = digest
        return self.id


def test_an_existing_chain_is_linked_and_anchored(empty_url: str) -> None:
    ids = old_database(empty_url)
    open_store(empty_url, migrate=True).close()
    s = services(empty_url, as_user="ann")
    _count, broken, why = s.drafts.audit_check()
    assert (broken, why) == (None, "")
    with s.store.read() as tx:
        events = list(tx.audit.events())
        links = {(r.what, r.audit_id) for r in tx.audit.references()}
    anchor = events[ids["commented"]]
    assert anchor.action == "audit_anchored"
    assert json.loads(anchor.detail)["events"] == ids["commented"]
    letter = ids["letter"]
    assert (f"version 1 of letter {letter}", ids["created"]) in links
    assert (f"version 2 of letter {letter}", ids["edited"]) in links
    assert (f"letter {letter}", ids["commented"]) in links
    assert ("user ann", ids["user_added ann"]) in links
    # And it goes on: a new edit chains after the anchor and is vouched for.
    s.drafts.update(letter, {**sample_data(), "subject": "After the upgrade"}, 2)
    assert s.drafts.audit_check()[1] is None
    s.close()


def test_a_chain_broken_before_the_upgrade_stays_broken(empty_url: str) -> None:
    ids = old_database(empty_url)
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :i"), {"i": ids["created"]})
    engine.dispose()
    open_store(empty_url, migrate=True).close()
    s = services(empty_url, as_user="ann")
    _count, broken, why = s.drafts.audit_check()
    assert broken is not None
    assert broken.id == ids["created"]
    assert "changed" in why
    s.close()
