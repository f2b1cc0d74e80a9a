"""Every exported PDF, not only the signed one, is tagged PDF/A: the final letter (`drafts export
--pdf`), the window's export (a draft copy, a PDF alone) and the sealed per-addressee copies,
each read back (XMP pdfaid, output intent, /MarkInfo, the structure tree, language, fonts)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from app.bootstrap import template_library
from app.core import jsondata
from app.core.letter import parse_letter
from app.core.workflow import Status
from app.services.desk import ServiceDesk
from app.services.exporting import ExportRequest, export_letter
from tests.services.test_drafts_workflow import new_letter
from tests.storage.dbfixtures import JUDGE_FULL_NAME, as_user, office

pytestmark = pytest.mark.libreoffice


def _assert_tagged_pdfa(pdf: Path, part: int = 2) -> None:
    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()), strict=False)
    root = reader.root
    assert "/Metadata" in root, f"{pdf.name}: no XMP metadata stream"
    xmp = root["/Metadata"].get_object().data.decode()
    assert re.search(rf'pdfaid:part(="|>){part}', xmp), f"{pdf.name} is not PDF/A-{part}: {xmp[:400]}"
    assert re.search(r'pdfaid:conformance(="|>)B', xmp), xmp[:400]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert str(root["/MarkInfo"]["/Marked"]).lower() == "true", f"{pdf.name} is not tagged"
    assert "/StructTreeRoot" in root, f"{pdf.name} has no structure tree"
    assert str(root["/Lang"]) == "en-US"
    assert str(reader.trailer["/Info"].get_object()["/Author"]) == JUDGE_FULL_NAME
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), fonts   # the "emb" column


def test_the_final_export_of_an_approved_letter_is_tagged_pdfa(tmp_path: Path, libreoffice: None) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    office(url).close()
    letter = new_letter(url, Status.APPROVED)
    tani = as_user(url, "tani")
    try:
        report = tani.drafts.export(letter, tmp_path / "letter.docx", tmp_path / "letter.pdf")
    finally:
        tani.close()
    assert report.final
    _assert_tagged_pdfa(tmp_path / "letter.pdf")


@pytest.mark.parametrize("with_docx", [True, False], ids=["with-docx", "pdf-alone"])
def test_the_windows_export_of_a_draft_is_tagged_pdfa(tmp_path: Path, with_docx: bool, libreoffice: None) -> None:
    library = template_library()
    pack = library.get("officials-concern")
    letter = parse_letter(jsondata.loads(library.sample("officials-concern"))).letter
    result = export_letter(library, pack, letter, ExportRequest(tmp_path, "draft", docx=with_docx, pdf=True))
    pdf = tmp_path / "draft.pdf"
    assert pdf in result.written
    _assert_tagged_pdfa(pdf)


def test_the_sealed_copies_per_addressee_are_tagged_pdfa(tmp_path: Path, libreoffice: None) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    office(url).close()
    letter = new_letter(url, Status.APPROVED)
    desk = ServiceDesk(as_user(url, "tani"))
    try:
        written = desk.export_copies(letter, tmp_path / "copies", pdf=True)
    finally:
        desk.close()
    pdfs = [p for p in written if p.suffix == ".pdf"]
    assert len(pdfs) == 2
    for pdf in pdfs:
        _assert_tagged_pdfa(pdf)
