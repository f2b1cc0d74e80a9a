"""The mail merge's workers start from the batch as the parent prepared it: on Linux they are
forked after every row is parsed and named, so no worker parses a row again; elsewhere (spawn)
they compile the pack and parse their rows themselves, with the same letters as the result."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path
from typing import Any

import docx
import pytest

from app.bootstrap import template_library
from app.core.letter import ParsedLetter
from app.services import letters
from tests.conftest import sample_data

ROWS = 60  # enough that the merge runs on worker processes, not in the calling one


def _people(tmp_path: Path) -> Path:
    table = tmp_path / "people.csv"
    with table.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["honorific", "name", "title", "organization", "address"])
        for i in range(ROWS):
            writer.writerow(["The Honorable", f"Pat Official{i}", "Secretary of State", "State of Testing",
                             f"{i} Main Street|Sacramento, CA 95814"])
    return table


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_forked_workers_parse_no_row_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "parsed-by"
    real = letters.LetterToEach.parse

    def counting(self: letters.LetterToEach, addressee: Any) -> ParsedLetter:
        with calls.open("a", encoding="utf-8") as stream:  # a worker's calls reach the file too
            stream.write(f"{os.getpid()}\n")
        return real(self, addressee)

    monkeypatch.setattr(letters.LetterToEach, "parse", counting)
    report = letters.batch(template_library(), "officials-concern", sample_data(), _people(tmp_path),
                           tmp_path / "letters", jobs=2)
    assert len(report.written) == ROWS
    assert not report.failed
    parsers = calls.read_text(encoding="utf-8").split()
    assert parsers == [str(os.getpid())] * ROWS, "a row was parsed again, or in a worker"


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
