"""A throwaway office CA and one judge's key, made in memory for the window's screenshot scenes
(and, through ``certificate_authority`` and ``issue_certificate``, for the signing tests' offices).

Only ``--screenshot --scene signing`` uses it, inside its temporary data folder, so that the
signing dialog can be shown as a judge sees it on a real office (a trusted CA, the judge's
certificate bound, a key file). It lives here because only ``app.rendering`` may touch the
certificate libraries. A court's real CA and keys come from its own PKI, never from this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class ThrowawayOffice:
    ca_pem: bytes
    judge_pem: bytes
    judge_p12: bytes     # the judge's key and certificate, encrypted with the passphrase given


Key = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _name(common_name: str, court: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, court)])


def certificate_authority(common_name: str, court: str, valid_from: dt.datetime,
                          valid_until: dt.datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed root that may sign certificates and revocation lists; its key and certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, court)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(valid_from).not_valid_after(valid_until)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def issue_certificate(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, common_name: str, court: str,
                      key: Key, valid_from: dt.datetime, valid_until: dt.datetime, *,
                      timestamping: bool = False) -> x509.Certificate:
    """``key``'s certificate issued by the CA: for signing documents (digital signature and non-repudiation),
    or, with ``timestamping``, for a timestamp authority (digital signature and that purpose only)."""
    builder = (x509.CertificateBuilder().subject_name(_name(common_name, court)).issuer_name(ca_cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(valid_from).not_valid_after(valid_until)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    if timestamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    else:
        usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    return builder.add_extension(usage, critical=True).sign(ca_key, hashes.SHA256())


def throwaway_office(judge: str, court: str, passphrase: str) -> ThrowawayOffice:
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=30)
    ca_key, ca = certificate_authority(f"{court} Root CA (throwaway)", court, start, end)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_certificate(ca_key, ca, judge, court, key, start, end)
    p12 = pkcs12.serialize_key_and_certificates(b"judge", key, cert, None,
                                                serialization.BestAvailableEncryption(passphrase.encode()))
    return ThrowawayOffice(ca.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.PEM),
                           p12)
