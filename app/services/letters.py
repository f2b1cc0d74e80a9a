"""Rendering letters to files: one letter, or a mail merge over a list of addressees."""

from __future__ import annotations

import atexit
import contextlib
import csv
import errno
import gc
import io
import multiprocessing
import os
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as connection_wait
from pathlib import Path
from typing import Any

from app.core import address as forms
from app.core import hostos
from app.core.errors import ChambersError, ConversionError, LetterInvalid, Problem
from app.core.files import (
    PDF_COPY,
    WORD_LETTER,
    CommitIncomplete,
    OutputFolderUnusable,
    StagedWrites,
    check_output_folder_target,
    check_output_target,
    make_private_folder,
    preflight_outputs,
    protect_folder,
    write_outputs,
)
from app.core.letter import Letter, LetterToEach, ParsedLetter, parse_letter

__all__ = ["parse_letter"]
from app.core.text import Removal
from app.core.vocabulary import ADDRESSEE_KEYS, ADDRESSEE_OPTIONAL
from app.rendering.engine import CompiledPack
from app.rendering.pdf import EXPORTED, OneShotConverter, PdfConverter, ResidentOffice, conversion_mode, own_converter
from app.rendering.verify import check_docx_file
from app.services.templates import TemplateLibrary

# Only "name" is required: a private person or a priest has no title, and surname, given_name and
# courtesy say what no forms-of-address rule can know ("Cortez Masto"; "Ms." for "Dear Madam Speaker:").
CSV_COLUMNS = ADDRESSEE_KEYS
CSV_OPTIONAL = ADDRESSEE_OPTIONAL
MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_NAME_BYTES = 200
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass
class RenderReport:
    """What rendering one letter wrote, and what cleaning took out of its text."""

    docx: Path
    pdf: Path | None = None
    removals: list[Removal] = field(default_factory=list)


def suggested_file_name(letter: Letter, extension: str = ".docx") -> str:
    """``2017-03-16 Letter to Attorney General Sessions and Secretary Kelly.docx``."""
    names = forms.join_names([forms.salutation_name(a) for a in letter.addressees])
    stem = _UNSAFE_NAME.sub(" ", f"{letter.date.isoformat()} Letter to {names}")
    stem = re.sub(r"\s+", " ", stem).strip().rstrip(".")
    # File systems count bytes, not characters (255 on most); the temporary name adds 14 and
    # a " (12)" for a repeated name 5, so a stem of 150 accented or CJK characters would not fit.
    if len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip().rstrip(".")
    return stem + extension


def write_docx(path: Path, data: bytes, option: str = "") -> None:
    """Write a .docx atomically, and check it reads back as a Word document.

    The target passes the output policy like every export's (``check_output_target``): never
    the database, the recovery folder, a template folder, a link or a file that is not a Word
    letter.
    """
    write_outputs([(path, WORD_LETTER, option, data, check_docx_file)])


def protect_packs(library: TemplateLibrary, *folders: Path) -> None:
    """No letter is ever written into a template folder or a pack named by its folder."""
    for folder in (*library.folders, *folders):
        protect_folder(folder, "a template folder")


def _targets(out: Path, pdf: Path | None, option: str = "--out") -> list[tuple[Path, str, str]]:
    return [(out, ".docx", option)] + ([(pdf, ".pdf", "--pdf")] if pdf is not None else [])


def preflight_letter_files(library: TemplateLibrary, out: Path, pdf: Path | None = None,
                           option: str = "--out") -> None:
    """Refuse, before any work, a target that is protected, of the wrong kind or in a bad folder."""
    protect_packs(library)
    preflight_outputs(_targets(out, pdf, option))


