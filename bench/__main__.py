"""``make bench``: run every benchmark, print ratios, write bench/results.json and BENCHMARKS.md.

Each suite runs in a process of its own, so one suite's imports and Qt state cannot skew
another's figures (and a toolkit that crashes on interpreter exit after reporting cannot lose
the numbers).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import report

ROOT = Path(__file__).resolve().parents[1]
SUITES = ("render_bench", "storage_bench", "drafts_list_bench", "gui_bench", "typing_bench", "pack_check_bench",
          "check_cost_bench", "office_bench", "batch_pdf_bench", "signing_bench")
MARK = "@@CHAMBERS-BENCH@@"
CHILD = (
    "import inspect, json, sys\n"
    "from bench import {name} as suite\n"
    "kwargs = {{'quick': True}} if {quick} and 'quick' in inspect.signature(suite.run).parameters else {{}}\n"
    "figures = suite.run(**kwargs)\n"
    "print({mark!r} + json.dumps(figures), flush=True)\n"
)


def run_suite(name: str, quick: bool) -> dict[str, Any] | None:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    code = CHILD.format(name=name, quick=quick, mark=MARK)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=3600, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            figures: dict[str, Any] = json.loads(line[len(MARK):])
            if proc.returncode != 0:
                print(f"{name}: figures reported, then the process exited with {proc.returncode}", file=sys.stderr)
            return figures
    print(f"{name}: failed (exit {proc.returncode})\n{proc.stderr[-3000:]}", file=sys.stderr)
    return None


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    wanted = [a for a in argv if not a.startswith("-")] or list(SUITES)
    results_path = ROOT / "bench" / "results.json"
    results: dict[str, Any] = {}
    if wanted != list(SUITES) and results_path.exists():  # a partial run keeps the other suites' figures
        results = {k: v for k, v in json.loads(results_path.read_text(encoding="utf-8")).items() if k in SUITES}
    results |= {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"{platform.python_implementation()} {platform.python_version()}",
    }
    failed = False
    for name in wanted:
        print(f"== {name}", flush=True)
        figures = run_suite(name, quick)
        if figures is None:
            failed = True
            continue
        results[name] = figures
        print(json.dumps(figures, indent=2), flush=True)
    results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    benchmarks = ROOT / "BENCHMARKS.md"
    text = benchmarks.read_text(encoding="utf-8") if benchmarks.exists() else "# Benchmarks\n"
    if not quick:
        benchmarks.write_text(report.update(text, results), encoding="utf-8")
    print(f"wrote {ROOT / 'bench' / 'results.json'}" + ("" if quick else " and BENCHMARKS.md"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
