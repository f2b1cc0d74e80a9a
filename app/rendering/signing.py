"""PAdES signatures on the letter's PDF, and reading them back: the only user of pyHanko.

A signed letter is the tagged PDF/A-3b rendition of the approved .docx, with that .docx embedded
as its associated source file (``/AF``, ``AFRelationship /Source``), signed by the signatory judge
with a PAdES baseline signature (B-B; B-T when the office names an RFC 3161 timestamp server).
The key comes from a PKCS#12 file or a PKCS#11 token (smart card, HSM) and never leaves this
module: the database only ever sees public certificates.

Nothing here decides who may sign: ``app.services.signing`` does, and then calls ``sign_letter``.
The CMS structures, certificate paths and timestamps are pyHanko's and pyhanko-certvalidator's;
Chambers only places the visible signature and embeds the source file.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import io
import urllib.parse
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

with warnings.catch_warnings():
    # pyHanko imports cryptography's DSA types to recognise such keys; cryptography 51 warns on that
    # import alone. Chambers never makes or accepts DSA keys, and the warning would reach every
    # user of the command line, so it is silenced for this import only.
    warnings.filterwarnings("ignore", message="DSA is deprecated", category=UserWarning)
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko.stamp import TextStampStyle
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

from app.core.errors import ChambersError

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIELD_NAME = "Signature"
# The appearance's font: embedded (PDF/A forbids a font that is not); Liberation Serif is the
# letters' own metric-compatible font, installed with them.
FONT_FILES = (Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
              Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"))
POINTS = 72.0
STAMP_WIDTH, STAMP_HEIGHT, MARGIN = 3.0 * POINTS, 0.8 * POINTS, 1.0 * POINTS


class SigningProblem(ChambersError):
    """A key, certificate or PDF that cannot be used to sign: the message says which and why."""


class WrongSecret(SigningProblem):
    """The passphrase or PIN does not open the key."""


# --- certificates ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CertificateFacts:
    """What a court needs to know of an X.509 certificate, read once."""

    der: bytes
    sha256: str
    subject: str         # RFC 4514, e.g. "CN=Tani G. Cantil-Sakauye,O=Superior Court"
    common_name: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    is_ca: bool

    @property
    def label(self) -> str:
        return f"{self.common_name or self.subject} (SHA-256 {self.sha256[:16]}..., issued by {self.issuer})"


def read_certificate(data: bytes, where: str = "the certificate") -> CertificateFacts:
    """A certificate from PEM or DER bytes; ``SigningProblem`` naming ``where`` otherwise."""
    try:
        cert = x509.load_pem_x509_certificate(data) if data.lstrip().startswith(b"-----BEGIN") \
            else x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise SigningProblem(f"{where} is not an X.509 certificate in PEM or DER ({exc})") from None
    return _facts(cert)


def _facts(cert: x509.Certificate) -> CertificateFacts:
    der = cert.public_bytes(Encoding.DER)
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    try:
        is_ca = bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        is_ca = False
    return CertificateFacts(
        der=der, sha256=hashlib.sha256(der).hexdigest(), subject=cert.subject.rfc4514_string(),
        common_name=str(names[0].value) if names else "", issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"), not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc, is_ca=is_ca)


def certificate_problem(cert: CertificateFacts, anchors: Sequence[bytes], at: dt.datetime) -> str | None:
    """Why ``cert`` may not sign at ``at`` with these trust anchors (DER), or None when it may:
    within its validity, chained to one of the anchors, and allowed to sign documents."""
    if at < cert.not_before:
        return f"the certificate {cert.label} is not valid before {cert.not_before:%B %-d, %Y}"
    if at > cert.not_after:
        return f"the certificate {cert.label} expired on {cert.not_after:%B %-d, %Y}"
    if not anchors:
        return "the office has no trust anchors: an admin adds the office's CA with `office trust add CA.pem`"
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(a) for a in anchors],
                                allow_fetching=False, revocation_mode="soft-fail", moment=at)
    validator = CertificateValidator(asn1_x509.Certificate.load(cert.der), validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage({"digital_signature"}))
    except PathBuildingError:
        return (f"the certificate {cert.label} does not chain to any of the office's trust anchors "
                "(`office trust list`)")
    except (PathValidationError, ValidationError) as exc:
        return f"the certificate {cert.label} is not accepted: {exc}"
    return None


# --- keys ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyFile:
    """A PKCS#12 file (.p12/.pfx) holding the judge's key and certificate."""

    path: Path

    def __str__(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class TokenKey:
    """A key on a PKCS#11 token, named by an RFC 7512 URI (``pkcs11:token=...;object=...``)."""

    uri: str
    token: str
    label: str | None
    key_id: bytes | None
    module: str | None    # from the URI's module-path, else the caller's setting

    def __str__(self) -> str:
        return self.uri


def key_source(text: str, module: str | None = None) -> KeyFile | TokenKey:
    """``--sign-with``: a PKCS#12 path, or a ``pkcs11:`` URI (module from the URI or ``module``)."""
    if not text.lower().startswith("pkcs11:"):
        return KeyFile(Path(text))
    path, _, query = text[len("pkcs11:"):].partition("?")
    attributes: dict[str, str] = {}
    for part in [p for p in path.split(";") if p] + [q for q in query.split("&") if q]:
        name, sep, value = part.partition("=")
        if not sep:
            raise SigningProblem(f"{text}: {part!r} is not name=value (write pkcs11:token=NAME;object=LABEL)")
        attributes[name.strip().lower()] = urllib.parse.unquote(value)
    unknown = set(attributes) - {"token", "object", "id", "type", "module-path", "pin-value", "manufacturer",
                                 "model", "serial", "library-manufacturer", "library-description",
                                 "library-version", "slot-id", "slot-description", "slot-manufacturer"}
    if unknown:
        raise SigningProblem(f"{text}: unknown PKCS#11 URI attribute(s) {', '.join(sorted(unknown))}")
    if "pin-value" in attributes:
        raise SigningProblem(f"{text}: a PIN is never written in the key's name; give it in "
                             "CHAMBERS_SIGN_PASSPHRASE or at the prompt")
    if not attributes.get("token"):
        raise SigningProblem(f"{text}: name the token (pkcs11:token=NAME;object=LABEL)")
    if not attributes.get("object") and not attributes.get("id"):
        raise SigningProblem(f"{text}: name the key on the token (object=LABEL or id=%01...)")
    key_id = urllib.parse.unquote_to_bytes(attributes["id"]) if attributes.get("id") else None
    return TokenKey(text, attributes["token"], attributes.get("object"), key_id,
                    attributes.get("module-path") or module)


@dataclass
class OpenKey:
    """A key ready to sign and its certificate (the key itself stays in the file's or token's keeping)."""

    signer: signers.Signer
    certificate: CertificateFacts


class _KeyFileSigner(signers.SimpleSigner):
    """pyHanko's signer for a key held in memory, parsing the key once rather than per signature.

    ``SimpleSigner.sign_raw`` loads the private key from DER at every call (twice a signature),
    and loading an RSA key checks it, which costs about a quarter of a second: half the time of
    a signed export, and of every letter in a batch. The common mechanisms sign here with the key
    loaded once; any other goes to pyHanko's own code.
    """

    _loaded: Any = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
        from cryptography.hazmat.primitives.serialization import load_der_private_key
        from pyhanko.sign.general import get_pyca_cryptography_hash

        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if self._loaded is None:
            self._loaded = load_der_private_key(self.signing_key.dump(), password=None)
        key, hash_algorithm = self._loaded, get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
            signature: bytes = key.sign(data, PKCS1v15(), hash_algorithm)
            return signature
        if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
            signature = key.sign(data, ECDSA(hash_algorithm))
            return signature
        return super().sign_raw(data, digest_algorithm)


def open_pkcs12(data: bytes, secret: str, where: str) -> OpenKey:
    try:
        loaded = signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=secret.encode() or None)
    except ValueError:
        raise WrongSecret(f"{where}: the passphrase does not open this key file (or it is not a PKCS#12 "
                          "file); nothing was written") from None
    signer = _KeyFileSigner(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                            cert_registry=loaded.cert_registry)
    cert = signer.signing_cert
    if cert is None:
        raise SigningProblem(f"{where}: the key file holds no certificate")
    return OpenKey(signer, read_certificate(cert.dump(), where))


