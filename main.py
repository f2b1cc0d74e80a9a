"""Chambers: ``python main.py`` opens the window; ``python main.py <command>`` runs the CLI.

The same as the installed ``chambers-desk`` (see ``app/launch.py``); ``--version`` prints the version.
"""

from __future__ import annotations

import sys

from app.launch import no_screen, run, wants_window

__all__ = ["no_screen", "run", "wants_window"]

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], "python main.py"))
