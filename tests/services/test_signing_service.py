"""Signing through the services: who may sign (each refusal writes nothing), the signed export read
back (pyHanko, poppler's pdfsig, PDF/A and tags), a changed byte, the timestamp, and a PKCS#11 token."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from app.bootstrap import Services
from app.core.errors import ChambersError
from app.core.records import utc_now
from app.core.workflow import Refused, Status
from app.rendering.seal import member
from app.services.drafts import FOREIGN, WITHDRAWN
from app.services.signing import NOT_SIGNED_BY_SIGNATORY, UNTRUSTED, check_signed_pdf
from tests.conftest import IN_CI, sample_data
from tests.services.test_drafts_workflow import new_letter
from tests.signing_office import PASSPHRASE, PIN, Issued, issue, root, softhsm_module, softhsm_token, timestamp_server
from tests.storage.dbfixtures import JUDGE_FULL_NAME, as_user, db_url, office, postgres_template  # noqa: F401


@dataclass
class Court:
    """One office: a CA it trusts, tani's certificate bound, an approved letter by tani."""

    url: str
    folder: Path
    ca: Issued
    tani: Issued
    letter: int

    def judge(self, name: str = "tani") -> Services:
        return as_user(self.url, name)

    def key(self, who: Issued, name: str = "tani.p12", passphrase: str = PASSPHRASE) -> str:
        path = self.folder / name
        path.write_bytes(who.p12(passphrase))
        return str(path)

    def outputs(self, stem: str = "letter") -> tuple[Path, Path]:
        return self.folder / f"{stem}.docx", self.folder / f"{stem}.pdf"


@pytest.fixture(scope="module")
def ca() -> Issued:
    return root()


@pytest.fixture(scope="module")
def tani_cert(ca: Issued) -> Issued:
    return issue(ca, JUDGE_FULL_NAME)


def _court(url: str, folder: Path, ca: Issued, tani: Issued) -> Court:
    admin = office(url)
    admin.signing.trust_add(ca.pem, "ca.pem")
    admin.signing.bind_certificate("tani", tani.pem, "tani.pem")
    admin.close()
    return Court(url, folder, ca, tani, new_letter(url, Status.APPROVED))


@pytest.fixture
def court(tmp_path: Path, ca: Issued, tani_cert: Issued) -> Court:
    return _court(f"sqlite:///{tmp_path / 'chambers.sqlite3'}", tmp_path, ca, tani_cert)


