"""Signing on the command line: certificates, trust anchors, the signed export and PDF ``verify``.

- ``users certificate NAME CERT.pem`` (admin): bind a judge's public signing certificate.
- ``office trust add CA.pem`` / ``list`` / ``remove SHA256`` (admin for changes): the trust anchors.
- ``drafts export ID --out X.docx --pdf X.pdf --sign-with KEY.p12|pkcs11:token=...;object=...``
  (or ``--pdf-only X.pdf --sign-with KEY`` for the signed PDF alone): the signatory judge signs
  the PDF; the passphrase or PIN comes from $CHAMBERS_SIGN_PASSPHRASE or a prompt, never from an
  argument (it would sit in the shell's history and in ``ps``).
- ``verify X.pdf [--trust CA.pem]``: with ``--trust``, an outside recipient's check that opens
  no database.

These hang on the parsers ``app.cli.drafts`` and ``app.cli.office`` made, so those modules stay
as they are; ``register`` runs after theirs.
"""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.bootstrap import Services
from app.cli.common import EXIT_NOT_FOUND, database_options, err, usage
from app.cli.drafts import cmd_export, guarded, pdf_alone_and_beside
from app.cli.letters import EXIT_INVALID, EXIT_OK, protect_local_database, run_guarded
from app.core.errors import ChambersError

if TYPE_CHECKING:
    from app.services.signing import SignedExport

# What ``verify`` answers for a PDF (app.services.signing's codes), here so that building the
# parser does not import the signing services: every command, `batch` too, builds it.
VERIFY_CODES = (
    "0 a valid signature by the letter's signatory over the approved letter, still approved; "
    "1 modified after signing (or after approval); 2 not a letter from this database (or not signed); "
    "3 approved and signed, but the approval was withdrawn since; 5 the signer's certificate is not "
    "trusted (no chain to the office's trust anchors or --trust, expired, or a bad timestamp); "
    "6 not signed by the letter's signatory (or the .docx inside approved by a judge who is not its "
    "signatory, with no record of signing for them: what the .docx's `verify` answers with 8); 7 no such "
    "file; 9 could not be checked")

PDF_MAGIC = b"%PDF-"


def _subparsers(parser: argparse.ArgumentParser) -> Any:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(f"{parser.prog} has no subcommands")


def _secret(source: str) -> Callable[[], str]:
    def ask() -> str:
        given = os.environ.get("CHAMBERS_SIGN_PASSPHRASE")
        if given is not None:
            return given
        what = "PIN" if source.lower().startswith("pkcs11:") else "passphrase"
        try:
            return getpass.getpass(f"The {what} of {source}: ")
        except (EOFError, getpass.GetPassWarning):
            raise ChambersError(f"no {what} for {source}: set CHAMBERS_SIGN_PASSPHRASE or run in a terminal; "
                                "nothing was written") from None
    return ask


def _read_certificate_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ChambersError(f"{path}: cannot be read ({exc.strerror or exc})") from None


# --- handlers ------------------------------------------------------------------------------------
def cmd_users_certificate(args: argparse.Namespace, s: Services) -> int:
    bound = s.signing.bind_certificate(args.name, _read_certificate_file(args.certificate), str(args.certificate))
    print(f"Bound the signing certificate {bound.subject} (SHA-256 {bound.sha256}, valid until "
          f"{bound.not_after:%B %-d, %Y}) to {bound.user}")
    return EXIT_OK


def cmd_trust_add(args: argparse.Namespace, s: Services) -> int:
    anchor = s.signing.trust_add(_read_certificate_file(args.certificate), str(args.certificate))
    print(f"The office now trusts {anchor.subject} (SHA-256 {anchor.sha256})")
    return EXIT_OK


def cmd_trust_list(args: argparse.Namespace, s: Services) -> int:
    anchors = s.signing.trust_list(include_removed=args.all)
    if not anchors:
        print("The office trusts no certificate yet: an admin adds its CA with `office trust add CA.pem`.")
    for anchor in anchors:
        removed = f"  (removed by {anchor.removed_by} {anchor.removed_at:%Y-%m-%d})" if anchor.removed_at else ""
        print(f"{anchor.sha256}  {anchor.subject}  added by {anchor.added_by} {anchor.added_at:%Y-%m-%d}{removed}")
    return EXIT_OK


def cmd_trust_remove(args: argparse.Namespace, s: Services) -> int:
    anchor = s.signing.trust_remove(args.sha256)
    print(f"The office no longer trusts {anchor.subject} (SHA-256 {anchor.sha256})")
    return EXIT_OK


