"""Page images: PDF pages rasterised by pdfium, and the .docx -> LibreOffice -> pages path."""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from app.core.errors import ConversionError
from app.rendering.pages import LARGE_BUFFER, PageImage, PagePreviewer, page_view_available, pdf_pages
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


def _drawn_pdf() -> bytes:
    """A page with shapes across the bands' edges: a diagonal, a circle and a thin rule, anti-aliased."""
    document = pdfium.PdfDocument.new()
    page = document.new_page(612, 792)
    raw = pdfium.raw
    for points, width in ((((40, 40), (570, 750)), 3.3), (((300, 100), (300, 700)), 0.7)):
        path = raw.FPDFPageObj_CreateNewPath(*points[0])
        raw.FPDFPath_LineTo(path, *points[1])
        raw.FPDFPageObj_SetStrokeColor(path, 20, 60, 200, 255)
        raw.FPDFPageObj_SetStrokeWidth(path, width)
        raw.FPDFPath_SetDrawMode(path, 0, True)
        page.insert_obj(pdfium.PdfObject(path))
    circle = raw.FPDFPageObj_CreateNewPath(306, 396)
    raw.FPDFPath_BezierTo(circle, 306, 512.7, 420, 600, 500, 600)
    raw.FPDFPath_Close(circle)
    raw.FPDFPageObj_SetFillColor(circle, 200, 30, 30, 255)
    raw.FPDFPath_SetDrawMode(circle, raw.FPDF_FILLMODE_ALTERNATE, False)
    page.insert_obj(pdfium.PdfObject(circle))
    page.gen_content()
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0, 1 / 3, 2.37])
def test_a_page_rasterised_in_bands_is_the_page_rasterised_whole(scale: float) -> None:
    """Same size, same rows; a stroke's anti-aliasing may differ by a level or two where pdfium clips it
    (a letter's text came out byte for byte the same at 1x-3x)."""
    pdf = _drawn_pdf()
    [page] = pdf_pages(pdf, scale=scale)
    document = pdfium.PdfDocument(pdf)
    whole = document[0].render(scale=scale, prefer_bgrx=True)
    try:
        assert (page.width, page.height, page.stride) == (whole.width, whole.height, whole.stride)
        banded, entire = page.pixels(), bytes(whole.buffer)
        assert len(banded) == len(entire)
        differing = [abs(a - b) for a, b in zip(banded, entire, strict=True) if a != b]
        assert max(differing, default=0) <= 2
        assert len(differing) < len(entire) // 200
    finally:
        whole.close()
        document.close()
    assert len(set(page.pixels())) > 10  # drawn in colour, anti-aliased: not blank paper


def test_no_bitmap_of_a_whole_page_is_made_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's peak with the Page view open was a page's whole bitmap (4.4 MB at the default
    scale) beside pdfium's buffers for it: pages are drawn a band of at most LARGE_BUFFER at a time."""
    made: list[int] = []
    render = pdfium.PdfPage.render

    def counted(self: pdfium.PdfPage, *args: object, **kwargs: object) -> pdfium.PdfBitmap:
        bitmap = render(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(bitmap.stride * bitmap.height)
        return bitmap

    monkeypatch.setattr(pdfium.PdfPage, "render", counted)
    pages = pdf_pages(_drawn_pdf())
    assert pages[0].stride * pages[0].height > 4 * LARGE_BUFFER
    assert made
    assert max(made) <= LARGE_BUFFER
    assert sum(made) == pages[0].stride * pages[0].height


def test_a_page_is_unpacked_without_a_second_copy_of_its_pixels() -> None:
    """The page view unpacks a page to draw it at a new size: the full-size pixels once, not twice."""
    [page] = pdf_pages(_drawn_pdf())
    size = page.stride * page.height
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        pixels = page.pixels()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert len(pixels) == size
    assert peak < size * 1.1


_HEAPS_AFTER_THREADS = """
import ctypes, sys, tempfile, threading
from app.rendering.pages import share_heaps
if sys.argv[1] == "shared":
    assert share_heaps(2)
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.fopen.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
together = threading.Barrier(6)
def allocate():  # all six alive at once: a thread that ended hands its heap to the next one
    libc.free(libc.malloc(200_000))
    together.wait()
threads = [threading.Thread(target=allocate) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with tempfile.NamedTemporaryFile(suffix=".xml") as report:
    stream = libc.fopen(report.name.encode(), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(open(report.name).read().count("<heap nr="))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heaps")
def test_the_window_threads_share_two_heaps() -> None:
    """Each of the window's threads had a heap of its own, what one freed kept from the others."""
    def heaps(mode: str) -> int:
        done = subprocess.run([sys.executable, "-c", _HEAPS_AFTER_THREADS, mode], capture_output=True, text=True,
                              check=True, cwd=Path(__file__).resolve().parents[2], timeout=60)
        return int(done.stdout.strip())

    assert heaps("own") > 2  # glibc's own policy: a heap a thread (the measure sees them)
    assert heaps("shared") <= 2
