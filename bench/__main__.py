"""``make bench``: run every benchmark, print ratios, write bench/results.json and BENCHMARKS.md."""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench import report

ROOT = Path(__file__).resolve().parents[1]
SUITES = ("render_bench", "storage_bench", "gui_bench")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    for name in SUITES:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ImportError as exc:
            print(f"{name}: skipped ({exc})", file=sys.stderr)
            continue
        print(f"== {name}", flush=True)
        figures = module.run(quick=quick)
        results[name] = figures
        print(json.dumps(figures, indent=2), flush=True)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    benchmarks = ROOT / "BENCHMARKS.md"
    text = benchmarks.read_text(encoding="utf-8") if benchmarks.exists() else "# Benchmarks\n"
    if not quick:
        benchmarks.write_text(report.update(text, results), encoding="utf-8")
    print(f"wrote {ROOT / 'bench' / 'results.json'}" + ("" if quick else " and BENCHMARKS.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
