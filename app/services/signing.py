"""Signing: the signatory judge signs the PDF of exactly the approved bytes, and anyone checks it.

"Signed-ready" (what approval gives) is a .docx sealed by a SHA-256 that this database vouches
for; "signed" (what this service adds) is a PDF/A carrying that .docx, signed with the judge's own
certificate, which any PDF reader can check against the office's CA without the database.

One call does a signed export (``export_signed``), so the window's dialog and the command line ask
the same questions in the same order, and a refusal always comes before anything is written:
the role and the letter's state, that this judge is its signatory (or approved it on the
signatory's behalf), that a certificate is bound to the judge, still valid and chained to the
office's trust anchors, then the key's passphrase or PIN, and that the key's certificate is the
bound one. Only then is the PDF made, signed, and written together with the .docx (or alone, when
the judge wants only the signed PDF: the court files PDFs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.certificates import BoundCertificate, TrustAnchor
from app.core.errors import ChambersError
from app.core.files import preflight_outputs, write_outputs
from app.core.letter import Letter, parse_letter
from app.core.records import Approval, User, utc_now
from app.core.workflow import Action, NotFound, Refused, Role, Status, check, check_role
from app.rendering.pdf import ARCHIVAL_TAGGED, PdfConverter
from app.rendering.seal import custom_properties, is_docx
from app.rendering.verify import check_docx_file
from app.services.drafts import (
    FOREIGN,
    MODIFIED,
    NOT_SIGNATORY,
    PROP_APPROVER,
    PROP_SIGNED_FOR,
    VERIFIED,
    WITHDRAWN,
    Drafts,
    _person,
    is_signatory,
)
from app.services.letters import protect_packs, suggested_file_name
from app.storage.interfaces import Store

if TYPE_CHECKING:
    # pyHanko and its certificate stack take most of a second to import: only a signing or a PDF
    # verify pays for it, never a window start or another command (``_pades`` imports it then).
    from app.rendering.signing import CertificateFacts, SignedPdf

ENV_SECRET = "CHAMBERS_SIGN_PASSPHRASE"      # the PKCS#12 passphrase or the token's PIN
ENV_PKCS11_MODULE = "CHAMBERS_PKCS11_MODULE"   # the PKCS#11 library that drives the token
ENV_TIMESTAMP_URL = "CHAMBERS_TIMESTAMP_URL"   # the office's RFC 3161 timestamp server, if any

# What ``verify`` answers for a PDF; shared with the .docx verdicts where they mean the same.
UNTRUSTED, NOT_SIGNED_BY_SIGNATORY, UNCHECKED = 5, 6, 9


@dataclass(frozen=True)
class SignedExport:
    docx: Path | None  # None: the signed PDF was written alone
    pdf: Path
    approval: Approval
    certificate: CertificateFacts
    timestamped: bool


@dataclass(frozen=True)
class PdfVerdict:
    code: int
    message: str
    signer: CertificateFacts | None = None
    timestamp_at: dt.datetime | None = None


def _pades() -> Any:
    from app.rendering import signing

    return signing


def timestamp_url() -> str | None:
    """The office's RFC 3161 server ($CHAMBERS_TIMESTAMP_URL), or None for PAdES B-B."""
    return os.environ.get(ENV_TIMESTAMP_URL) or None


def _for_person(cert: CertificateFacts, user: User) -> bool:
    names = {_person(user.name), _person(user.full_name)} - {""}
    return _person(cert.common_name) in names


