"""The letter exactly as printed: the rendered .docx through LibreOffice to PDF, then to page images.

Qt's own PDF module is not in the wheels the GUI ships with, so the pages are rasterised here
with pdfium and handed over as plain bytes; the window only wraps them in images. A
``PagePreviewer`` keeps one ``PdfConverter`` (one LibreOffice profile) for its lifetime, so
only the first conversion pays for setting the profile up.
"""

from __future__ import annotations

import math
import threading
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core import hostos
from app.core.errors import ConversionError

if TYPE_CHECKING:  # pdfium and LibreOffice's side are imported when a page is asked for (the window's
    from pypdfium2 import PdfPage  # first paint sets return_large_buffers without them)

    from app.rendering.pdf import PdfConverter

POINTS_PER_INCH = 72
# glibc's M_MMAP_THRESHOLD (malloc.h), and the size from which a buffer gets a mapping of its own.
_M_MMAP_THRESHOLD = -3
LARGE_BUFFER = 1024 * 1024
# glibc's M_ARENA_MAX, and how many heaps a window's threads share (see share_heaps).
_M_ARENA_MAX = -8
WINDOW_HEAPS = 2
DEFAULT_SCALE = 1.5  # 108 dpi: sharp in a preview dock without costing much memory
MAX_PAGES = 40


@dataclass(frozen=True)
class PageImage:
    """One page as pixels: ``height`` rows of ``stride`` bytes, ``format`` names the byte order.

    Kept packed (zlib): a page is 4.4 MB of pixels at the default scale and mostly white paper, which
    packs to about 1% of that in some 10 ms; the page view keeps only what it draws at the size it
    shows, and unpacks a page again only when that size changes.
    """

    width: int
    height: int
    stride: int
    packed: bytes
    # 4 bytes a pixel, blue first, the fourth unused: Qt's RGB32 as laid out in memory on the
    # little-endian machines Chambers runs on, so the page view scales it without converting it first.
    format: str = "BGRX"

    def pixels(self) -> bytes:
        # Unpacked into one buffer of the page's size: zlib otherwise grows its output in blocks and
        # joins them at the end, holding the page twice for a moment (4 MB at the window's peak).
        return zlib.decompress(self.packed, bufsize=max(1, self.stride * self.height))


@dataclass(frozen=True)
class PageSet:
    """A letter's pages, and how long LibreOffice and the rasteriser took."""

    pages: list[PageImage]
    convert_ms: float
    raster_ms: float


def pdf_pages(pdf: bytes, scale: float = DEFAULT_SCALE, max_pages: int = MAX_PAGES) -> list[PageImage]:
    """Each page of ``pdf`` (at most ``max_pages``) rasterised at ``scale`` (1.0 = 72 dpi)."""
    import pypdfium2 as pdfium  # 0.25 s to import; only the page view needs it

    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise ConversionError(f"the PDF could not be read ({exc})") from None
    try:
        images = []
        for index in range(min(len(document), max_pages)):
            page = document[index]
            try:
                images.append(_page_in_bands(page, scale, index + 1))
            finally:
                page.close()
        return images
    finally:
        document.close()


