"""What differs between a Python install and the PyInstaller bundle (and, later, between systems).

In the bundle ``sys.executable`` is the ``chambers`` or ``chambers-desk`` program itself, not a
Python: where Chambers runs ``sys.executable -m MODULE`` (the spelling word list is built in a
process of its own) the bundled program must run that module instead of reading ``-m`` as a
window option.
"""

from __future__ import annotations

import runpy
import sys

# The modules Chambers itself runs as ``sys.executable -m MODULE``; nothing else is run this way.
RUNNABLE = ("app.services.spelling",)


def frozen() -> bool:
    """Whether this is the PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def run_frozen_module(argv: list[str]) -> int | None:
    """In the bundle, ``PROGRAM -m MODULE ARGS`` runs MODULE as ``python -m`` would (its exit code);
    None when ``argv`` asks for something else."""
    if not frozen() or len(argv) < 3 or argv[1] != "-m":
        return None
    if argv[2] not in RUNNABLE:
        sys.exit(f"{argv[0]}: -m {argv[2]}: not a module Chambers runs")
    sys.argv = [argv[2], *argv[3:]]
    runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    return 0
