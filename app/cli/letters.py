"""Commands over the letter engine: render, batch, templates, sample."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from app.bootstrap import database_url, journal_folder, template_library
from app.cli import preflight
from app.core import jsondata
from app.core.errors import ChambersError, ConversionError, LetterInvalid, Problem, TemplateProblem
from app.core.files import WORD_LETTER, OutputRefused, check_output_target, protect_database_url, protect_folder
from app.core.text import Removal
from app.core.vocabulary import ADDRESSEE_KEYS
from app.services import letters as service
from app.services.office import read_seal_file

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_TEMPLATE, EXIT_PDF = 0, 1, 2, 3, 4


def err(message: str) -> None:
    print(message, file=sys.stderr)


def report_removals(removals: list[Removal], prefix: str = "") -> None:
    for removal in removals:
        err(f"{prefix}note: {removal}")


def read_json(path: Path) -> dict[str, Any]:
    """The letter JSON in ``path`` (``-``: standard input), read strictly; ``LetterInvalid`` saying what
    is wrong and where."""
    data = read_stdin_json() if str(path) == "-" else jsondata.load_file(path)
    if not isinstance(data, dict):
        raise LetterInvalid([Problem("", f"{path}: a letter must be a JSON object with named entries")])
    return data


def read_stdin_json() -> Any:
    """``--data -``: the letter from standard input, under the same limits as a file."""
    raw = sys.stdin.buffer.read(jsondata.MAX_JSON_BYTES + 1)
    if len(raw) > jsondata.MAX_JSON_BYTES:
        raise LetterInvalid([Problem("", f"standard input: larger than {jsondata.MAX_JSON_BYTES:,} bytes; "
                                         "a letter is far smaller")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LetterInvalid([Problem("", f"standard input: not UTF-8 text at byte {exc.start}")]) from None
    return jsondata.loads(text, "standard input", jsondata.MAX_JSON_BYTES)


def explain(exc: LetterInvalid) -> str:
    if len(exc.problems) == 1 and not exc.problems[0].path:
        return exc.problems[0].message
    return "The letter data is not valid:\n" + "\n".join(f"  {p}" for p in exc.problems)


def run_guarded(action: Any) -> int:
    try:
        code: int = action()
        return code
    except LetterInvalid as exc:
        err(explain(exc))
        return EXIT_INVALID
    except OutputRefused as exc:
        err(f"Refused: {exc}. Nothing was written.")
        return EXIT_INVALID
    except TemplateProblem as exc:
        err(f"The template cannot be used:\n  {str(exc).replace(chr(10), chr(10) + '  ')}")
        return EXIT_TEMPLATE
    except ConversionError as exc:
        err(str(exc))
        return EXIT_PDF
    except BrokenPipeError:
        # The reader went away (``| head``): not an error worth a message; stop quietly.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter exit from writing
        return EXIT_FAILED
    except OSError as exc:
        err(describe_os_error(exc))
        return EXIT_FAILED
    except ChambersError as exc:
        err(str(exc))
        return EXIT_FAILED


def describe_os_error(exc: OSError) -> str:
    """A file error as a sentence that names the file or folder the user gave."""
    name = Path(exc.filename) if exc.filename else None
    if name is not None and name.name.startswith(".") and name.name.endswith(".tmp"):
        name = name.parent  # our own temporary file: the folder is what the user named
        if isinstance(exc, FileNotFoundError):
            return f"The folder {name} does not exist; make it first or write somewhere else."
    if isinstance(exc, FileNotFoundError) and name is not None:
        return f"{name}: no such file or folder."
    if isinstance(exc, PermissionError) and name is not None:
        return f"{name}: permission denied."
    return f"Could not read or write a file: {exc.strerror or exc}" + (f" ({name})" if name else "")


def protect_local_database() -> None:
    """What this installation must never write a letter over: its database and recovery files."""
    url = database_url()
    protect_database_url(url)
    protect_folder(journal_folder(url), "the recovery folder")


def cmd_render(args: argparse.Namespace) -> int:
    def action() -> int:
        protect_local_database()
        library = template_library()
        library.get(args.template)  # a bad template is reported before the data
        data = read_json(args.data)
        # --strict (issue 18): a guessed salutation refuses the letter before anything is written.
        if args.strict and (refused := preflight.refuse_guesses(data)) is not None:
            return refused
        images = {}
        if args.seal is not None:
            # Printed as its pixels alone, encoded anew, as the office keeps its seals; the letter
            # pins that encoding's hash. An unreadable file is said by run_guarded, naming it.
            image = read_seal_file(args.seal)
            images["sha256:" + hashlib.sha256(image).hexdigest()] = image
        report = service.render_file(library, args.template, data, args.out, args.pdf, images)
        report_removals(report.removals)
        print(f"Wrote {report.docx}" + (f" and {report.pdf}" if report.pdf else ""))
        return EXIT_OK
    return run_guarded(action)


class Progress:
    """A progress bar on stderr that redraws in place (plain lines when not a terminal)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if not self.tty and percent // 10 == self.last // 10 and done != total:
            return
        self.last = percent
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        line = f"[{bar}] {done}/{total} letters ({percent}%) {time.monotonic() - self.started:.1f}s"
        if self.tty:
            sys.stderr.write("\r" + line + ("\n" if done == total else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def cmd_batch(args: argparse.Namespace) -> int:
    def action() -> int:
        protect_local_database()
        library = template_library()
        library.get(args.template)
        data = read_json(args.data)
        # --strict (issue 18): any row whose salutation is guessed refuses the batch before it starts.
        if args.strict and (refused := preflight.refuse_guessed_rows(service.read_addressees(args.addressees))):
            return refused
        report = service.batch(library, args.template, data, args.addressees, args.out,
                               jobs=args.jobs, progress=Progress(), pdf=args.pdf)
        for result in report.written:
            report_removals(result.removals, prefix=f"row {result.row}: ")
        for result in report.failed:
            err(f"row {result.row} (line {result.row + 1} of {args.addressees.name}): {result.error}")
        print(f"Wrote {len(report.written)} letter(s){' with their PDFs' if args.pdf else ''} to {args.out}"
              + (f"; {len(report.failed)} row(s) could not be rendered" if report.failed else ""))
        return EXIT_OK if not report.failed else EXIT_INVALID
    return run_guarded(action)


def cmd_templates_list(args: argparse.Namespace) -> int:
    for info in template_library().list():
        status = f"  BROKEN: {info.problem}" if info.problem else ""
        print(f"{info.id:24} {info.version:8} {info.name}{status}")
        if info.description and not args.brief:
            print(f"{'':24} {'':8} {info.description}")
    return EXIT_OK


def cmd_templates_check(args: argparse.Namespace) -> int:
    library = template_library()
    try:
        folder = library.folder_of(str(args.path))
    except OutputRefused as exc:
        err(f"Refused: {exc}. Nothing was written.")
        return EXIT_INVALID
    except TemplateProblem as exc:
        err(str(exc))
        return EXIT_TEMPLATE
    try:
        findings = library.check(folder)
    except ChambersError as exc:  # the machine was too busy to finish: no verdict either way
        err(str(exc))
        return EXIT_FAILED
    if findings:
        for finding in findings:
            err(finding)
        return EXIT_TEMPLATE
    # Say what "sound" rests on: the renders a clerk's letters will go through, not a scan.
    print(f"{folder}: the template pack is sound (it compiles, and its sample letter and a letter at "
          "every size limit render within the limits of a real render)")
    for advice in library.advice(folder):
        print(f"  advice: {advice}")
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    def action() -> int:
        library = template_library()
        text = library.sample(args.template)
        jsondata.loads(text, str(library.folder_of(args.template) / "sample.json"))
        print(text, end="")
        return EXIT_OK
    return run_guarded(action)


def cmd_demo(args: argparse.Namespace) -> int:
    """What ``make run`` does until the window exists: render the flagship sample."""
    def action() -> int:
        protect_local_database()
        library = template_library()
        data = jsondata.loads(library.sample(args.template), f"the sample letter of {args.template}")
        parsed = service.parse_letter(data)
        out = args.out or Path("out") / service.suggested_file_name(parsed.letter)
        check_output_target(out, WORD_LETTER, "--out")  # the output policy, before a folder is made for it
        out.parent.mkdir(parents=True, exist_ok=True)
        report = service.render_file(library, args.template, data, out)
        print(f"Rendered the sample letter of '{args.template}' to {report.docx.resolve()}")
        return EXIT_OK
    return run_guarded(action)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    render = commands.add_parser("render", help="render one letter to .docx (and PDF)")
    render.add_argument("--template", required=True, help="pack id or pack folder")
    render.add_argument("--data", required=True, type=Path, help="the letter as JSON (- reads standard input)")
    render.add_argument("--out", required=True, type=Path, help="the .docx to write")
    render.add_argument("--pdf", type=Path, help="also write a PDF (needs LibreOffice)")
    render.add_argument("--seal", type=Path, metavar="FILE.png",
                        help="the seal image the letter pins by hash (sender.seal), when it pins one")
    preflight.add_strict_flag(render)
    render.set_defaults(handler=cmd_render)

    merge = commands.add_parser("batch", help="mail merge: one letter per addressee in a CSV")
    merge.add_argument("--template", required=True, help="pack id or pack folder")
    merge.add_argument("--data", required=True, type=Path, help="the letter as JSON (- reads standard input)")
    merge.add_argument("--addressees", required=True, type=Path,
                       help=f"CSV: {','.join(ADDRESSEE_KEYS)} (address lines split by |); only name is required")
    merge.add_argument("--out", required=True, type=Path, help="folder for the letters")
    merge.add_argument("--jobs", type=int, default=None, help="processes (default: all cores)")
    merge.add_argument("--pdf", action="store_true",
                       help="also write a PDF beside each letter (needs LibreOffice; a row whose PDF fails "
                            "writes neither file)")
    preflight.add_strict_flag(merge)
    merge.set_defaults(handler=cmd_batch)

    templates = commands.add_parser("templates", help="list or check template packs")
    sub = templates.add_subparsers(dest="templates_command", metavar="ACTION")
    listing = sub.add_parser("list", help="the packs installed")
    listing.add_argument("--brief", action="store_true", help="one line a pack")
    listing.set_defaults(handler=cmd_templates_list)
    check = sub.add_parser("check", help="check a pack folder for problems")
    check.add_argument("path", type=Path)
    check.set_defaults(handler=cmd_templates_check)
    from app.cli import packs  # `templates new` (app/cli/packs.py imports this module)

    packs.register(sub)

    demo = commands.add_parser("demo", help="render the flagship sample letter to out/")
    demo.add_argument("--template", default="officials-concern")
    demo.add_argument("--out", type=Path, default=None)
    demo.set_defaults(handler=cmd_demo)

    sample = commands.add_parser("sample", help="print a pack's sample letter JSON")
    sample.add_argument("template", help="pack id or pack folder")
    sample.set_defaults(handler=cmd_sample)
