"""Chambers: ``python main.py`` opens the window; ``python main.py <command>`` runs the CLI."""

from __future__ import annotations

import sys


def run() -> int:
    args = sys.argv[1:]
    if not args or args[0].startswith("--screenshot") or args[0] in ("--gui",):
        try:
            from app.ui.app import run_gui
        except ImportError:
            from app.cli import main
            return main(["demo"])
        return run_gui(args)
    from app.cli import main
    return main(args)


if __name__ == "__main__":
    sys.exit(run())
