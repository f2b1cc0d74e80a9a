"""The window survives PySide6 6.12's lost references to None, True and False (a long day of typing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from app.ui.app import application

app = application([])
action = QAction("x")

class Flag(QObject):
    changed = Signal(bool)

flag = Flag()
flag.changed.connect(lambda _v: None)
for i in range(30_000):
    action.setEnabled(i % 2 == 0)   # returns nothing
    if i % 10 == 0:
        flag.changed.emit(True)     # a Signal(bool)
        app.processEvents()         # the guard's timer tops the counts up between bursts
print("alive")
"""


@pytest.mark.timeout(120)
def test_thirty_thousand_qt_calls_do_not_abort_the_interpreter() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=110,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "alive"
