"""What ``templates check`` of a stock pack costs, against one ``chambers render`` process.

The check compiles the pack and renders its sample (as a draft and signed) and the letters at
every size limit of the data contract; a clerk's ``render`` compiles the pack and renders one
letter. Both are whole processes (interpreter start and imports included, as a user runs them),
measured alternately in the same run, several times each: wall time, CPU time (user + system,
what load on the other cores changes least) and peak memory (the process's own ru_maxrss).

Targets (issue 14): the check of each stock pack within 2x the time of one render process, and
under 200 MB. It took 3.2-3.4 s and 486 MB (7.7x) while the stress letter held 40 million
characters; the letter's whole text is now capped (``app.core.letter.MAX_LETTER_TEXT``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKS = ("officials-concern", "legislative-position", "response-to-inquiry")
TARGET_RATIO = 2.0
TARGET_MB = 200
RUNS = 5
QUICK_RUNS = 2


def _process(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of ``python main.py *args``; it must exit 0."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    error = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {error[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run(quick: bool = False) -> dict[str, Any]:
    runs = QUICK_RUNS if quick else RUNS
    packs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="chambers-check-bench-") as work:
        for pack in PACKS:
            sample = ROOT / "templates" / pack / "sample.json"
            out = Path(work) / f"{pack}.docx"
            check: list[tuple[float, float, float]] = []
            render: list[tuple[float, float, float]] = []
            for _ in range(runs):  # alternately, so that a change in load falls on both alike
                check.append(_process(["templates", "check", pack]))
                render.append(_process(["render", "--template", pack, "--data", str(sample), "--out", str(out)]))
            wall_check = statistics.median(c[0] for c in check)
            wall_render = statistics.median(r[0] for r in render)
            cpu_check = statistics.median(c[1] for c in check)
            cpu_render = statistics.median(r[1] for r in render)
            packs[pack] = {
                "check_s": round(wall_check, 3), "render_s": round(wall_render, 3),
                "ratio_wall": round(wall_check / wall_render, 2),
                "check_cpu_s": round(cpu_check, 3), "render_cpu_s": round(cpu_render, 3),
                "ratio_cpu": round(cpu_check / cpu_render, 2),
                "check_peak_mb": round(max(c[2] for c in check), 1),
                "render_peak_mb": round(max(r[2] for r in render), 1),
            }
            print(f"{pack:22s} check {wall_check:.2f} s / render {wall_render:.2f} s = "
                  f"{wall_check / wall_render:.2f}x (CPU {cpu_check / cpu_render:.2f}x), "
                  f"check peak {packs[pack]['check_peak_mb']} MB", file=sys.stderr, flush=True)
    worst_ratio = max(p["ratio_wall"] for p in packs.values())
    worst_mb = max(p["check_peak_mb"] for p in packs.values())
    return {"runs": runs, "packs": packs, "worst_ratio_wall": worst_ratio, "worst_check_peak_mb": worst_mb,
            "target_ratio": TARGET_RATIO, "target_mb": TARGET_MB,
            "within_target": worst_ratio <= TARGET_RATIO and worst_mb < TARGET_MB,
            "load_average": round(os.getloadavg()[0], 2)}


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
