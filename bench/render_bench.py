"""Rendering benchmarks: ours against the plain docxtpl loop a user would write, and the floor.

Peers, measured in the same run on the same pack and letter:
* plain loop: ``DocxTemplate(path)``; ``render(ctx, autoescape=True)``; ``save`` - what the
  docxtpl documentation shows, given the very same context dict ours renders.
* floor: writing the template's own bytes, once with the same durable atomic writer our batch
  uses (temp file, fsync, read back, rename) and once with a bare ``open().write()``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from app.core.files import atomic_write
from app.core.letter import parse_letter
from app.rendering.context import build_context
from app.rendering.engine import CompiledPack
from app.services.letters import batch
from app.services.templates import TemplateLibrary

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "templates" / "officials-concern"
BATCH = 1000


def _median_ms(fn: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _addressee_rows(sample: dict[str, Any], n: int) -> list[dict[str, Any]]:
    base = sample["addressees"]
    rows = []
    for i in range(n):
        a = dict(base[i % len(base)])
        a["name"] = f"{a['name'].split()[0]} Example{i}"
        rows.append(a)
    return rows


def run(quick: bool = False) -> dict[str, Any]:
    sample = json.loads((PACK / "sample.json").read_text(encoding="utf-8"))
    letter = parse_letter(sample).letter
    pack = CompiledPack(PACK)
    context, _ = build_context(letter, pack.manifest, draft=False)
    template_path = PACK / "letter.docx"
    n_batch = 100 if quick else BATCH

    def plain_once(out: Any) -> None:
        tpl = DocxTemplate(template_path)
        tpl.render(context, autoescape=True)
        tpl.save(out)

    ours_ms = _median_ms(lambda: pack.render(letter), 50 if quick else 300)
    plain_ms = _median_ms(lambda: plain_once(io.BytesIO()), 10 if quick else 40)

    work = Path(tempfile.mkdtemp(prefix="chambers-bench-"))
    try:
        # The batch as a user runs it: CSV of addressees -> one file each, all cores.
        csv_path = work / "addressees.csv"
        with csv_path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["honorific", "name", "title", "organization", "address"])
            for a in _addressee_rows(sample, n_batch):
                writer.writerow([a.get("honorific", ""), a["name"], a["title"], a.get("organization", ""),
                                 "|".join(a.get("address", []))])
        library = TemplateLibrary([ROOT / "templates"])
        start = time.perf_counter()
        report = batch(library, "officials-concern", sample, csv_path, work / "ours", jobs=os.cpu_count())
        ours_batch = time.perf_counter() - start
        if len(report.written) != n_batch or report.failed:
            raise RuntimeError(f"batch failed: {report.failed[:3]}")

        # Same work on one core, to show what the engine does without the process pool.
        start = time.perf_counter()
        report = batch(library, "officials-concern", sample, csv_path, work / "single", jobs=1)
        ours_single = time.perf_counter() - start
        if len(report.written) != n_batch or report.failed:
            raise RuntimeError(f"batch failed: {report.failed[:3]}")

        plain_dir = work / "plain"
        plain_dir.mkdir()
        start = time.perf_counter()
        for i, a in enumerate(_addressee_rows(sample, n_batch)):
            one = parse_letter({**sample, "addressees": [a]}).letter
            ctx, _ = build_context(one, pack.manifest, draft=False)
            tpl = DocxTemplate(template_path)
            tpl.render(ctx, autoescape=True)
            tpl.save(plain_dir / f"{i}.docx")
        plain_batch = time.perf_counter() - start

        raw = template_path.read_bytes()
        floor_dir = work / "floor"
        floor_dir.mkdir()
        start = time.perf_counter()
        for i in range(n_batch):
            atomic_write(floor_dir / f"{i}.docx", raw)
        floor_atomic = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(n_batch):
            (floor_dir / f"plain{i}.docx").write_bytes(raw)
        floor_plain = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)

    return {
        "pack": "officials-concern",
        "letters_in_batch": n_batch,
        "cores": os.cpu_count(),
        "one_letter_ms": {"ours": round(ours_ms, 3), "plain_docxtpl_loop": round(plain_ms, 3),
                          "speedup": round(plain_ms / ours_ms, 1)},
        "batch_seconds": {"ours_all_cores": round(ours_batch, 3), "ours_one_core": round(ours_single, 3),
                          "plain_docxtpl_loop": round(plain_batch, 3),
                          "speedup_all_cores": round(plain_batch / ours_batch, 1),
                          "speedup_one_core": round(plain_batch / ours_single, 1)},
        "floor_seconds": {"atomic_durable_write": round(floor_atomic, 3), "bare_write": round(floor_plain, 3),
                          "ours_vs_atomic_floor": round(ours_batch / floor_atomic, 2),
                          "ours_vs_bare_floor": round(ours_batch / floor_plain, 2),
                          "ours_one_core_vs_atomic_floor": round(ours_single / floor_atomic, 2)},
    }
