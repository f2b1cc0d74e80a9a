"""The window's runners: a runner deleted while its job runs waits for the job without a deadlock."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = [pytest.mark.gui]

# In a process of its own: the deadlock this guards against would hang the test run itself, so the
# verdict is whether the child finished (the timeout only stops a child that never would).
CHILD = textwrap.dedent("""
    import time
    from PySide6.QtCore import QObject
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget
    from app.ui.workers import OpRunner

    app = QApplication([])
    owner = QObject()
    runner = OpRunner(owner, threads=1)
    done = []

    def work():
        started = time.perf_counter()
        while time.perf_counter() - started < 0.3:  # Python work: it needs the GIL to finish
            sum(range(1000))
        done.append(True)

    runner.run(work)
    time.sleep(0.05)
    owner.deleteLater()  # the window closes while the job runs
    del runner
    widget = QWidget()
    widget.show()
    QTest.qWaitForWindowActive(widget, 2000)  # processes the deferred delete holding the GIL
    deadline = time.perf_counter() + 60
    while not done and time.perf_counter() < deadline:
        time.sleep(0.01)
    print("finished", done, flush=True)
""")


def test_a_runner_deleted_while_its_job_runs_does_not_deadlock_the_gui_thread() -> None:
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "finished [True]" in proc.stdout  # the job ran to its end
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]  # and nobody was told of it, without an error
