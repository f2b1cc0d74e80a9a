"""``chambers preflight FILE``: the forms of address a letter would print, and every guess.

Each addressee's salutation is shown with the rule that chose it, its source and its confidence
("settled", "reading": one of two readings was taken, "guess": nothing decided it). A reading
or a guess is a finding with its reason and the fix; ``--strict`` on ``render``, ``batch`` and
``drafts submit`` refuses a letter with one (``refuse_guesses``), naming the addressee's path.

Exit codes: 0 nothing guessed, 2 the letter is invalid or a salutation is guessed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.bootstrap import template_library
from app.core import jsondata, spanish
from app.core.address import Finding, address_findings, explain_salutation, guesses, letter_findings
from app.core.errors import ChambersError, LetterInvalid, Problem
from app.core.letter import Addressee, Letter, parse_letter

EXIT_OK, EXIT_INVALID = 0, 2


def _read(path: Path) -> dict[str, Any]:
    data = jsondata.load_file(path)
    if not isinstance(data, dict):
        raise LetterInvalid([Problem("", f"{path}: a letter must be a JSON object with named entries")])
    return data


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {"path": finding.path, "kind": finding.kind, "problem": finding.problem, "fix": finding.fix,
            "value": finding.value}


def pack_language(template: str) -> str:
    """The language the letter's pack declares; English when the pack cannot be loaded (preflight
    checks the forms of address, not the pack: ``templates check`` does that)."""
    try:
        return template_library().get(template).manifest.language
    except (ChambersError, OSError):
        return "en"


def report(letter: Letter, language: str = "en") -> dict[str, Any]:
    """What preflight says about a letter's forms of address, as plain data."""
    findings = letter_findings(letter)
    addressees = []
    for i, addressee in enumerate(letter.addressees):
        explained = explain_salutation(addressee)
        line = spanish.salutation_line(addressee) if language == "es" else explained.line
        addressees.append({"path": f"addressees[{i}]", "name": addressee.name, "salutation": line,
                           "rule": explained.rule, "source": explained.source,
                           "confidence": explained.confidence, "surname": explained.surname})
    salutation = (spanish.joint_salutation(letter.addressees, letter.group_salutation) if language == "es"
                  else letter.salutation)
    return {"language": language, "salutation": salutation, "addressees": addressees,
            "findings": [_finding_json(f) for f in findings],
            "guesses": len(guesses(findings))}


def strict_refusals(findings: Sequence[Finding], prefix: str = "") -> list[str]:
    """One line per guess ``--strict`` refuses: where, what was guessed, and what to fill in."""
    return [f"{prefix}{f.path}: {f.problem} {f.fix}" for f in guesses(findings)]


def refuse_guesses(data: dict[str, Any], what: str = "The letter") -> int | None:
    """For ``--strict``: EXIT_INVALID (after saying why) when a salutation in ``data`` is guessed,
    else None. Invalid data is left to the command, which says what is wrong in its own way."""
    try:
        letter = parse_letter(data).letter
    except LetterInvalid:
        return None
    return _refuse(strict_refusals(letter_findings(letter)), what)


def refuse_guessed_rows(rows: Sequence[tuple[int, dict[str, Any] | None, str | None]]) -> int | None:
    """``batch --strict``: every CSV row's addressee checked; any guess refuses the whole batch."""
    lines: list[str] = []
    for number, row, _error in rows:
        if row is None:
            continue
        try:
            addressee = Addressee.model_validate(row)
        except ValueError:
            continue  # the batch reports a bad row itself
        lines.extend(strict_refusals(address_findings([addressee]), prefix=f"row {number}: "))
    return _refuse(lines, "The batch")


def _refuse(lines: list[str], what: str) -> int | None:
    if not lines:
        return None
    print(f"{what} has a salutation that is guessed; --strict refuses it. Nothing was written.\n"
          + "\n".join(f"  {line}" for line in lines), file=sys.stderr)
    return EXIT_INVALID


def cmd_preflight(args: argparse.Namespace) -> int:
    try:
        letter = parse_letter(_read(args.file)).letter
    except LetterInvalid as exc:
        if args.json:
            print(json.dumps({"valid": False, "problems": [{"path": p.path, "message": p.message}
                                                           for p in exc.problems]}, indent=2, ensure_ascii=False))
        else:
            print("The letter data is not valid:\n" + "\n".join(f"  {p}" for p in exc.problems), file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"{args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    result = report(letter, pack_language(letter.template))
    if args.json:
        print(json.dumps({"valid": True, **result}, indent=2, ensure_ascii=False))
    else:
        print(f"Letter opens: {result['salutation']}")
        for entry in result["addressees"]:
            print(f"  {entry['path']} {entry['name']}: {entry['salutation']} ({entry['confidence']}: "
                  f"{entry['rule']})")
        for finding in result["findings"]:
            print(f"{finding['path']}: [{finding['kind']}] {finding['problem']} {finding['fix']}")
        if not result["findings"]:
            print("No findings.")
    return EXIT_INVALID if result["guesses"] else EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("preflight", help="check a letter's forms of address; every guess named")
    parser.add_argument("file", type=Path, help="the letter as JSON")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=cmd_preflight)


def add_strict_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strict", action="store_true",
                        help="refuse a letter whose salutation is guessed (see `chambers preflight`); exit 2")