@contextlib.contextmanager
def open_key(source: KeyFile | TokenKey, secret: str) -> Iterator[OpenKey]:
    """The key of ``source`` unlocked with ``secret`` (passphrase or PIN), for as long as the block."""
    if isinstance(source, KeyFile):
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            raise SigningProblem(f"{source.path}: the key file cannot be read ({exc.strerror or exc})") from None
        yield open_pkcs12(data, secret, str(source.path))
        return
    yield from _open_token(source, secret)


def _open_token(source: TokenKey, secret: str) -> Iterator[OpenKey]:
    import pkcs11
    from pkcs11 import exceptions as p11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    if not source.module:
        raise SigningProblem(f"{source.uri}: which PKCS#11 module drives the token? Set CHAMBERS_PKCS11_MODULE "
                             "(e.g. /usr/lib/softhsm/libsofthsm2.so or your card's opensc-pkcs11.so)")
    try:
        # The module is loaded once a process and lists the tokens it found when it started: a card
        # put in (or a token made) since is only seen once it starts again, and a token removed
        # since would be looked for in vain (SoftHSM then hung at login). Signing is rare and
        # one at a time, so each one asks the module afresh.
        pkcs11.lib(source.module).reinitialize()
        session = open_pkcs11_session(source.module, token_criteria=TokenCriteria(label=source.token),
                                      user_pin=secret)
    except p11.PinIncorrect:
        raise WrongSecret(f"{source.uri}: the PIN is not the token's; nothing was written") from None
    except p11.PinLenRange:
        raise WrongSecret(f"{source.uri}: the PIN has the wrong length for this token; nothing was written") from None
    except (pkcs11.PKCS11Error, SigningError, OSError, RuntimeError) as exc:
        raise SigningProblem(f"{source.uri}: the token cannot be opened ({type(exc).__name__}: {exc}); "
                             "is the card in and the module right?") from None
    try:
        signer = PKCS11Signer(session, key_label=source.label, cert_label=source.label, key_id=source.key_id,
                              cert_id=source.key_id)
        try:
            cert = asyncio.run(_token_certificate(signer))
        except (pkcs11.PKCS11Error, SigningError, PdfError) as exc:
            raise SigningProblem(f"{source.uri}: the token has no key and certificate by that name "
                                 f"({type(exc).__name__}: {exc})") from None
        yield OpenKey(signer, read_certificate(cert.dump(), source.uri))
    finally:
        with contextlib.suppress(pkcs11.PKCS11Error):
            session.close()


