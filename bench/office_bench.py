"""LibreOffice benchmarks: the resident office over UNO against a fresh ``soffice`` per conversion.

Peers, measured in the same run on the flagship letter:
* one-shot: ``soffice --headless --convert-to pdf`` per conversion, with a profile kept warm
  between conversions (the converter Chambers used before, and the fallback without UNO).
* resident: one LibreOffice kept running, driven over UNO through the bridge.
"Page view after an edit" is the whole path the Page view takes: render the edited letter,
convert it, rasterise its pages.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from app.core.letter import Letter
from app.rendering.pages import pdf_pages
from app.rendering.pdf import OneShotConverter, ResidentOffice
from app.services.templates import TemplateLibrary


def _edited(pack: Any, base: dict[str, Any], n: int) -> bytes:
    data = dict(base)
    data["subject"] = f"{base['subject']} (edit {n})"
    return pack.render(Letter.model_validate(data), draft=True).data


def _page_view_ms(convert: Any, pack: Any, base: dict[str, Any], edits: int) -> list[float]:
    times = []
    for n in range(edits):
        started = time.perf_counter()
        pdf_pages(convert(_edited(pack, base, n)))
        times.append((time.perf_counter() - started) * 1000)
    return times


def run(quick: bool = False) -> dict[str, Any]:
    library = TemplateLibrary()
    pack = library.get("officials-concern")
    base = json.loads(library.sample("officials-concern"))
    edits, merge, one_shot_sample = (5, 20, 3) if quick else (20, 100, 10)
    with ResidentOffice() as office:
        started = time.perf_counter()
        office.convert(_edited(pack, base, -1))
        first_ms = (time.perf_counter() - started) * 1000
        resident_view = _page_view_ms(office.convert, pack, base, edits)
        letters = [_edited(pack, base, 1000 + n) for n in range(merge)]
        started = time.perf_counter()
        for docx in letters:
            office.convert(docx)
        resident_merge_ms = (time.perf_counter() - started) * 1000 / merge
    with OneShotConverter() as one_shot:
        one_shot.convert(_edited(pack, base, -2))  # the profile warm, as the old converter kept it
        one_shot_view = _page_view_ms(one_shot.convert, pack, base, max(3, edits // 4))
        started = time.perf_counter()
        for docx in letters[:one_shot_sample]:
            one_shot.convert(docx)
        one_shot_merge_ms = (time.perf_counter() - started) * 1000 / one_shot_sample
    view, peer_view = statistics.median(resident_view), statistics.median(one_shot_view)
    return {
        "first_conversion_ms": round(first_ms, 1),
        "page_view_edits": edits,
        "page_view_ms": {"resident_median": round(view, 1), "one_shot_median": round(peer_view, 1),
                         "speedup": round(peer_view / view, 1), "target_ms": 300},
        "merge_letters": merge,
        "pdf_per_letter_ms": {"resident": round(resident_merge_ms, 1), "one_shot": round(one_shot_merge_ms, 1),
                              "one_shot_measured_on": one_shot_sample,
                              "speedup": round(one_shot_merge_ms / resident_merge_ms, 1)},
    }
