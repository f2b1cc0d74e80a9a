"""What the window asks of the letter services, as plain functions run off the GUI thread.

Nothing here imports Qt: each function takes plain data and returns plain results, so it
can run on a worker thread and be tested on its own.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import ChambersError, LetterInvalid, Problem
from app.core.letter import Letter, parse_letter
from app.core.text import Removal
from app.rendering.engine import CompiledPack
from app.rendering.pdf import PdfConverter
from app.rendering.preview import Preview, docx_preview
from app.services.letters import suggested_file_name, write_docx

# A compiled pack keeps per-render state (its sandbox budget, its zip cache): one render at a time.
RENDER_LOCK = threading.Lock()
PARAGRAPH_SECTIONS = ("opening", "concerns", "requested_policies", "closing")
SECTION_NAMES = {"opening": "opening", "concerns": "concerns", "requested_policies": "requested policies",
                 "closing": "closing"}


@dataclass
class Check:
    """The letter as typed, checked: what stops export, what cleaning removed, and its preview."""

    letter: Letter | None
    problems: list[Problem] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    preview: Preview | None = None
    docx: bytes | None = None
    millis: float = 0.0

    @property
    def exportable(self) -> bool:
        return self.letter is not None and not self.problems and not self.removals


def _section_problems(pack: CompiledPack, data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for key in PARAGRAPH_SECTIONS:
        if key not in pack.manifest.sections:
            continue
        items = data.get(key) or []
        if not any(str(p).strip() for p in items):
            if key in ("concerns", "opening"):
                problems.append(Problem(key, f"the {SECTION_NAMES[key]} section is empty"))
            continue
        for i, item in enumerate(items):
            if not str(item).strip():
                problems.append(Problem(f"{key}[{i}]", "empty paragraph: write it or remove it"))
    return problems


def check_letter(pack: CompiledPack, data: dict[str, Any], *, render: bool = True) -> Check:
    """Validate ``data`` against the letter contract and the pack, and render a fast preview."""
    start = time.perf_counter()
    try:
        parsed = parse_letter(data)
    except LetterInvalid as exc:
        return Check(None, exc.problems + _section_problems(pack, data), millis=_since(start))
    letter = parsed.letter
    problems = pack.manifest.check_letter(letter) + _section_problems(pack, data)
    result = Check(letter, problems, list(parsed.removals))
    if render:
        try:
            with RENDER_LOCK:
                rendered = pack.render(letter, draft=True)
            result.docx = rendered.data
            result.preview = docx_preview(rendered.data)
        except ChambersError as exc:
            result.problems.append(Problem("", str(exc)))
    result.millis = _since(start)
    return result


def _since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


@dataclass
class ExportRequest:
    """What the export dialog asks for."""

    folder: Path
    stem: str
    docx: bool = True
    pdf: bool = False
    per_addressee: bool = False
    overwrite: bool = False
    approved_bytes: bytes | None = None  # the approved .docx, exported as it was approved


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)


def planned_files(letter: Letter, request: ExportRequest) -> list[Path]:
    """The files an export would write, so the dialog can ask before overwriting any."""
    stems = ([Path(suggested_file_name(letter.model_copy(update={"addressees": [a]}), "")).name
              for a in letter.addressees] if request.per_addressee else [request.stem])
    paths = []
    for stem in stems:
        if request.docx:
            paths.append(request.folder / f"{stem}.docx")
        if request.pdf:
            paths.append(request.folder / f"{stem}.pdf")
    return paths


def export_letter(pack: CompiledPack, letter: Letter, request: ExportRequest) -> ExportResult:
    """Render and write the files; nothing is written over an existing file unless asked."""
    if request.per_addressee:
        letters = [letter.model_copy(update={"addressees": [a]}) for a in letter.addressees]
    else:
        letters = [letter]
    targets = planned_files(letter, request)
    if not request.overwrite:
        existing = [p for p in targets if p.exists()]
        if existing:
            raise FileExistsError(0, "already exists; choose another name or allow overwriting", str(existing[0]))
    request.folder.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    converter = PdfConverter() if request.pdf else None
    try:
        stems = [p.stem for p in targets if p.suffix == (".docx" if request.docx else ".pdf")]
        for one, stem in zip(letters, stems, strict=True):
            if request.approved_bytes is not None and not request.per_addressee:
                data = request.approved_bytes
            else:
                with RENDER_LOCK:
                    data = pack.render(one, draft=request.approved_bytes is None).data
            if request.docx:
                path = request.folder / f"{stem}.docx"
                write_docx(path, data)
                result.written.append(path)
            if converter is not None:
                from app.core.files import atomic_write

                pdf_path = request.folder / f"{stem}.pdf"
                atomic_write(pdf_path, converter.convert(data))
                result.written.append(pdf_path)
    finally:
        if converter is not None:
            converter.close()
    return result
