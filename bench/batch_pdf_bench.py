"""``batch --pdf`` against its floor: the office's conversion time of one letter, times the
letters, divided by the cores.

Measured in the same run on the flagship pack: one resident LibreOffice converts 20 letters of
the merge one after another (after a warm-up, so its start is not counted), before the merge
and again after it; the floor is the median of those conversions times N over the cores. The
merge is the whole ``python main.py batch --pdf`` process writing N letters with their PDFs
(its start, its offices' starts, rendering, checks, durable writes all included). CPU time is
reported beside wall time since the machine may be shared.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app.core.letter import parse_letter
from app.rendering.pdf import ResidentOffice, conversion_mode
from app.services.templates import TemplateLibrary

ROOT = Path(__file__).resolve().parents[1]
LETTERS = 1000  # the merge; a smaller one would be mostly LibreOffice's start


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _people(sample: dict[str, Any], n: int) -> list[dict[str, Any]]:
    base = sample["addressees"]
    rows = []
    for i in range(n):
        a = dict(base[i % len(base)])
        a["name"] = f"{a['name'].split()[0]} Example{i}"
        rows.append(a)
    return rows


def _conversions(letters: list[bytes]) -> list[float]:
    """Seconds per conversion of each letter by one resident LibreOffice, its start left out."""
    times = []
    with ResidentOffice() as office:
        office.convert(letters[0])  # its start is the merge's cost, not the floor's
        for docx in letters:
            started = time.perf_counter()
            office.convert(docx)
            times.append(time.perf_counter() - started)
    return times


def run(quick: bool = False) -> dict[str, Any]:
    mode, note = conversion_mode()
    if mode != "resident":
        return {"skipped": f"needs LibreOffice with python3-uno ({note or mode})"}
    n = 30 if quick else LETTERS
    library = TemplateLibrary()
    pack = library.get("officials-concern")
    sample = json.loads(library.sample("officials-concern"))
    people = _people(sample, n)
    letters = [pack.render(parse_letter({**sample, "addressees": [a]}).letter).data for a in people[:20]]
    cores = os.cpu_count() or 1
    times = _conversions(letters)  # before the merge, and again after it: the load may change meanwhile
    work = Path(tempfile.mkdtemp(prefix="chambers-bench-pdf-"))
    try:
        table = work / "people.csv"
        with table.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["honorific", "name", "title", "organization", "address"])
            for a in people:
                writer.writerow([a.get("honorific", ""), a["name"], a["title"], a.get("organization", ""),
                                 "|".join(a.get("address", []))])
        data = work / "letter.json"
        data.write_text(json.dumps(sample), encoding="utf-8")
        out = work / "letters"
        env = {**os.environ, "CHAMBERS_HOME": str(work / "home")}
        cpu, started = _children_cpu(), time.perf_counter()
        proc = subprocess.run([sys.executable, "main.py", "batch", "--template", "officials-concern",
                               "--data", str(data), "--addressees", str(table), "--out", str(out), "--pdf"],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
        if proc.returncode != 0:
            raise RuntimeError(f"batch --pdf failed ({proc.returncode}): {proc.stderr[-2000:]}")
        pdfs = sum(1 for p in out.iterdir() if p.suffix == ".pdf")
        if pdfs != n:
            raise RuntimeError(f"batch --pdf wrote {pdfs} PDFs of {n}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    times += _conversions(letters)
    one = statistics.median(times)
    floor = one * n / cores
    return {
        "letters": n, "cores": cores,
        "one_conversion_ms": round(one * 1000, 1),
        "floor_s": round(floor, 2),
        "batch_pdf_wall_s": round(wall, 2), "batch_pdf_cpu_s": round(cpu, 2),
        "vs_floor": round(wall / floor, 2), "target_vs_floor": 1.5,
        "per_letter_ms": round(wall * 1000 / n, 1),
        "load_average": round(os.getloadavg()[0], 2),
    }
