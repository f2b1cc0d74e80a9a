"""kill -9 of a running mail merge leaves no worker behind and no letter written after it."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, sample_data

ROUNDS = 10


def _processes_naming(marker: str) -> list[int]:
    """The live processes whose command line holds ``marker`` (zombies are dead already)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _letters(folder: Path) -> int:
    return sum(1 for name in os.listdir(folder) if name.endswith(".docx"))


@pytest.fixture
def merge_input(tmp_path: Path) -> tuple[Path, Path]:
    letter = sample_data()
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(letter), encoding="utf-8")
    table = tmp_path / "addressees.csv"
    with table.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["honorific", "name", "title", "organization", "address"])
        for i in range(6000):
            writer.writerow(["The Honorable", f"Pat Official{i}", "Secretary of State", "State of Testing",
                             f"{i} Main Street|Sacramento, CA 95814"])
    return data, table


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the workers")
@pytest.mark.timeout(600)
def test_kill_9_of_batch_leaves_no_worker_and_no_more_letters(tmp_path: Path, merge_input: tuple[Path, Path]) -> None:
    data, table = merge_input
    env = {**os.environ, "CHAMBERS_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    for round_number in range(ROUNDS):
        out = tmp_path / f"merge-{round_number}"
        batch = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "batch", "--template", "officials-concern",
             "--data", str(data), "--addressees", str(table), "--out", str(out), "--jobs", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (out.is_dir() and _letters(out) >= 20):
                assert batch.poll() is None, "the merge ended before it could be killed"
                time.sleep(0.02)
            assert _letters(out) >= 20, "the merge wrote no letters within a minute"
            workers = [pid for pid in _processes_naming(str(out)) if pid != batch.pid]
            assert workers, "the merge runs no worker processes; the test would prove nothing"
            os.kill(batch.pid, signal.SIGKILL)
            batch.wait(10)
        finally:
            if batch.poll() is None:
                batch.kill()
                batch.wait()
        deadline = time.monotonic() + 5
        while _processes_naming(str(out)) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = _processes_naming(str(out))
        for pid in survivors:  # ours to end, so a failing run leaves nothing behind
            os.kill(pid, signal.SIGKILL)
        assert survivors == [], f"round {round_number}: workers outlived the merge"
        written = _letters(out)
        time.sleep(1.0)
        assert _letters(out) == written, f"round {round_number}: letters were written after the kill"
        assert written < 6000


def _bridges_under(folder: Path) -> list[int]:
    """The LibreOffice bridges whose folders are under ``folder`` (the batch's private TMPDIR)."""
    return [pid for pid in _processes_naming(str(folder)) if pid in _processes_naming("uno_bridge.py")]


def _session(leader: int) -> list[int]:
    """The other processes of the session ``leader`` leads (a bridge starts one; its office is in it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != leader:
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == leader:
                found.append(int(entry.name))
    return found


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            alive.append(pid)
    return alive


@pytest.mark.libreoffice
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the offices")
@pytest.mark.timeout(600)
def test_kill_9_of_batch_pdf_leaves_no_office_and_no_litter(tmp_path: Path, merge_input: tuple[Path, Path]) -> None:
    """The office of each worker dies with it, and takes its pipes, profile and temporary files along."""
    from app.core import hostos
    from app.rendering.pdf import find_uno_python
    from tests.conftest import need_libreoffice

    need_libreoffice()
    if find_uno_python() is None:
        pytest.skip("LibreOffice's Python bridge (python3-uno) is not installed")
    data, table = merge_input
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "CHAMBERS_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT),
           "TMPDIR": str(private_tmp)}
    try:
        for round_number in range(2):
            out = tmp_path / f"merge-{round_number}"
            batch = subprocess.Popen(
                [sys.executable, str(ROOT / "main.py"), "batch", "--template", "officials-concern", "--pdf",
                 "--data", str(data), "--addressees", str(table), "--out", str(out), "--jobs", "2"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
            offices: list[int] = []
            try:
                deadline = time.monotonic() + 180
                while time.monotonic() < deadline and not (out.is_dir() and len(list(out.glob("*.pdf"))) >= 2):
                    assert batch.poll() is None, "the merge ended before it could be killed"
                    time.sleep(0.05)
                bridges = _bridges_under(private_tmp)
                assert len(bridges) == 2, "each of the two workers should run its own office"
                offices = [pid for bridge in bridges for pid in _session(bridge)]
                assert offices, "the bridges run no office; the test would prove nothing"
                sockets = [Path(path) for pid in offices for path in hostos.listening_sockets(pid)]
                assert sockets, "the offices hold no pipe; the test would prove nothing"
                os.kill(batch.pid, signal.SIGKILL)
                batch.wait(10)
            finally:
                if batch.poll() is None:
                    batch.kill()
                    batch.wait()
            everyone = [*bridges, *offices]
            deadline = time.monotonic() + 30
            while _alive(everyone) and time.monotonic() < deadline:
                time.sleep(0.1)
            survivors = _alive(everyone)
            # Ours to end, so a failing run leaves nothing behind: every office names its profile,
            # which is under the private TMPDIR, even one the lists above missed.
            for pid in {*survivors, *_processes_naming(str(private_tmp))}:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            assert survivors == [], f"round {round_number}: LibreOffice outlived the merge"
            left = [path for path in sockets if os.path.lexists(path)] + list(private_tmp.rglob("*"))
            assert left == [], f"round {round_number}: the offices left files behind: {left}"
    finally:  # whatever failed, no office of this test outlives it
        for pid in _processes_naming(str(private_tmp)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
