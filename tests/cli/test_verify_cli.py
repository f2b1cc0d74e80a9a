"""Approve, export and verify through the real entry point (``python main.py ...``), as a court
office's scripts would: exit codes and messages, and the exported files read back."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from tests.conftest import ROOT, sample_data
from tests.storage.dbfixtures import JUDGE_FULL_NAME, office

SIGNATURE_PART = "word/media/chambers-signature.png"


class Office:
    """One SQLite database and a way to run the command line on it as a named user."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = f"sqlite:///{folder / 'chambers.sqlite3'}"
        office(self.url).close()

    def run(self, user: str, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(ROOT / "main.py"), *argv, "--db", self.url, "--as", user]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                              cwd=self.folder, env={**os.environ, "PYTHONPATH": str(ROOT)})

    def letter_in_review(self, data: dict[str, object] | None = None) -> str:
        path = self.folder / "letter.json"
        path.write_text(json.dumps(data or sample_data()), encoding="utf-8")
        made = self.run("ann", "drafts", "new", "--template", "officials-concern", "--data", str(path))
        assert made.returncode == 0, made.stderr
        letter = made.stdout.strip()
        assert self.run("ann", "drafts", "submit", letter).returncode == 0
        return letter

    def show(self, letter: str) -> dict[str, object]:
        shown = self.run("ann", "drafts", "show", letter, "--json")
        assert shown.returncode == 0, shown.stderr
        data: dict[str, object] = json.loads(shown.stdout)
        return data


@pytest.fixture
def court(tmp_path: Path) -> Office:
    return Office(tmp_path)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}