def write_letter_files(library: TemplateLibrary, docx: bytes, out: Path, pdf: Path | None = None) -> Path | None:
    """Write the letter to ``out`` and, with ``pdf``, its PDF: both or neither.

    The PDF is made (LibreOffice) before anything is written, and both files are put in place
    together once both are written and checked.
    """
    preflight_letter_files(library, out, pdf)
    pdf_bytes = None
    if pdf is not None:
        with PdfConverter() as converter:
            pdf_bytes = converter.convert(docx, EXPORTED)
    files: list[tuple[Path, str, str, bytes, Callable[[Path, bytes], None] | None]] = [
        (out, ".docx", "--out", docx, check_docx_file)]
    if pdf is not None and pdf_bytes is not None:
        files.append((pdf, ".pdf", "--pdf", pdf_bytes, None))
    write_outputs(files)
    return pdf


def render_file(library: TemplateLibrary, template: str, data: dict[str, Any], out: Path,
                pdf: Path | None = None, images: Mapping[str, bytes] | None = None) -> RenderReport:
    """Render one letter to ``out`` (and ``pdf``); nothing is written unless all succeeds.
    ``images``: the seal the letter pins (``sender.seal``), by its reference."""
    pack = library.get(template)
    protect_packs(library, pack.folder)
    parsed = parse_letter(data)
    rendered = pack.render(parsed.letter, images=images)  # in memory: the data and the template speak first
    write_letter_files(library, rendered.data, out, pdf)
    return RenderReport(out, pdf, parsed.removals + rendered.removals)


@dataclass
class RowResult:
    row: int                  # 1-based data row; the CSV line is row + 1
    path: Path | None = None
    error: str | None = None
    pdf: Path | None = None   # the PDF beside the letter, with ``batch(..., pdf=True)``
    removals: list[Removal] = field(default_factory=list)


@dataclass
class BatchReport:
    written: list[RowResult] = field(default_factory=list)
    failed: list[RowResult] = field(default_factory=list)


