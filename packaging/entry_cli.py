"""The bundled ``chambers`` executable (PyInstaller): the command line."""

import multiprocessing
import sys

from app.core.hostos import run_frozen_module

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if run_frozen_module(sys.argv) is None:
        from app.cli import main

        sys.exit(main())