def _missing(what: str) -> None:
    """Skip where a system tool is absent; under CI (which installs it) that skip is a failure."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true installs them: .ci/run)")
    pytest.skip(what)


def _nothing_written(*paths: Path) -> None:
    for path in paths:
        assert not path.exists(), f"{path} was written"
    assert not [p for p in paths[0].parent.iterdir() if p.suffix in (".docx", ".pdf") or ".tmp" in p.name]


# --- who may sign: each refusal is said, and nothing is written --------------------------------
def test_each_signer_who_may_not_sign_is_refused_and_nothing_is_written(court: Court, ca: Issued) -> None:
    out, pdf = court.outputs()
    key = court.key(court.tani)

    def refused(user: str, sign_with: str, said: str, letter: int | None = None,
                secret: str = PASSPHRASE) -> None:
        chambers = court.judge(user)
        with pytest.raises(Refused, match=said):
            chambers.signing.export_signed(letter or court.letter, out, pdf, sign_with, lambda: secret)
        chambers.close()
        _nothing_written(out, pdf)

    refused("ann", key, "export the final letter")                       # a clerk
    refused("ming", key, f"signed by {JUDGE_FULL_NAME}, not by Ming W. Chin")   # another judge
    refused("tani", key, "not approved", letter=new_letter(court.url, Status.IN_REVIEW))
    refused("tani", key, "passphrase does not open", secret="not the passphrase")   # a wrong passphrase

    # A key whose certificate is another person's (ming's), though issued by the office's CA.
    refused("tani", court.key(issue(ca, "Ming W. Chin"), "ming.p12"), "not the one bound to")
    # The judge's own name, but a certificate from a CA the office does not trust.
    stranger = issue(root("Some Other CA"), JUDGE_FULL_NAME)
    admin = office(court.url)
    admin.signing.bind_certificate("tani", stranger.pem)
    admin.close()
    refused("tani", court.key(stranger, "stranger.p12"), "does not chain to any of the office's trust anchors")


def test_an_expired_certificate_and_one_never_bound_are_refused(court: Court, ca: Issued) -> None:
    out, pdf = court.outputs()
    admin = office(court.url)
    with admin.store.write() as tx:  # a binding made while it was valid; it has expired since
        expired = issue(ca, JUDGE_FULL_NAME, days=(-400, -10))
        from app.rendering.signing import read_certificate

        facts = read_certificate(expired.pem)
        tx.signing.bind("tani", facts.sha256, facts.der, facts.subject, facts.not_after, "admin",
                        utc_now() - dt.timedelta(days=300))
    # ... and an admin cannot bind an expired one today.
    with pytest.raises(Refused, match="expired on"):
        admin.signing.bind_certificate("tani", expired.pem)
    admin.close()
    tani = court.judge()
    with pytest.raises(Refused, match="expired on"):
        tani.signing.export_signed(court.letter, out, pdf, court.key(expired), lambda: PASSPHRASE)
    _nothing_written(out, pdf)
    tani.close()

    # No certificate bound to the judge at all: said, with the command that binds one.
    unbound = as_user(court.url, "ming")
    other = new_letter_signed_by_ming(court.url)
    ming_key = court.key(issue(ca, "Ming W. Chin"), "m.p12")
    with pytest.raises(Refused, match="users certificate ming"):
        unbound.signing.export_signed(other, out, pdf, ming_key, lambda: PASSPHRASE)
    unbound.close()
    _nothing_written(out, pdf)


def new_letter_signed_by_ming(url: str) -> int:
    data = sample_data()
    data["signatory"] = {"name": "Ming W. Chin", "title": "Associate Justice"}
    clerk = as_user(url, "ann")
    letter = clerk.drafts.create("officials-concern", data).id
    clerk.drafts.submit(letter)
    clerk.close()
    judge = as_user(url, "ming")
    judge.drafts.approve(letter, 1)
    judge.close()
    return letter


def test_binding_and_trust_are_admin_changes_audited(db_url: str, ca: Issued, tani_cert: Issued) -> None:  # noqa: F811
    admin = office(db_url)
    clerk = as_user(db_url, "ann")
    with pytest.raises(Refused, match="manage users"):
        clerk.signing.trust_add(ca.pem)
    with pytest.raises(Refused, match="manage users"):
        clerk.signing.bind_certificate("tani", tani_cert.pem)
    clerk.close()
    with pytest.raises(Refused, match="not a CA certificate"):
        admin.signing.trust_add(tani_cert.pem)
    anchor = admin.signing.trust_add(ca.pem)
    with pytest.raises(Refused, match="already trusts"):
        admin.signing.trust_add(ca.pem)
    with pytest.raises(Refused, match=r"not to Ming W\. Chin"):       # a certificate for another person
        admin.signing.bind_certificate("ming", tani_cert.pem)
    with pytest.raises(Refused, match="only a judge"):
        admin.signing.bind_certificate("ann", issue(ca, "Ann Clerk").pem)
    bound = admin.signing.bind_certificate("tani", tani_cert.pem)
    assert bound.user == "tani"
    assert JUDGE_FULL_NAME in bound.subject
    admin.signing.trust_remove(anchor.sha256[:12])
    assert admin.signing.trust_list() == []
    assert [a.removed_by for a in admin.signing.trust_list(include_removed=True)] == ["admin"]
    _count, broken, why = admin.drafts.audit_check()
    assert broken is None, why
    with admin.store.read() as tx:
        actions = [e.action for e in tx.audit.events()]
    assert [a for a in actions if "trust" in a or "certificate" in a] == [
        "trust_anchor_added", "signing_certificate_bound", "trust_anchor_removed"]
    admin.close()


# --- the signed letter, read back ------------------------------------------------------------
def _pdfsig(pdf: Path, ca: Issued, folder: Path) -> str:
    """pdfsig's report, with the office CA trusted in a throwaway NSS database (certutil)."""
    if shutil.which("pdfsig") is None or shutil.which("certutil") is None:
        _missing("poppler-utils and libnss3-tools are needed to check with pdfsig")
    nss = folder / "nss"
    if not nss.exists():
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
        (folder / "ca.pem").write_bytes(ca.pem)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "office-ca", "-t", "CT,C,C", "-i",
                        str(folder / "ca.pem")], check=True, capture_output=True)
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True,
                          check=False, timeout=60)
    return done.stdout + done.stderr