def text_of(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_approve_export_verify_then_an_edit_withdraws(court: Office, tmp_path: Path) -> None:
    letter = court.letter_in_review()
    before = court.show(letter)

    # Without the version the judge read: refused, told what to pass, and nothing changes.
    refused = court.run("tani", "drafts", "approve", letter)
    assert refused.returncode == 5
    assert "--expect-version" in refused.stderr
    assert "drafts show" in refused.stderr
    assert court.show(letter) == before
    # A version the judge never saw: refused too.
    stale = court.run("tani", "drafts", "approve", letter, "--expect-version", "2")
    assert stale.returncode == 5
    assert "now at version 1, not 2" in stale.stderr
    assert court.show(letter) == before

    approved = court.run("tani", "drafts", "approve", letter, "--expect-version", "1")
    assert approved.returncode == 0, approved.stderr
    out = tmp_path / "letter.docx"
    exported = court.run("tani", "drafts", "export", letter, "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "approved letter" in exported.stdout
    assert "Tani G. Cantil-Sakauye" in text_of(out)
    assert SIGNATURE_PART in parts(out)

    verified = court.run("ann", "verify", str(out))
    assert verified.returncode == 0, verified.stderr
    assert f"matches approved version 1 of letter {letter}, approved by {JUDGE_FULL_NAME} on" in verified.stdout

    # Only the document properties change (a TITLE field prints them): modified.
    members = parts(out)
    members["docProps/core.xml"] = members["docProps/core.xml"].replace(b"<dc:title>", b"<dc:title>Not ", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    (tmp_path / "props.docx").write_bytes(buffer.getvalue())
    assert Document(str(tmp_path / "props.docx")).core_properties.title.startswith("Not ")
    modified = court.run("ann", "verify", str(tmp_path / "props.docx"))
    assert modified.returncode == 1
    assert "modified after approval" in modified.stderr

    # An edit after approval withdraws it: the file once approved now answers 3.
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps({**sample_data(), "subject": "Changed after approval"}), encoding="utf-8")
    update = court.run("ann", "drafts", "update", letter, "--data", str(edited), "--expect-version", "1")
    assert update.returncode == 0, update.stderr
    withdrawn = court.run("ann", "verify", str(out))
    assert withdrawn.returncode == 3
    assert f"approval withdrawn: this is approved version 1 of letter {letter}" in withdrawn.stderr
    assert "now version 2" in withdrawn.stderr

    foreign = tmp_path / "plain.docx"
    Document().save(str(foreign))
    assert court.run("ann", "verify", str(foreign)).returncode == 2
    missing = court.run("ann", "verify", str(tmp_path / "no-such.docx"))
    assert missing.returncode == 7
    assert "no such file" in missing.stderr
    helped = court.run("ann", "verify", "--help")
    assert "3 it was approved, but the approval was withdrawn" in " ".join(helped.stdout.split())


def test_per_addressee_copies_carry_their_own_seals(court: Office, tmp_path: Path) -> None:
    letter = court.letter_in_review()
    assert court.run("tani", "drafts", "approve", letter, "--expect-version", "1").returncode == 0
    folder = tmp_path / "copies"
    folder.mkdir()
    written = court.run("tani", "drafts", "export-copies", letter, "--folder", str(folder))
    assert written.returncode == 0, written.stderr
    copies = sorted(folder.glob("*.docx"))
    assert len(copies) == 2
    for copy in copies:
        body = text_of(copy)
        others = {"Jeff Sessions", "John F. Kelly"} - {n for n in ("Jeff Sessions", "John F. Kelly") if n in body}
        assert len(others) == 1, f"{copy.name} should be addressed to one official only"
        assert SIGNATURE_PART in parts(copy)
        verified = court.run("ann", "verify", str(copy))
        assert verified.returncode == 0, verified.stderr
        assert "the copy for addressee" in verified.stdout
        assert f"of approved version 1 of letter {letter}" in verified.stdout
    sessions = next(c for c in copies if "Jeff Sessions" in text_of(c))
    assert "addressee Jeff Sessions, Attorney General of the United States (1 of 2)" in \
        court.run("ann", "verify", str(sessions)).stdout

    # A copy edited by hand is modified; after an edit to the letter every copy is withdrawn.
    members = parts(sessions)
    members["word/document.xml"] = members["word/document.xml"].replace(b"respectfully", b"hereby", 1)
    tampered = tmp_path / "tampered.docx"
    with zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    assert court.run("ann", "verify", str(tampered)).returncode == 1
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps({**sample_data(), "subject": "Changed"}), encoding="utf-8")
    assert court.run("ann", "drafts", "update", letter, "--data", str(edited), "--expect-version", "1").returncode == 0
    withdrawn = court.run("ann", "verify", str(sessions))
    assert withdrawn.returncode == 3
    assert "approval withdrawn: this is the copy for addressee Jeff Sessions" in withdrawn.stderr
    # And no copies are given out for a letter that is no longer approved.
    again = court.run("tani", "drafts", "export-copies", letter, "--folder", str(tmp_path / "none"))
    assert again.returncode == 5


def test_a_judge_who_does_not_sign_cannot_approve(court: Office, tmp_path: Path) -> None:
    letter = court.letter_in_review()
    before = court.show(letter)
    refused = court.run("ming", "drafts", "approve", letter, "--expect-version", "1")
    assert refused.returncode == 5
    assert f"signed by {JUDGE_FULL_NAME}, not by Ming W. Chin" in refused.stderr
    assert "--for" in refused.stderr
    assert court.show(letter) == before
    wrong = court.run("ming", "drafts", "approve", letter, "--expect-version", "1", "--for", "Somebody Else")
    assert wrong.returncode == 5
    assert court.show(letter) == before

    # Signing for the signatory, said out loud: recorded, sealed and reported by verify.
    approved = court.run("ming", "drafts", "approve", letter, "--expect-version", "1", "--for", JUDGE_FULL_NAME)
    assert approved.returncode == 0, approved.stderr
    assert f"signed for {JUDGE_FULL_NAME}" in approved.stdout
    out = tmp_path / "for.docx"
    assert court.run("ming", "drafts", "export", letter, "--out", str(out)).returncode == 0
    assert SIGNATURE_PART not in parts(out), "one judge's signature image never goes above another's name"
    verified = court.run("ann", "verify", str(out))
    assert verified.returncode == 0, verified.stderr
    assert f"approved by Ming W. Chin, signed for {JUDGE_FULL_NAME}" in verified.stdout
    assert court.show(letter)["approval"]["signed_for"] == JUDGE_FULL_NAME  # type: ignore[index]
    history = json.loads(court.run("ann", "drafts", "history", letter, "--json").stdout)
    (approval,) = [e for e in history["events"] if e["action"] == "approve"]
    assert approval["actor"] == "ming"
    assert approval["detail"]["signed_for"] == JUDGE_FULL_NAME