def read_addressees(path: Path) -> list[tuple[int, dict[str, Any] | None, str | None]]:
    """Rows of a mail-merge CSV as addressee dicts, or an error for the row, by row number."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LetterInvalid([Problem("", f"{path}: cannot be read ({exc.strerror or exc})")]) from None
    if len(raw) > MAX_CSV_BYTES:
        raise LetterInvalid([Problem("", f"{path}: larger than {MAX_CSV_BYTES >> 20} MB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8"
        raise LetterInvalid([Problem("", message)]) from None
    if not text.strip():
        raise LetterInvalid([Problem("", f"{path}: the file is empty; the first line must name the columns "
                                         f"({', '.join(CSV_COLUMNS)}) and each further line is one addressee")])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    first_line = text.lstrip().splitlines()[0]
    if len(header) == 1 and (";" in first_line or "\t" in first_line):
        separator = "semicolons" if ";" in first_line else "tabs"
        raise LetterInvalid([Problem("", f"{path}: the columns are separated by {separator}; save the CSV with "
                                         "commas (in a spreadsheet: Save as, CSV UTF-8, comma-delimited)")])
    if "name" not in header:
        raise LetterInvalid([Problem("", f"{path}: the first line must name the columns; "
                                         f"'name' is required (known: {', '.join(CSV_COLUMNS)})")])
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise LetterInvalid([Problem("", f"{path}: the column(s) {', '.join(repeated)} appear more than once "
                                         "in the first line; which one is meant is unclear")])
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if unknown:
        raise LetterInvalid([Problem("", f"{path}: unknown column(s) {', '.join(unknown)}; "
                                         f"known: {', '.join(CSV_COLUMNS)}")])
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, Any] | None, str | None]] = []
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The csv module refuses a field over csv.field_size_limit() (131,072 characters);
            # the row is reported and the reader goes on with the next line.
            number += 1
            reason = str(exc)
            if "field larger than field limit" in reason:
                reason = (f"a value is longer than {csv.field_size_limit():,} characters "
                          "(no addressee field can be that long)")
            rows.append((number, None, f"cannot be read: {reason}"))
            continue
        number += 1
        if None in row:
            count = len(header) + len(row[None])  # DictReader puts extra values under None
            rows.append((number, None, f"has {count} values but the header names {len(header)} columns"))
            continue
        values = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        addressee: dict[str, Any] = {
            "name": values.get("name", ""),
            "address": [line.strip() for line in values.get("address", "").split("|") if line.strip()],
        }
        for key in CSV_OPTIONAL:
            if values.get(key):
                addressee[key] = values[key]
        rows.append((number, addressee, None))
    if not rows:
        raise LetterInvalid([Problem("", f"{path}: no addressees: the file has its header line but no rows")])
    return rows


# --- batch workers -------------------------------------------------------------------------
# On Linux the workers are forked once the pack is compiled, the letter validated and the CSV
# read, so a worker starts with all of it in memory: it imports nothing and compiles nothing,
# and is sent only row numbers. Each worker parses and names its own rows (reading the names
# for a file name is most of the naming, and the render reads the same names again from the
# worker's cache), so the batch's own process does neither before the first letter renders;
# the batch only makes each proposed file name unique, chunk after chunk in the CSV's order,
# so the names are exactly those a serial merge gives. Elsewhere (spawn) the batch parses and
# names every row, and each worker compiles the pack once and is sent its rows to parse.
_WORKER: dict[str, Any] = {}


@dataclass
class _Merge:
    """What a forked worker inherits from the batch that started it."""

    pack: CompiledPack
    each: LetterToEach
    addressees: dict[int, dict[str, Any]]
    out: Path
    pdf: bool
    desks: list[Connection]  # one end a worker: its questions to the batch for file names
    counters: list[Connection]  # the batch's ends of ``desks``
    seated: Any              # a shared counter: how many workers took an end of ``desks``


def _die_with_parent(parent: int) -> None:
    """End this worker as soon as the batch that started it is gone, even by kill -9.

    On Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG); everywhere the
    worker checks its parent before each chunk and before putting files in place, so an
    orphaned worker never writes another letter.
    """
    hostos.die_with_parent()
    _WORKER["parent"] = parent
    _check_parent()


def _check_parent() -> None:
    parent = _WORKER.get("parent")
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def _join_merge(parent: int) -> None:
    """A forked worker's start: it takes an end of the batch's name desk of its own."""
    _die_with_parent(parent)
    merge: _Merge = _WORKER["merge"]
    with merge.seated.get_lock():
        seat = merge.seated.value
        merge.seated.value += 1
    _WORKER["desk"] = merge.desks[seat]
    # The other ends the fork copied are closed here, so that when the batch hangs up on its end
    # this worker's next question or wait ends at once (EOF) instead of waiting on a copy it holds.
    for end in merge.counters + merge.desks[:seat] + merge.desks[seat + 1:]:
        end.close()


def _init_worker(folder: str, parent: int) -> None:
    _die_with_parent(parent)
    _WORKER["pack"] = CompiledPack(Path(folder))


def _start_method() -> str:
    """'fork' where the platform has it and nothing but this thread runs (a forked child gets
    only the forking thread: a lock another thread held would stay locked in it forever)."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1 \
            and sys.platform.startswith("linux"):
        return "fork"
    return "spawn"


def _unique(out: Path, name: str, taken: set[str], with_pdf: bool = False) -> Path:
    stem, ext = os.path.splitext(name)
    candidate, n = name, 1

    def used(name: str) -> bool:
        pdf_name = os.path.splitext(name)[0] + ".pdf"
        return name.lower() in taken or (out / name).exists() or \
            (with_pdf and (pdf_name.lower() in taken or (out / pdf_name).exists()))

    while used(candidate):
        n += 1
        candidate = f"{stem} ({n}){ext}"
    taken.add(candidate.lower())
    if with_pdf:
        taken.add((os.path.splitext(candidate)[0] + ".pdf").lower())
    return out / candidate