def cmd_export_signed(args: argparse.Namespace, s: Services) -> int:
    if pdf_alone_and_beside(args):
        return EXIT_INVALID
    if args.pdf_only is not None:
        protect_local_database()
        done = s.signing.export_signed(args.id, None, args.pdf_only, args.sign_with, _secret(args.sign_with),
                                       pdf_option="--pdf-only")
        print(f"Wrote the PDF of the approved letter {args.id}, signed{_stamp(done)} by "
              f"{done.certificate.common_name}, to {done.pdf}")
        return EXIT_OK
    if args.pdf is None:
        err("--sign-with signs the PDF: give --pdf FILE.pdf beside --out, or --pdf-only FILE.pdf for the signed "
            "PDF alone. Nothing was written.")
        return EXIT_INVALID
    protect_local_database()
    done = s.signing.export_signed(args.id, args.out, args.pdf, args.sign_with, _secret(args.sign_with))
    print(f"Wrote the approved letter {args.id} to {done.docx} and its PDF, signed{_stamp(done)} by "
          f"{done.certificate.common_name}, to {done.pdf}")
    return EXIT_OK


def _stamp(done: SignedExport) -> str:
    return " with a timestamp" if done.timestamped else ""


def cmd_verify_pdf(args: argparse.Namespace, s: Services) -> int:
    verdict = s.signing.verify_pdf(args.file)
    (print if verdict.code == 0 else err)(f"{args.file}: {verdict.message}")
    return verdict.code


def _verify_outside(args: argparse.Namespace) -> int:
    """``verify X.pdf --trust CA.pem``: no database is opened (nor created)."""
    from app.services.signing import check_signed_pdf

    def run() -> int:
        anchors = [(str(p), _read_certificate_file(p)) for p in args.trust]
        verdict = check_signed_pdf(args.file, anchors)
        (print if verdict.code == 0 else err)(f"{args.file}: {verdict.message}")
        return verdict.code
    return run_guarded(run)


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(PDF_MAGIC)) == PDF_MAGIC
    except OSError:
        return False


# --- registration --------------------------------------------------------------------------------
def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the signing commands and options to the parsers ``app.cli.drafts`` and ``app.cli.office`` made."""
    common = database_options()
    top = dict(commands.choices)

    users = _subparsers(top["users"])
    p = users.add_parser("certificate", parents=[common],
                         help="bind a judge's signing certificate (the public part, PEM or DER; admins)")
    p.add_argument("name")
    p.add_argument("certificate", type=Path, metavar="CERT.pem")
    p.set_defaults(handler=guarded(cmd_users_certificate))

    office = _subparsers(top["office"])
    trust = office.add_parser("trust", help="the office's trust anchors: the CAs judges' certificates chain to")
    t = trust.add_subparsers(dest="trust_command", metavar="ACTION")
    p = t.add_parser("add", parents=[common], help="trust a CA certificate (PEM or DER; admins)")
    p.add_argument("certificate", type=Path, metavar="CA.pem")
    p.set_defaults(handler=guarded(cmd_trust_add))
    p = t.add_parser("list", parents=[common], help="the trusted CA certificates")
    p.add_argument("--all", action="store_true", help="with the removed ones, and who removed them")
    p.set_defaults(handler=guarded(cmd_trust_list))
    p = t.add_parser("remove", parents=[common], help="stop trusting a CA (by its SHA-256, or 8+ first hex digits; "
                                                      "admins)")
    p.add_argument("sha256")
    p.set_defaults(handler=guarded(cmd_trust_remove))
    trust.set_defaults(handler=usage(trust))

    export = _subparsers(top["drafts"]).choices["export"]
    export.add_argument("--sign-with", metavar="KEY", default=None,
                        help="sign the PDF (of --pdf, or of --pdf-only alone) as the signatory judge: a PKCS#12 "
                             "file (.p12) or a PKCS#11 URI "
                             "(pkcs11:token=NAME;object=LABEL, module from $CHAMBERS_PKCS11_MODULE); the "
                             "passphrase or PIN from $CHAMBERS_SIGN_PASSPHRASE or a prompt. The PDF is then "
                             "tagged PDF/A-3b carrying the approved .docx; timestamped when "
                             "$CHAMBERS_TIMESTAMP_URL names an RFC 3161 server")
    plain_export, signed_export = guarded(cmd_export), guarded(cmd_export_signed)
    export.set_defaults(handler=lambda args: (signed_export if args.sign_with else plain_export)(args))

    verify = top["verify"]
    verify.add_argument("--trust", action="append", type=Path, metavar="CA.pem", default=None,
                        help="a PDF: check against this CA certificate instead of the database's trust anchors "
                             "(for a recipient outside the court; no database is opened); repeatable")
    verify.description = (verify.description or "") + " For a signed PDF: " + VERIFY_CODES + "."
    docx_verify, pdf_verify = verify.get_default("handler"), guarded(cmd_verify_pdf)

    def dispatch(args: argparse.Namespace) -> int:
        if not args.file.is_file():  # as the .docx verify says it: never "modified" for a missing file
            err(f"{args.file}: no such file.")
            return EXIT_NOT_FOUND
        if _is_pdf(args.file):
            return _verify_outside(args) if args.trust else pdf_verify(args)
        if args.trust:
            err(f"{args.file}: --trust checks a signed PDF; a .docx is checked against the database")
            return EXIT_INVALID
        code: int = docx_verify(args)
        return code
    verify.set_defaults(handler=dispatch)

