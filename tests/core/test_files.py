"""Files are written so that an existing one is never left half-written, and nothing is lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.files import StagedWrites, atomic_write


def refuse(path: Path, data: bytes) -> None:
    raise OSError(f"{path}: not what we meant to write")


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "letter.docx"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["letter.docx"]


def test_a_failed_check_leaves_the_existing_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "letter.docx"
    target.write_bytes(b"the clerk's file")
    with pytest.raises(OSError, match="not what we meant"):
        atomic_write(target, b"broken", check=refuse)
    assert target.read_bytes() == b"the clerk's file"
    assert [p.name for p in tmp_path.iterdir()] == ["letter.docx"]


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "letter.docx"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic_write(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_staged_files_appear_only_on_commit(tmp_path: Path) -> None:
    staged = StagedWrites()
    existing = tmp_path / "b.docx"
    existing.write_bytes(b"before")
    staged.stage(tmp_path / "a.docx", b"A")
    staged.stage(existing, b"after")
    assert not (tmp_path / "a.docx").exists()
    assert existing.read_bytes() == b"before"
    assert sorted(staged.commit()) == [tmp_path / "a.docx", existing]
    assert (tmp_path / "a.docx").read_bytes() == b"A"
    assert existing.read_bytes() == b"after"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "b.docx"]


def test_abort_removes_every_temporary_and_changes_nothing(tmp_path: Path) -> None:
    staged = StagedWrites()
    staged.stage(tmp_path / "a.docx", b"A")
    with pytest.raises(OSError, match="not what we meant"):
        staged.stage(tmp_path / "b.docx", b"B", check=refuse)
    staged.abort()
    assert list(tmp_path.iterdir()) == []
    assert staged.commit() == []


# --- the output policy (check_output_target) ------------------------------------------------------
def test_the_output_policy_refuses_links_pipes_and_other_names(tmp_path: Path) -> None:
    from app.core.files import OutputRefused, check_output_target

    letter = tmp_path / "real.docx"
    letter.write_bytes(b"PK not really")  # what it holds does not matter: the name is refused first
    link = tmp_path / "link.docx"
    link.symlink_to(letter)
    dangling = tmp_path / "dangling.docx"
    dangling.symlink_to(tmp_path / "nowhere.docx")
    pipe = tmp_path / "pipe.docx"
    os.mkfifo(pipe)
    other_name = tmp_path / "other.docx"
    os.link(letter, other_name)
    for target, why in ((link, "symbolic link"), (dangling, "symbolic link"), (pipe, "not a regular file"),
                        (other_name, "hard links")):
        with pytest.raises(OutputRefused, match=why):
            check_output_target(target, ".docx", "--out")
    assert link.is_symlink()
    assert dangling.is_symlink()


def test_a_writer_declares_its_own_kind(tmp_path: Path) -> None:
    from app.core.files import OutputKind, OutputRefused, check_output_target, starts_with

    backup = OutputKind("a database backup (.sqlite3)", (".sqlite3",), starts_with(b"SQLite format 3\x00"))
    notes = tmp_path / "notes.sqlite3"
    notes.write_bytes(b"not a database")
    with pytest.raises(OutputRefused, match="not a database backup"):
        check_output_target(notes, backup, "FILE")
    ours = tmp_path / "old.sqlite3"
    ours.write_bytes(b"SQLite format 3\x00" + bytes(100))
    check_output_target(ours, backup, "FILE")
    check_output_target(tmp_path / "new.sqlite3", backup, "FILE")
    with pytest.raises(OutputRefused, match=r"name the file ….sqlite3"):
        check_output_target(tmp_path / "new.docx", backup, "FILE")


def test_a_kind_may_take_any_name_and_is_still_recognised_by_content(tmp_path: Path) -> None:
    from app.core.files import OutputKind, OutputRefused, check_output_target, starts_with

    backup = OutputKind("a Chambers database backup", (), starts_with(b"SQLite format 3\x00"))
    check_output_target(tmp_path / "office-2026-12-06", backup, "FILE")
    (tmp_path / "letter.docx").write_bytes(b"PK a letter")
    with pytest.raises(OutputRefused, match="not a Chambers database backup"):
        check_output_target(tmp_path / "letter.docx", backup, "FILE")