def _signed(court: Court, sign_with: str | None = None, secret: str = PASSPHRASE) -> tuple[Path, Path]:
    out, pdf = court.outputs()
    tani = court.judge()
    tani.signing.export_signed(court.letter, out, pdf, sign_with or court.key(court.tani), lambda: secret)
    tani.close()
    return out, pdf


@pytest.mark.libreoffice
def test_the_signed_letter_is_valid_tagged_pdfa_carrying_the_approved_docx(court: Court, libreoffice: None) -> None:
    out, pdf = _signed(court)
    data = pdf.read_bytes()
    tani = court.judge()
    approval = tani.drafts.get(court.letter).approval
    assert approval is not None
    assert out.read_bytes() == approval.docx

    # poppler, with the office CA trusted: valid, trusted, by the signatory, the whole document.
    report = _pdfsig(pdf, court.ca, court.folder)
    assert "Signature is Valid" in report, report
    assert "Certificate is Trusted" in report, report
    assert f"Signer Certificate Common Name: {JUDGE_FULL_NAME}" in report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report          # PAdES

    # pyHanko's validation through verify, against the database: 0, and what it says.
    verdict = tani.signing.verify_pdf(pdf)
    assert verdict.code == 0, verdict.message
    assert f"signed by {JUDGE_FULL_NAME}" in verdict.message
    assert f"matches approved version 1 of letter {court.letter}" in verdict.message

    # PDF/A-3b, tagged, with its metadata, fonts embedded, and the .docx as its /Source file.
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    xmp = reader.root["/Metadata"].get_object().data.decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp), xmp
    assert re.search(r'pdfaid:conformance(="|>)B', xmp), xmp
    assert reader.root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert reader.root["/MarkInfo"]["/Marked"] is True or str(reader.root["/MarkInfo"]["/Marked"]) == "True"
    assert "/StructTreeRoot" in reader.root
    assert str(reader.root["/Lang"]) == "en-US"
    info = reader.trailer["/Info"].get_object()
    assert str(info["/Author"]) == JUDGE_FULL_NAME
    assert str(info["/Title"])
    assert str(info["/Subject"])
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), fonts   # the "emb" column
    alts = _alt_texts(reader.root["/StructTreeRoot"])
    assert f"Signature of {JUDGE_FULL_NAME}" in alts, alts       # the judge's signature image, in the tags
    # The seal stands in the letterhead (the page header), which a tagged PDF marks as an artifact;
    # its alternative text travels in the .docx the PDF carries.
    assert 'descr="Seal of the court"' in member(approval.docx, "word/header1.xml").decode()
    spec = reader.root["/AF"][0].get_object()
    assert spec["/AFRelationship"] == "/Source"
    assert spec["/EF"]["/F"].get_object().data == approval.docx
    tani.close()


def _alt_texts(node: object, depth: int = 0) -> list[str]:
    """Every /Alt in the structure tree (following /K only: /P points back up)."""
    node = node.get_object() if hasattr(node, "get_object") else node
    found: list[str] = []
    if depth > 64:
        return found
    if isinstance(node, dict):
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        if "/K" in node:
            found += _alt_texts(node["/K"], depth + 1)
    elif isinstance(node, list):
        for kid in node:
            found += _alt_texts(kid, depth + 1)
    return found


@pytest.mark.libreoffice
def test_the_visible_signature_sits_beside_the_signature_block_over_no_text(court: Court, libreoffice: None) -> None:
    _out, pdf = _signed(court)
    document = pypdfium2.PdfDocument(pdf.read_bytes())
    try:
        reader = PdfFileReader(io.BytesIO(pdf.read_bytes()), strict=False)
        widget = reader.root["/AcroForm"]["/Fields"][0].get_object()
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        assert x2 - x1 > 100
        assert y2 - y1 > 30
        pages = [reader.root["/Pages"]["/Kids"][i].get_object() for i in range(len(document))]
        index = next(i for i, page in enumerate(pages) if widget.get("/P") is not None and
                     widget["/P"].get_object() == page)
        page = document[index]
        text = page.get_textpage()
        assert JUDGE_FULL_NAME in text.get_text_range()
        for i in range(text.count_rects()):    # no printed line under the box
            left, bottom, right, top = text.get_rect(i)
            assert right <= x1 or left >= x2 or top <= y1 or bottom >= y2, text.get_text_bounded(left, bottom,
                                                                                                   right, top)
        text.close()
        page.close()
    finally:
        document.close()


