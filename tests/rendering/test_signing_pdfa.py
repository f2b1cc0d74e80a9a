"""The tagged PDF/A export options reach LibreOffice on both paths: the resident office over UNO
(the signing tests use it) and the one-shot ``soffice`` used where UNO is missing."""

from __future__ import annotations

import io
import re

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from app.core.letter import parse_letter
from app.rendering.pdf import ARCHIVAL_TAGGED, OneShotConverter, PdfOptions
from app.services.templates import TemplateLibrary
from tests.conftest import sample_data


def test_the_one_shot_filter_options_are_libreoffices_json() -> None:
    assert PdfOptions().convert_to() == "pdf:writer_pdf_Export"
    assert ARCHIVAL_TAGGED.convert_to() == (
        'pdf:writer_pdf_Export:{"SelectPdfVersion": {"type": "long", "value": "3"}, '
        '"UseTaggedPDF": {"type": "boolean", "value": "true"}, '
        '"ExportBookmarks": {"type": "boolean", "value": "true"}}')


@pytest.mark.libreoffice
def test_the_one_shot_office_writes_tagged_pdfa(libreoffice: None) -> None:
    docx = TemplateLibrary().get("officials-concern").render(parse_letter(sample_data()).letter).data
    with OneShotConverter() as converter:
        pdf = converter.convert(docx, ARCHIVAL_TAGGED)
        plain = converter.convert(docx)
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    xmp = reader.root["/Metadata"].get_object().data.decode()
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", xmp), xmp
    assert "/StructTreeRoot" in reader.root
    assert "/OutputIntents" in reader.root
    assert "/StructTreeRoot" not in PdfFileReader(io.BytesIO(plain), strict=False).root  # only when asked
