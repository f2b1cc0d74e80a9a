"""Chambers: ``python main.py`` opens the window; ``python main.py <command>`` runs the CLI.

Window options start with a dash (``--screenshot FILE``, ``--role judge``, ``--user NAME``,
``--size WxH``); a first word without one is a command (``render``, ``drafts``, ...).
"""

from __future__ import annotations

import os
import sys


def wants_window(args: list[str]) -> bool:
    return not args or (args[0].startswith("-") and args[0] not in ("-h", "--help"))


def no_screen() -> str | None:
    """Why the window cannot open here, checked before Qt, which aborts the process instead."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return "there is no screen here (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def run() -> int:
    args = sys.argv[1:]
    if wants_window(args):
        reason = no_screen()
        if reason and ("--screenshot" in args or "--bench-startup" in args):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a picture needs no screen
        elif reason:
            print(f"The window cannot open: {reason}.\nUse the command line instead (python main.py --help), or "
                  "run `python main.py --screenshot FILE.png` to see the window as a picture.", file=sys.stderr)
            return 1
        from app.bootstrap import preload_for_window

        preload_for_window()
        try:
            from app.ui.app import run_gui
        except ImportError as exc:
            print(f"The window cannot open: {exc}.\nRun `make run` (it installs PySide6 and Qt's system "
                  "libraries), or use the command line: python main.py --help", file=sys.stderr)
            return 1
        return run_gui(args)
    from app.cli import main

    return main(args)


if __name__ == "__main__":
    sys.exit(run())
