"""Work is never lost: SIGKILL in the middle of saves, and a PostgreSQL connection cut mid-write."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from app.core.workflow import StorageUnavailable
from tests.conftest import ROOT, sample_data
from tests.storage.dbfixtures import as_user, db_url, office, postgres_template, postgres_url  # noqa: F401

WRITER = """
import copy, json, sys
from tests.storage.dbfixtures import as_user
from tests.conftest import sample_data
s = as_user(sys.argv[1], "ann")
letter, version = int(sys.argv[2]), int(sys.argv[3])
data = sample_data()
print("ready", flush=True)
while True:
    data = copy.deepcopy(data)
    data["subject"] = f"Saved as version {version + 1}"
    version = s.drafts.update(letter, data, version, save_point=True).version  # every save kept in the history
    print(version, flush=True)
"""


@pytest.mark.timeout(300)
def test_sigkill_mid_save_twenty_times_loses_nothing_committed(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.close()
    committed = {1}
    rng = random.Random(20)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _round in range(20):
        current = max(committed)
        writer = subprocess.Popen([sys.executable, "-c", WRITER, db_url, str(letter), str(current)],
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=30)
        committed.update(int(line) for line in out.split())
    s = as_user(db_url, "ann")
    summary, versions, events = s.drafts.history(letter)
    numbers = [v.number for v in versions]
    # Version 1 was ann's working copy: her first save (a save point) replaced it as version 2.
    assert numbers[0] in (1, 2)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "versions must be contiguous"
    assert committed - {1} <= set(numbers), "every save the writer saw committed must be there"
    # At most the one in flight is missing from what the writer printed.
    assert len(numbers) - len(committed) <= 20
    assert summary.version == numbers[-1]
    assert len([e for e in events if e.action == "edited"]) == numbers[-1] - 1
    assert s.drafts.audit_check()[1] is None
    if s.store.dialect == "sqlite":
        with s.store.read() as tx:  # type: ignore[attr-defined]
            assert tx.conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert s.drafts.get(letter).current.data["subject"] == f"Saved as version {numbers[-1]}" or numbers[-1] == 1
    s.close()


@pytest.mark.postgres
def test_connection_killed_mid_transaction_keeps_the_edit(postgres_url: str) -> None:  # noqa: F811
    office(postgres_url).close()
    clerk = as_user(postgres_url, "ann")
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    data = sample_data()
    data["subject"] = "An edit the server never finished"
    # Hold the letter's row so the save blocks after writing its version row, then cut it off.
    blocker = create_engine(postgres_url)
    errors: list[BaseException] = []
    with blocker.connect() as conn:
        conn.execute(text("SELECT id FROM letters WHERE id = :id FOR UPDATE"), {"id": letter})

        def save() -> None:
            try:
                clerk.drafts.update(letter, data, 1)
            except BaseException as exc:
                errors.append(exc)

        saver = threading.Thread(target=save)
        saver.start()
        deadline = time.monotonic() + 20
        pid = None
        while pid is None and time.monotonic() < deadline:
            pid = conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()")).scalar()
            time.sleep(0.05)
        assert pid is not None, "the save never reached the locked row"
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        saver.join(30)
        conn.rollback()
    blocker.dispose()
    assert len(errors) == 1
    assert isinstance(errors[0], StorageUnavailable)
    assert "your edit is kept" in str(errors[0]).lower()
    # Nothing half-written: no version 2, and the letter row untouched.
    _summary, versions, _events = clerk.drafts.history(letter)
    assert [v.number for v in versions] == [1]
    # The edit is in the journal; retrying (a fresh pooled connection) saves it.
    (entry,) = [e for e in clerk.journal.pending() if e.letter_id == letter]
    assert entry.data["subject"] == "An edit the server never finished"
    saved = clerk.drafts.update(letter, entry.data, entry.base_version or 1)
    assert saved.version == 2
    assert all(e.letter_id != letter for e in clerk.journal.pending())
    clerk.close()

