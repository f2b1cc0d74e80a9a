"""Files are written so that an existing one is never left half-written, and nothing is lost."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from app.core.files import StagedWrites, atomic_write
from tests.core.test_folder_verdict import word_letter


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


# --- staging as a mail merge does it: each guarantee of the cheaper path -------------------------
def test_a_check_is_given_the_target_and_the_bytes_read_back_from_the_file(tmp_path: Path) -> None:
    seen: list[tuple[Path, bytes]] = []
    staged = StagedWrites()
    staged.stage(tmp_path / "a.docx", b"A letter", check=lambda path, data: seen.append((path, data)))
    atomic_write(tmp_path / "b.docx", b"B letter", check=lambda path, data: seen.append((path, data)))
    staged.commit()
    assert seen == [(tmp_path / "a.docx", b"A letter"), (tmp_path / "b.docx", b"B letter")]


@pytest.mark.parametrize("extra", [b"", b"+"])
def test_bytes_read_back_unlike_those_written_stage_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            extra: bytes) -> None:
    """A disk that gives back other bytes (or more of them) than were written: refused, nothing left."""
    import app.core.files as files

    real = files._read_at
    monkeypatch.setattr(files, "_read_at", lambda fd, count, offset: real(fd, count, offset)[::-1] + extra)
    existing = tmp_path / "b.docx"
    existing.write_bytes(word_letter())
    staged = StagedWrites()
    for target in (tmp_path / "a.docx", existing):
        with pytest.raises(OSError, match="read back differs"):
            staged.stage(target, b"the letter", kind=".docx")
        with pytest.raises(OSError, match="read back differs"):
            atomic_write(target, b"the letter")
    assert staged.commit() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.docx"]
    assert existing.read_bytes() == word_letter()


def test_a_temporary_name_someone_took_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Temporary names are predictable within a process; one made first (a link to a file of the
    clerk's) is never written through: the next name is drawn with a fresh token."""
    import itertools

    import app.core.files as files

    monkeypatch.setattr(files, "_TOKEN", ["guessed"])
    monkeypatch.setattr(files, "_SERIAL", itertools.count(7))
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"the clerk's notes")
    trap = tmp_path / ".a.docx.guessed7.tmp"
    trap.symlink_to(notes)
    staged = StagedWrites()
    staged.stage(tmp_path / "a.docx", b"A", kind=".docx")
    assert files._TOKEN != ["guessed"]
    assert staged.commit() == [tmp_path / "a.docx"]
    assert notes.read_bytes() == b"the clerk's notes"
    assert trap.is_symlink()
    assert (tmp_path / "a.docx").read_bytes() == b"A"


def test_a_forked_worker_names_its_temporaries_apart_from_its_parents(tmp_path: Path) -> None:
    import app.core.files as files

    reader, writer = os.pipe()
    with warnings.catch_warnings():  # Python 3.12 warns of fork in a threaded process: the child only writes
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the worker: the name it would draw next, then gone without pytest's teardown
        try:
            os.write(writer, f"{files._TOKEN[0]}{next(files._SERIAL):x}".encode())
        finally:
            os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    with os.fdopen(reader, "rb") as stream:
        childs = stream.read().decode()
    assert childs
    assert childs != f"{files._TOKEN[0]}{next(files._SERIAL):x}"


def test_modes_new_files_owner_only_whatever_the_umask_existing_ones_kept(tmp_path: Path) -> None:
    existing = tmp_path / "kept.docx"
    existing.write_bytes(word_letter())
    os.chmod(existing, 0o640)
    previous = os.umask(0)
    try:
        staged = StagedWrites()
        staged.stage(tmp_path / "new.docx", b"new", kind=".docx")
        staged.stage(existing, b"new", kind=".docx")
        staged.commit()
        atomic_write(tmp_path / "alone.docx", b"new")
    finally:
        os.umask(previous)
    assert (tmp_path / "new.docx").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "alone.docx").stat().st_mode & 0o777 == 0o600
    assert existing.stat().st_mode & 0o777 == 0o640


def test_a_commit_removes_only_temporaries_that_were_not_renamed(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Each renamed temporary's name is gone; unlinking it again was a failed system call a letter."""
    staged = StagedWrites()
    for name in ("a.docx", "b.docx", "c.docx", "d.docx", "e.docx", "f.docx"):
        staged.stage(tmp_path / name, name.encode(), kind=".docx")
    removed: list[str] = []
    real = os.unlink
    monkeypatch.setattr(os, "unlink", lambda path, *a, **k: (removed.append(os.fspath(path)), real(path, *a, **k)))
    assert len(staged.commit()) == 6
    assert removed == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "b.docx", "c.docx", "d.docx", "e.docx", "f.docx"]


def test_a_letter_to_replace_is_recognised_from_the_end_of_its_file(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge run again recognises each letter it replaces (twice) from its zip directory alone;
    what that does not decide, a zip without a Word main part, is still zipfile's to refuse."""
    import io
    import zipfile

    import app.core.files as files
    from app.core.files import WORD_LETTER, OutputRefused, check_output_target

    opened: list[object] = []
    real = zipfile.ZipFile

    def counted(*args: object, **kwargs: object) -> zipfile.ZipFile:
        opened.append(args[0])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    letter = tmp_path / "letter.docx"
    letter.write_bytes(word_letter())
    buffer = io.BytesIO()
    with real(buffer, "w") as archive:
        archive.writestr("notes.txt", "a clerk's notes")
    notes = tmp_path / "notes.docx"
    notes.write_bytes(buffer.getvalue())
    monkeypatch.setattr(files.zipfile, "ZipFile", counted)
    check_output_target(letter, WORD_LETTER)
    assert opened == []
    with pytest.raises(OutputRefused, match="not a Word letter"):
        check_output_target(notes, WORD_LETTER)
    assert opened == [notes]