async def _token_certificate(signer: Any) -> asn1_x509.Certificate:
    await signer.ensure_objects_loaded()
    cert: asn1_x509.Certificate = signer.signing_cert
    if cert is None:
        raise SigningError("no certificate")
    return cert


# --- the visible signature --------------------------------------------------------------------
@dataclass(frozen=True)
class Placement:
    page: int                                   # 0-based
    box: tuple[int, int, int, int]      # x1, y1, x2, y2 in points from the bottom left


def signature_placement(pdf: bytes, signatory: str) -> Placement:
    """Where the visible signature goes: beside the signature block, never over the text.

    The block is found by the signatory's printed name, searched from the last page back (the
    letterhead or a cc line may name the judge elsewhere; the block closes the letter). The box
    stands to the right of everything printed between the complimentary close and the name, in
    the blank room a signature block leaves; it is an annotation, so the page's own content and
    layout do not move.
    """
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(document) - 1, -1, -1):
            page = document[index]
            text = page.get_textpage()
            try:
                searcher = text.search(signatory.strip(), match_case=False, match_whole_word=False)
                found, hit = None, searcher.get_next()
                while hit is not None:
                    found, hit = hit, searcher.get_next()
                if found is None:
                    continue
                start, count = found
                boxes = [text.get_charbox(i) for i in range(start, start + count)]
                left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
                top = max(b[3] for b in boxes)
                width, _height = page.get_size()
                band_top, band_bottom = top + STAMP_HEIGHT * 1.2, bottom
                rightmost = left
                for i in range(text.count_rects()):
                    x1, y1, x2, y2 = text.get_rect(i)
                    if y2 > band_bottom and y1 < band_top:
                        rightmost = max(rightmost, x2)
                x1 = max(rightmost + POINTS / 3, width / 2)
                x2 = min(x1 + STAMP_WIDTH, width - MARGIN / 2)
                if x2 - x1 < STAMP_WIDTH * 0.6:
                    continue
                y1 = bottom
                return Placement(index, (round(x1), round(y1), round(x2), round(y1 + STAMP_HEIGHT)))
            finally:
                text.close()
                page.close()
    finally:
        document.close()
    raise SigningProblem(f"the PDF does not print the signatory's name ({signatory}) anywhere it could "
                         "sign beside: the signature block was not found")


