"""A throwaway office CA for the signing tests: a root, judges' certificates and keys, a local
RFC 3161 timestamp server, and a SoftHSM2 token; nothing here reaches outside this machine."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from app.rendering.throwaway_ca import certificate_authority, issue_certificate

NOW = dt.datetime.now(dt.UTC)
PASSPHRASE = "correct horse battery staple"
PIN = "123456"


@dataclass
class Issued:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def p12(self, passphrase: str = PASSPHRASE, chain: tuple[Issued, ...] = ()) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"judge", self.key, self.cert, [c.cert for c in chain],
            serialization.BestAvailableEncryption(passphrase.encode()))

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


COURT = "Test Superior Court"


def root(common_name: str = "Test Court Root CA") -> Issued:
    key, cert = certificate_authority(common_name, COURT, NOW - dt.timedelta(days=365), NOW + dt.timedelta(days=3650))
    return Issued(key, cert)


def issue(ca: Issued, common_name: str, *, days: tuple[int, int] = (-30, 365), rsa_key: bool = True,
          timestamping: bool = False) -> Issued:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048) if rsa_key
        else ec.generate_private_key(ec.SECP256R1()))
    assert isinstance(ca.key, ec.EllipticCurvePrivateKey)
    return Issued(key, issue_certificate(ca.key, ca.cert, common_name, COURT, key, NOW + dt.timedelta(days=days[0]),
                                         NOW + dt.timedelta(days=days[1]), timestamping=timestamping))


# --- a local RFC 3161 timestamp server (pyHanko's DummyTimeStamper behind http.server) ----------
@contextmanager
def timestamp_server(ca: Issued) -> Iterator[str]:
    """An RFC 3161 server on 127.0.0.1, its certificate issued by ``ca``; yields its URL."""
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps import DummyTimeStamper

    tsa = issue(ca, "Test Court Timestamp Authority", timestamping=True)
    stamper = DummyTimeStamper(tsa_cert=asn1_x509.Certificate.load(tsa.der),
                               tsa_key=keys.PrivateKeyInfo.load(tsa.key.private_bytes(
                                   serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())))
    served: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            request = tsp.TimeStampReq.load(body)
            response = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            served.append(len(response))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(response)))
            self.end_headers()
            self.wfile.write(response)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- a SoftHSM2 token holding a judge's key ---------------------------------------------------
SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")


def softhsm_module() -> str | None:
    if shutil.which("softhsm2-util") is None or shutil.which("pkcs11-tool") is None:
        return None
    return next((m for m in SOFTHSM_MODULES if Path(m).exists()), None)


def softhsm_token(folder: Path, judge: Issued, label: str = "judge-card", key_label: str = "signing") -> dict[str, str]:
    """A token ``label`` with ``judge``'s key and certificate under ``key_label``; the environment to use it."""
    module = softhsm_module()
    assert module is not None
    tokens = folder / "tokens"
    tokens.mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "0000",
                    "--pin", PIN], check=True, capture_output=True, env=env, timeout=60)
    key_file, cert_file = folder / "judge-key.der", folder / "judge-cert.der"
    key_file.write_bytes(judge.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    cert_file.write_bytes(judge.der)
    for kind, path in (("privkey", key_file), ("cert", cert_file)):
        subprocess.run(["pkcs11-tool", "--module", module, "--token-label", label, "--login", "--pin", PIN,
                        "--write-object", str(path), "--type", kind, "--label", key_label, "--id", "01"],
                       check=True, capture_output=True, env=env, timeout=60)
    key_file.unlink()
    return {"SOFTHSM2_CONF": str(conf), "CHAMBERS_PKCS11_MODULE": module}
