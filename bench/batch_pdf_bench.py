"""``batch --pdf`` against its floor: the office's conversion time of one letter, times the
letters, divided by the cores.

Measured in the same run on the flagship pack: one resident LibreOffice converts 20 letters of
the merge one after another, as the merge converts them (tagged PDF/A), after a warm-up so its
start is not counted, before the merge and again after it; the floor is the median of those
conversions times N over the cores. The merge is the whole ``python main.py batch --pdf``
process writing N letters with their PDFs (its start, its offices' starts, rendering, checks,
durable writes all included).

The machine may be shared, and a floor "divided by the cores" assumes cores nobody else uses:
one office alone gets a core where two offices at once get less each. So two more figures are
measured in the same run. The floor with every core converting: as many offices as cores
converting at once, the wall time per letter over all of them. And CPU time, which the load
does not change: the office's CPU per conversion times N against the CPU of every process of
the merge, its offices and their bridges included (read from /proc, since the offices run in
sessions of their own that ``RUSAGE_CHILDREN`` never sees).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from app.core.letter import parse_letter
from app.rendering.pdf import EXPORTED, ResidentOffice, conversion_mode
from app.services.templates import TemplateLibrary

ROOT = Path(__file__).resolve().parents[1]
LETTERS = 1000  # the merge; a smaller one would be mostly LibreOffice's start
# A smaller merge while working on it (its ratio counts the offices' start more heavily).
LETTERS_KNOB = "CHAMBERS_BENCH_PDF_LETTERS"
SAMPLE_SECONDS = 0.1
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _people(sample: dict[str, Any], n: int) -> list[dict[str, Any]]:
    base = sample["addressees"]
    rows = []
    for i in range(n):
        a = dict(base[i % len(base)])
        a["name"] = f"{a['name'].split()[0]} Example{i}"
        rows.append(a)
    return rows


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


class _MergeCpu:
    """CPU seconds of every process that has ``marker`` (the merge's private TMPDIR) in its
    environment, by role; each process is read every ``SAMPLE_SECONDS`` until it is gone, so
    up to that much of each process's last moment is missed."""

    def __init__(self, marker: str) -> None:
        self._marker = marker.encode()
        self._ours: dict[tuple[int, str], str] = {}   # (pid, start time) -> role
        self._strangers: set[tuple[int, str]] = set()
        self._cpu: dict[tuple[int, str], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _role(self, pid: int) -> str | None:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        if self._marker not in environ and self._marker not in command:
            return None
        if b"soffice" in command.split(b"\0")[0]:
            return "offices"
        if b"uno_bridge.py" in command:
            return "bridges"
        return "python"  # the batch process, its workers, the probe for a Python with uno

    def _sample(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                start = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
            except (OSError, IndexError):
                continue
            key = (pid, start)
            if key in self._strangers:
                continue
            if key not in self._ours:
                role = self._role(pid)
                if role is None:
                    self._strangers.add(key)
                    continue
                self._ours[key] = role
            cpu = _cpu_seconds(pid)
            if cpu is not None:
                self._cpu[key] = max(cpu, self._cpu.get(key, 0.0))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def __enter__(self) -> _MergeCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def by_role(self) -> dict[str, float]:
        roles: dict[str, float] = {"offices": 0.0, "bridges": 0.0, "python": 0.0}
        for key, cpu in self._cpu.items():
            roles[self._ours[key]] += cpu
        return {role: round(cpu, 2) for role, cpu in roles.items()}


def _conversions(letters: list[bytes]) -> tuple[list[float], list[float]]:
    """Wall seconds of each letter's conversion by one resident LibreOffice, converted as the
    merge converts them, and the office's mean CPU seconds a conversion; its start left out."""
    times = []
    with ResidentOffice() as office:
        office.convert(letters[0], EXPORTED)  # its start is the merge's cost, not the floor's
        assert office.office_pid is not None
        before = _cpu_seconds(office.office_pid)
        for docx in letters:
            started = time.perf_counter()
            office.convert(docx, EXPORTED)
            times.append(time.perf_counter() - started)
        after = _cpu_seconds(office.office_pid)
    # CPU time is counted in clock ticks (10 ms): only the sum over all the letters is exact enough.
    cpu = [] if before is None or after is None else [(after - before) / len(letters)]
    return times, cpu


def _all_cores_converting(letters: list[bytes], cores: int) -> float:
    """Wall seconds per letter with ``cores`` resident offices converting at once (starts left out)."""
    offices = [ResidentOffice() for _ in range(cores)]
    try:
        for office in offices:
            office.convert(letters[0], EXPORTED)
        barrier = threading.Barrier(cores + 1)

        def convert_all(office: ResidentOffice) -> None:
            barrier.wait()
            for docx in letters:
                office.convert(docx, EXPORTED)

        threads = [threading.Thread(target=convert_all, args=(office,)) for office in offices]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        return (time.perf_counter() - started) / (len(letters) * cores)
    finally:
        for office in offices:
            office.close()


def run(quick: bool = False) -> dict[str, Any]:
    mode, note = conversion_mode()
    if mode != "resident":
        return {"skipped": f"needs LibreOffice with python3-uno ({note or mode})"}
    n = int(os.environ.get(LETTERS_KNOB) or (30 if quick else LETTERS))
    library = TemplateLibrary()
    pack = library.get("officials-concern")
    sample = json.loads(library.sample("officials-concern"))
    people = _people(sample, n)
    letters = [pack.render(parse_letter({**sample, "addressees": [a]}).letter).data for a in people[:20]]
    cores = os.cpu_count() or 1
    # Before the merge, and again after it: the load may change meanwhile.
    times, cpu = _conversions(letters)
    per_letter_all_cores = [_all_cores_converting(letters, cores)]
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
        private_tmp = work / "tmp"  # marks every process of the merge, offices included
        private_tmp.mkdir()
        env = {**os.environ, "CHAMBERS_HOME": str(work / "home"), "TMPDIR": str(private_tmp)}
        loads = [os.getloadavg()[0]]
        with _MergeCpu(str(private_tmp)) as merge_cpu:
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, "main.py", "batch", "--template", "officials-concern",
                                   "--data", str(data), "--addressees", str(table), "--out", str(out), "--pdf"],
                                  cwd=ROOT, env=env, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
        loads.append(os.getloadavg()[0])
        if proc.returncode != 0:
            raise RuntimeError(f"batch --pdf failed ({proc.returncode}): {proc.stderr[-2000:]}")
        pdfs = sum(1 for p in out.iterdir() if p.suffix == ".pdf")
        if pdfs != n:
            raise RuntimeError(f"batch --pdf wrote {pdfs} PDFs of {n}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    more_times, more_cpu = _conversions(letters)
    times, cpu = times + more_times, cpu + more_cpu
    per_letter_all_cores.append(_all_cores_converting(letters, cores))
    one, one_cpu = statistics.median(times), statistics.mean(cpu)
    floor = one * n / cores
    floor_all_cores = statistics.mean(per_letter_all_cores) * n
    roles = merge_cpu.by_role()
    merge_total_cpu = sum(roles.values())
    return {
        "letters": n, "cores": cores,
        "one_conversion_ms": round(one * 1000, 1),
        "floor_s": round(floor, 2),
        "batch_pdf_wall_s": round(wall, 2),
        "vs_floor": round(wall / floor, 2), "target_vs_floor": 1.5,
        "all_cores_letter_ms": round(statistics.mean(per_letter_all_cores) * 1000, 1),
        "floor_all_cores_s": round(floor_all_cores, 2),
        "vs_floor_all_cores": round(wall / floor_all_cores, 2),
        "one_conversion_cpu_ms": round(one_cpu * 1000, 1),
        "floor_cpu_s": round(one_cpu * n, 2),
        "batch_pdf_cpu_s": round(merge_total_cpu, 2), "batch_pdf_cpu_by_role_s": roles,
        "vs_floor_cpu": round(merge_total_cpu / (one_cpu * n), 2),
        "per_letter_ms": round(wall * 1000 / n, 1),
        "load_average": round(max(loads), 2),
    }
