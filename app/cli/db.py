"""``chambers db``: create, migrate, back up and restore the drafts database, and PostgreSQL roles.

A database is made only by ``db init`` (or the window's first start); every other command refuses
a path with no database and creates nothing.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path

from app import bootstrap
from app.bootstrap import Services
from app.cli.common import err, said_as_exit, sentence, usage
from app.cli.drafts import guarded
from app.cli.letters import EXIT_FAILED, EXIT_OK, run_guarded
from app.core.workflow import Refused

log = logging.getLogger(__name__)


def _plain(action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a command that opens the database itself; its refusals as sentences and exit codes."""
    def handler(args: argparse.Namespace) -> int:
        return run_guarded(lambda: said_as_exit(lambda: action(args)))
    return handler


def cmd_init(args: argparse.Namespace) -> int:
    where, made = bootstrap.init_database(args.db)
    if made:
        print(f"Created a new Chambers database at {where}. Add its first user: chambers users add NAME --role admin")
    else:
        print(f"{where} already holds a Chambers database; nothing was changed.")
    return EXIT_OK


def cmd_upgrade(args: argparse.Namespace) -> int:
    where, before, after, backup = bootstrap.upgrade_database(args.db, backup=not args.without_backup)
    if before == after:
        print(f"The database {where} is at schema {after} (already up to date)")
    else:
        print(f"The database {where} is at schema {after} (was {before or 'empty'})")
    log.info("upgraded %s from schema %s to %s (copy before: %s)", where, before, after, backup)
    if backup is not None:
        print(f"The database as it was before is kept in {backup} until the next upgrade succeeds.")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    check = bootstrap.backup_database(args.file, args.db)
    if check.broken:
        err(f"Wrote {check.where}, but the audit log it copied is broken at {check.broken}: "
            "the database itself was changed behind Chambers' back (run `chambers audit verify`).")
        return EXIT_FAILED
    print(f"Wrote {check.where}: {check.summary()}. It was opened and checked after it was written.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    check, kept = bootstrap.restore_database(args.file, args.db)
    log.info("restored %s into %s: %s (the database it replaced: %s)", args.file, check.where, check.summary(), kept)
    if kept is not None:
        print(f"The database as it was before the restore is kept in {kept}.")
    print(f"Restored {args.file} into {check.where}: {check.summary()}.")
    for note in check.notes:
        print(sentence(note))
    return EXIT_OK


def cmd_init_roles(args: argparse.Namespace, s: Services) -> int:
    from app.storage.database import init_roles

    if s.store.dialect != "postgresql":
        raise Refused("database roles exist only on PostgreSQL; on SQLite Chambers checks roles itself")
    done = init_roles(s.store, {u.name: u.role.value for u in s.users.list()})  # type: ignore[arg-type]
    for line in done:
        print(f"Set up {line}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=None,
                        help="database URL or SQLite file (default: $CHAMBERS_DATABASE_URL, else the local SQLite "
                             "file in the data folder)")
    db = commands.add_parser("db", help="the database: create, migrate, back up, restore; PostgreSQL roles")
    b = db.add_subparsers(dest="db_command", metavar="ACTION")
    p = b.add_parser("init", parents=[common],
                     help="create a new, empty database (the only command that makes one)")
    p.set_defaults(handler=_plain(cmd_init))
    p = b.add_parser("upgrade", parents=[common],
                     help="migrate the database to this version's schema (an embedded one is copied first)")
    p.add_argument("--without-backup", action="store_true",
                   help="PostgreSQL: migrate without the pg_dump made first (only when you made your own)")
    p.set_defaults(handler=_plain(cmd_upgrade))
    p = b.add_parser("backup", parents=[common],
                     help="copy the database to FILE while it is in use (SQLite's backup API; pg_dump for "
                          "PostgreSQL), then open the copy and check its audit log")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=_plain(cmd_backup))
    p = b.add_parser("restore", parents=[common],
                     help="replace the database with the backup FILE after checking it (the database it "
                          "replaces is kept); a backup from a newer Chambers is refused")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=_plain(cmd_restore))
    p = b.add_parser("init-roles", parents=[common],
                     help="PostgreSQL: create group roles, grants and a login per user")
    p.add_argument("--as", dest="as_user", metavar="NAME", default=None,
                   help="act as this user for this command only (SQLite)")
    p.set_defaults(handler=guarded(cmd_init_roles))
    db.set_defaults(handler=usage(db))

