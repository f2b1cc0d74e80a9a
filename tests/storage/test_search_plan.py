"""Full-text search on PostgreSQL must use its GIN index, not scan every letter."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from app.storage import schema as s
from tests.storage.dbfixtures import db_url, office, postgres_template  # noqa: F401


def test_postgres_search_uses_the_gin_index(db_url: str) -> None:  # noqa: F811
    if not db_url.startswith("postgresql"):
        pytest.skip("the plan matters on PostgreSQL; SQLite searches through FTS5")
    store: Any = office(db_url).store
    try:
        with store.read() as tx:
            conn = tx.letters.conn
            stmt = select(s.letters.c.id).where(tx.letters._search("clemency habeas", False))
            # Explained with its parameters bound as the app sends them: a literal rendering would hide
            # a bound ' ' that keeps the expression from matching the index.
            compiled = stmt.compile(dialect=conn.dialect)
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))
    finally:
        store.close()
    assert "ix_letters_search_vector" in plan
    assert "to_tsvector" not in plan  # the stored vector, never one computed per letter
