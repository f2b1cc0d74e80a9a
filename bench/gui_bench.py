"""GUI benchmarks, each against a bare PySide6 process measured in the same run.

* cold start: ``python main.py --gui --bench-startup`` against a process that opens an empty
  QMainWindow; both timed from the spawn to the line each prints once its window is on screen. Ours is
  a clerk's every-day start: a drafts database with the clerk and a saved letter, the last session
  closed on that letter (its start card written). The first paint shows that letter's text and its
  preview from the card, keeping what is typed ("shown"); the window proper takes its place with the
  letter in the form and its fast preview drawn, what was typed given to it ("window"); the drafts
  database opens behind it ("database ready"). Each timed, and the CPU time (user + system) each
  process spent to its line, the steadier figure on shared cores. Median of 5, interleaved, after one
  unmeasured start. Target: the first paint at most 3x the bare window.
* keystroke to fast preview: a character typed into the subject with QTest, until the preview
  shows it; median and p95 over 200 edits, in process. Target: median under 30 ms.
* peak RSS (ru_maxrss) of the started window with the database open, against the bare window.
  Target: under 150 MB with the Page view open (LibreOffice's own processes measured apart).
All with QT_QPA_PLATFORM=offscreen, in a private data folder, with compiled bytecode cached as
an installed application has it (the first start writes it).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.qt_window import offscreen_window, wait_for

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
BARE_WINDOW = """
import json, resource
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"shown": True, "maxrss_kb": usage.ru_maxrss,
                  "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1000)}), flush=True)
"""
TARGET_STARTUP_RATIO = 3.0
TARGET_KEYSTROKE_MS = 30.0
TARGET_RSS_MB = 150.0


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", CHAMBERS_HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               PYTHONPYCACHEPREFIX=str(home / "bytecode"))
    env.pop("CHAMBERS_DATABASE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed application has its bytecode compiled
    return env


def _timed(command: list[str], env: dict[str, str]) -> tuple[list[float], list[dict[str, Any]]]:
    """Seconds from the spawn to each JSON line the process prints, and the lines."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    times: list[float] = []
    lines: list[dict[str, Any]] = []
    assert proc.stdout is not None
    for text in proc.stdout:
        if text.startswith("{"):
            times.append(time.perf_counter() - started)
            lines.append(json.loads(text))
    _out, err = proc.communicate(timeout=120)
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{command[1:3]} failed ({proc.returncode}): {err.strip()[-400:]}")
    return times, lines