_font_cache: list[bytes] = []


def _appearance_font() -> bytes:
    """Liberation Serif scaled to 1,000 units an em, read once a process.

    pyHanko writes a TrueType font's glyph advances into the PDF's /W widths as they are in the
    font, while PDF reads them as thousandths of an em: right for CFF fonts (1,000 units), spread
    out twice as wide for TrueType fonts drawn on 2,048 units (Liberation, DejaVu). Scaling the
    font to 1,000 units first (fontTools, which pyHanko already uses) makes both agree.
    """
    if not _font_cache:
        from fontTools.ttLib import TTFont
        from fontTools.ttLib.scaleUpem import scale_upem

        font = next((f for f in FONT_FILES if f.is_file()), None)
        if font is None:
            raise SigningProblem("the font for the visible signature (Liberation Serif) is not installed: "
                                 "apt-get install fonts-liberation2")
        with TTFont(str(font)) as tt:
            if tt["head"].unitsPerEm != 1000:
                scale_upem(tt, 1000)
            # FontForge's timestamp, which the subsetter drops anyway (saying so on stderr), and the
            # layout tables: pyHanko parses the font afresh for every signature, and GSUB/GPOS are
            # most of that work (half a second) for three short lines that need no ligature.
            for table in ("FFTM", "GSUB", "GPOS", "GDEF"):
                if table in tt:
                    del tt[table]
            out = io.BytesIO()
            tt.save(out)
        _font_cache.append(out.getvalue())
    return _font_cache[0]


def _stamp_style() -> TextStampStyle:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle

    class InMemoryFont(GlyphAccumulatorFactory):
        # pyHanko's factory opens the font file and never closes it; this one reads from memory.
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(_appearance_font()),
                                    font_size=self.font_size, obj_stream=obj_stream)

    return TextStampStyle(
        stamp_text="Digitally signed by %(signer)s\n%(ts)s\n%(reason)s",
        text_box_style=TextBoxStyle(font=InMemoryFont("LiberationSerif-Regular.ttf"), font_size=8),
        timestamp_format="%B %-d, %Y %H:%M UTC", border_width=1, background=None)


# --- signing ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignRequest:
    """What goes into one signature, besides the key."""

    signatory: str              # the name printed in the signature block
    reason: str                 # e.g. "Approved version 3 of letter 12"
    location: str               # the court
    source_docx: bytes          # the approved .docx, embedded as the PDF's source
    source_name: str            # its file name inside the PDF
    timestamp_url: str | None = None


def _embed_source(writer: IncrementalPdfFileWriter, data: bytes, name: str, at: dt.datetime) -> None:
    # Written here rather than with pyhanko.pdf_utils.embed.embed_file: that function raises the
    # file to PDF 2.0 whenever an /AF relationship is given, and PDF/A-3 is a PDF 1.7 profile.
    stream = EmbeddedFileObject.from_file_data(
        writer, data, mime_type=DOCX_MIME,
        params=EmbeddedFileParams(embed_size=True, embed_checksum=True, creation_date=at, modification_date=at))
    spec = FileSpec(file_spec_string=name, file_name=name, embedded_data=stream,
                    description="The approved letter as sealed by Chambers (Word)",
                    af_relationship=generic.NameObject("/Source")).as_pdf_object()
    spec_ref = writer.add_object(spec)
    root = writer.root
    names = root.get("/Names")
    if names is None:
        names = generic.DictionaryObject()
        root["/Names"] = writer.add_object(names)
    names = names.get_object() if isinstance(names, generic.IndirectObject) else names
    tree = generic.DictionaryObject({generic.NameObject("/Names"): generic.ArrayObject(
        [generic.pdf_string(name), spec_ref])})
    names["/EmbeddedFiles"] = writer.add_object(tree)
    if isinstance(root.raw_get("/Names"), generic.IndirectObject):
        writer.update_container(names)
    root["/AF"] = generic.ArrayObject([spec_ref])
    writer.update_root()


