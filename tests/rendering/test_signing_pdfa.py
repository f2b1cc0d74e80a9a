"""The tagged PDF/A export options reach LibreOffice on both paths: the resident office over UNO
(the signing tests use it) and the one-shot ``soffice`` used where UNO is missing."""

from __future__ import annotations

import io
import re

import pypdfium2
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from app.core.letter import parse_letter
from app.rendering.pdf import ARCHIVAL_TAGGED, OneShotConverter, PdfConverter, PdfOptions
from app.rendering.signing import signature_placement
from app.services.templates import TemplateLibrary
from tests.conftest import PACK_IDS, sample_data


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


@pytest.mark.libreoffice
@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_shipped_pack_has_room_for_the_visible_signature_beside_its_block(pack_id: str,
                                                                                libreoffice: None) -> None:
    letter = parse_letter(sample_data(pack_id)).letter
    docx = TemplateLibrary().get(pack_id).render(letter, draft=False).data
    with PdfConverter() as converter:
        pdf = converter.convert(docx, ARCHIVAL_TAGGED)
    placement = signature_placement(pdf, letter.signatory.name)
    x1, y1, x2, y2 = placement.box
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[placement.page]
        text = page.get_textpage()
        name = text.search(letter.signatory.name).get_next()
        assert name is not None
        name_box = text.get_charbox(name[0])
        assert y1 <= name_box[3]
        assert y2 >= name_box[1]
        for i in range(text.count_rects()):                   # and over no printed line
            left, bottom, right, top = text.get_rect(i)
            assert right <= x1 or left >= x2 or top <= y1 or bottom >= y2
        text.close()
        page.close()
    finally:
        document.close()
