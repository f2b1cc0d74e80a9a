"""Page images: PDF pages rasterised by pdfium, and the .docx -> LibreOffice -> pages path."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from app.core.errors import ConversionError
from app.rendering.pages import PageImage, PagePreviewer, page_view_available, pdf_pages
from tests.conftest import sample_data


def _blank_pdf(pages: int) -> bytes:
    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(612, 792)  # US Letter, in points
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def _dark_share(page: PageImage) -> float:
    """The share of bytes that are not near white (text and rules on the page)."""
    pixels = page.pixels()
    rows = [pixels[y * page.stride:y * page.stride + page.width * 4] for y in range(0, page.height, 4)]
    dark = sum(sum(1 for b in row if b < 128) for row in rows)
    return dark / sum(len(row) for row in rows)


def test_pdf_pages_are_plain_bgrx_images_at_the_asked_scale_kept_packed() -> None:
    pages = pdf_pages(_blank_pdf(3), scale=1.0)
    assert len(pages) == 3
    first = pages[0]
    assert (first.width, first.height, first.format) == (612, 792, "BGRX")
    assert first.stride >= first.width * 4
    assert len(first.pixels()) == first.stride * first.height
    assert set(first.pixels()[:first.width * 4]) == {255}  # a blank page is white
    assert len(first.packed) < first.stride * first.height // 50  # kept packed: paper is mostly white
    assert pdf_pages(_blank_pdf(2), scale=2.0)[0].width == 1224
    assert len(pdf_pages(_blank_pdf(5), max_pages=2)) == 2


def test_what_is_not_a_pdf_is_a_conversion_error() -> None:
    with pytest.raises(ConversionError, match="could not be read"):
        pdf_pages(b"%PDF-1.7 this is not really a PDF")


def test_missing_libreoffice_is_reported_with_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    monkeypatch.setenv("CHAMBERS_SOFFICE", str(tmp_path / "no-soffice"))
    hint = page_view_available()
    assert hint is not None
    assert "sudo apt-get install libreoffice-writer-nogui" in hint
    with PagePreviewer() as previewer, pytest.raises(ConversionError, match="libreoffice-writer-nogui"):
        previewer.pages(b"PK")


@pytest.mark.libreoffice
@pytest.mark.timeout(300)
def test_the_flagship_letter_is_two_printed_pages(libreoffice: None) -> None:
    from app.bootstrap import template_library
    from app.core.letter import parse_letter

    pack = template_library().get("officials-concern")
    docx = pack.render(parse_letter(sample_data()).letter).data
    with PagePreviewer() as previewer:
        first = previewer.pages(docx, scale=1.0)
        again = previewer.pages(docx, scale=1.0)
    assert page_view_available() is None
    assert len(first.pages) >= 2
    assert [(p.width, p.height) for p in first.pages] == [(612, 792)] * len(first.pages)
    assert 0.001 < _dark_share(first.pages[0]) < 0.2
    assert [p.pixels() for p in again.pages] == [p.pixels() for p in first.pages]
