"""``batch --pdf``: each letter's .docx and PDF are written together or neither, and the report
says exactly what was written (a full disk is injected, not made)."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import template_library
from app.services import letters
from tests.conftest import sample_data

PEOPLE = ("name,title\nJeff Sessions,Attorney General\nJohn Kelly,Secretary of Homeland Security\n"
          "Xavier Becerra,Attorney General of California\n")


class FakeConverter:
    """Stands in for LibreOffice: the PDF's bytes are not what this test is about."""

    def __init__(self, *_args: Any) -> None:
        pass

    def start(self) -> None:
        pass

    def convert(self, docx: bytes, options: object = None) -> bytes:
        return b"%PDF-1.7\n% made for the test\n" + docx[:64]

    def close(self) -> None:
        pass


@pytest.fixture
def merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setattr(letters, "own_converter", FakeConverter)
    monkeypatch.setattr(letters, "conversion_mode", lambda: ("resident", ""))
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    return people, tmp_path / "letters"


def _run(people: Path, out: Path) -> letters.BatchReport:
    return letters.batch(template_library(), "officials-concern", sample_data(), people, out, jobs=1, pdf=True)


def _on_disk(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


def test_a_full_disk_while_writing_one_pdf_writes_neither_of_that_letters_files(
        merge: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    people, out = merge
    real = os.open

    def full_disk(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        name = os.path.basename(os.fspath(path))
        if flags & os.O_CREAT and ".pdf." in name and "Kelly" in name:  # the temporary of the second letter's PDF
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", full_disk)
    report = _run(people, out)
    assert [r.row for r in report.written] == [1, 3]
    assert [r.row for r in report.failed] == [2]
    assert "No space left on device" in (report.failed[0].error or "")
    for result in report.written:
        assert result.path is not None
        assert result.pdf is not None
        assert result.path.is_file()
        assert result.pdf.is_file()
    assert not [name for name in _on_disk(out) if "Kelly" in name]  # neither its .docx nor a temporary
    assert len(_on_disk(out)) == 4


def test_a_pdf_that_cannot_be_put_in_place_takes_its_letter_back(
        merge: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    people, out = merge
    real = os.replace

    def failing(src: Any, dst: Any, **kwargs: Any) -> None:
        if str(dst).endswith(".pdf") and "Kelly" in str(dst):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    report = _run(people, out)
    assert [r.row for r in report.written] == [1, 3]
    assert [r.row for r in report.failed] == [2]
    assert "neither its letter nor its PDF was written" in (report.failed[0].error or "")
    assert report.failed[0].path is None
    assert report.failed[0].pdf is None
    assert not [name for name in _on_disk(out) if "Kelly" in name]
    written = [p for r in report.written for p in (r.path, r.pdf)]
    assert sorted(p.name for p in written if p is not None) == _on_disk(out)
