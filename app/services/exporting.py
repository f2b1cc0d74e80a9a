"""Exporting a draft from the window: the files it would write, and writing them under the output policy.

An approved letter never leaves through here: the drafts service releases its approved bytes
(``ServiceDesk.export_final`` and its kin)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.core.files import check_output_folder_target, preflight_outputs, write_outputs
from app.core.letter import Letter
from app.rendering.engine import CompiledPack
from app.services.checking import RENDER_LOCK
from app.services.templates import TemplateLibrary


@dataclass
class ExportRequest:
    """What the export dialog asks for."""

    folder: Path
    stem: str
    docx: bool = True
    pdf: bool = False
    per_addressee: bool = False
    overwrite: bool = False


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)


def planned_files(letter: Letter, request: ExportRequest) -> list[Path]:
    """The files an export would write, so the dialog can ask before overwriting any."""
    from app.services.letters import suggested_file_name

    stems = ([Path(suggested_file_name(letter.model_copy(update={"addressees": [a]}), "")).name
              for a in letter.addressees] if request.per_addressee else [request.stem])
    paths = []
    for stem in stems:
        if request.docx:
            paths.append(request.folder / f"{stem}.docx")
        if request.pdf:
            paths.append(request.folder / f"{stem}.pdf")
    return paths


def export_letter(library: TemplateLibrary, pack: CompiledPack, letter: Letter,
                  request: ExportRequest, images: Mapping[str, bytes] | None = None) -> ExportResult:
    """Render every letter first (a DRAFT copy: see below), then write: each .docx with its PDF both or
    neither, never into a template folder, and over an existing file only when asked."""
    from app.services.letters import preflight_letter_files, write_letter_files

    if request.per_addressee:
        letters = [letter.model_copy(update={"addressees": [a]}) for a in letter.addressees]
    else:
        letters = [letter]
    targets = planned_files(letter, request)
    if not request.overwrite:
        existing = [p for p in targets if p.exists()]
        if existing:
            raise FileExistsError(0, "already exists; choose another name or allow overwriting", str(existing[0]))
    stems = [p.stem for p in targets if p.suffix == (".docx" if request.docx else ".pdf")]
    check_output_folder_target(request.folder)  # the output policy, before the folder is made
    made = not request.folder.exists()
    request.folder.mkdir(parents=True, exist_ok=True)  # the folder chosen in the dialog
    try:
        for stem in stems:  # every target refused or accepted before anything is rendered or written
            preflight_letter_files(library, request.folder / f"{stem}.docx",
                                   request.folder / f"{stem}.pdf" if request.pdf else None)
    except BaseException:
        if made:  # a refusal leaves the disk as it was
            request.folder.rmdir()
        raise
    # Always a DRAFT: an approved letter leaves through the drafts service (ServiceDesk.export_final and
    # its kin), which releases the approved bytes (audited) and checks them; never through this function.
    rendered: list[bytes] = []
    for one in letters:
        with RENDER_LOCK:
            rendered.append(pack.render(one, draft=True, images=images).data)
    result = ExportResult()
    for data, stem in zip(rendered, stems, strict=True):
        docx, pdf = request.folder / f"{stem}.docx", request.folder / f"{stem}.pdf"
        if request.docx:
            write_letter_files(library, data, docx, pdf if request.pdf else None)
            result.written.append(docx)
        else:
            write_pdf_only(library, data, pdf)
        if request.pdf:
            result.written.append(pdf)
    return result


def write_pdf_only(library: TemplateLibrary, docx: bytes, pdf: Path) -> None:
    """A PDF without its .docx, under the same rules as ``write_letter_files``."""
    from app.rendering.pdf import EXPORTED, PdfConverter
    from app.services.letters import protect_packs

    protect_packs(library)
    preflight_outputs([(pdf, ".pdf", "--pdf")])
    with PdfConverter() as converter:
        data = converter.convert(docx, EXPORTED)
    write_outputs([(pdf, ".pdf", "--pdf", data, None)])
