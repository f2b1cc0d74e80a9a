"""``chambers templates new NAME``: a working pack to start from, in the court's own packs folder."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from app.bootstrap import data_dir, template_library
from app.cli.letters import EXIT_INVALID, EXIT_OK, run_guarded
from app.core.files import make_private_folder
from app.services.templates import SHIPPED

PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
PACK_FILES = ("letter.docx", "manifest.yaml", "sample.json")
STARTER = "response-to-inquiry"  # the simplest shipped pack: one list of paragraphs, no extra sections


def cmd_templates_new(args: argparse.Namespace) -> int:
    def action() -> int:
        name: str = args.name
        if not PACK_ID.match(name):
            print(f"{name!r} cannot name a pack: use lower-case letters, digits and hyphens "
                  "(e.g. notice-to-counsel), at most 61 characters.", file=sys.stderr)
            return EXIT_INVALID
        source = SHIPPED / args.start_from
        if not (source / "manifest.yaml").is_file():
            print(f"--from {args.start_from}: not a shipped pack (see `chambers templates list`).", file=sys.stderr)
            return EXIT_INVALID
        # Always where Chambers finds it: a pack made anywhere a person types would be a writer
        # outside the output policy, and one Chambers does not read.
        parent = data_dir() / "templates"
        target = parent / name
        if target.exists():
            print(f"{target} already exists; it is left as it is (choose another name).", file=sys.stderr)
            return EXIT_INVALID
        make_private_folder(parent)
        # Made complete in a temporary folder beside it, then renamed: never a half-made pack.
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=parent))
        try:
            for file in PACK_FILES:
                shutil.copyfile(source / file, staging / file)
            manifest = yaml.safe_load((source / "manifest.yaml").read_text(encoding="utf-8"))
            manifest.update(id=name, name=name.replace("-", " ").capitalize(), version="0.1.0",
                            description=f"The court's own pack, started from {args.start_from}.")
            (staging / "manifest.yaml").write_text(
                f"# Template pack {name}: see docs/guide-packs.md; check it with `chambers templates check`.\n"
                + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), encoding="utf-8")
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        # Loading it checks the manifest against the template; `templates check` renders it at every limit.
        template_library().get(str(target))
        print(f"Made the pack {name} in {target} (a copy of {args.start_from} under its own id).\n"
              f"Edit letter.docx in Word or LibreOffice, then check it: chambers templates check {target}")
        return EXIT_OK
    return run_guarded(action)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = sub.add_parser("new", help="make a working pack to start from, in the court's own packs folder "
                                     "(templates/ in the data folder)")
    new.add_argument("name", help="the new pack's id: lower-case letters, digits and hyphens")
    new.add_argument("--from", dest="start_from", default=STARTER, metavar="PACK",
                     help=f"the shipped pack to start from (default: {STARTER})")
    new.set_defaults(handler=cmd_templates_new)