def _page_in_bands(page: PdfPage, scale: float, number: int) -> PageImage:
    """One page rasterised a band of rows at a time, each band packed as soon as it is drawn.

    A whole page's bitmap (4.4 MB at the default scale) made and dropped at once was the window's
    peak with the Page view open (15 MB above the pages kept: the bitmap, pdfium's own buffers for
    it, the packing). Bands of at most ``LARGE_BUFFER`` bytes give pdfium the same page, clipped, for
    the same work: a letter's pages come out byte for byte as rendered whole, a drawn stroke's
    anti-aliasing within two levels of it (a test compares them with a whole-page render).
    """
    # The page's size in pixels as pypdfium2 computes it for a render, so the bands add up to it.
    width, height = math.ceil(page.get_width() * scale), math.ceil(page.get_height() * scale)
    rows = max(1, LARGE_BUFFER // (width * 4))
    packer = zlib.compressobj(1)
    packed: list[bytes] = []
    stride = 0
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        # pypdfium2 turns a crop in points into pixels with ceil(points * scale): half a pixel short
        # of each edge comes back as that edge exactly, whatever the rounding of the division.
        crop = (0.0, _crop_points(height - bottom, scale), 0.0, _crop_points(top, scale))
        bitmap = page.render(scale=scale, crop=crop, prefer_bgrx=True)
        try:
            if bitmap.mode != "BGRX":
                raise ConversionError(f"unexpected page pixel format {bitmap.mode} on page {number}")
            if (bitmap.width, bitmap.height) != (width, bottom - top) or stride not in (0, bitmap.stride):
                raise ConversionError(
                    f"page {number}: rows {top}-{bottom} came back {bitmap.width}x{bitmap.height} "
                    f"(stride {bitmap.stride}), not {width}x{bottom - top}")
            stride = bitmap.stride
            packed.append(packer.compress(bitmap.buffer))  # straight from pdfium's buffer, not copied
        finally:
            bitmap.close()
    packed.append(packer.flush())
    return PageImage(width, height, stride, b"".join(packed))


def _crop_points(pixels: int, scale: float) -> float:
    return max(0.0, pixels - 0.5) / scale


def page_view_available() -> str | None:
    """None when pages can be made; else what to install, said for the clerk."""
    from app.rendering.pdf import INSTALL_HINT, find_soffice

    if find_soffice() is None:
        return INSTALL_HINT.replace("so PDF cannot be made", "so the page view cannot be shown")
    return None


def return_large_buffers() -> bool:
    """Have the C library give a page's pixels back to the system when they are dropped (glibc only).

    Each layout makes and drops buffers of 4 MB a page (pdfium's bitmap, a page unpacked to be drawn).
    glibc raises its threshold for giving a buffer its own mapping to the size of the first large
    buffer freed (a file read whole at the start is enough), so every later one is carved from the
    heap, which does not shrink: measured at 4.5 MB of the window's peak with the Page view open. A
    fixed threshold keeps them mappings. Set by the window at its start, and by a page previewer.
    """
    return hostos.malloc_option(_M_MMAP_THRESHOLD, LARGE_BUFFER)


def share_heaps(heaps: int = WINDOW_HEAPS) -> bool:
    """Have the threads started from now on share ``heaps`` heaps of the C library (glibc only).

    glibc gives each new thread that allocates a heap of its own, up to eight per core, and what is
    freed in one heap stays with it. The window's ten threads (Qt's, the preview's and the page
    view's workers, LibreOffice's pipes) measured 3.3 MB of its peak with the Page view open that
    way (146.6 MB against 143.3 MB with two heaps). One heap saved 1-2 MB more, but would have the
    page view's pdfium and the preview's worker wait on the GUI thread's every allocation.
    """
    return hostos.malloc_option(_M_ARENA_MAX, heaps)


class PagePreviewer:
    """Turns rendered .docx bytes into page images; one conversion at a time, one warm profile."""

    def __init__(self, timeout: float = 60.0) -> None:
        from app.rendering.pdf import PdfConverter

        return_large_buffers()
        self._converter: PdfConverter = PdfConverter(timeout)
        self._lock = threading.Lock()
        self._closed = False

    def pages(self, docx: bytes, scale: float = DEFAULT_SCALE) -> PageSet:
        with self._lock:
            if self._closed:
                raise ConversionError("the page view has been closed")
            try:
                started = time.perf_counter()
                pdf = self._converter.convert(docx)
                converted = time.perf_counter()
                images = pdf_pages(pdf, scale)
                done = time.perf_counter()
            finally:
                if self._closed:  # closed while LibreOffice worked: the profile goes now
                    self._converter.close()
        return PageSet(images, (converted - started) * 1000, (done - converted) * 1000)

    def close(self) -> None:
        """Give the profile back; never waits for a layout under way (that one cleans up after itself)."""
        self._closed = True
        if self._lock.acquire(blocking=False):
            try:
                self._converter.close()
            finally:
                self._lock.release()

    def __enter__(self) -> PagePreviewer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
