"""The command line: ``python main.py <command>`` or ``chambers <command>``.

Exit codes are part of the contract scripts rely on: 0 success, 1 a failure that is not the
input's fault (disk, LibreOffice), 2 invalid letter data, 3 a bad template, 4 PDF unavailable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.cli import drafts, letters, office, preflight, signing

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_TEMPLATE, EXIT_PDF = 0, 1, 2, 3, 4


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chambers",
        description="Chambers: formal court letters from Word template packs.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    letters.register(commands)
    drafts.register(commands)
    office.register(commands)
    signing.register(commands)  # adds to the parsers of drafts and office
    preflight.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    code: int = args.handler(args)
    return code
