"""The mail merge's workers start from the batch as the parent prepared it: on Linux they are
forked once the pack is compiled and the letter validated, and each row is parsed and named once,
by the worker that renders it, never by the batch's own process; elsewhere (spawn) the batch
parses and names the rows and the workers compile the pack and parse their rows again. Either
way every row gets the file name a serial merge gives it."""

from __future__ import annotations

import csv
import errno
import os
import sys
from pathlib import Path
from typing import Any

import docx
import pytest

from app.bootstrap import template_library
from app.core.letter import Letter, ParsedLetter
from app.services import letters
from tests.conftest import sample_data

ROWS = 60  # enough that the merge runs on worker processes, not in the calling one


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers forked, as a merge run from the command line has them, even should an earlier
    test have left a thread of its own ending in this process (the batch would then spawn)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("workers are forked on Linux only")
    monkeypatch.setattr(letters, "_start_method", lambda: "fork")


def _people(tmp_path: Path) -> Path:
    table = tmp_path / "people.csv"
    with table.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["honorific", "name", "title", "organization", "address"])
        for i in range(ROWS):
            writer.writerow(["The Honorable", f"Pat Official{i}", "Secretary of State", "State of Testing",
                             f"{i} Main Street|Sacramento, CA 95814"])
    return table


@pytest.mark.usefixtures("forked")
def test_forked_workers_parse_and_name_each_row_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "calls"
    real_parse, real_name = letters.LetterToEach.parse, letters.suggested_file_name

    def note(what: str) -> None:
        with calls.open("a", encoding="utf-8") as stream:  # a worker's calls reach the file too
            stream.write(f"{what} {os.getpid()}\n")

    def parsing(self: letters.LetterToEach, addressee: Any) -> ParsedLetter:
        note(f"parse:{addressee['name']}")
        return real_parse(self, addressee)

    def naming(letter: Letter, extension: str = ".docx") -> str:
        note(f"name:{letter.addressees[0].name}")
        return real_name(letter, extension)

    monkeypatch.setattr(letters.LetterToEach, "parse", parsing)
    monkeypatch.setattr(letters, "suggested_file_name", naming)
    report = letters.batch(template_library(), "officials-concern", sample_data(), _people(tmp_path),
                           tmp_path / "letters", jobs=2)
    assert len(report.written) == ROWS
    assert not report.failed
    lines = [line.rsplit(" ", 1) for line in calls.read_text(encoding="utf-8").splitlines()]
    for what in ("parse", "name"):
        done = sorted(call for call, _ in lines if call.startswith(what + ":"))
        assert done == sorted(f"{what}:Pat Official{i}" for i in range(ROWS)), f"a row's {what} was done twice or not"
    assert str(os.getpid()) not in {pid for _, pid in lines}, "the batch's own process parsed or named a row"


@pytest.mark.usefixtures("forked")
def test_forked_workers_name_repeated_addressees_as_a_serial_merge_does(tmp_path: Path) -> None:
    """Rows whose letters take one name get " (2)", " (3)", ... in the CSV's order, beside a
    file of that name already in the folder, whichever worker names its chunk first."""
    table = tmp_path / "people.csv"
    with table.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["name", "title"])
        for i in range(ROWS):
            writer.writerow([f"Pat Official{i % 3}", "Secretary of State"])
        writer.writerow(["", ""])
        writer.writerow(["Pat Official0", "Secretary of State", "one value too many"])  # refused as read
        writer.writerow(["Pat " + "Long" * 6000, "Secretary of State"])  # refused as parsed, in a worker
    forked = letters.batch(template_library(), "officials-concern", sample_data(), table, tmp_path / "a", jobs=2)
    serial = letters.batch(template_library(), "officials-concern", sample_data(), table, tmp_path / "b", jobs=1)
    assert [(r.row, r.path.name if r.path else None) for r in forked.written] == \
        [(r.row, r.path.name if r.path else None) for r in serial.written]
    assert [(r.row, r.error) for r in forked.failed] == [(r.row, r.error) for r in serial.failed]
    assert [r.row for r in forked.failed] == [ROWS + 2, ROWS + 3]
    assert "too long" in str(forked.failed[1].error)
    assert len({r.path for r in forked.written}) == ROWS
    assert sorted(os.listdir(tmp_path / "a")) == sorted(os.listdir(tmp_path / "b"))


def test_spawned_workers_write_the_same_letters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = _people(tmp_path)
    forked = letters.batch(template_library(), "officials-concern", sample_data(), table, tmp_path / "a", jobs=2)
    monkeypatch.setattr(letters, "_start_method", lambda: "spawn")
    spawned = letters.batch(template_library(), "officials-concern", sample_data(), table, tmp_path / "b", jobs=2)
    assert [(r.row, r.path.name if r.path else None) for r in spawned.written] == \
        [(r.row, r.path.name if r.path else None) for r in forked.written]
    assert len(spawned.written) == ROWS
    assert not spawned.failed
    last = spawned.written[-1].path
    assert last is not None
    assert f"Pat Official{ROWS - 1}" in "\n".join(p.text for p in docx.Document(str(last)).paragraphs)


@pytest.mark.usefixtures("forked")
def test_a_name_the_folder_cannot_hold_fails_its_row_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = letters._unique

    def unique(out: Path, name: str, taken: set[str], with_pdf: bool = False) -> Path:
        if name.endswith(" Official7.docx"):
            raise OSError(errno.ENAMETOOLONG, "File name too long", str(out / name))
        return real(out, name, taken, with_pdf)

    monkeypatch.setattr(letters, "_unique", unique)
    report = letters.batch(template_library(), "officials-concern", sample_data(), _people(tmp_path),
                           tmp_path / "letters", jobs=2)
    assert [r.row for r in report.failed] == [8]
    assert "is too long for the folder" in str(report.failed[0].error)
    assert len(report.written) == ROWS - 1
    assert len(os.listdir(tmp_path / "letters")) == ROWS - 1


@pytest.mark.usefixtures("forked")
@pytest.mark.timeout(120)
def test_a_fault_in_naming_stops_the_merge_instead_of_leaving_workers_waiting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unique(out: Path, name: str, taken: set[str], with_pdf: bool = False) -> Path:
        raise RuntimeError("a fault of ours while naming")

    monkeypatch.setattr(letters, "_unique", unique)
    with pytest.raises(RuntimeError, match="a fault of ours while naming"):
        letters.batch(template_library(), "officials-concern", sample_data(), _people(tmp_path),
                      tmp_path / "letters", jobs=2)
    assert os.listdir(tmp_path / "letters") == []
