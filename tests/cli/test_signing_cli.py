"""Signing through the real entry point, as an office's scripts and an outside recipient would:
bind, trust, export --sign-with, verify a PDF (with the database, and with --trust and none)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_verify_cli import Office
from tests.conftest import ROOT
from tests.signing_office import PASSPHRASE, issue, root
from tests.storage.dbfixtures import JUDGE_FULL_NAME


def run(court: Office, user: str | None, *argv: str, env: dict[str, str] | None = None,
        db: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "main.py"), *argv]
    if db:
        command += ["--db", court.url]
    if user:
        command += ["--as", user]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False, cwd=court.folder,
                          stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_admin_binds_and_trusts_others_may_not(tmp_path: Path) -> None:
    court = Office(tmp_path)
    ca, stranger = root(), root("Another Court CA")
    (tmp_path / "ca.pem").write_bytes(ca.pem)
    (tmp_path / "tani.pem").write_bytes(issue(ca, JUDGE_FULL_NAME).pem)
    (tmp_path / "other.pem").write_bytes(stranger.pem)

    clerk = run(court, "ann", "office", "trust", "add", "ca.pem")
    assert clerk.returncode == 5, clerk.stderr
    assert "manage users" in clerk.stderr
    added = run(court, "admin", "office", "trust", "add", "ca.pem")
    assert added.returncode == 0, added.stderr
    assert "now trusts" in added.stdout
    assert run(court, "admin", "office", "trust", "add", "other.pem").returncode == 0
    listed = run(court, "ann", "office", "trust", "list")
    assert "Test Court Root CA" in listed.stdout
    assert "Another Court CA" in listed.stdout
    other_sha = next(line.split()[0] for line in listed.stdout.splitlines() if "Another Court CA" in line)
    removed = run(court, "admin", "office", "trust", "remove", other_sha[:10])
    assert removed.returncode == 0, removed.stderr
    assert "Another Court CA" not in run(court, "ann", "office", "trust", "list").stdout

    wrong = run(court, "admin", "users", "certificate", "ming", "tani.pem")     # another person's certificate
    assert wrong.returncode == 5
    assert f"issued to {JUDGE_FULL_NAME}, not to Ming W. Chin" in wrong.stderr
    bound = run(court, "admin", "users", "certificate", "tani", "tani.pem")
    assert bound.returncode == 0, bound.stderr
    assert "to tani" in bound.stdout
    assert run(court, "admin", "audit", "verify").returncode == 0


@pytest.mark.libreoffice
@pytest.mark.timeout(360)  # a dozen command-line processes, two of them starting LibreOffice, on a shared machine
def test_signed_export_and_verify_inside_and_outside_the_court(tmp_path: Path, libreoffice: None) -> None:
    court = Office(tmp_path)
    ca = root()
    tani = issue(ca, JUDGE_FULL_NAME)
    (tmp_path / "ca.pem").write_bytes(ca.pem)
    (tmp_path / "tani.pem").write_bytes(tani.pem)
    (tmp_path / "tani.p12").write_bytes(tani.p12())
    (tmp_path / "other-ca.pem").write_bytes(root("Another Court CA").pem)
    assert run(court, "admin", "office", "trust", "add", "ca.pem").returncode == 0
    assert run(court, "admin", "users", "certificate", "tani", "tani.pem").returncode == 0
    letter = court.letter_in_review()
    assert run(court, "tani", "drafts", "approve", letter, "--expect-version", "1").returncode == 0
    export = ("drafts", "export", letter, "--out", "letter.docx", "--pdf", "letter.pdf", "--sign-with", "tani.p12")

    no_pdf = run(court, "tani", "drafts", "export", letter, "--out", "letter.docx", "--sign-with", "tani.p12")
    assert no_pdf.returncode == 2
    assert "--pdf" in no_pdf.stderr
    no_secret = run(court, "tani", *export)                       # no passphrase and no terminal to ask at
    assert no_secret.returncode != 0
    assert "CHAMBERS_SIGN_PASSPHRASE" in no_secret.stderr
    wrong = run(court, "tani", *export, env={"CHAMBERS_SIGN_PASSPHRASE": "guess"})
    assert wrong.returncode == 5, wrong.stderr
    assert "passphrase does not open" in wrong.stderr
    assert not (tmp_path / "letter.docx").exists()
    assert not (tmp_path / "letter.pdf").exists()

    done = run(court, "tani", *export, env={"CHAMBERS_SIGN_PASSPHRASE": PASSPHRASE})
    assert done.returncode == 0, done.stderr
    assert f"signed by {JUDGE_FULL_NAME}" in done.stdout
    assert "PASSPHRASE" not in " ".join(export)

    inside = run(court, "ann", "verify", "letter.pdf")
    assert inside.returncode == 0, inside.stderr
    assert f"signed by {JUDGE_FULL_NAME}" in inside.stdout
    assert f"approved version 1 of letter {letter}" in inside.stdout

    # A recipient outside the court: their own data folder, no database, the court's CA certificate.
    outside = {"CHAMBERS_HOME": str(tmp_path / "recipient")}
    trusted = run(court, None, "verify", "letter.pdf", "--trust", "ca.pem", env=outside, db=False)
    assert trusted.returncode == 0, trusted.stderr
    assert not (tmp_path / "recipient").exists() or not list((tmp_path / "recipient").rglob("*.sqlite3"))
    untrusted = run(court, None, "verify", "letter.pdf", "--trust", "other-ca.pem", env=outside, db=False)
    assert untrusted.returncode == 5, untrusted.stderr

    data = bytearray((tmp_path / "letter.pdf").read_bytes())
    data[data.index(b"/Author")] ^= 0x20                                # one byte inside the signed range
    (tmp_path / "changed.pdf").write_bytes(bytes(data))
    changed = run(court, "ann", "verify", "changed.pdf")
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert "modified after signing" in changed.stderr
    assert run(court, "ann", "verify", "missing.pdf").returncode == 7


def test_verify_help_lists_the_pdf_exit_codes() -> None:
    shown = subprocess.run([sys.executable, str(ROOT / "main.py"), "verify", "--help"], capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    text = " ".join(shown.stdout.split())
    for code in ("0 a valid signature", "1 modified", "2 not a letter", "3 approved and signed", "5 the signer's",
                 "6 not signed by the letter's signatory", "9 could not be checked"):
        assert code in text, code