class Signing:
    """Certificates, trust anchors, signed export and PDF verification over one database."""

    def __init__(self, store: Store, drafts: Drafts, actor: Callable[[], User]) -> None:
        self.store = store
        self.drafts = drafts
        self._actor = actor

    @property
    def user(self) -> User:
        return self._actor()

    # --- the office's side: certificates and trust anchors (admins) --------------------------
    def _admin(self) -> User:
        user = self.user
        check_role(user.name, user.role, Action.MANAGE_USERS)
        return user

    def bind_certificate(self, name: str, data: bytes, where: str = "the certificate") -> BoundCertificate:
        """Bind ``data`` (a PEM or DER certificate) as judge ``name``'s signing certificate."""
        admin = self._admin()
        cert = _pades().read_certificate(data, where)
        now = utc_now()
        with self.store.write() as tx:
            user = tx.users.get(name)
            if user is None:
                raise NotFound(f"there is no user {name!r}")
            if user.role is not Role.JUDGE:
                raise Refused(f"{user.shown} is a {user.role.value}: only a judge signs letters, so only a judge "
                              "has a signing certificate")
            if cert.is_ca:
                raise Refused(f"{where} is a CA certificate ({cert.subject}); bind the judge's own certificate, "
                              "and add the CA with `office trust add`")
            if not _for_person(cert, user):
                raise Refused(f"{where} is issued to {cert.common_name or cert.subject}, not to {user.shown}: "
                              "a judge's certificate must name that judge")
            if now > cert.not_after:
                raise Refused(f"{where} expired on {cert.not_after:%B %-d, %Y}: bind the judge's current certificate")
            return tx.signing.bind(user.name, cert.sha256, cert.der, cert.subject, cert.not_after, admin.name, now)

    def trust_add(self, data: bytes, where: str = "the certificate") -> TrustAnchor:
        admin = self._admin()
        cert = _pades().read_certificate(data, where)
        if not cert.is_ca:
            raise Refused(f"{where} ({cert.subject}) is not a CA certificate: trust the CA that issues the judges' "
                          "certificates, and bind each judge's own with `users certificate`")
        with self.store.write() as tx:
            return tx.signing.add_anchor(cert.sha256, cert.der, cert.subject, admin.name, utc_now())

    def trust_list(self, include_removed: bool = False) -> list[TrustAnchor]:
        with self.store.read() as tx:
            return tx.signing.anchors(include_removed)

    def trust_remove(self, fingerprint: str) -> TrustAnchor:
        """Stop trusting the anchor whose SHA-256 is (or starts with, 8 hex digits or more) ``fingerprint``."""
        admin = self._admin()
        wanted = fingerprint.strip().lower().replace(":", "")
        if len(wanted) < 8:
            raise Refused("give at least the first 8 hex digits of the anchor's SHA-256 (see `office trust list`)")
        with self.store.write() as tx:
            matches = [a for a in tx.signing.anchors() if a.sha256.startswith(wanted)]
            if len(matches) > 1:
                raise Refused(f"{fingerprint} matches {len(matches)} trust anchors; give more of the SHA-256")
            if not matches:
                raise NotFound(f"the office trusts no certificate with SHA-256 {fingerprint} (see `office trust list`)")
            return tx.signing.remove_anchor(matches[0].sha256, admin.name, utc_now())

    # --- the judge's side: a signed export --------------------------------------------------
    def may_sign(self, letter_id: int) -> tuple[Approval, Letter, BoundCertificate]:
        """What a signing dialog asks first: may the current user sign this letter's PDF now?

        ``Refused`` says why not (role, state, not the signatory, no certificate, expired or
        untrusted certificate); nothing about the key is asked before this passes.
        """
        user = self.user
        check_role(user.name, user.role, Action.EXPORT_FINAL)
        with self.store.read() as tx:
            current = tx.letters.get(letter_id)
            approval = tx.letters.approval(current.approval_id) if current.approval_id else None
            if approval is None or approval.voided_at is not None or \
                    current.status not in (Status.APPROVED, Status.EXPORTED):
                raise Refused(f"letter {letter_id} is {current.status.label}, not approved: only an approved letter "
                              "is signed; nothing was written")
            check(user.name, user.role, Action.EXPORT_FINAL, current.status)
            letter = parse_letter(tx.letters.version(letter_id, approval.version).data).letter
            bound = tx.signing.certificate(user.name)
            anchors = [a.der for a in tx.signing.anchors()]
        signed_for = approval.signed_for
        own = is_signatory(user, letter)
        for_them = signed_for is not None and approval.approver == user.name and \
            _person(signed_for) == _person(letter.signatory.name)
        if not own and not for_them:
            raise Refused(f"letter {letter_id} is signed by {letter.signatory.name}, not by {user.shown}: only the "
                          "signatory (or the judge recorded as approving it on their behalf) signs its PDF; "
                          "nothing was written")
        if bound is None:
            raise Refused(f"no signing certificate is bound to {user.shown}: an admin binds it with "
                          f"`chambers users certificate {user.name} CERT.pem`; nothing was written")
        problem = _pades().certificate_problem(_pades().read_certificate(bound.der), anchors, utc_now())
        if problem:
            raise Refused(f"{problem}; nothing was written")
        return approval, letter, bound

    def export_signed(self, letter_id: int, out: Path | None, pdf: Path, sign_with: str,
                      secret: Callable[[], str], timestamp: str | None = None,
                      pdf_option: str = "--pdf") -> SignedExport:
        """Write the approved .docx to ``out`` and its signed, tagged PDF/A to ``pdf``: both or neither.
        With ``out`` None, the signed PDF alone (it still carries the approved .docx inside it).

        ``sign_with``: a PKCS#12 file or a ``pkcs11:`` URI; ``secret`` is asked for its passphrase
        or PIN only after every other check passed, and the answer is never kept. ``pdf_option``
        names the PDF's path in a refusal (``drafts export --pdf-only`` writes it alone).
        """
        library = self.drafts.library
        protect_packs(library)
        targets: list[tuple[Path, str, str]] = [(out, ".docx", "--out")] if out is not None else []
        targets.append((pdf, ".pdf", pdf_option))
        preflight_outputs(targets)  # the output policy, before anything is released, asked or signed
        try:
            source = _pades().key_source(sign_with, os.environ.get(ENV_PKCS11_MODULE))
        except _pades().SigningProblem as exc:
            raise Refused(str(exc)) from None
        approval, letter, bound = self.may_sign(letter_id)
        data = self.drafts._checked(approval)
        timestamp = timestamp if timestamp is not None else timestamp_url()
        signed_for = approval.signed_for
        reason = f"Approved version {approval.version} of letter {letter_id}" + \
            (f", signed for {signed_for}" if signed_for else "")
        try:
            with _pades().open_key(source, secret()) as key:
                if key.certificate.sha256 != bound.sha256:
                    raise Refused(f"{source} holds the certificate {key.certificate.label}, which is not the one "
                                  f"bound to {self.user.shown} (SHA-256 {bound.sha256[:16]}...); nothing was written")
                with PdfConverter() as converter:
                    rendition = converter.convert(data, ARCHIVAL_TAGGED)
                signed = _pades().sign_letter(rendition, key, _pades().SignRequest(
                    signatory=letter.signatory.name, reason=reason, location=letter.sender.court,
                    source_docx=data, source_name=suggested_file_name(letter), timestamp_url=timestamp))
                certificate = key.certificate
        except _pades().SigningProblem as exc:
            raise Refused(str(exc)) from None
        made: dict[str, tuple[bytes, Callable[[Path, bytes], None] | None]] = {
            ".docx": (data, check_docx_file), ".pdf": (signed, None)}
        protect_packs(library)  # a pack installed while LibreOffice and the signer worked is protected too
        write_outputs([(path, kind, option, *made[kind]) for path, kind, option in targets])
        # Recorded as the two-file export records it; a PDF alone names the PDF as its file, as
        # ``Drafts.export_pdf`` does, and says no .docx left with it.
        where = {"file": out.name, "pdf": pdf.name} if out is not None else \
            {"file": pdf.name, "pdf": pdf.name, "docx": False}
        self.drafts._transition(letter_id, Action.EXPORT_FINAL, {
            **where, "signed": True, "certificate_sha256": certificate.sha256,
            "pdf_sha256": hashlib.sha256(signed).hexdigest(), "timestamp": bool(timestamp)})
        return SignedExport(out, pdf, approval, certificate, bool(timestamp))

    # --- anyone: is this PDF a letter signed by its signatory? -------------------------------
    def verify_pdf(self, path: Path) -> PdfVerdict:
        """The PDF checked against this database: trust anchors, the binding of the signer's
        certificate, and the embedded .docx against the approvals."""
        with self.store.read() as tx:
            anchors = [a.der for a in tx.signing.anchors()]
        return check_signed_pdf(path, anchors, self)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ChambersError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def check_signed_pdf(path: Path, anchors: list[bytes] | list[tuple[str, bytes]],
                     office: Signing | None = None) -> PdfVerdict:
    """``verify`` for a PDF: ``anchors`` are the office's (DER), or an outside recipient's ``--trust``
    files as (name, PEM or DER) (then ``office`` is None and no database is opened)."""
    data = _read(path)
    try:
        roots = [a if isinstance(a, bytes) else _pades().read_certificate(a[1], a[0]).der for a in anchors]
        report = _pades().read_signed_pdf(data, roots)
    except _pades().SigningProblem as exc:
        return PdfVerdict(UNCHECKED, f"could not be checked: {exc}")
    except Exception as exc:  # a hostile PDF may break the reader anywhere: say so, never crash
        return PdfVerdict(UNCHECKED, f"could not be checked ({type(exc).__name__}: {exc})")
    if not report.signed:
        return PdfVerdict(FOREIGN, "not a signed letter: the PDF carries no signature")
    signer = report.signer
    if signer is None:
        return PdfVerdict(UNCHECKED, f"could not be checked: the signature names no signer certificate "
                                     f"({report.summary})")
    if not report.intact:
        return PdfVerdict(MODIFIED, f"modified after signing: the signature no longer matches the file "
                                    f"({report.summary})", signer)
    if not report.whole_file:
        return PdfVerdict(MODIFIED, "modified after signing: content was added after the signature "
                                    f"({report.summary})", signer)
    who = signer.common_name or signer.subject
    if not report.trusted:
        where = "the office's trust anchors" if office is not None else "the --trust certificate(s)"
        return PdfVerdict(UNTRUSTED, f"signed by {who}, but the certificate does not chain to {where} "
                                     f"or was not valid when it signed ({report.trust_problem})", signer)
    if report.timestamp_ok is False:
        return PdfVerdict(UNTRUSTED, f"signed by {who}, but its timestamp cannot be trusted", signer)
    docx = report.source_docx
    if docx is None or not is_docx(docx):
        return PdfVerdict(FOREIGN, f"signed by {who}, but not a Chambers letter: it carries no approved .docx",
                          signer)
    props = custom_properties(docx)
    signatory = report.author
    signed_for = props.get(PROP_SIGNED_FOR)
    by_signatory = _person(signer.common_name) == _person(signatory) and bool(signatory)
    for_signatory = bool(signed_for) and _person(signed_for or "") == _person(signatory) and \
        _person(signer.common_name) == _person(props.get(PROP_APPROVER, ""))
    if not by_signatory and not for_signatory:
        return PdfVerdict(NOT_SIGNED_BY_SIGNATORY, f"signed by {who}, but the letter's signatory is "
                                                   f"{signatory or 'not named'}", signer)
    when = report.timestamp_at or report.signed_at
    stamp = (f" (timestamped {report.timestamp_at:%B %-d, %Y at %H:%M} UTC)" if report.timestamp_at else
             f" on {when:%B %-d, %Y at %H:%M} UTC (time as the signer's computer said)" if when else "")
    signed = f"signed by {who}" + (f" for {signed_for}" if signed_for and not by_signatory else "") + stamp
    if office is None:
        return PdfVerdict(VERIFIED, f"{signed}, with a certificate that chains to the given trust anchor; the "
                                    "signature covers the whole file, including the approved .docx inside it",
                          signer, report.timestamp_at)
    return _against_database(office, signer, docx, signed, report)