def _yesterday(env: dict[str, str]) -> None:
    """A clerk, a saved letter, and the start a clerk had the day before (it leaves the start card)."""
    home = Path(env["CHAMBERS_HOME"])
    run = [sys.executable, "main.py"]
    subprocess.run([*run, "db", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*run, "users", "add", "carla", "--role", "clerk", "--full-name", "Carla Clerk"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    sample = home / "sample.json"
    sample.write_text(subprocess.run([*run, "sample", "officials-concern"], cwd=ROOT, env=env, check=True,
                                     capture_output=True, text=True).stdout, encoding="utf-8")
    made = subprocess.run([*run, "drafts", "new", "--as", "carla", "--template", "officials-concern",
                           "--data", str(sample)], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    letter_id = int(made.stdout.split()[-1])
    (home / "profile.json").write_text(json.dumps({"name": "carla"}), encoding="utf-8")
    (home / "preferences.json").write_text(json.dumps({"user": "carla", "recent": {
        "carla@this computer (SQLite)": [letter_id]}}), encoding="utf-8")
    _timed([*run, "--gui", "--bench-startup"], env)  # the full start: it writes the start card at close
    if not any((home / "start").glob("*.json")):
        raise RuntimeError("the start of the day before wrote no start card")


def _descendants_rss_kb(pid: int) -> int:
    """The resident memory of every process below ``pid`` (LibreOffice and its bridge), from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text(encoding="utf-8")
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        ppid = int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(ppid, []).append(int(entry.name))
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, todo = 0, list(children.get(pid, []))
    while todo:
        child = todo.pop()
        total += rss.get(child, 0)
        todo.extend(children.get(child, []))
    return total


def page_view_memory(env: dict[str, str]) -> dict[str, Any]:
    """Our peak RSS with the Page view open (pages on screen), and LibreOffice's own, apart."""
    proc = subprocess.Popen([sys.executable, "main.py", "--gui", "--bench-startup", "--bench-pages"], cwd=ROOT,
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdin is not None
    figures: dict[str, Any] = {}
    for text in proc.stdout:
        if not text.startswith("{"):
            continue
        line = json.loads(text)
        if line.get("pages") is False:
            figures["page_view_rss_note"] = line.get("why", "no LibreOffice")
            break
        if line.get("pages"):
            figures["page_view_peak_rss_mb"] = round(line["maxrss_kb"] / 1024, 1)
            figures["libreoffice_rss_mb"] = round(_descendants_rss_kb(proc.pid) / 1024, 1)
            proc.stdin.write("\n")
            proc.stdin.flush()
            break
    proc.communicate(timeout=120)
    return figures


def startup(runs: int = 5) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chambers-gui-bench-") as folder:
        env = _env(Path(folder))
        _yesterday(env)
        ours_cmd = [sys.executable, "main.py", "--gui", "--bench-startup"]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        _timed(bare_cmd, env)
        _timed(ours_cmd, env)  # the first start after the card: bytecode compiled as installed
        ours: dict[str, list[float]] = {"shown": [], "window": [], "database": []}
        ours_cpu, bare, bare_cpu, ours_rss, bare_rss = [], [], [], [], []
        for _ in range(runs):  # interleaved, so a busy moment of the machine hits both
            times, lines = _timed(ours_cmd, env)
            for at, line in zip(times, lines, strict=True):
                for what in ours:
                    if line.get(what):
                        ours[what].append(at)
                if line.get("shown"):
                    ours_cpu.append(line["cpu_ms"])
            ours_rss.append(lines[-1]["maxrss_kb"])
            times, lines = _timed(bare_cmd, env)
            bare.append(times[0])
            bare_cpu.append(lines[-1]["cpu_ms"])
            bare_rss.append(lines[-1]["maxrss_kb"])
        if not all(len(v) == runs for v in ours.values()):
            raise RuntimeError(f"a start did not print each of its lines: {ours}")
        pages = page_view_memory(env)
    bare_s = statistics.median(bare)
    ours_s, window_s, db_s = (statistics.median(ours[what]) for what in ("shown", "window", "database"))
    cpu, peer_cpu = statistics.median(ours_cpu), statistics.median(bare_cpu)
    rss_mb, bare_mb = max(ours_rss) / 1024, max(bare_rss) / 1024
    return {
        "startup_ms": round(ours_s * 1000), "bare_window_ms": round(bare_s * 1000),
        "startup_ratio_vs_bare": round(ours_s / bare_s, 2), "startup_target_ratio": TARGET_STARTUP_RATIO,
        "startup_runs_ms": [round(t * 1000) for t in ours["shown"]],
        "bare_window_runs_ms": [round(t * 1000) for t in bare],
        "startup_cpu_ms": round(cpu), "bare_window_cpu_ms": round(peer_cpu),
        "startup_cpu_ratio_vs_bare": round(cpu / peer_cpu, 2),
        "window_ready_ms": round(window_s * 1000), "window_ready_ratio_vs_bare": round(window_s / bare_s, 2),
        "database_ready_ms": round(db_s * 1000), "database_ready_ratio_vs_bare": round(db_s / bare_s, 2),
        "peak_rss_mb": round(rss_mb, 1), "bare_window_rss_mb": round(bare_mb, 1),
        "rss_ratio_vs_bare": round(rss_mb / bare_mb, 2), "rss_target_mb": TARGET_RSS_MB,
        "load_average": round(os.getloadavg()[0], 2), **pages,
    }


def keystrokes(edits: int = 200) -> dict[str, Any]:
    """Keystroke to fast preview, in this process (Qt offscreen, a private data folder)."""
    with offscreen_window("chambers-gui-bench-") as window:
        return _keystrokes(window, edits)


def _keystrokes(window: MainWindow, edits: int) -> dict[str, Any]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    def until(condition: Callable[[], bool]) -> None:
        wait_for(condition, window.checked, window.letter_loaded, timeout_ms=10_000,
                 what="the preview did not follow the edit")

    until(lambda: window.form is not None and window.last_check is not None and window.previewer.idle)
    form = window.form
    assert form is not None
    subject = form.subject
    subject.setFocus()
    subject.end(False)
    base = subject.text()
    timings = []
    for i in range(edits):
        char = "abcdefghijklmnopqrstuvwxyz"[i % 26]
        expected = base + char
        started = time.perf_counter()
        QTest.keyClick(subject, char)
        until(lambda e=expected: e in window.preview.plain_text())
        timings.append((time.perf_counter() - started) * 1000)
        QTest.keyClick(subject, Qt.Key.Key_Backspace)
        until(lambda e=expected: window.previewer.idle and e not in window.preview.plain_text())
    render_ms = window.last_check.millis if window.last_check is not None else 0.0
    timings.sort()
    return {
        "keystroke_to_preview_median_ms": round(statistics.median(timings), 1),
        "keystroke_to_preview_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "keystroke_target_median_ms": TARGET_KEYSTROKE_MS,
        "check_and_render_ms": round(render_ms, 1),
        "edits": edits,
    }


def run(quick: bool = False) -> dict[str, Any]:
    figures = startup(runs=3 if quick else 5)
    figures.update(keystrokes(edits=40 if quick else 200))
    figures["in_process_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