def _render_rows(pack: CompiledPack, rows: list[tuple[int, ParsedLetter]],
                 out: Path, names: dict[int, str], pdf: bool = False) -> list[RowResult]:
    """Render ``rows`` and put their files in place; each row's .docx and PDF together or neither.

    A row is reported as written only when every file it has is in place, and then with exactly
    those files; a row whose PDF could not be made, staged or put in place (a full disk) has
    neither file on disk and is reported as failed, by its row number.
    """
    results = []
    staged = StagedWrites()
    converter = PdfConverter() if pdf else None  # this process's resident LibreOffice
    try:
        for number, parsed in rows:
            try:
                rendered = pack.render(parsed.letter)
                path = out / names[number]
                pdf_path = path.with_suffix(".pdf") if converter is not None else None
                files: list[tuple[Path, bytes, Callable[[Path, bytes], None] | None, Any, str]] = []
                if converter is not None and pdf_path is not None:
                    # Both targets are refused before LibreOffice spends a second on the PDF;
                    # staging checks them again (and the commit once more, just before the rename).
                    check_output_target(path, WORD_LETTER)
                    check_output_target(pdf_path, PDF_COPY)
                    # The PDF is made before anything is staged: a row whose PDF fails writes neither file.
                    files.append((pdf_path, converter.convert(rendered.data, EXPORTED), None, PDF_COPY, ""))
                files.insert(0, (path, rendered.data, check_docx_file, WORD_LETTER, ""))
                staged.stage_together(files)
                results.append(RowResult(number, path, removals=parsed.removals + rendered.removals,
                                         pdf=pdf_path))
            except LetterInvalid as exc:
                problems = "; ".join(str(p).replace("addressees[0]", "addressee") for p in exc.problems)
                results.append(RowResult(number, error=problems))
            except OSError as exc:
                results.append(RowResult(number, error=_file_error(names[number], exc)))
            except ChambersError as exc:
                results.append(RowResult(number, error=str(exc)))
        _check_parent()
        written = set(staged.commit())
        reason = "could not be put in place"
    except CommitIncomplete as exc:  # what was not put in place is reported, row by row
        written = set(exc.written)
        reason = f"could not be put in place ({exc.strerror or exc}); neither its letter nor its PDF was written"
    finally:
        staged.abort()
    for result in results:
        if result.path is not None and result.path not in written:
            result.path, result.pdf, result.error = None, None, reason
    return results