def _against_database(office: Signing, signer: CertificateFacts, docx: bytes, signed: str,
                      report: SignedPdf) -> PdfVerdict:
    with office.store.read() as tx:
        bound = tx.signing.certificate_by_hash(signer.sha256)
    with tempfile.TemporaryDirectory(prefix="chambers-verify-") as folder:
        inner = Path(folder) / "approved.docx"
        inner.write_bytes(docx)
        verdict = office.drafts.verify(inner)
    if verdict.code == NOT_SIGNATORY:
        return PdfVerdict(NOT_SIGNED_BY_SIGNATORY, f"{signed}, but the .docx inside says: {verdict.message}", signer)
    if verdict.code == WITHDRAWN:
        return PdfVerdict(WITHDRAWN, f"{signed}; the .docx inside: {verdict.message}", signer)
    if verdict.code != VERIFIED or verdict.approval is None:
        return PdfVerdict(verdict.code, f"{signed}, but the .docx inside is {verdict.message}", signer)
    if bound is None or bound.user != verdict.approval.approver:
        holder = f"bound to {bound.user}" if bound else "bound to no judge of this office"
        return PdfVerdict(NOT_SIGNED_BY_SIGNATORY, f"{signed}, but that certificate is {holder}, not to "
                                                   f"{verdict.approval.approver}, who approved the letter", signer)
    return PdfVerdict(VERIFIED, f"{signed}; the .docx inside {verdict.message}", signer, report.timestamp_at)
