"""``python main.py``: window options go to the window, words to the command line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import main
from tests.conftest import ROOT


@pytest.mark.parametrize(("args", "window"), [
    ([], True), (["--screenshot", "x.png"], True), (["--user", "ann"], True), (["--role", "judge"], True),
    (["render", "--template", "x"], False), (["--help"], False), (["drafts", "list"], False),
])
def test_window_or_command_line(args: list[str], window: bool) -> None:
    assert main.wants_window(args) is window


def test_without_a_screen_the_window_says_so_instead_of_aborting() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 1
    assert "The window cannot open: there is no screen here" in proc.stderr
    assert "python main.py --help" in proc.stderr
