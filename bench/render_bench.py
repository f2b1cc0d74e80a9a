"""Rendering benchmarks: ours against the plain docxtpl loop a user would write, and the floor.

Peers, measured in the same run on the same pack and letter:
* plain loop: ``DocxTemplate(path)``; ``render(ctx, autoescape=True)``; ``save`` - what the
  docxtpl documentation shows, given the very same context dict ours renders.
* floor: writing the template's own bytes, once with the same durable atomic writer our batch
  uses (temp file, fsync, read back, rename) and once with a bare ``open().write()``.
* the whole ``chambers batch`` process (start, imports, CSV, 1,000 letters written durably, all
  cores) against the plain loop, and against its floor: a Python process start, the renders
  divided among the cores, and bare writes, all measured in this run. The machine may be shared:
  CPU time (user + system, the workers included) is reported beside wall time, since it does
  not grow when other processes take the cores.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process (its workers' CPU included: they are waited for)."""
    cpu, start = _children_cpu(), time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:2]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, _children_cpu() - cpu


def _whole_batch(work: Path, csv_path: Path, sample: dict[str, Any], runs: int) -> dict[str, Any]:
    """``python main.py batch`` as a clerk runs it, ``runs`` times into fresh folders: medians.

    With its bytecode compiled, as an installed Chambers has it (pip compiles it on install; the
    bundle carries it): the first, untimed run compiles it into a folder of the bench's own.
    """
    data = work / "letter.json"
    data.write_text(json.dumps(sample), encoding="utf-8")
    env = {**os.environ, "CHAMBERS_HOME": str(work / "home"), "PYTHONPYCACHEPREFIX": str(work / "bytecode")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    walls, cpus = [], []
    for n in range(-1, runs):
        out = work / f"whole-{n}"
        wall, cpu = _process(["main.py", "batch", "--template", "officials-concern", "--data", str(data),
                              "--addressees", str(csv_path), "--out", str(out)], env)
        shutil.rmtree(out, ignore_errors=True)
        if n < 0:
            continue  # the run that compiled the bytecode
        walls.append(wall)
        cpus.append(cpu)
    starts = [_process(["-c", "pass"], env) for _ in range(5)]
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "walls": walls,
            "python_start_wall": statistics.median(w for w, _ in starts),
            "python_start_cpu": statistics.median(c for _, c in starts)}


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
    # The floor renders letters to different people, as a merge does (each name read once).
    distinct = [parse_letter({**sample, "addressees": [a]}).letter for a in _addressee_rows(sample, 200)]
    start = time.perf_counter()
    for one in distinct:
        pack.render(one)
    distinct_ms = (time.perf_counter() - start) * 1000 / len(distinct)
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

        whole = _whole_batch(work, csv_path, sample, 1 if quick else 5)

        plain_dir = work / "plain"
        plain_dir.mkdir()
        plain_cpu = time.process_time()
        start = time.perf_counter()
        for i, a in enumerate(_addressee_rows(sample, n_batch)):
            one = parse_letter({**sample, "addressees": [a]}).letter
            ctx, _ = build_context(one, pack.manifest, draft=False)
            tpl = DocxTemplate(template_path)
            tpl.render(ctx, autoescape=True)
            tpl.save(plain_dir / f"{i}.docx")
        plain_batch = time.perf_counter() - start
        plain_cpu = time.process_time() - plain_cpu

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

    cores = os.cpu_count() or 1
    floor_whole = whole["python_start_wall"] + n_batch * distinct_ms / 1000 / cores + floor_plain
    return {
        "whole_process": {
            "ours_wall_s": round(whole["wall"], 3), "ours_cpu_s": round(whole["cpu"], 3),
            "ours_walls_s": [round(w, 3) for w in whole["walls"]],
            "plain_docxtpl_loop_wall_s": round(plain_batch, 3), "plain_docxtpl_loop_cpu_s": round(plain_cpu, 3),
            "speedup_wall": round(plain_batch / whole["wall"], 1),
            "speedup_cpu": round(plain_cpu / whole["cpu"], 1),
            "floor_s": round(floor_whole, 3),
            "floor_parts": {"python_start_s": round(whole["python_start_wall"], 3),
                            "render_distinct_ms": round(distinct_ms, 3), "bare_writes_s": round(floor_plain, 3)},
            "vs_floor": round(whole["wall"] / floor_whole, 2),
            "target_s": 1.0, "target_speedup": 20,
            "load_average": round(os.getloadavg()[0], 2),
        },
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
