"""A folder's verdict, decided once for a mail merge, says of every file what the policy says of it."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from app.core import files
from app.core.files import (
    PDF_COPY,
    WORD_LETTER,
    FolderVerdict,
    OutputRefused,
    StagedWrites,
    check_output_target,
    protect_database,
    protect_folder,
)


def word_letter() -> bytes:
    """A file the output policy takes for a letter Chambers could have written."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _verdict_of_policy(path: Path, kind: object) -> str | None:
    try:
        check_output_target(path, kind)  # type: ignore[arg-type]
    except OutputRefused as exc:
        return str(exc)
    return None


def _verdict_of_folder(verdict: FolderVerdict, path: Path, kind: object) -> str | None:
    try:
        verdict.check(path, kind)  # type: ignore[arg-type]
    except OutputRefused as exc:
        return str(exc)
    return None


@pytest.fixture
def protected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "_PROTECTED_FILES", {})
    monkeypatch.setattr(files, "_PROTECTED_FOLDERS", {})


@pytest.mark.usefixtures("protected")
def test_every_file_in_the_folder_gets_the_policys_own_verdict(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = out / "drafts.docx"  # a database named like a letter, in the very folder
    database.write_bytes(b"SQLite format 3\x00")
    protect_database(database)
    far_database = elsewhere / "chambers.db"
    far_database.write_bytes(b"SQLite format 3\x00")
    protect_database(far_database)
    protect_folder(out / "recovery.docx", "the recovery folder")  # registered, not made yet
    (out / "letter.docx").write_bytes(word_letter())
    (out / "copy.pdf").write_bytes(b"%PDF-1.7")
    (out / "notes.docx").write_text("a clerk's notes", encoding="utf-8")
    (out / "link.docx").symlink_to(out / "letter.docx")
    (out / "to-database.docx").symlink_to(far_database)
    (out / "dangling.docx").symlink_to(out / "nowhere.docx")
    os.mkfifo(out / "pipe.docx")
    (out / "folder.docx").mkdir()
    (out / "twice.docx").write_bytes(word_letter())
    os.link(out / "twice.docx", elsewhere / "twice.docx")
    os.link(far_database, out / "hard-database.docx")
    names = ["new.docx", "letter.docx", "copy.pdf", "notes.docx", "link.docx", "to-database.docx", "dangling.docx",
             "pipe.docx", "folder.docx", "twice.docx", "hard-database.docx", "drafts.docx", "drafts.docx-wal",
             "recovery.docx", "new.txt", "new.pdf"]
    verdict = FolderVerdict(out)
    compared = 0
    for name in names:
        for kind in (WORD_LETTER, PDF_COPY, ".docx"):
            expected = _verdict_of_policy(out / name, kind)
            assert _verdict_of_folder(verdict, out / name, kind) == expected, (name, kind)
            compared += expected is not None
    assert compared > 20  # most of them are refused, each in the policy's own words
    assert _verdict_of_folder(verdict, out / "new.docx", WORD_LETTER) is None
    assert _verdict_of_folder(verdict, out / "letter.docx", WORD_LETTER) is None


@pytest.mark.usefixtures("protected")
def test_a_folder_inside_a_protected_one_refuses_each_file_in_its_words(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "word").mkdir(parents=True)
    protect_folder(pack, "a template folder")
    verdict = FolderVerdict(pack / "word")
    target = pack / "word" / "letter.docx"
    expected = _verdict_of_policy(target, WORD_LETTER)
    assert expected is not None
    assert "inside a template folder" in expected
    assert _verdict_of_folder(verdict, target, WORD_LETTER) == expected
    # A path outside the verdict's folder is checked by the policy itself.
    assert _verdict_of_folder(verdict, pack / "letter.docx", WORD_LETTER) == _verdict_of_policy(
        pack / "letter.docx", WORD_LETTER)


@pytest.mark.usefixtures("protected")
def test_a_database_linked_in_after_staging_is_still_refused_at_the_commit(tmp_path: Path) -> None:
    """A guard of what the commit kept: its folder is decided afresh, and each file looked at again."""
    database = tmp_path / "chambers.db"
    database.write_bytes(b"SQLite format 3\x00")
    protect_database(database)
    out = tmp_path / "out"
    out.mkdir()
    staged = StagedWrites()
    for n in range(6):
        staged.stage(out / f"{n}.docx", word_letter(), kind=WORD_LETTER)
    (out / "3.docx").symlink_to(database)  # swapped in between staging and the rename
    with pytest.raises(OSError, match="this is the Chambers database"):
        staged.commit()
    assert database.read_bytes() == b"SQLite format 3\x00"
    assert (out / "3.docx").is_symlink()
    assert sorted(p.name for p in out.iterdir()) == ["0.docx", "1.docx", "2.docx", "3.docx", "4.docx", "5.docx"]
