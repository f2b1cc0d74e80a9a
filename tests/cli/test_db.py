"""``chambers db``: a database is made only when asked; backups are checked copies; a restore
refuses what it cannot vouch for; a migration is preceded by a copy kept until the next succeeds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command

from app.cli import main
from app.storage.database import _ALEMBIC, _config, automatic_backups, current_revision, head_revision, known_revisions
from app.storage.sql import SqlStore
from tests.conftest import sample_data
from tests.storage.dbfixtures import as_user, office, postgres_template, postgres_url  # noqa: F401


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def letters_approved(url: str) -> int:
    """An office with one letter approved (versions, a comment, an approval, audit events); its id."""
    office(url).close()
    clerk = as_user(url, "ann")
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter)
    clerk.close()
    judge = as_user(url, "tani")
    judge.drafts.comment(letter, "Good.")
    judge.drafts.approve(letter, 1)
    judge.close()
    return letter


@pytest.mark.parametrize("command_line", [
    ("drafts", "list"), ("users", "add", "ann", "--role", "admin"), ("audit", "verify"), ("db", "upgrade"),
    ("db", "backup", "{tmp}/copy.sqlite3"), ("office", "profile", "show"),
])
def test_a_mistyped_database_path_is_refused_and_nothing_is_created(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command_line: tuple[str, ...]) -> None:
    argv = [part.format(tmp=tmp_path) for part in command_line]
    for db in (tmp_path / "no" / "such" / "x.db", tmp_path / "x.db"):
        code, out, err = run(capsys, *argv, "--db", f"sqlite:///{db}")
        assert code == 1
        assert f"There is no Chambers database at {db}" in err
        assert "nothing was created" in err
        assert "No letters" not in out
    assert tree(tmp_path) == []


@pytest.mark.parametrize("url", ["mysql://ann:secret@host/db", "nonsense://x", "sqlite://", "sqlite:///", "postgresql://",
                                 "postgresql://ann:secret@host:abc/db", "postgresql://[::1/db"])
def test_a_database_url_chambers_cannot_use_is_a_sentence_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "drafts", "list", "--db", url)
    assert code == 1
    assert f"The database URL {url.replace(':secret@', ':***@')} is not one Chambers can use" in err
    assert "Traceback" not in err
    assert "secret" not in err
    assert tree(tmp_path) == []


def test_db_init_makes_a_database_once_and_refuses_a_foreign_file(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "office.sqlite3"
    code, out, _ = run(capsys, "db", "init", "--db", str(db))
    assert (code, "Created a new Chambers database") == (0, out[:31])
    assert db.stat().st_mode & 0o777 == 0o600
    assert run(capsys, "users", "add", "ann", "--role", "admin", "--db", str(db))[0] == 0
    code, out, _ = run(capsys, "db", "init", "--db", str(db))
    assert (code, "already holds a Chambers database") == (0, out.split(" ", 1)[1][:33])
    assert run(capsys, "users", "list", "--db", str(db), "--as", "ann")[1].count("ann") == 1
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database", encoding="utf-8")
    code, _, err = run(capsys, "db", "init", "--db", str(foreign))
    assert code == 1
    assert foreign.read_text(encoding="utf-8") == "not a database"
    empty = tmp_path / "other.sqlite3"
    sqlite3.connect(empty).execute("CREATE TABLE mine (x)").connection.close()
    code, _, err = run(capsys, "drafts", "list", "--db", str(empty))
    assert code == 1
    assert "is not a Chambers database" in err


def test_backup_delete_restore_keeps_the_letters_and_the_audit_chain(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "office" / "chambers.sqlite3"
    db.parent.mkdir()
    url = f"sqlite:///{db}"
    letter = letters_approved(url)
    backup = tmp_path / "nightly.sqlite3"
    code, out, err = run(capsys, "db", "backup", str(backup), "--db", url)
    assert code == 0, err
    assert "audit log intact" in out
    assert "1 letter(s)" in out
    assert backup.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nightly.sqlite3", "office"]  # no temporaries left
    for leftover in db.parent.glob("chambers.sqlite3*"):
        leftover.unlink()
    assert run(capsys, "drafts", "list", "--db", url)[0] == 1
    code, out, err = run(capsys, "db", "restore", str(backup), "--db", url)
    assert code == 0, err
    code, out, _ = run(capsys, "drafts", "list", "--db", url, "--as", "tani")
    assert code == 0
    assert f"{letter:>5}  approved" in out
    assert run(capsys, "audit", "verify", "--db", url)[0] == 0
    # A second backup to the same name replaces the first (it is a Chambers backup).
    assert run(capsys, "db", "backup", str(backup), "--db", url)[0] == 0


def test_a_backup_never_replaces_the_database_or_a_foreign_file(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "chambers.sqlite3"
    url = f"sqlite:///{db}"
    office(url).close()
    before = db.read_bytes()
    code, _, err = run(capsys, "db", "backup", str(db), "--db", url)
    assert code == 2
    assert "this is the Chambers database" in err
    notes = tmp_path / "notes.sqlite3"
    notes.write_bytes(b"the court's own notes")
    code, _, err = run(capsys, "db", "backup", str(notes), "--db", url)
    assert code == 2
    assert "an existing file that is not a Chambers database backup" in err
    assert notes.read_bytes() == b"the court's own notes"
    link = tmp_path / "link.sqlite3"
    link.symlink_to(db)
    assert run(capsys, "db", "backup", str(link), "--db", url)[0] == 2
    assert db.read_bytes() == before


def test_a_restore_refuses_a_backup_from_a_newer_chambers_and_says_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    letters_approved(url)
    newer = tmp_path / "newer.sqlite3"
    assert run(capsys, "db", "backup", str(newer), "--db", url)[0] == 0
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '0042'")
    conn.commit()
    conn.close()
    other = tmp_path / "other.sqlite3"
    assert run(capsys, "db", "init", "--db", str(other))[0] == 0
    before = other.read_bytes()
    code, _, err = run(capsys, "db", "restore", str(newer), "--db", str(other))
    assert code == 5
    assert "made by a newer version of Chambers" in err
    assert "schema 0042 is unknown to this version" in err
    assert other.read_bytes() == before
    assert not automatic_backups(other).exists()


def test_a_restore_refuses_a_backup_whose_audit_log_was_tampered_with(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    letters_approved(url)
    copy = tmp_path / "copy.sqlite3"
    assert run(capsys, "db", "backup", str(copy), "--db", url)[0] == 0
    conn = sqlite3.connect(copy)
    # The newest event is cut: the chain head kept beside the log still counts it.
    for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
                                   ).fetchall():
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    conn.commit()
    conn.close()
    target = tmp_path / "target.sqlite3"
    code, _, err = run(capsys, "db", "restore", str(copy), "--db", str(target))
    assert code == 5
    assert "its audit log is broken" in err
    assert not target.exists() or target.stat().st_size == 0


def _downgrade(url: str, revision: str) -> None:
    store = SqlStore(url)
    try:
        with _ALEMBIC, store.engine.connect() as conn:
            config = _config()
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
            conn.commit()
        assert current_revision(store.engine) == revision
    finally:
        store.close()


@pytest.mark.parametrize("revision", sorted(r for r in known_revisions() if r != head_revision()))
def test_a_database_of_each_earlier_schema_is_copied_migrated_and_verified(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], revision: str) -> None:
    """Letters, a comment, an approval and the audit chain, taken back to ``revision`` by Alembic's own
    downgrades, then brought forward by `db upgrade`: everything is there and the chain holds."""
    db = tmp_path / "chambers.sqlite3"
    url = f"sqlite:///{db}"
    letter = letters_approved(url)
    _downgrade(url, revision)
    code, out, err = run(capsys, "db", "upgrade", "--db", url)
    assert code == 0, err
    assert f"(was {revision})" in out
    (kept,) = automatic_backups(db).iterdir()
    assert kept.name.startswith(f"before-upgrade-{revision}-")
    assert str(kept) in out
    with sqlite3.connect(kept) as conn:  # the copy is the database as it was, before the migration
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (revision,)
    conn.close()
    assert run(capsys, "audit", "verify", "--db", url)[0] == 0
    code, out, _ = run(capsys, "drafts", "show", str(letter), "--db", url, "--as", "tani")
    assert code == 0
    assert "approved" in out.lower()
    # The next migration that succeeds replaces the copy with its own.
    _downgrade(url, revision)
    assert run(capsys, "drafts", "list", "--db", url, "--as", "tani")[0] == 0  # migrated on open
    (newest,) = automatic_backups(db).iterdir()
    assert newest != kept


@pytest.mark.postgres
@pytest.mark.parametrize("revision", sorted(r for r in known_revisions() if r != head_revision()))
def test_an_office_database_of_each_earlier_schema_is_migrated_and_verified(
        postgres_url: str, capsys: pytest.CaptureFixture[str], revision: str,  # noqa: F811
        private_home: Path) -> None:
    """The same on PostgreSQL, where `db upgrade` is the only thing that migrates a server."""
    letter = letters_approved(postgres_url)
    _downgrade(postgres_url, revision)
    code, out, _ = run(capsys, "drafts", "list", "--db", postgres_url, "--as", "tani")
    assert code == 1  # a server is never migrated behind its administrator's back
    code, out, err = run(capsys, "db", "upgrade", "--db", postgres_url)
    assert code == 0, err
    assert f"(was {revision})" in out
    (dump,) = (private_home / "backups").iterdir()  # the server's pg_dump, made before the migration
    assert dump.name.startswith(f"before-upgrade-{revision}-")
    assert str(dump) in out
    assert dump.read_bytes()[:5] == b"PGDMP"
    assert run(capsys, "audit", "verify", "--db", postgres_url)[0] == 0
    code, out, _ = run(capsys, "drafts", "show", str(letter), "--db", postgres_url, "--as", "tani")
    assert code == 0
    assert "approved" in out.lower()


@pytest.mark.postgres
def test_an_office_database_is_dumped_dropped_and_restored(postgres_url: str, tmp_path: Path,  # noqa: F811
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import make_url

    from tests.storage.dbfixtures import execute_autocommit, with_database

    letter = letters_approved(postgres_url)
    backup = tmp_path / "office.dump"
    code, out, err = run(capsys, "db", "backup", str(backup), "--db", postgres_url)
    assert code == 0, err
    assert "1 letter(s)" in out
    assert "audit log intact" in out
    assert backup.read_bytes()[:5] == b"PGDMP"
    name = make_url(postgres_url).database
    admin = with_database(postgres_url, "postgres")
    execute_autocommit(admin, f'DROP DATABASE "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    assert run(capsys, "drafts", "list", "--db", postgres_url)[0] == 1
    code, out, err = run(capsys, "db", "restore", str(backup), "--db", postgres_url)
    assert code == 0, err
    code, out, _ = run(capsys, "drafts", "list", "--db", postgres_url, "--as", "tani")
    assert f"{letter:>5}  approved" in out
    assert run(capsys, "audit", "verify", "--db", postgres_url)[0] == 0
    sqlite_backup = tmp_path / "local.sqlite3"
    code, _, err = run(capsys, "db", "restore", str(sqlite_backup), "--db", postgres_url)
    assert code == 7


@pytest.mark.postgres
def test_an_office_restore_refuses_a_dump_from_a_newer_chambers(postgres_url: str, tmp_path: Path,  # noqa: F811
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from tests.storage.dbfixtures import execute_autocommit

    letters_approved(postgres_url)
    execute_autocommit(postgres_url, "UPDATE alembic_version SET version_num = '0042'")
    newer = tmp_path / "newer.dump"
    import subprocess

    from sqlalchemy import make_url

    parsed = make_url(postgres_url)
    subprocess.run(["pg_dump", "--format=custom", f"--file={newer}",
                    f"--dbname={parsed.set(drivername='postgresql').render_as_string(hide_password=False)}"],
                   check=True, timeout=120)
    execute_autocommit(postgres_url, f"UPDATE alembic_version SET version_num = '{head_revision()}'")
    code, _, err = run(capsys, "db", "restore", str(newer), "--db", postgres_url)
    assert code == 5
    assert "schema 0042 is unknown to this version" in err


@pytest.mark.postgres
def test_db_init_gives_an_empty_office_database_its_schema(postgres_template: tuple[str, str],  # noqa: F811
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import uuid

    from tests.storage.dbfixtures import execute_autocommit, with_database

    admin, _ = postgres_template
    name = f"chambers_init_{uuid.uuid4().hex[:10]}"
    execute_autocommit(admin, f'CREATE DATABASE "{name}"')
    url = with_database(admin, name)
    try:
        assert run(capsys, "users", "list", "--db", url)[0] == 1  # no schema: refused, nothing made
        code, out, err = run(capsys, "db", "init", "--db", url)
        assert code == 0, err
        assert "Created a new Chambers database" in out
        assert run(capsys, "users", "add", "ann", "--role", "admin", "--db", url)[0] == 0
        code, out, _ = run(capsys, "db", "init", "--db", url)
        assert (code, "already holds a Chambers database") == (0, out.split(" ", 1)[1][:33])
    finally:
        execute_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("command_line", [("db", "init"), ("db", "upgrade"), ("drafts", "list"),
                                          ("db", "backup", "{tmp}/office.dump")])
def test_a_server_that_cannot_be_reached_is_a_sentence_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command_line: tuple[str, ...]) -> None:
    argv = [part.format(tmp=tmp_path) for part in command_line]
    code, _, err = run(capsys, *argv, "--db", "postgresql://nobody:secret@127.0.0.1:1/chambers")
    assert code == 1
    assert "could not be opened" in err
    assert "Traceback" not in err
    assert "secret" not in err
    assert tree(tmp_path) == []