def _file_error(name: str, exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return f"the file name {name!r} is too long for the folder"
    return f"{name}: could not be written ({exc.strerror or exc})"


def _worker_rows(base: dict[str, Any], rows: list[tuple[int, dict[str, Any]]], out: str,
                 names: dict[int, str], pdf: bool = False) -> list[RowResult]:
    """A spawned worker's chunk: the rows are parsed here (a parsed letter costs more to send)."""
    _check_parent()
    each = LetterToEach(base)
    return _render_rows(_WORKER["pack"], [(n, each.parse(a)) for n, a in rows], Path(out), names, pdf)


def _row_problems(exc: LetterInvalid) -> str:
    return "; ".join(str(p).replace("addressees[0]", "addressee") for p in exc.problems)


def _forked_rows(chunk: int, numbers: list[int]) -> list[RowResult]:
    """A forked worker's chunk: its rows by number, parsed and named here, their file names made
    unique by the batch (``_NameDesk``), then rendered and put in place."""
    _check_parent()
    merge: _Merge = _WORKER["merge"]
    desk: Connection = _WORKER["desk"]
    results: list[RowResult] = []
    parsed: dict[int, ParsedLetter] = {}
    proposed: list[tuple[int, str]] = []
    try:
        for number in numbers:
            try:
                letter = merge.each.parse(merge.addressees[number])
            except LetterInvalid as exc:
                results.append(RowResult(number, error=_row_problems(exc)))
                continue
            parsed[number] = letter
            proposed.append((number, suggested_file_name(letter.letter)))
    finally:
        # Asked even when this chunk failed: the chunks after it are named only after it.
        desk.send((chunk, proposed))
    while not desk.poll(0.5):
        _check_parent()
    names, refused = desk.recv()
    results += [RowResult(number, error=error) for number, error in refused.items()]
    rows = [(number, letter) for number, letter in parsed.items() if number in names]
    return results + _render_rows(merge.pack, rows, merge.out, names, merge.pdf)


class _NameDesk:
    """The batch's side of the workers' questions for file names (a thread of the batch).

    Each chunk's proposed names are made unique (``_unique``) in the chunks' order, whatever
    order the workers ask in, so every row gets the name a serial merge would give it; a chunk
    asks before it renders, so the next chunk's worker waits for no more than that. Should the
    desk itself fail, it hangs up on every worker (each waiting chunk then fails, and with it
    the merge) rather than leave one waiting for an answer that never comes.
    """

    def __init__(self, out: Path, pdf: bool, desks: list[Connection], chunks: int) -> None:
        self.out, self.pdf, self.chunks = out, pdf, chunks
        self.desks = list(desks)
        self.taken: set[str] = set()
        self.failure: BaseException | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="chambers-merge-names")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop answering (once the pool is shut down: no worker asks again); raise what failed."""
        self._stopped.set()
        if self._thread.ident is not None:
            self._thread.join()
        if self.failure is not None:
            raise self.failure

    def _serve(self) -> None:
        try:
            self._answer_in_order()
        except BaseException as exc:  # said by stop(); the workers are hung up on meanwhile
            self.failure = exc
            for desk in self.desks:
                desk.close()

    def _answer_in_order(self) -> None:
        waiting: dict[int, tuple[Connection, list[tuple[int, str]]]] = {}
        answered = 0
        while answered < self.chunks and self.desks and not self._stopped.is_set():
            for desk in connection_wait(self.desks, timeout=0.5):
                assert isinstance(desk, Connection)
                try:
                    chunk, proposed = desk.recv()
                except (EOFError, OSError):  # a worker gone: the pool reports it, not this desk
                    self.desks.remove(desk)
                    continue
                waiting[chunk] = (desk, proposed)
            while answered in waiting:
                desk, proposed = waiting.pop(answered)
                names: dict[int, str] = {}
                refused: dict[int, str] = {}
                for number, name in proposed:
                    try:
                        names[number] = _unique(self.out, name, self.taken, self.pdf).name
                    except OSError as exc:
                        refused[number] = _file_error(name, exc)
                with contextlib.suppress(OSError):  # its worker is gone: the pool says so
                    desk.send((names, refused))
                answered += 1


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --- batch --pdf -----------------------------------------------------------------------------
# LibreOffice is the cost of a merge with PDFs: tens of milliseconds of its CPU a letter against a
# few of ours. So the merge keeps one office per core busy without a pause: each office has a
# thread of its own in the batch process that hands it the next letter the moment it finishes
# one, while the batch's main thread renders the letters ahead, and stages and puts in place the
# finished ones. No office waits for a render, a write, a read-back or a flush to disk, and no
# office waits for a chunk of letters another office is slower at (the tail of a merge is one
# letter, not a chunk). The offices start while the rows are read and named, and are all closed,
# whatever happens, before ``batch`` returns.
PDF_FLUSH_EVERY = 10  # letters put in place together after one flush to disk


class _Conversions:
    """The merge's converters, one per job, each driven by a thread of its own."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._todo: queue.Queue[tuple[int, bytes] | None] = queue.Queue()
        self.finished: queue.Queue[tuple[int, bytes | None, BaseException | None]] = queue.Queue()
        self._converters: list[ResidentOffice | OneShotConverter] = []
        self._threads: list[threading.Thread] = []
        # ``_merge_with_pdfs`` closes them, and ``batch`` does should the rows' preparation fail
        # before it takes over; the exit hook is for a process that ends some other way.
        atexit.register(self.close)
        try:
            for number in range(count):
                converter = own_converter()
                self._converters.append(converter)
                thread = threading.Thread(target=self._serve, args=(converter,), daemon=True,
                                          name=f"chambers-merge-office-{number}")
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.close()
            raise

    def _serve(self, converter: ResidentOffice | OneShotConverter) -> None:
        with contextlib.suppress(ChambersError):
            converter.start()  # one that cannot start says why at its first letter, row by row
        while (item := self._todo.get()) is not None:
            number, docx = item
            try:
                self.finished.put((number, converter.convert(docx, EXPORTED), None))
            except BaseException as exc:  # reported for its row; the office takes the next letter
                self.finished.put((number, None, exc))

    def submit(self, number: int, docx: bytes) -> None:
        self._todo.put((number, docx))

    def close(self) -> None:
        """Stop the threads and close every converter (its office ends, its folders go)."""
        atexit.unregister(self.close)
        for _ in self._threads:
            self._todo.put(None)
        for converter in self._converters:
            converter.close()
        for thread in self._threads:
            thread.join(timeout=10)
        self._converters, self._threads = [], []


