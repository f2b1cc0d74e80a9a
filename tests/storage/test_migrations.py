"""The schema check at start-up reads revisions without Alembic; it must agree with Alembic."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from app.storage.database import _config, current_revision, head_revision, open_store


def test_head_revision_matches_alembic() -> None:
    assert head_revision() == ScriptDirectory.from_config(_config()).get_current_head()


def test_a_new_database_is_migrated_to_head_and_reports_it(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'c.sqlite3'}", migrate=True)
    try:
        assert current_revision(store.engine) == head_revision()
    finally:
        store.close()


def test_opening_an_up_to_date_database_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess

    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    open_store(url, migrate=True).close()
    code = ("import sys; from app.storage.database import open_store; "
            f"open_store({url!r}, migrate=True).close(); "
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"