@pytest.mark.libreoffice
def test_a_byte_changed_inside_the_signed_range_is_refused(court: Court, libreoffice: None) -> None:
    _out, pdf = _signed(court)
    data = bytearray(pdf.read_bytes())
    where = data.index(b"Immigration enforcement")         # inside the signed bytes (the metadata)
    data[where] = ord("X")
    changed = court.folder / "changed.pdf"
    changed.write_bytes(bytes(data))
    tani = court.judge()
    verdict = tani.signing.verify_pdf(changed)
    tani.close()
    assert verdict.code == 1, verdict.message
    assert "modified after signing" in verdict.message
    report = _pdfsig(changed, court.ca, court.folder)
    assert "Signature is Valid" not in report, report
    assert "Digest Mismatch" in report, report


@pytest.mark.libreoffice
def test_outside_the_court_trust_decides_and_the_signer_must_be_the_signatory(court: Court, ca: Issued,
                                                                              libreoffice: None) -> None:
    _out, pdf = _signed(court)
    assert check_signed_pdf(pdf, [ca.der]).code == 0
    assert check_signed_pdf(pdf, [root("Some Other CA").der]).code == UNTRUSTED
    # A PDF the office's CA vouches for, but signed by someone who is not the letter's signatory.
    from app.rendering.signing import SignRequest, open_pkcs12, sign_letter

    ming = issue(ca, "Ming W. Chin")
    unsigned = court.folder / "unsigned.pdf"
    from app.rendering.pdf import ARCHIVAL_TAGGED, PdfConverter

    with PdfConverter() as converter:
        rendition = converter.convert(court.outputs()[0].read_bytes(), ARCHIVAL_TAGGED)
    signed = sign_letter(rendition, open_pkcs12(ming.p12(), PASSPHRASE, "ming.p12"),
                         SignRequest(JUDGE_FULL_NAME, "test", "court", court.outputs()[0].read_bytes(), "l.docx"))
    unsigned.write_bytes(signed)
    verdict = check_signed_pdf(unsigned, [ca.der])
    assert verdict.code == NOT_SIGNED_BY_SIGNATORY, verdict.message
    assert "signed by Ming W. Chin" in verdict.message