def _start_conversions(pdf: bool, jobs: int | None, rows: int) -> _Conversions | None:
    if not pdf:
        return None
    mode, note = conversion_mode()
    if mode == "unavailable":
        raise ConversionError(note)
    return _Conversions(max(1, min(jobs or os.cpu_count() or 1, rows)))


def _pdf_row_error(name: str, exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"{name}: the PDF could not be made ({exc.strerror or exc})"
    if isinstance(exc, ChambersError):
        return str(exc)
    raise exc  # not a failure of this row but a fault of ours: the merge stops and says so


def _merge_with_pdfs(pack: CompiledPack, rows: list[tuple[int, ParsedLetter]], out: Path, names: dict[int, str],
                     conversions: _Conversions, report: BatchReport, progress: Callable[[int, int], None] | None,
                     done: int, total: int) -> None:
    """Each row's letter and its PDF through ``conversions``, put in place together or neither.

    A row is reported as written only when both its files are in place; one whose PDF could not
    be made, staged or put in place has neither file on disk and is reported as failed.
    """
    pending: dict[int, tuple[ParsedLetter, Any, Path]] = {}
    waiting = iter(rows)
    results: list[RowResult] = []  # of the letters staged since the last flush, and the failed ones
    staged = StagedWrites()
    letters_staged = 0

    def hand_out() -> None:
        # Two letters ready for each office: the next one is there the moment it finishes one.
        while len(pending) < 2 * conversions.count:
            try:
                number, parsed = next(waiting)
            except StopIteration:
                return
            path = out / names[number]
            try:
                rendered = pack.render(parsed.letter)
                # Both targets are refused before LibreOffice spends its time on the PDF;
                # staging checks them again (and the commit once more, just before the rename).
                check_output_target(path, WORD_LETTER)
                check_output_target(path.with_suffix(".pdf"), PDF_COPY)
            except LetterInvalid as exc:
                problems = "; ".join(str(p).replace("addressees[0]", "addressee") for p in exc.problems)
                results.append(RowResult(number, error=problems))
                continue
            except OSError as exc:
                results.append(RowResult(number, error=_file_error(names[number], exc)))
                continue
            except ChambersError as exc:
                results.append(RowResult(number, error=str(exc)))
                continue
            pending[number] = (parsed, rendered, path)
            conversions.submit(number, rendered.data)

    def put_in_place() -> None:
        nonlocal staged, letters_staged, done
        try:
            written = set(staged.commit())
            reason = "could not be put in place"
        except CommitIncomplete as exc:  # what was not put in place is reported, row by row
            written = set(exc.written)
            reason = (f"could not be put in place ({exc.strerror or exc}); "
                      "neither its letter nor its PDF was written")
        finally:
            staged.abort()
        for result in results:
            if result.path is not None and result.path not in written:
                result.path, result.pdf, result.error = None, None, reason
        _collect(report, results)
        done += len(results)
        results.clear()
        staged, letters_staged = StagedWrites(), 0
        if progress:
            progress(done, total)

    try:
        hand_out()
        while pending:
            number, pdf_bytes, failure = conversions.finished.get()
            parsed, rendered, path = pending.pop(number)
            hand_out()
            pdf_path = path.with_suffix(".pdf")
            try:
                if pdf_bytes is None:
                    results.append(RowResult(number, error=_pdf_row_error(names[number], failure or
                                                                          ConversionError("no PDF was made"))))
                    continue
                staged.stage_together([(path, rendered.data, check_docx_file, WORD_LETTER, ""),
                                       (pdf_path, pdf_bytes, None, PDF_COPY, "")])
                letters_staged += 1
                results.append(RowResult(number, path, removals=parsed.removals + rendered.removals, pdf=pdf_path))
            except OSError as exc:
                results.append(RowResult(number, error=_file_error(names[number], exc)))
            except ChambersError as exc:
                results.append(RowResult(number, error=str(exc)))
            if letters_staged >= PDF_FLUSH_EVERY:
                put_in_place()
        put_in_place()
    finally:
        staged.abort()
        conversions.close()


def batch(library: TemplateLibrary, template: str, data: dict[str, Any], csv_path: Path,
          out: Path, jobs: int | None = None,
          progress: Callable[[int, int], None] | None = None, pdf: bool = False) -> BatchReport:
    """One letter per CSV row into ``out`` (and, with ``pdf``, a PDF beside each through the
    resident LibreOffice of each worker); bad rows are reported and the rest rendered."""
    pack = library.get(template)
    protect_packs(library, pack.folder)
    check_output_folder_target(out, "--out")
    base = dict(data)
    base.pop("addressees", None)
    rows = read_addressees(csv_path)
    try:
        make_private_folder(out)
    except OSError as exc:
        raise OutputFolderUnusable(f"--out {out}: The folder cannot be made ({exc.strerror or exc}). "
                                   "Nothing was written.") from None
    if not out.is_dir():
        raise OutputFolderUnusable(f"--out {out}: not a folder; a mail merge writes one file per row into a folder")
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputFolderUnusable(f"--out {out}: The folder cannot be written to (it is read-only or "
                                   "not yours). Nothing was written.")
    # With PDFs the offices start now, to come up while the rows are parsed and named.
    conversions = _start_conversions(pdf, jobs, len(rows))
    report = BatchReport()
    total = len(rows)
    good: list[tuple[int, dict[str, Any]]] = []
    parsed_rows: dict[int, ParsedLetter] = {}
    names: dict[int, str] = {}
    taken: set[str] = set()
    try:
        each = LetterToEach(base)  # the letter validated once; each row only its addressee
        readable = {number: addressee for number, addressee, _ in rows if addressee is not None}
        report.failed += [RowResult(number, error=error) for number, addressee, error in rows if addressee is None]
        jobs = max(1, jobs or os.cpu_count() or 1)
        if conversions is None and jobs > 1 and len(readable) >= 50 and _start_method() == "fork":
            if progress:
                progress(len(report.failed), total)
            _merge_in_forked_workers(pack, each, readable, out, jobs, report, progress, total)
            report.written.sort(key=lambda r: r.row)
            report.failed.sort(key=lambda r: r.row)
            return report
        for number, addressee in readable.items():
            try:
                parsed = each.parse(addressee)
            except LetterInvalid as exc:
                report.failed.append(RowResult(number, error=_row_problems(exc)))
                continue
            try:
                names[number] = _unique(out, suggested_file_name(parsed.letter), taken, pdf).name
            except OSError as exc:
                report.failed.append(RowResult(number, error=_file_error(suggested_file_name(parsed.letter), exc)))
                continue
            good.append((number, addressee))
            parsed_rows[number] = parsed
    except BaseException:  # the offices started above end now, not at the process's exit
        if conversions is not None:
            conversions.close()
        raise
    done = len(report.failed)
    if progress:
        progress(done, total)
    if conversions is not None:
        _merge_with_pdfs(pack, [(n, parsed_rows[n]) for n, _ in good], out, names, conversions, report, progress,
                         done, total)
        report.written.sort(key=lambda r: r.row)
        report.failed.sort(key=lambda r: r.row)
        return report
    if pdf:
        mode, note = conversion_mode()
        if mode == "unavailable":
            raise ConversionError(note)
    if jobs == 1 or len(good) < (8 if pdf else 50):
        for chunk in _chunks(good, 25):
            results = _render_rows(pack, [(n, parsed_rows[n]) for n, _ in chunk], out, names, pdf)
            done += len(results)
            _collect(report, results)
            if progress:
                progress(done, total)
    else:  # spawned workers (not Linux), with the rows parsed and named above
        size = _chunk_size(len(good), jobs, pdf)
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(_start_method()),
                                   initializer=_init_worker, initargs=(str(pack.folder), os.getpid()))
        with pool:
            futures = [pool.submit(_worker_rows, base, chunk, str(out), {n: names[n] for n, _ in chunk},
                                   pdf) for chunk in _chunks(good, size)]
            _gather(futures, report, progress, done, total)
    report.written.sort(key=lambda r: r.row)
    report.failed.sort(key=lambda r: r.row)
    return report


