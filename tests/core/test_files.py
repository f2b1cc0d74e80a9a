"""Files are written so that an existing one is never left half-written, and nothing is lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.files import StagedWrites, atomic_write


def refuse(path: Path) -> None:
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