@pytest.mark.libreoffice
def test_a_timestamp_from_the_offices_server_makes_it_pades_b_t(court: Court, ca: Issued, libreoffice: None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with timestamp_server(ca) as url:
        monkeypatch.setenv("CHAMBERS_TIMESTAMP_URL", url)
        _out, pdf = _signed(court)
    tani = court.judge()
    verdict = tani.signing.verify_pdf(pdf)
    tani.close()
    assert verdict.code == 0, verdict.message
    assert verdict.timestamp_at is not None
    assert "timestamped" in verdict.message
    from app.rendering.signing import read_signed_pdf

    assert read_signed_pdf(pdf.read_bytes(), [ca.der]).timestamp_ok is True


@pytest.fixture
def token(tmp_path: Path, tani_cert: Issued, monkeypatch: pytest.MonkeyPatch) -> None:
    if softhsm_module() is None:
        _missing("SoftHSM2 and OpenSC (softhsm2-util, pkcs11-tool) are needed for the token test")
    folder = tmp_path / "hsm"
    folder.mkdir()
    for name, value in softhsm_token(folder, tani_cert).items():
        monkeypatch.setenv(name, value)


@pytest.mark.libreoffice
def test_a_key_on_a_pkcs11_token_signs_and_a_wrong_pin_is_refused(court: Court, token: None,
                                                                   libreoffice: None) -> None:
    uri = "pkcs11:token=judge-card;object=signing"
    out, pdf = court.outputs()
    tani = court.judge()
    with pytest.raises(Refused, match="PIN"):
        tani.signing.export_signed(court.letter, out, pdf, uri, lambda: "999999")
    _nothing_written(out, pdf)
    tani.signing.export_signed(court.letter, out, pdf, uri, lambda: PIN)
    verdict = tani.signing.verify_pdf(pdf)
    tani.close()
    assert verdict.code == 0, verdict.message


@pytest.mark.libreoffice
def test_signed_for_the_signatory_then_withdrawn_and_an_unsigned_pdf(tmp_path: Path, ca: Issued, tani_cert: Issued,
                                                                       libreoffice: None) -> None:
    court = _court(f"sqlite:///{tmp_path / 'chambers.sqlite3'}", tmp_path, ca, tani_cert)
    ming_cert = issue(ca, "Ming W. Chin")
    admin = office(court.url)
    admin.signing.bind_certificate("ming", ming_cert.pem)
    admin.close()
    clerk = as_user(court.url, "ann")
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter)
    clerk.close()
    ming = as_user(court.url, "ming")
    ming.drafts.approve(letter, 1, signing_for=JUDGE_FULL_NAME)
    out, pdf = court.outputs("for")
    with pytest.raises(Refused, match="not the one bound to"):       # ming signs with ming's own key only
        ming.signing.export_signed(letter, out, pdf, court.key(court.tani), lambda: PASSPHRASE)
    ming.signing.export_signed(letter, out, pdf, court.key(ming_cert, "ming.p12"), lambda: PASSPHRASE)
    verdict = ming.signing.verify_pdf(pdf)
    assert verdict.code == 0, verdict.message
    assert f"signed by Ming W. Chin for {JUDGE_FULL_NAME}" in verdict.message
    assert check_signed_pdf(pdf, [ca.der]).code == 0                 # outside too: the seal says "for"
    ming.close()

    # An edit after signing withdraws the approval: the signed PDF now says so (3).
    clerk = as_user(court.url, "ann")
    current = clerk.drafts.get(letter).summary.version
    changed = sample_data()
    changed["subject"] = "A later subject"
    clerk.drafts.update(letter, changed, current)
    clerk.close()
    reader = as_user(court.url, "ann")
    withdrawn = reader.signing.verify_pdf(pdf)
    assert withdrawn.code == WITHDRAWN, withdrawn.message
    assert "withdrawn" in withdrawn.message

    # A PDF with no signature at all (the unsigned export) is not a signed letter: 2.
    reader.close()
    tani = court.judge()
    tani.drafts.export(court.letter, tmp_path / "plain.docx", tmp_path / "plain.pdf")
    plain = tani.signing.verify_pdf(tmp_path / "plain.pdf")
    tani.close()
    assert plain.code == FOREIGN, plain.message
    assert "carries no signature" in plain.message