def _chunk_size(rows: int, jobs: int, pdf: bool) -> int:
    # A chunk is what a worker puts in place at once (one flush to disk) and what it takes
    # when it is free. A PDF costs LibreOffice about 0.1-0.2 s, so chunks of up to 10 keep
    # the last chunk (one worker busy, the other cores idle) to a second or two; 50 left
    # one worker converting for several seconds alone at the end of a merge.
    return max(4 if pdf else 10, min(10 if pdf else 200, rows // (jobs * 4) or 1))


def _merge_in_forked_workers(pack: CompiledPack, each: LetterToEach, addressees: dict[int, dict[str, Any]],
                             out: Path, jobs: int, report: BatchReport,
                             progress: Callable[[int, int], None] | None, total: int) -> None:
    """The rows rendered by ``jobs`` forked workers, which parse and name them (see above)."""
    context = multiprocessing.get_context("fork")
    pairs = [context.Pipe() for _ in range(jobs)]
    chunks = list(_chunks(list(addressees), _chunk_size(len(addressees), jobs, False)))
    _WORKER["merge"] = _Merge(pack, each, addressees, out, False, [end for _, end in pairs],
                              [end for end, _ in pairs], context.Value("i", 0))
    done = total - len(addressees)
    # What the workers inherit is never garbage: frozen, their collector does not walk it (nor
    # write to its pages, which would copy them into every worker).
    gc.freeze()
    desk = _NameDesk(out, False, [end for end, _ in pairs], len(chunks))
    try:
        try:
            with ProcessPoolExecutor(jobs, mp_context=context, initializer=_join_merge,
                                     initargs=(os.getpid(),)) as pool:
                futures = [pool.submit(_forked_rows, index, chunk) for index, chunk in enumerate(chunks)]
                desk.start()  # a thread: only now, once the first submit has forked every worker
                # On a failure the chunks handed out finish (each chunk before them was handed out
                # too, so none waits for its names); the others never start.
                _gather(futures, report, progress, done, total)
        finally:
            desk.stop()  # after the pool's shutdown: every running chunk has had its names
    finally:
        _WORKER.pop("merge", None)
        gc.unfreeze()
        for ours, theirs in pairs:
            ours.close()
            theirs.close()


def _gather(futures: list[Future[list[RowResult]]], report: BatchReport,
            progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    """The workers' chunks into ``report`` as each finishes, with progress; on any failure the
    chunks no worker has taken yet are cancelled (they never start) and the failure raised."""
    try:
        for future in as_completed(futures):
            results = future.result()
            done += len(results)
            _collect(report, results)
            if progress:
                progress(done, total)
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def _collect(report: BatchReport, results: list[RowResult]) -> None:
    for result in results:
        (report.written if result.error is None else report.failed).append(result)
