"""Storage benchmark: 10,000 letters; list and full-text search latency as medians, with the
plain LIKE query as the peer (ratio = LIKE median / full-text median).

SQLite always (FTS5); PostgreSQL too when $CHAMBERS_BENCH_POSTGRES_URL (or
$CHAMBERS_TEST_POSTGRES_URL) names a server where a scratch database may be created.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from app.core.letter import iter_text, parse_letter
from app.storage.database import open_store
from app.storage.interfaces import NewVersion
from app.storage.sql import SqlStore, normalize_url

ROOT = Path(__file__).resolve().parents[1]
LETTERS = 10_000
WORDS = ("custody", "warrant", "detainer", "courthouse", "witness", "jury", "bail", "probation", "appeal",
         "interpreter", "victim", "subpoena", "docket", "sentencing", "clemency", "habeas")


def _versions(count: int) -> list[NewVersion]:
    sample = json.loads((ROOT / "templates" / "officials-concern" / "sample.json").read_text(encoding="utf-8"))
    letter = parse_letter(sample).letter
    body = "\n".join(t for _p, t in iter_text(letter))
    now = dt.datetime.now(dt.UTC)
    out = []
    for i in range(count):
        topic = f"{WORDS[i % len(WORDS)]} {WORDS[(i * 7) % len(WORDS)]} matter {i}"
        out.append(NewVersion(data={**sample, "subject": topic}, subject=f"Re: {topic}",
                              search_text=f"{topic}\n{body}", template_id="officials-concern",
                              template_version="1", template_sha256="0" * 64, author="bench", at=now))
    return out


def _median_ms(fn: Any, repeat: int = 25) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)


def _measure(store: SqlStore) -> dict[str, float]:
    versions = _versions(LETTERS)
    start = time.perf_counter()
    for i in range(0, LETTERS, 1000):
        store.create_many(versions[i:i + 1000])
    insert_s = time.perf_counter() - start

    def run(**kw: Any) -> None:
        with store.read() as tx:
            tx.letters.find(limit=100, **kw)

    figures = {
        "insert_10k_s": round(insert_s, 2),
        "list_100_ms": _median_ms(lambda: run()),
        "search_fts_ms": _median_ms(lambda: run(search="clemency habeas")),
        "search_like_ms": _median_ms(lambda: run(search="clemency habeas", like=True)),
        "search_rare_fts_ms": _median_ms(lambda: run(search="matter 9999")),
        "search_rare_like_ms": _median_ms(lambda: run(search="matter 9999", like=True)),
    }
    figures["like_over_fts_ratio"] = round(figures["search_rare_like_ms"] / max(figures["search_rare_fts_ms"], 1e-6), 1)
    return figures


def run() -> dict[str, Any]:
    results: dict[str, Any] = {"letters": LETTERS}
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.sqlite3", migrate=True)
        try:
            results["sqlite"] = _measure(store)
        finally:
            store.close()
    server = os.environ.get("CHAMBERS_BENCH_POSTGRES_URL") or os.environ.get("CHAMBERS_TEST_POSTGRES_URL")
    if server:
        from sqlalchemy import create_engine, make_url, text

        admin = normalize_url(server)
        name = f"chambers_bench_{uuid.uuid4().hex[:8]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            store = open_store(make_url(admin).set(database=name).render_as_string(hide_password=False), migrate=True)
            try:
                results["postgresql"] = _measure(store)
            finally:
                store.close()
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
