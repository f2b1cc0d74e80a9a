"""The bundled ``chambers-desk`` executable (PyInstaller): the window (and the command line)."""

import multiprocessing
import sys

from app.core.hostos import run_frozen_module

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if run_frozen_module(sys.argv) is None:
        from app.launch import desk

        sys.exit(desk())
