"""The certificates the screenshot scene and the signing tests make, made one way: a root that signs,
a judge's certificate for documents and a timestamp authority's for that purpose only."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from app.rendering.throwaway_ca import certificate_authority, issue_certificate, throwaway_office

START, END = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def test_a_judges_certificate_chains_to_its_root_and_signs_documents() -> None:
    ca_key, ca = certificate_authority("Test Court Root CA", "Test Superior Court", START, END)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    judge = issue_certificate(ca_key, ca, "Hon. Tani Cantil-Sakauye", "Test Superior Court", key, START, END)
    judge.verify_directly_issued_by(ca)
    usage = judge.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.content_commitment, usage.key_cert_sign) == (True, True, False)
    assert (judge.not_valid_before_utc, judge.not_valid_after_utc) == (START, END)
    assert not judge.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_a_timestamp_authoritys_certificate_is_for_timestamps_only() -> None:
    ca_key, ca = certificate_authority("Test Court Root CA", "Test Superior Court", START, END)
    tsa = issue_certificate(ca_key, ca, "Test TSA", "Test Superior Court", ec.generate_private_key(ec.SECP256R1()),
                            START, END, timestamping=True)
    purposes = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert purposes.critical
    assert list(purposes.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert not tsa.extensions.get_extension_for_class(x509.KeyUsage).value.content_commitment


def test_the_screenshot_office_judge_chains_to_its_ca() -> None:
    office = throwaway_office("Hon. Tani Cantil-Sakauye", "Supreme Court of California", "passphrase")
    x509.load_pem_x509_certificate(office.judge_pem).verify_directly_issued_by(
        x509.load_pem_x509_certificate(office.ca_pem))
