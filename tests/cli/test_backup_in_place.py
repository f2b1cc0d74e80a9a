"""The one way both engines' ``db backup`` put a copy in place: a temporary beside the target, checked,
then renamed; the output policy asked before the copy and again just before the rename."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bootstrap import DatabaseCheck, _put_backup_in_place
from app.core.files import OutputRefused
from app.core.workflow import StorageUnavailable


def test_a_copy_that_fails_its_check_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "monday.backup"

    def write_and_check(tmp: Path) -> DatabaseCheck:
        tmp.write_bytes(b"half a copy")
        tmp.with_name(tmp.name + "-wal").write_bytes(b"its journal")
        raise StorageUnavailable("the copy could not be opened")

    with pytest.raises(StorageUnavailable, match="could not be opened"):
        _put_backup_in_place(target, write_and_check)
    assert list(tmp_path.iterdir()) == []


def test_a_link_put_at_the_target_while_copying_is_refused_and_nothing_replaces_it(tmp_path: Path) -> None:
    target, elsewhere = tmp_path / "monday.backup", tmp_path / "court-notes.txt"
    elsewhere.write_bytes(b"the court's own notes")

    def write_and_check(tmp: Path) -> DatabaseCheck:
        tmp.write_bytes(b"a whole copy")
        target.symlink_to(elsewhere)  # someone else's doing, between the first check and the rename
        return DatabaseCheck(str(tmp), "0008", 1, 3, "")

    with pytest.raises(OutputRefused):
        _put_backup_in_place(target, write_and_check)
    assert target.is_symlink()
    assert elsewhere.read_bytes() == b"the court's own notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["court-notes.txt", "monday.backup"]


def test_a_checked_copy_takes_the_targets_name(tmp_path: Path) -> None:
    target = tmp_path / "monday.backup"

    def write_and_check(tmp: Path) -> DatabaseCheck:
        tmp.write_bytes(b"PGDMP a whole copy")
        return DatabaseCheck(str(tmp), "0008", 1, 3, "")

    check = _put_backup_in_place(target, write_and_check)
    assert (check.where, check.letters, check.events) == (str(target), 1, 3)
    assert target.read_bytes() == b"PGDMP a whole copy"
    assert [p.name for p in tmp_path.iterdir()] == ["monday.backup"]
