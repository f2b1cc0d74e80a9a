"""Chambers: ``python main.py`` opens the window; ``python main.py <command>`` runs the CLI.

Window options start with a dash (``--screenshot FILE``, ``--role judge``, ``--user NAME``,
``--size WxH``); a first word without one is a command (``render``, ``drafts``, ...).
"""

from __future__ import annotations

import sys


def wants_window(args: list[str]) -> bool:
    return not args or (args[0].startswith("-") and args[0] not in ("-h", "--help"))


def run() -> int:
    args = sys.argv[1:]
    if wants_window(args):
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
