"""The command line: ``python main.py <command>`` or ``chambers <command>``.

Exit codes are part of the contract scripts rely on: 0 success, 1 a failure that is not the
input's fault (disk, LibreOffice), 2 invalid letter data, 3 a bad template, 4 PDF unavailable.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from app import __version__
from app.cli import config, db, drafts, letters, office, preflight, signing
from app.config import ConfigProblem, configured, logging_to

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_TEMPLATE, EXIT_PDF = 0, 1, 2, 3, 4

log = logging.getLogger("app.cli")

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
  9  `verify`: could not check (the database unavailable, the pinned pack or seal missing)
`verify` and `audit verify` give 1 for a modified letter or a broken audit chain; see `verify --help`."""


# The registrations a command's own parser needs. A command listed here is parsed with only those,
# not with the fifty-odd parsers of every command: building them all cost 16 ms of CPU at every
# start (most of it argparse's gettext lookups, a few file-system checks for each help text),
# about a tenth of what `batch` does before its first letter. Any other word, a mistyped one
# included, and a help asked before the command get the whole parser, so every message that
# lists the commands still lists them all. Commands that open the database are not listed:
# their start is the database's.
COMMAND_REGISTRATIONS: dict[str, tuple[str, ...]] = {
    "render": ("letters",), "batch": ("letters",), "templates": ("letters",), "demo": ("letters",),
    "sample": ("letters",), "preflight": ("preflight",), "config": ("config",),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every command's, or with ``command`` one of
    ``COMMAND_REGISTRATIONS``, only what that command needs."""
    parser = argparse.ArgumentParser(
        prog="chambers",
        description="Chambers: formal court letters from Word template packs.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"Chambers {__version__}")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="count", default=0,
                          help="say more on standard error (-vv: everything); the log file is in the data "
                               "folder's logs/ (see `chambers config show`)")
    loudness.add_argument("-q", "--quiet", action="store_true", help="only errors on standard error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = COMMAND_REGISTRATIONS.get(command or "")
    if wanted is not None:
        for name in wanted:
            REGISTRATIONS[name](commands)
        return parser
    letters.register(commands)
    drafts.register(commands)
    office.register(commands)
    signing.register(commands)  # adds to the parsers of drafts and office
    preflight.register(commands)
    db.register(commands)
    config.register(commands)
    return parser


REGISTRATIONS = {"letters": letters.register, "preflight": preflight.register, "config": config.register}


def command_word(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word that is not an option (the top-level options
    take no value), or None when there is none or a help or version is asked before it."""
    for word in argv:
        if word in ("-h", "--help", "-V", "--version") or word.startswith("--help") or word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(command_word(words))
    args = parser.parse_args(words)
    if not getattr(args, "handler", None):
        build_parser().print_help(sys.stderr)  # every command's: it lists them
        return EXIT_INVALID
    try:
        with configured():
            from app.bootstrap import data_dir

            with logging_to(data_dir(), -1 if args.quiet else args.verbose):
                log.info("chambers %s", " ".join(mask_arguments(words)))
                code: int = args.handler(args)
                log.info("exit %d", code)
                return code
    except ConfigProblem as exc:
        print(f"The settings cannot be used: {exc}. Nothing was done.", file=sys.stderr)
        return EXIT_INVALID


def mask_arguments(words: list[str]) -> list[str]:
    """The command line as the log may keep it: no password of a database URL."""
    from app.config import SETTINGS, mask

    url = next(s for s in SETTINGS if s.key == "database_url")
    return [mask(url, word) for word in words]
