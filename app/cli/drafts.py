"""Commands over drafting, review and the database: drafts, clauses, users, audit, verify, db.

Exit codes add to those of app.cli: 5 refused (role or state), 6 conflict (stale version),
7 no such letter or user. ``verify FILE`` answers with its own codes: 0 the approved letter (or a
per-addressee copy of it) and still approved, 1 modified after approval, 2 not a letter from this
database, 3 approved once but that approval was withdrawn since (the letter was edited after it),
7 no such file, 8 approved by a judge who is not the letter's signatory and did not record signing
for them (an approval from before signatories were checked, or one written around the app), 9 could
not check (the database unavailable, the pinned template pack or seal missing, the file unreadable).
``audit verify`` answers 1 when the chain is broken. A refused action changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.bootstrap import Services, services
from app.cli import preflight
from app.cli.common import EXIT_NOT_FOUND, database_options, err, said_as_exit, sentence, usage
from app.cli.letters import EXIT_FAILED, EXIT_INVALID, EXIT_OK, protect_local_database, read_json, run_guarded
from app.core.errors import ChambersError
from app.core.workflow import Refused, Role, Status, StorageUnavailable

if TYPE_CHECKING:
    from app.core.records import LetterSummary  # not imported for other commands (a merge)

VERIFY_COULD_NOT_CHECK = 9  # app.services.drafts.COULD_NOT_CHECK, without importing the services at start
VERIFY_EXIT_CODES = """exit codes:
  0  valid: approved version N of letter L (or its sealed copy for one addressee), still approved
  1  modified after approval (or approved bytes the letter's own text does not render to)
  2  not a letter from this database
  3  it was approved, but the approval was withdrawn since (the letter was edited after it)
  5  a signed PDF: the signer's certificate is not trusted
  6  a signed PDF: not signed by the letter's signatory (an 8 of the .docx inside is a 6 here)
  7  no such file
  8  approved by a judge who is not the letter's signatory, with no record of signing for them
  9  could not check: the database is unavailable, the template pack or seal the approval was
     made with is not available, or the file cannot be read"""




def guarded(action: Callable[[argparse.Namespace, Services], int],
            unavailable: int = EXIT_FAILED) -> Callable[[argparse.Namespace], int]:
    """Open the services, run ``action``, and turn what may go wrong into a sentence and a code;
    ``unavailable`` is the code when the database cannot be opened or read."""
    def handler(args: argparse.Namespace) -> int:
        def run() -> int:
            try:
                chambers = services(args.db, getattr(args, "as_user", None), create=False)
            except StorageUnavailable as exc:
                err(sentence(str(exc)))
                return unavailable

            def act() -> int:
                if getattr(args, "as_user", None) and action is not cmd_users_add:
                    _ = chambers.drafts.user  # a mistyped --as is said at once, even for a read
                return action(args, chambers)
            try:
                return said_as_exit(act, unavailable)
            finally:
                chambers.close()
        return run_guarded(run)
    return handler


def _time(summary_time: Any) -> str:
    return f"{summary_time:%Y-%m-%d %H:%M}"


def _print_summaries(rows: list[LetterSummary], as_json: bool) -> None:
    if as_json:
        print(json.dumps([r.to_json() for r in rows], indent=2))
        return
    if not rows:
        print("No letters.")
        return
    print(f"{'ID':>5}  {'STATUS':<17} {'VER':>3}  {'UPDATED':<16} {'BY':<12} {'WAITING FOR':<12} SUBJECT")
    for r in rows:
        subject = r.subject if len(r.subject) <= 60 else r.subject[:57] + "..."
        waiting = (r.waiting_for or "any judge") if r.status is Status.IN_REVIEW else ""
        print(f"{r.id:>5}  {r.status.label:<17} {r.version:>3}  {_time(r.updated_at):<16} {r.updated_by:<12} "
              f"{waiting:<12} {subject}")


# --- drafts ------------------------------------------------------------------------------------
def cmd_new(args: argparse.Namespace, s: Services) -> int:
    data = read_json(args.data)
    if isinstance(data, dict) and ("sender" not in data or "signatory" not in data):
        # A letter written without a letterhead gets the office's, as a new letter in the window does.
        defaults = s.court.new_letter_defaults()
        if defaults is not None:
            data = {"sender": defaults[0], "signatory": defaults[1], **data}
    letter = s.drafts.create(args.template, data, note=args.note or "")
    print(letter.id)
    return EXIT_OK


def cmd_list(args: argparse.Namespace, s: Services) -> int:
    if args.waiting_for:
        if args.status:
            raise Refused("--waiting-for lists letters in review; leave out --status")
        _print_summaries(s.drafts.waiting_for(args.waiting_for, args.search), args.json)
        return EXIT_OK
    status = Status(args.status) if args.status else None
    _print_summaries(s.drafts.find(status, args.search), args.json)
    return EXIT_OK


def cmd_show(args: argparse.Namespace, s: Services) -> int:
    detail = s.drafts.get(args.id)
    if args.json:
        print(json.dumps(detail.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    r = detail.summary
    print(f"Letter {r.id}: {r.subject}")
    print(f"  status {r.status.label}, version {r.version}, template {r.template_id} {r.template_version}")
    print(f"  created by {r.created_by} {_time(r.created_at)}; last change by {r.updated_by} {_time(r.updated_at)}")
    if detail.approval:
        a = detail.approval
        signed = f" for {detail.signed_for}" if detail.signed_for else ""
        print(f"  approved version {a.version} by {a.approver}{signed} {_time(a.approved_at)} "
              f"(sha256 {a.content_sha256})")
    for c in detail.comments:
        where = f" on {c.paragraph}" if c.paragraph else ""
        kind = "changes requested" if c.kind == "changes_requested" else "comment"
        print(f"  [{kind}{where}, v{c.version}] {c.author} {_time(c.created_at)}: {c.text}")
    return EXIT_OK


def cmd_update(args: argparse.Namespace, s: Services) -> int:
    data = read_json(args.data)
    before = s.drafts.get(args.id)
    letter = s.drafts.update(args.id, data, args.expect_version, note=args.note or "",
                             save_point=not args.working_copy)
    print(f"Saved letter {letter.id} as version {letter.version} ({letter.status.label})")
    approval = before.approval
    if approval is not None and approval.voided_at is None and letter.approval_id is None:
        print(f"This edit withdrew {approval.approver}'s approval of version {approval.version} "
              f"({approval.approved_at:%B %d, %Y}); the letter needs review and approval again.")
    elif before.summary.status != letter.status:
        print(f"The letter was {before.summary.status.label}; after this edit it is {letter.status.label}.")
    return EXIT_OK


def cmd_submit(args: argparse.Namespace, s: Services) -> int:
    # --strict (issue 18): a guessed salutation keeps the letter out of review.
    if args.strict and (refused := preflight.refuse_guesses(s.drafts.get(args.id).current.data,
                                                            f"Letter {args.id}")) is not None:
        return refused
    letter = s.drafts.submit(args.id, args.expect_version)
    print(f"Letter {letter.id} version {letter.version} is in review")
    return EXIT_OK


def cmd_comment(args: argparse.Namespace, s: Services) -> int:
    comment = s.drafts.comment(args.id, args.text, args.paragraph)
    print(f"Comment {comment.id} added to letter {args.id} (version {comment.version})")
    return EXIT_OK


def cmd_request_changes(args: argparse.Namespace, s: Services) -> int:
    letter = s.drafts.request_changes(args.id, args.comment, args.paragraph)
    print(f"Changes requested on letter {letter.id} version {letter.version}")
    return EXIT_OK


def cmd_approve(args: argparse.Namespace, s: Services) -> int:
    approval = s.drafts.approve(args.id, args.expect_version, signing_for=args.signing_for)
    signed_for = s.drafts.get(approval.letter_id).signed_for if args.signing_for else None
    signed = f", signed for {signed_for}" if signed_for else ""
    print(f"Approved letter {approval.letter_id} version {approval.version}{signed} "
          f"(sha256 {approval.content_sha256})")
    return EXIT_OK


def cmd_export_copies(args: argparse.Namespace, s: Services) -> int:
    protect_local_database()  # the default database too, when --db names another one
    paths = s.drafts.export_copies(args.id, args.folder)
    print(f"Wrote {len(paths)} sealed per-addressee copies of letter {args.id} to {args.folder}:")
    for path in paths:
        print(f"  {path.name}")
    return EXIT_OK


def pdf_alone_and_beside(args: argparse.Namespace) -> bool:
    """``--pdf-only`` with ``--pdf`` (argparse's group cannot say it: ``--pdf`` goes with ``--out``),
    said for the plain and the signed export alike."""
    if args.pdf_only is None or args.pdf is None:
        return False
    err("--pdf-only writes the PDF alone and --pdf the PDF beside the .docx of --out: give one of them. "
        "Nothing was written.")
    return True


def cmd_export(args: argparse.Namespace, s: Services) -> int:
    protect_local_database()  # the default database too, when --db names another one
    if pdf_alone_and_beside(args):
        return EXIT_INVALID
    if args.pdf_only is not None:
        pdf = s.drafts.export_pdf(args.id, args.pdf_only, "--pdf-only")
        print(f"Wrote the PDF of the approved letter {args.id} to {pdf}")
        return EXIT_OK
    report = s.drafts.export(args.id, args.out, args.pdf)
    kind = "approved letter" if report.final else "DRAFT copy"
    print(f"Wrote the {kind} of letter {args.id} to {report.docx}" + (f" and {report.pdf}" if report.pdf else ""))
    return EXIT_OK


def cmd_history(args: argparse.Namespace, s: Services) -> int:
    summary, versions, events = s.drafts.history(args.id)
    if args.json:
        data = summary.to_json()
        data["versions"] = [v.to_json() for v in versions]
        data["events"] = [{"id": e.id, "at": e.at, "actor": e.actor, "action": e.action,
                           "detail": json.loads(e.detail)} for e in events]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"Letter {summary.id}: {summary.subject} ({summary.status.label})")
    for v in versions:
        working = " (working copy: the author's next save replaces it)" if v.working else ""
        print(f"  version {v.number}  {_time(v.created_at)}  {v.author:<12} {v.note}{working}")
    for e in events:
        print(f"  event {e.id:>4}  {e.at[:16].replace('T', ' ')}  {e.actor:<12} {e.action}")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace, s: Services) -> int:
    report = s.drafts.diff(args.id, args.from_version, args.to_version)
    print(f"Letter {report.letter_id}: changes from version {report.from_version} to {report.to_version}")
    if not report.fields:
        print("  no field changed")
    for change in report.fields:
        print(f"  {change.kind:<8} {change.path}: {change.before!r} -> {change.after!r}")
    print(f"Rendered text ({report.text.inserted} word(s) inserted, {report.text.deleted} deleted):")
    for line in report.text.lines:
        print(f"  {line}")
    return EXIT_OK


def cmd_redline(args: argparse.Namespace, s: Services) -> int:
    from app.core.files import WORD_LETTER, preflight_outputs
    from app.services.letters import protect_packs
    from app.services.redlines import redline_versions, save_redline

    protect_local_database()  # the default database too, when --db names another one
    protect_packs(s.drafts.library)
    preflight_outputs([(args.out, WORD_LETTER, "--out")])  # refused before the versions are rendered
    report = redline_versions(s.drafts, args.id, args.from_version, args.to_version)
    save_redline(s.drafts, report, args.out)
    print(f"Wrote the changes to letter {report.letter_id} from version {report.from_version} to "
          f"{report.to_version} as tracked changes to {args.out}")
    return EXIT_OK


# --- clauses, users, audit, verify, db -----------------------------------------------------------
def cmd_clauses_list(args: argparse.Namespace, s: Services) -> int:
    clauses = s.clauses.list(args.search, args.tag)
    if args.json:
        print(json.dumps([{"id": c.id, "title": c.title, "text": c.text, "tags": list(c.tags),
                           "use_count": c.use_count} for c in clauses], indent=2, ensure_ascii=False))
        return EXIT_OK
    for c in clauses:
        print(f"{c.id:>4}  [{', '.join(c.tags)}] {c.title} (used {c.use_count}x)")
    if not clauses:
        print("The clause bank is empty.")
    return EXIT_OK


def cmd_clauses_add(args: argparse.Namespace, s: Services) -> int:
    text = args.text if args.text is not None else args.file.read_text(encoding="utf-8")
    clause = s.clauses.add(args.title or "", text, tuple(t.strip() for t in (args.tag or []) if t.strip()))
    print(f"Added clause {clause.id}: {clause.title}")
    return EXIT_OK


def cmd_clauses_remove(args: argparse.Namespace, s: Services) -> int:
    clause = s.clauses.remove(args.id)
    print(f"Removed clause {clause.id}: {clause.title}")
    return EXIT_OK


def cmd_users_add(args: argparse.Namespace, s: Services) -> int:
    signature = args.signature.read_bytes() if args.signature else None
    password = login_password(args)
    print(sentence(s.users.add(args.name, Role(args.role), args.full_name or "", signature, password)))
    return EXIT_OK


PASSWORD_ON_COMMAND_LINE = (
    "--password is no longer accepted: a password on the command line is seen by every user of this computer "
    "(ps) and kept in the shell's history. Type it when asked (--ask-password), pipe it in (--password-stdin) "
    "or set $CHAMBERS_LOGIN_PASSWORD")


def login_password(args: argparse.Namespace) -> str | None:
    """A new login's password: typed at a prompt, read from standard input, or from the environment;
    never from the command line."""
    import getpass
    import os

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n") or None
    if args.ask_password:
        first = getpass.getpass(f"Password for {args.name}'s database login: ")
        if getpass.getpass("The same password again: ") != first:
            raise Refused("the two passwords differ; nothing was changed")
        return first or None
    return os.environ.get("CHAMBERS_LOGIN_PASSWORD") or None


def cmd_users_list(args: argparse.Namespace, s: Services) -> int:
    for user in s.users.list():
        extra = " (signature on file)" if user.signature_png else ""
        extra += "" if user.active else " (deactivated)"
        print(f"{user.name:<16} {user.role.value:<6} {user.full_name}{extra}")
    return EXIT_OK


def cmd_users_role(args: argparse.Namespace, s: Services) -> int:
    print(sentence(s.users.set_role(args.name, Role(args.role))))
    return EXIT_OK


def cmd_users_deactivate(args: argparse.Namespace, s: Services) -> int:
    print(sentence(s.users.deactivate(args.name)))
    return EXIT_OK


def cmd_users_activate(args: argparse.Namespace, s: Services) -> int:
    print(sentence(s.users.activate(args.name)))
    return EXIT_OK


def cmd_users_signature(args: argparse.Namespace, s: Services) -> int:
    if args.clear:
        png = None
    else:
        try:
            png = args.file.read_bytes()
        except OSError as exc:
            err(sentence(f"{args.file}: cannot be read ({exc.strerror or exc})"))
            return EXIT_FAILED
    print(sentence(s.users.set_signature(args.name, png)))
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace, s: Services) -> int:
    count, broken, why = s.drafts.audit_check()
    if broken is not None:
        if broken.id == 0:
            err(f"The audit log does not vouch for every row: {why}.")
        elif not broken.hash:
            err(f"The audit log is broken at event {broken.id}: {why}.")
        else:
            err(f"The audit log is broken at event {broken.id} ({broken.action} by {broken.actor} at {broken.at}): "
                f"{why}.")
        return EXIT_FAILED
    print(f"The audit log is intact: {count} event(s), each chained to the one before, matching the chain "
          "head and every row that recorded them.")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, s: Services) -> int:
    if not args.file.is_file():  # a script must not read a missing file as "modified" (1)
        err(f"{args.file}: no such file.")
        return EXIT_NOT_FOUND
    try:
        result = s.drafts.verify(args.file)
    except StorageUnavailable:
        raise  # said by ``guarded``, as "could not check" (9)
    except (ChambersError, OSError) as exc:
        # An unreadable file or a damaged package is never "modified" (1) nor "withdrawn" (3).
        err(sentence(f"{args.file}: could not check: {exc}"))
        return VERIFY_COULD_NOT_CHECK
    (print if result.code == 0 else err)(f"{args.file}: {result.message}")
    return result.code


class _RefusePassword(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        parser.error(PASSWORD_ON_COMMAND_LINE)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = database_options()
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="print JSON")

    def add(sub: Any, name: str, handler: Callable[[argparse.Namespace, Services], int], help_text: str,
            parents: tuple[argparse.ArgumentParser, ...] = ()) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, parents=[common, *parents])
        parser.set_defaults(handler=guarded(handler))
        return parser

    drafts = commands.add_parser("drafts", help="draft, review, approve and export letters")
    d = drafts.add_subparsers(dest="drafts_command", metavar="ACTION")
    p = add(d, "new", cmd_new, "start a letter from a template and letter JSON; prints its id")
    p.add_argument("--template", required=True)
    p.add_argument("--data", required=True, type=Path,
                   help="the letter JSON; without sender or signatory, the office's court profile gives them")
    p.add_argument("--note", default="")
    p = add(d, "list", cmd_list, "the letters, newest first", (json_flag,))
    p.add_argument("--status", choices=[s.value for s in Status])
    p.add_argument("--search", metavar="TEXT", help="words in the subject or text (prefix match)")
    p.add_argument("--waiting-for", metavar="JUDGE",
                   help="the review queue of this judge: letters in review they sign, or that any judge may take")
    p = add(d, "show", cmd_show, "one letter: status, versions, comments", (json_flag,))
    p.add_argument("id", type=int)
    p = add(d, "update", cmd_update, "save new letter JSON as the next version")
    p.add_argument("id", type=int)
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--expect-version", required=True, type=int,
                   help="the version your edit started from; a newer one in the database is a conflict")
    p.add_argument("--note", default="")
    p.add_argument("--working-copy", action="store_true",
                   help="save as your working copy (your next save replaces it) instead of a history version")
    p = add(d, "submit", cmd_submit, "send a letter for review")
    p.add_argument("id", type=int)
    p.add_argument("--expect-version", type=int, default=None)
    preflight.add_strict_flag(p)
    p = add(d, "comment", cmd_comment, "comment on a letter (or one paragraph with --paragraph)")
    p.add_argument("id", type=int)
    p.add_argument("text")
    p.add_argument("--paragraph", help="e.g. concerns[1]")
    p = add(d, "request-changes", cmd_request_changes, "send a letter in review back with a comment")
    p.add_argument("id", type=int)
    p.add_argument("--comment", required=True)
    p.add_argument("--paragraph", help="e.g. concerns[1]")
    p = add(d, "approve", cmd_approve, "approve the letter in review (judges)")
    p.add_argument("id", type=int)
    p.add_argument("--expect-version", type=int, default=None, metavar="N",
                   help="required: the version you read, as `drafts show` gives it; any other is refused")
    p.add_argument("--for", dest="signing_for", metavar="SIGNATORY", default=None,
                   help="approve a letter another judge signs, on their behalf; give the signatory's name "
                        "exactly as the letter has it (the approval and verify then say who signed for whom)")
    p = add(d, "export", cmd_export, "write the approved letter (or a DRAFT copy) to .docx (and PDF), or the "
                                     "approved letter's PDF alone")
    p.add_argument("id", type=int)
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="the .docx: the approved bytes, or a DRAFT copy of a letter "
                                                 "not approved")
    target.add_argument("--pdf-only", type=Path, metavar="PDF",
                        help="only the PDF of the approved letter, made from the approved bytes (no .docx is "
                             "written; a letter that is not approved is refused: export its DRAFT with --out); "
                             "with --sign-with, signed by the signatory and carrying the approved .docx inside")
    p.add_argument("--pdf", type=Path, help="the PDF too, beside the .docx of --out")
    p = add(d, "export-copies", cmd_export_copies,
            "write the sealed per-addressee copies of an approved letter to several addressees")
    p.add_argument("id", type=int)
    p.add_argument("--folder", required=True, type=Path)
    p = add(d, "history", cmd_history, "versions and audit events of a letter", (json_flag,))
    p.add_argument("id", type=int)
    p = add(d, "diff", cmd_diff, "what changed between two versions (default: since the last review)")
    p.add_argument("id", type=int)
    p.add_argument("--from", dest="from_version", type=int, default=None)
    p.add_argument("--to", dest="to_version", type=int, default=None)
    p = add(d, "redline", cmd_redline, "the changes between two versions as a Word file with tracked changes "
                                       "(default: since the last review)")
    p.add_argument("id", type=int)
    p.add_argument("--from", dest="from_version", type=int, default=None)
    p.add_argument("--to", dest="to_version", type=int, default=None)
    p.add_argument("--out", required=True, type=Path)

    clauses = commands.add_parser("clauses", help="the clause bank")
    c = clauses.add_subparsers(dest="clauses_command", metavar="ACTION")
    p = add(c, "list", cmd_clauses_list, "the clauses, most used first", (json_flag,))
    p.add_argument("--search")
    p.add_argument("--tag")
    p = add(c, "add", cmd_clauses_add, "add a clause (admins)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--text")
    source.add_argument("--file", type=Path)
    p.add_argument("--title")
    p.add_argument("--tag", action="append", help="repeatable, e.g. --tag concern")
    p = add(c, "remove", cmd_clauses_remove, "remove a clause (admins)")
    p.add_argument("id", type=int)

    users = commands.add_parser("users", help="users and their roles")
    u = users.add_subparsers(dest="users_command", metavar="ACTION")
    p = add(u, "add", cmd_users_add, "add a user (admins; the first user needs nobody)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--full-name", default="")
    p.add_argument("--signature", type=Path, help="a PNG of the judge's signature")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument("--ask-password", action="store_true",
                        help="PostgreSQL: type the password of the user's database login when asked")
    secret.add_argument("--password-stdin", action="store_true",
                        help="PostgreSQL: read that password from the first line of standard input "
                             "(else $CHAMBERS_LOGIN_PASSWORD, else none)")
    secret.add_argument("--password", action=_RefusePassword, help=argparse.SUPPRESS)
    add(u, "list", cmd_users_list, "the users")
    p = add(u, "role", cmd_users_role, "give a user another role (admins; never the last admin away)")
    p.add_argument("name")
    p.add_argument("role", choices=[r.value for r in Role])
    p = add(u, "deactivate", cmd_users_deactivate, "stop a user from acting; their history stays (admins)")
    p.add_argument("name")
    p = add(u, "activate", cmd_users_activate, "let a deactivated user act again (admins)")
    p.add_argument("name")
    p = add(u, "signature", cmd_users_signature, "set (FILE.png) or remove (--clear) a judge's signature image")
    p.add_argument("name")
    image = p.add_mutually_exclusive_group(required=True)
    image.add_argument("file", nargs="?", type=Path, help="a PNG of the signature")
    image.add_argument("--clear", action="store_true", help="remove the signature image")

    audit = commands.add_parser("audit", help="the audit log")
    a = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    add(a, "verify", cmd_audit_verify, "walk the hash chain against its head and the rows that recorded "
        "each event; names the first changed, missing, reordered, forged or slipped-in event (exit 1)")

    p = add(commands, "verify", cmd_verify,
            "is this .docx an approved letter? exit 0 approved, 1 modified, 2 foreign, 3 approval withdrawn, "
            "9 could not check")
    p.set_defaults(handler=guarded(cmd_verify, unavailable=VERIFY_COULD_NOT_CHECK))
    p.description = ("Check a .docx against the approvals in this database: its seal, and that the approved "
                     "version, rendered again with the template pack and seal it was approved with, gives "
                     "exactly the approved letter.")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = VERIFY_EXIT_CODES
    p.add_argument("file", type=Path)

    for parser in (drafts, clauses, users, audit):
        parser.set_defaults(handler=usage(parser))