def sign_letter(pdf: bytes, key: OpenKey, request: SignRequest) -> bytes:
    """``pdf`` with the approved .docx embedded and the signatory's PAdES signature over all of it."""
    placement = signature_placement(pdf, request.signatory)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError) as exc:
        raise SigningProblem(f"the PDF LibreOffice made cannot be read for signing ({exc})") from None
    _embed_source(writer, request.source_docx, request.source_name, dt.datetime.now(dt.UTC))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, reason=request.reason,
        location=request.location, name=key.certificate.common_name or None,
        use_pades_lta=False, embed_validation_info=False)
    timestamper = HTTPTimeStamper(request.timestamp_url) if request.timestamp_url else None
    pdf_signer = signers.PdfSigner(
        meta, signer=key.signer, timestamper=timestamper, stamp_style=_stamp_style(),
        new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=placement.page,
                                           box=placement.box))
    out = io.BytesIO()
    try:
        asyncio.run(pdf_signer.async_sign_pdf(writer, output=out,
                                              appearance_text_params={"reason": request.reason}))
    except (SigningError, PdfError, OSError) as exc:
        where = f" (timestamp server {request.timestamp_url})" if request.timestamp_url else ""
        raise SigningProblem(f"the letter could not be signed{where}: {exc}; nothing was written") from None
    return out.getvalue()


# --- reading a signed letter back -----------------------------------------------------------
@dataclass(frozen=True)
class SignedPdf:
    """What a signed PDF says of itself, checked against the trust anchors given."""

    signed: bool
    intact: bool = False           # the signed bytes hash to what was signed, and the signature is the key's
    whole_file: bool = False       # nothing was added after the signature, or only what PAdES allows
    trusted: bool = False          # the signer's certificate chains to an anchor and was valid at signing
    signer: CertificateFacts | None = None
    signed_at: dt.datetime | None = None
    timestamp_at: dt.datetime | None = None
    timestamp_ok: bool | None = None   # None: no timestamp
    trust_problem: str = ""
    source_docx: bytes | None = None
    author: str = ""               # the signatory, from the signed revision's metadata
    summary: str = ""


def read_signed_pdf(data: bytes, anchors: Sequence[bytes]) -> SignedPdf:
    """The newest signature of ``data`` validated with pyHanko against ``anchors`` (DER), the
    embedded source .docx, and the author (signatory) recorded in the signed revision."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError) as exc:
        raise SigningProblem(f"the PDF cannot be read ({exc})") from None
    if not signatures:
        return SignedPdf(False, summary="the PDF carries no signature")
    embedded = signatures[-1]
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(a) for a in anchors],
                                allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = asyncio.run(async_validate_pdf_signature(embedded, signer_validation_context=context))
    except (SignatureValidationError, PdfError, ValueError) as exc:
        return SignedPdf(True, summary=f"the signature cannot be validated: {exc}")
    signer = read_certificate(status.signing_cert.dump()) if status.signing_cert is not None else None
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES))
    timestamp = status.timestamp_validity
    trust_problem = ""
    if not status.trusted:
        trust_problem = ("no trust anchor was given" if not anchors else
                         "no path from the signer's certificate to a trust anchor, or the certificate was not "
                         "valid (expired, not yet valid, or not for signing)")
    signed_revision = embedded.reader.get_historical_resolver(embedded.signed_revision)
    info = signed_revision.trailer_view.get("/Info")
    author = str(info.get_object().get("/Author", "")) if info is not None else ""
    return SignedPdf(
        signed=True, intact=bool(status.intact and status.valid), whole_file=whole, trusted=bool(status.trusted),
        signer=signer, signed_at=status.signer_reported_dt,
        timestamp_at=timestamp.timestamp if timestamp is not None else None,
        timestamp_ok=(bool(timestamp.intact and timestamp.valid) if timestamp is not None else None),
        trust_problem=trust_problem, source_docx=_source_docx(reader), author=author,
        summary=status.summary())


def _source_docx(reader: PdfFileReader) -> bytes | None:
    """The .docx the catalog's /AF names as the PDF's source, if any."""
    try:
        for spec in reader.root.get("/AF", generic.ArrayObject()):
            spec = spec.get_object()
            if spec.get("/AFRelationship") != "/Source":
                continue
            stream = spec["/EF"].get_object()["/F"].get_object()
            payload: bytes = stream.data
            return payload
    except (KeyError, PdfError, AttributeError):
        return None
    return None
