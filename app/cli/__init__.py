"""The command line: ``python main.py <command>`` or ``chambers <command>``.

Exit codes are part of the contract scripts rely on: 0 success, 1 a failure that is not the
input's fault (disk, LibreOffice), 2 invalid letter data, 3 a bad template, 4 PDF unavailable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app import __version__
from app.cli import db, drafts, letters, office

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_TEMPLATE, EXIT_PDF = 0, 1, 2, 3, 4

EXIT_CODES = """exit codes:
  0  done
  1  a failure that is not the input's fault (disk, database, LibreOffice); the message names it
  2  invalid letter data or options, or a target Chambers will not write
  3  a bad or unsafe template
  4  PDF unavailable (LibreOffice is not installed)
  5  refused (your role, or the letter's state)
  6  conflict: someone saved first, nothing was overwritten
  7  not found (letter, user or file)
  8  `verify`: approved by a judge who is not the signatory, with no record of signing for them
`verify` and `audit verify` give 1 for a modified letter or a broken audit chain; see `verify --help`."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chambers",
        description="Chambers: formal court letters from Word template packs.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"Chambers {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    letters.register(commands)
    drafts.register(commands)
    office.register(commands)
    db.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    code: int = args.handler(args)
    return code
