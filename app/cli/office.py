"""``office profile``: the office's court profile, the letterhead every new letter starts from.

``show`` is for everyone; ``set`` and ``seal`` are an admin's (refused otherwise, exit 5, nothing
changed). Each change is one audited version of the profile; ``--expect-version N`` refuses it
when someone else changed the profile after version N was read (exit 5).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.bootstrap import Services
from app.cli.common import database_options, err, sentence, usage
from app.cli.drafts import guarded
from app.cli.letters import EXIT_FAILED, EXIT_INVALID, EXIT_OK

if TYPE_CHECKING:
    from app.core.records import CourtProfile  # not imported for other commands (a merge)

_FIELDS = (("court", "Court"), ("chambers", "Chambers line"), ("address", "Address"), ("phone", "Telephone"),
           ("email", "E-mail"), ("seal", "Seal"), ("signatory_name", "Signatory"),
           ("signatory_title", "Signatory's title"))


def _shown(profile: CourtProfile) -> list[str]:
    if profile.version == 0:
        return ["No court profile is set: new letters take the letterhead of the template's sample. "
                "An admin sets it with: office profile set --court NAME ..."]
    lines = []
    for key, label in _FIELDS:
        value: Any = getattr(profile, key)
        if key == "address":
            value = "; ".join(value)
        if key == "seal" and value is None:
            value = "the template packs' placeholder seal"
        lines.append(f"{label + ':':<19} {value or '(none)'}")
    lines.append(f"{'Version:':<19} {profile.version}, set by {profile.updated_by} at {profile.updated_at}")
    return lines


def cmd_profile_show(args: argparse.Namespace, s: Services) -> int:
    profile = s.court.get()
    if args.json:
        print(json.dumps({**profile.content(), "version": profile.version, "updated_by": profile.updated_by,
                          "updated_at": profile.updated_at}, indent=2, ensure_ascii=False))
        return EXIT_OK
    print("\n".join(_shown(profile)))
    return EXIT_OK


def cmd_profile_set(args: argparse.Namespace, s: Services) -> int:
    changes: dict[str, Any] = {key: getattr(args, key) for key in
                               ("court", "chambers", "phone", "email", "signatory_name", "signatory_title")
                               if getattr(args, key) is not None}
    if args.address_line is not None:
        changes["address"] = args.address_line
    if not changes:
        err("Say what to change: --court, --chambers, --address-line (repeatable), --phone, --email, "
            "--signatory-name or --signatory-title.")
        return EXIT_INVALID
    profile = s.court.update(args.expect_version, **changes)
    print(f"The court profile is now version {profile.version}.")
    print("\n".join(_shown(profile)))
    return EXIT_OK


def cmd_profile_seal(args: argparse.Namespace, s: Services) -> int:
    if args.placeholder:
        profile = s.court.set_seal(None, args.expect_version)
        print(f"New letters print the placeholder seal (court profile version {profile.version}).")
        return EXIT_OK
    path: Path = args.file
    try:
        png = path.read_bytes()
    except OSError as exc:
        err(sentence(f"{path}: cannot be read ({exc.strerror or exc})"))
        return EXIT_FAILED
    profile = s.court.set_seal(png, args.expect_version)
    print(f"New letters print the seal {profile.seal} from {path.name} (court profile version {profile.version}).")
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = database_options()
    expect = argparse.ArgumentParser(add_help=False)
    expect.add_argument("--expect-version", type=int, default=None, metavar="N",
                        help="refuse the change if the profile is no longer at version N (as `show` gives it)")

    office = commands.add_parser("office", help="the office: its court profile (letterhead)")
    o = office.add_subparsers(dest="office_command", metavar="ACTION")
    profile = o.add_parser("profile", help="the court profile every new letter's letterhead comes from")
    p = profile.add_subparsers(dest="profile_command", metavar="ACTION")

    show = p.add_parser("show", help="the court profile", parents=[common])
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=guarded(cmd_profile_show))

    change = p.add_parser("set", help="change the court profile (admins)", parents=[common, expect])
    change.add_argument("--court", help="the court's name, as the letterhead prints it")
    change.add_argument("--chambers", help='the chambers line, e.g. "Chambers of the Chief Justice" ("" removes it)')
    change.add_argument("--address-line", action="append", metavar="LINE",
                        help="one line of the address; repeat for each line (replaces all lines)")
    change.add_argument("--phone")
    change.add_argument("--email")
    change.add_argument("--signatory-name", help="who signs new letters by default (a judge)")
    change.add_argument("--signatory-title")
    change.set_defaults(handler=guarded(cmd_profile_set))

    seal = p.add_parser("seal", help="the seal or logo new letters print (admins): a PNG, or --placeholder",
                        parents=[common, expect])
    image = seal.add_mutually_exclusive_group(required=True)
    image.add_argument("file", nargs="?", type=Path, help="a PNG of 32 to 4000 pixels a side, at most 2 MB")
    image.add_argument("--placeholder", action="store_true", help="the template packs' neutral placeholder seal")
    seal.set_defaults(handler=guarded(cmd_profile_seal))

    for parser in (office, profile):
        parser.set_defaults(handler=usage(parser))

