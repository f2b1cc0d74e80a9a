"""``chambers config show``: every setting, its value and where it came from (secrets masked)."""

from __future__ import annotations

import argparse
import json

from app.cli.letters import EXIT_OK
from app.config import SETTINGS, config_path, shown


def cmd_show(args: argparse.Namespace) -> int:
    from app.bootstrap import data_dir

    rows = shown()
    path = config_path()
    if args.json:
        print(json.dumps({"file": str(path) if path else None,
                          "settings": [{"key": s.key, "variable": s.variable, "value": value, "from": source}
                                       for s, value, source in rows]}, indent=2))
        return EXIT_OK
    where = f"{path} ({'found' if path and path.is_file() else 'none there'})" if path else "none ($CHAMBERS_CONFIG=)"
    print(f"Settings file: {where}")
    print(f"Data folder: {data_dir()} (log: {data_dir() / 'logs' / 'chambers.log'})")
    width = max(len(s.key) for s in SETTINGS)
    for setting, value, source in rows:
        print(f"  {setting.key:<{width}}  {value}")
        print(f"  {'':<{width}}  from {source}; variable ${setting.variable}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    settings = "\n".join(f"  {s.key} (${s.variable}): {s.help} Default: {s.default}." for s in SETTINGS)
    config = commands.add_parser(
        "config", help="the settings: chambers.toml and environment variables",
        description="Each setting has a key in chambers.toml (in the platform's config folder, or the file "
                    "named by $CHAMBERS_CONFIG) and an environment variable, which wins over the file.",
        epilog=f"settings:\n{settings}", formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = config.add_subparsers(dest="config_command", metavar="ACTION")
    p = sub.add_parser("show", help="each setting's value and where it came from (passwords masked)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_show)

    def overview(_args: argparse.Namespace) -> int:
        config.print_help()
        return EXIT_OK

    config.set_defaults(handler=overview)
