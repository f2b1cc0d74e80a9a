"""Migration 0004 on a database that already holds letters: the list columns are filled from each
letter's newest version, and going back to 0003 and forward again keeps every letter."""

from __future__ import annotations

import datetime as dt

from alembic import command

from app.bootstrap import services
from app.storage.database import _ALEMBIC, _config, current_revision
from tests.conftest import sample_data
from tests.storage.dbfixtures import as_user, db_url, office, postgres_template  # noqa: F401


def _migrate(store: object, target: str, down: bool = False) -> None:
    engine = store.engine  # type: ignore[attr-defined]
    config = _config()
    with _ALEMBIC, engine.connect() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, target)
        conn.commit()


def test_existing_letters_get_their_list_columns(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    store = clerk.store
    _migrate(store, "0003", down=True)
    assert current_revision(store.engine) == "0003"  # type: ignore[attr-defined]
    _migrate(store, "head")
    clerk.close()
    again = services(db_url, as_user="ann")
    try:
        (row,) = again.drafts.find()
        assert row.id == letter
        assert row.signatory == sample_data()["signatory"]["name"]
        assert row.addressees == tuple(a["name"] for a in sample_data()["addressees"])
        assert row.letter_date == dt.date.fromisoformat(sample_data()["date"])
        assert row.judge == "tani"
        assert again.drafts.user.active
    finally:
        again.close()