@pytest.mark.libreoffice
def test_an_unreachable_timestamp_server_refuses_and_writes_nothing(court: Court, libreoffice: None,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAMBERS_TIMESTAMP_URL", "http://127.0.0.1:9/tsa")   # the discard port: nothing answers
    out, pdf = court.outputs()
    tani = court.judge()
    with pytest.raises(Refused, match=r"timestamp server http://127\.0\.0\.1:9/tsa"):
        tani.signing.export_signed(court.letter, out, pdf, court.key(court.tani), lambda: PASSPHRASE)
    tani.close()
    _nothing_written(out, pdf)


def test_a_damaged_pdf_could_not_be_checked(tmp_path: Path, ca: Issued) -> None:
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /AcroForm 2 0 R >>\n" + b"\x00" * 64)
    verdict = check_signed_pdf(damaged, [ca.der])
    assert verdict.code == 9, verdict.message
    assert "could not be checked" in verdict.message


# --- the signed PDF alone (the court files PDFs): the same checks, the same custody, no .docx ---
def _export_events(services: Services, letter: int) -> list[dict[str, object]]:
    import json

    with services.store.read() as tx:
        return [json.loads(e.detail) for e in tx.audit.events(letter) if e.action.startswith("export")]


@pytest.fixture
def any_court(db_url: str, tmp_path: Path, ca: Issued, tani_cert: Issued) -> Court:  # noqa: F811
    """``court`` on each engine (on PostgreSQL a release of the approved bytes is audited itself)."""
    return _court(db_url, tmp_path, ca, tani_cert)


@pytest.mark.libreoffice
def test_the_signed_pdf_alone_verifies_carries_the_approved_docx_and_is_audited(any_court: Court,
                                                                                libreoffice: None) -> None:
    court = any_court
    pdf = court.folder / "filed.pdf"
    tani = court.judge()
    done = tani.signing.export_signed(court.letter, None, pdf, court.key(court.tani), lambda: PASSPHRASE)
    assert (done.docx, done.pdf) == (None, pdf)
    assert sorted(p.name for p in court.folder.iterdir() if p.suffix in (".docx", ".pdf")) == ["filed.pdf"]
    verdict = tani.signing.verify_pdf(pdf)
    assert verdict.code == 0, verdict.message
    assert f"signed by {JUDGE_FULL_NAME}" in verdict.message
    assert f"matches approved version 1 of letter {court.letter}" in verdict.message
    approval = tani.drafts.get(court.letter).approval
    assert approval is not None
    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()), strict=False)
    assert reader.root["/AF"][0].get_object()["/EF"]["/F"].get_object().data == approval.docx
    assert tani.drafts.get(court.letter).summary.status is Status.EXPORTED
    [event] = _export_events(tani, court.letter)
    assert event["file"] == event["pdf"] == "filed.pdf"
    assert event["docx"] is False
    assert event["signed"] is True
    assert event["certificate_sha256"] == done.certificate.sha256
    assert event["pdf_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    _count, broken, why = tani.drafts.audit_check()
    assert broken is None, why
    tani.close()
    assert check_signed_pdf(pdf, [court.ca.der]).code == 0       # and outside the court, with no database


def test_the_signed_pdf_alone_is_refused_as_the_two_file_export_is_and_writes_nothing(court: Court) -> None:
    pdf = court.folder / "filed.pdf"
    key = court.key(court.tani)

    def refused(user: str, said: str, letter: int | None = None, secret: str = PASSPHRASE,
                target: Path = pdf) -> None:
        chambers = court.judge(user)
        with pytest.raises(ChambersError, match=said):
            chambers.signing.export_signed(letter or court.letter, None, target, key, lambda: secret,
                                           pdf_option="--pdf-only")
        assert not _export_events(chambers, letter or court.letter)
        chambers.close()

    refused("ann", "export the final letter")                                         # a clerk
    refused("ming", f"signed by {JUDGE_FULL_NAME}, not by Ming W. Chin")               # not the signatory
    refused("tani", "not approved", letter=new_letter(court.url, Status.IN_REVIEW))
    refused("tani", "passphrase does not open", secret="not the passphrase")
    _nothing_but_the_key(court.folder)

    # The output policy, by the option the judge typed: an existing file that is not a PDF Chambers
    # wrote is left as it is, and the database is never a target.
    notes = court.folder / "notes.pdf"
    notes.write_bytes(b"the judge's own notes, not a letter")
    refused("tani", f"--pdf-only {re.escape(str(notes))}: an existing file that is not", target=notes)
    assert notes.read_bytes() == b"the judge's own notes, not a letter"
    notes.unlink()
    database = court.folder / "chambers.sqlite3"
    before = database.read_bytes()
    refused("tani", "this is the Chambers database", target=database)
    assert database.read_bytes() == before
    _nothing_but_the_key(court.folder)


def _nothing_but_the_key(folder: Path) -> None:
    assert not [p for p in folder.iterdir() if p.suffix in (".docx", ".pdf") or ".tmp" in p.name]


@pytest.mark.libreoffice
def test_a_signing_that_fails_after_the_pdf_was_made_leaves_no_unsigned_pdf(court: Court, libreoffice: None,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # The timestamp is asked for after LibreOffice made the PDF and the key signed it.
    monkeypatch.setenv("CHAMBERS_TIMESTAMP_URL", "http://127.0.0.1:9/tsa")   # the discard port: nothing answers
    tani = court.judge()
    with pytest.raises(Refused, match=r"timestamp server http://127\.0\.0\.1:9/tsa"):
        tani.signing.export_signed(court.letter, None, court.folder / "filed.pdf", court.key(court.tani),
                                   lambda: PASSPHRASE, pdf_option="--pdf-only")
    assert not _export_events(tani, court.letter)
    tani.close()
    _nothing_but_the_key(court.folder)


def test_a_wrong_pin_for_the_signed_pdf_alone_leaves_no_file(court: Court, token: None) -> None:
    tani = court.judge()
    with pytest.raises(Refused, match="PIN"):
        tani.signing.export_signed(court.letter, None, court.folder / "filed.pdf",
                                   "pkcs11:token=judge-card;object=signing", lambda: "999999", pdf_option="--pdf-only")
    assert not _export_events(tani, court.letter)
    tani.close()
    _nothing_but_the_key(court.folder)
