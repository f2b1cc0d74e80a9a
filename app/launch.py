"""The two ways Chambers starts: ``chambers-desk`` (and ``python main.py``) and ``chambers``.

``chambers-desk`` opens the window; window options start with a dash (``--screenshot FILE``,
``--role judge``, ``--user NAME``, ``--size WxH``). A first word without one is a command
(``render``, ``drafts``, ...) run by the command line, so ``python main.py render ...`` and
``chambers render ...`` are the same thing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from app import __version__

VERSION_FLAGS = ("-V", "--version")


VERSION_LINE = f"Chambers {__version__}"


def wants_window(args: Sequence[str]) -> bool:
    return not args or (args[0].startswith("-") and args[0] not in ("-h", "--help", *VERSION_FLAGS))


def no_screen() -> str | None:
    """Why the window cannot open here, checked before Qt, which aborts the process instead."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return "there is no screen here (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def run(args: Sequence[str], program: str = "chambers-desk") -> int:
    """The window for window options (or none), else the command line."""
    args = list(args)
    if args and args[0] in VERSION_FLAGS:
        print(VERSION_LINE)
        return 0
    if wants_window(args):
        reason = no_screen()
        if reason and ("--screenshot" in args or "--bench-startup" in args):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a picture needs no screen
        elif reason:
            print(f"The window cannot open: {reason}.\nUse the command line instead ({program} --help), or "
                  f"run `{program} --screenshot FILE.png` to see the window as a picture.", file=sys.stderr)
            return 1
        from app.bootstrap import data_dir
        from app.config import ConfigProblem, configured, logging_to
        from app.rendering.pages import share_heaps

        share_heaps()  # before the window starts its threads
        try:
            from app.ui.import_hook import spare_source_reads

            spare_source_reads()  # before the window's own imports, which it spares
            # Qt and the start card only: the window proper is imported behind its first paint.
            from app.ui.first_paint import run_window
        except ImportError as exc:
            print(f"The window cannot open: {exc}.\nInstall Chambers with its window (pip install "
                  f"'chambers[gui]', or `make run` in a checkout), or use the command line: chambers --help",
                  file=sys.stderr)
            return 1
        try:
            with configured(), logging_to(data_dir()):
                return run_window(args)
        except ConfigProblem as exc:
            print(f"The window cannot open: the settings cannot be used: {exc}.", file=sys.stderr)
            return 2
    from app.cli import main

    return main(args)


def desk() -> int:
    """The ``chambers-desk`` entry point."""
    return run(sys.argv[1:], "chambers-desk")
