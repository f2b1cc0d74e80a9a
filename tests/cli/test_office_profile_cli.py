"""The court profile from the command line (the real entry point), as an office's admin sets it
and a clerk's next letter prints it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from tests.conftest import ROOT, sample_data
from tests.services.test_court_profile import png, reference
from tests.storage.dbfixtures import office


def chambers(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--db", url], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def url(tmp_path: Path) -> str:
    database = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    office(database).close()
    return database


def test_an_admin_sets_the_profile_and_seal_and_everyone_reads_it(url: str, tmp_path: Path) -> None:
    empty = chambers(url, "office", "profile", "show", "--as", "ann")
    assert (empty.returncode, empty.stdout.startswith("No court profile is set")) == (0, True), empty.stderr
    done = chambers(url, "office", "profile", "set", "--court", "Superior Court of Sierra Vista",
                    "--chambers", "Chambers of the Presiding Judge", "--address-line", "Hall of Justice",
                    "--address-line", "400 Courthouse Square", "--phone", "(916) 555-0142",
                    "--signatory-name", "Tani G. Cantil-Sakauye", "--signatory-title", "Presiding Judge",
                    "--as", "admin")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("The court profile is now version 1.")
    seal = png(100, 100)
    (tmp_path / "seal.png").write_bytes(seal)
    done = chambers(url, "office", "profile", "seal", str(tmp_path / "seal.png"), "--expect-version", "1",
                    "--as", "admin")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"New letters print the seal {reference(seal)} from seal.png "
                                   "(court profile version 2).")
    shown = chambers(url, "office", "profile", "show", "--json", "--as", "tani")
    assert shown.returncode == 0, shown.stderr
    profile = json.loads(shown.stdout)
    assert profile["court"] == "Superior Court of Sierra Vista"
    assert profile["address"] == ["Hall of Justice", "400 Courthouse Square"]
    assert (profile["seal"], profile["version"], profile["updated_by"]) == (reference(seal), 2, "admin")
    text = chambers(url, "office", "profile", "show", "--as", "ann").stdout
    assert "Chambers line:      Chambers of the Presiding Judge" in text

    # A clerk's letter written without a letterhead takes the office's: court, chambers line and seal.
    letter = {k: v for k, v in sample_data().items() if k not in ("sender", "signatory")}
    (tmp_path / "letter.json").write_text(json.dumps(letter), encoding="utf-8")
    made = chambers(url, "drafts", "new", "--template", "officials-concern", "--data", str(tmp_path / "letter.json"),
                    "--as", "ann")
    assert made.returncode == 0, made.stderr
    letter_id = made.stdout.split()[-1].strip(".#")
    out = tmp_path / "draft.docx"
    exported = chambers(url, "drafts", "export", letter_id, "--out", str(out), "--as", "ann")
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as package:
        assert package.read("word/media/seal.png") == seal
    document = Document(str(out))
    header = [p.text for p in document.sections[0].first_page_header.paragraphs]
    assert "Superior Court of Sierra Vista" in header
    assert "Chambers of the Presiding Judge" in header
    assert "Presiding Judge" in [p.text for p in document.paragraphs]  # the profile's signatory


def test_a_clerk_is_refused_and_nothing_changes(url: str, tmp_path: Path) -> None:
    assert chambers(url, "office", "profile", "set", "--court", "Superior Court of Sierra Vista",
                    "--as", "admin").returncode == 0
    refused = chambers(url, "office", "profile", "set", "--court", "Court of Mallory", "--as", "ann")
    assert refused.returncode == 5
    assert refused.stderr.strip() == ("Refused: ann is a clerk and a clerk may not change the court profile "
                                      "(the letterhead every letter prints); that needs an admin.")
    (tmp_path / "seal.png").write_bytes(png(64, 64))
    refused = chambers(url, "office", "profile", "seal", str(tmp_path / "seal.png"), "--as", "tani")
    assert refused.returncode == 5
    shown = json.loads(chambers(url, "office", "profile", "show", "--json", "--as", "ann").stdout)
    assert (shown["court"], shown["version"], shown["seal"]) == ("Superior Court of Sierra Vista", 1, None)


def test_a_bad_seal_or_a_stale_version_is_refused_with_the_reason(url: str, tmp_path: Path) -> None:
    assert chambers(url, "office", "profile", "set", "--court", "Superior Court of Sierra Vista",
                    "--as", "admin").returncode == 0
    (tmp_path / "seal.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    refused = chambers(url, "office", "profile", "seal", str(tmp_path / "seal.jpg"), "--as", "admin")
    assert refused.returncode == 5
    assert "the seal image is not a PNG file" in refused.stderr
    missing = chambers(url, "office", "profile", "seal", str(tmp_path / "none.png"), "--as", "admin")
    assert missing.returncode == 1
    assert "none.png: cannot be read" in missing.stderr
    assert chambers(url, "office", "profile", "set", "--phone", "(916) 555-0100", "--as", "admin").returncode == 0
    stale = chambers(url, "office", "profile", "set", "--phone", "(916) 555-0199", "--expect-version", "1",
                     "--as", "admin")
    assert stale.returncode == 5
    assert "now version 2, yours started from version 1" in stale.stderr
    shown = json.loads(chambers(url, "office", "profile", "show", "--json", "--as", "admin").stdout)
    assert (shown["phone"], shown["version"]) == ("(916) 555-0100", 2)


def test_render_prints_the_seal_given_for_the_letters_pin_and_refuses_without_it(tmp_path: Path) -> None:
    seal = png(90, 90)
    (tmp_path / "seal.png").write_bytes(seal)
    letter = sample_data()
    letter["sender"] = {**letter["sender"], "seal": reference(seal)}
    (tmp_path / "letter.json").write_text(json.dumps(letter), encoding="utf-8")
    base = [sys.executable, str(ROOT / "main.py"), "render", "--template", "officials-concern",
            "--data", str(tmp_path / "letter.json")]
    missing = subprocess.run([*base, "--out", str(tmp_path / "a.docx")], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, check=False)
    assert missing.returncode == 2
    assert "sender.seal" in missing.stderr
    assert not (tmp_path / "a.docx").exists()
    done = subprocess.run([*base, "--out", str(tmp_path / "b.docx"), "--seal", str(tmp_path / "seal.png")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "b.docx") as package:
        assert package.read("word/media/seal.png") == seal
