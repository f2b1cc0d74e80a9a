"""What every command group over the drafts database shares: how a refusal becomes a sentence and
an exit code, the ``--db``/``--as`` options, and the help a bare group prints.

One place, so that ``db``, ``drafts``, ``office`` and the signing commands cannot drift apart in
the exit codes scripts rely on (5 refused, 6 conflict, 7 not found).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from app.cli.letters import EXIT_FAILED, EXIT_INVALID
from app.core.workflow import Conflict, NotFound, Refused, StorageUnavailable

EXIT_REFUSED, EXIT_CONFLICT, EXIT_NOT_FOUND = 5, 6, 7


def err(message: str) -> None:
    print(message, file=sys.stderr)


def sentence(text: str) -> str:
    """``text`` as a sentence: a capital first and one full stop at the end."""
    text = str(text).strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def said_as_exit(run: Callable[[], int], unavailable: int = EXIT_FAILED) -> int:
    """Run ``run``; a conflict, refusal, missing record or unreachable database is said on standard
    error as a sentence and answered with its exit code (``unavailable`` for the database)."""
    try:
        return run()
    except Conflict as exc:
        err(sentence(str(exc)))
        return EXIT_CONFLICT
    except Refused as exc:
        err(sentence(f"Refused: {exc}"))
        return EXIT_REFUSED
    except NotFound as exc:
        err(sentence(str(exc)))
        return EXIT_NOT_FOUND
    except StorageUnavailable as exc:
        err(sentence(str(exc)))
        return unavailable


def database_options() -> argparse.ArgumentParser:
    """The parent parser of every command that acts on the drafts database as someone."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=None,
                        help="database URL (default: $CHAMBERS_DATABASE_URL, else the local SQLite file)")
    common.add_argument("--as", dest="as_user", metavar="NAME", default=None,
                        help="act as this user for this command only (SQLite)")
    return common


def usage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """The handler of a command group named without its action: its help, and exit 2."""
    def show(_args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    return show
