"""``batch --pdf`` keeps its offices converting: they start while the rows are read, each is handed
its next letter before the one it finished is written, and all have ended when the merge returns.

Orders of events, never durations: where a test waits for an event, the wait is a guard against
hanging the run, and the verdict is whether the event came at all.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from app.bootstrap import template_library
from app.core.files import StagedWrites
from app.services import letters
from tests.conftest import sample_data

GUARD = 60.0  # seconds: only ever reached when the event never comes
PEOPLE = "".join(f"Pat Official{i},{i} Main Street|Sacramento CA 95814\n" for i in range(6))


class Events:
    """What the fake offices and the merge did, in order."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.log: list[str] = []

    def add(self, what: str) -> None:
        with self.changed:
            self.log.append(what)
            self.changed.notify_all()

    def count(self, what: str) -> int:
        return sum(1 for entry in self.log if entry == what)

    def wait_for(self, what: str, times: int) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count(what) >= times, timeout=GUARD)


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Events:
    happened = Events()

    class FakeOffice:
        def start(self) -> None:
            happened.add("start")

        def convert(self, docx: bytes, options: object = None) -> bytes:
            happened.add("convert")
            return b"%PDF-1.7\n% made for the test\n"

        def close(self) -> None:
            happened.add("close")

    monkeypatch.setattr(letters, "own_converter", FakeOffice)
    monkeypatch.setattr(letters, "conversion_mode", lambda: ("resident", ""))
    return happened


def _merge(tmp_path: Path, jobs: int = 1) -> letters.BatchReport:
    people = tmp_path / "people.csv"
    people.write_text("name,address\n" + PEOPLE, encoding="utf-8")
    return letters.batch(template_library(), "officials-concern", sample_data(), people, tmp_path / "letters",
                         jobs=jobs, pdf=True)


def test_an_office_is_handed_its_next_letter_before_the_last_one_is_written(
        tmp_path: Path, events: Events, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing, reading back and flushing a finished letter is the batch's work, not the office's
    wait: while the k-th letter is staged, the office already has the (k+1)-th."""
    real = StagedWrites.stage_together
    seen: list[bool] = []

    def stage_together(self: StagedWrites, files: Any) -> None:
        staged = events.count("staged")
        if staged + 1 < PEOPLE.count("\n"):  # the last letter has no next one
            seen.append(events.wait_for("convert", staged + 2))
        real(self, files)
        events.add("staged")

    monkeypatch.setattr(StagedWrites, "stage_together", stage_together)
    report = _merge(tmp_path)
    assert len(report.written) == 6, report.failed
    assert seen == [True] * 5, f"the office waited while a letter was written: {events.log}"


def test_the_offices_start_while_the_rows_are_parsed_and_named(
        tmp_path: Path, events: Events, monkeypatch: pytest.MonkeyPatch) -> None:
    """An office takes a second or more to start: it starts before the rows are read, not after."""
    real = letters.suggested_file_name
    started_first: list[bool] = []

    def suggested_file_name(*args: Any) -> str:  # each row is named once it is parsed
        if not started_first:
            started_first.append(events.wait_for("start", 2))
        return real(*args)

    monkeypatch.setattr(letters, "suggested_file_name", suggested_file_name)
    report = _merge(tmp_path, jobs=2)
    assert len(report.written) == 6, report.failed
    assert started_first == [True], f"the offices were not started before the rows were parsed: {events.log}"
    assert events.count("close") == 2, "every office is closed when the merge is done"


def test_offices_started_for_a_merge_that_fails_before_it_begins_are_closed_at_once(
        tmp_path: Path, events: Events, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault while the rows are read and named ends the offices there and then, not at exit."""
    def broken(*_args: Any) -> str:
        raise RuntimeError("a fault of ours while naming the rows")

    monkeypatch.setattr(letters, "suggested_file_name", broken)
    with pytest.raises(RuntimeError, match="naming the rows"):
        _merge(tmp_path, jobs=2)
    assert events.count("close") == 2, f"the offices were left to the process's exit: {events.log}"


def _tagged_pdfa(pdf: Path) -> None:
    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()), strict=False)
    xmp = reader.root["/Metadata"].get_object().data.decode()
    assert re.search(r'pdfaid:part(="|>)2', xmp), f"{pdf.name} is not PDF/A-2: {xmp[:400]}"
    assert re.search(r'pdfaid:conformance(="|>)B', xmp), xmp[:400]
    assert str(reader.root["/MarkInfo"]["/Marked"]).lower() == "true", f"{pdf.name} is not tagged"


def _ours_alive(marker: str) -> list[int]:
    """Live (not zombie) processes whose command line names ``marker``."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in command and state not in ("Z", "X"):
            alive.append(int(entry.name))
    return alive


@pytest.mark.libreoffice
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the offices")
def test_a_merge_has_ended_its_offices_when_it_returns_and_every_pdf_is_tagged_pdfa(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.rendering.test_resident_office import need_uno

    need_uno()
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))  # where the offices keep their files
    report = _merge(tmp_path, jobs=2)
    try:
        # Nothing is waited for: by the time the merge returns its offices are gone, with their files.
        assert _ours_alive(str(private_tmp)) == [], "an office outlived the merge"
        assert list(private_tmp.iterdir()) == [], "the offices left files under $TMPDIR"
    finally:
        for pid in _ours_alive(str(private_tmp)):
            os.kill(pid, 9)
    assert len(report.written) == 6, report.failed
    for result in report.written:
        assert result.pdf is not None
        _tagged_pdfa(result.pdf)
