"""``chambers drafts export ID --pdf-only FILE.pdf [--sign-with KEY]``: the approved letter's PDF alone, made
from the approved bytes (signed by its signatory with --sign-with); a letter that is not approved is refused
and nothing is written."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from app.bootstrap import journal_folder
from app.cli import main
from tests.conftest import ROOT, sample_data
from tests.signing_office import PASSPHRASE, issue, root
from tests.storage.dbfixtures import JUDGE_FULL_NAME, office


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def court(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[list[str], str]:
    """An office with one letter in review: the --db option and the letter's id."""
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    office(url).close()
    (tmp_path / "letter.json").write_text(json.dumps(sample_data()), encoding="utf-8")
    db = ["--db", url]
    code, out, _ = run(capsys, "drafts", "new", "--template", "officials-concern", "--data",
                       str(tmp_path / "letter.json"), *db, "--as", "ann")
    assert code == 0
    letter = out.strip()
    assert run(capsys, "drafts", "submit", letter, *db, "--as", "ann")[0] == 0
    return db, letter


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".pdf", ".docx"))


@pytest.mark.libreoffice
def test_the_approved_letters_pdf_alone_reads_back_as_the_letter(
        court: tuple[list[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str], libreoffice: None) -> None:
    db, letter = court
    assert run(capsys, "drafts", "approve", letter, "--expect-version", "1", *db, "--as", "tani")[0] == 0
    pdf = tmp_path / "approved.pdf"
    code, out, err = run(capsys, "drafts", "export", letter, "--pdf-only", str(pdf), *db, "--as", "tani")
    assert (code, err) == (0, "")
    assert out == f"Wrote the PDF of the approved letter {letter} to {pdf}\n"
    assert _files(tmp_path) == ["approved.pdf"]  # no .docx beside it
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "Pages:" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Dear Attorney General Sessions and Secretary Kelly:" in text
    assert "DRAFT" not in text
    code, out, _ = run(capsys, "drafts", "show", letter, *db, "--as", "tani")
    assert "status exported" in out


def test_a_letter_that_is_not_approved_has_no_pdf_alone_and_nothing_is_written(
        court: tuple[list[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, letter = court
    code, out, err = run(capsys, "drafts", "export", letter, "--pdf-only", str(tmp_path / "draft.pdf"),
                         *db, "--as", "tani")
    assert (code, out) == (5, "")
    assert err == (f"Refused: letter {letter} is in review, not approved: only an approved letter has a final PDF; "
                   "export it as a draft instead.\n")
    assert _files(tmp_path) == []
    _, history, _ = run(capsys, "drafts", "history", letter, "--json", *db, "--as", "tani")
    assert not [e for e in json.loads(history)["events"] if e["action"].startswith("export")]


@pytest.mark.parametrize("extra", [
    ["--pdf", "{tmp}/also.pdf"],
    ["--pdf", "{tmp}/also.pdf", "--sign-with", "{tmp}/judge.p12"],     # signed, the same question
])
def test_pdf_only_with_the_pdf_beside_the_docx_is_refused_before_anything_is_read(
        court: tuple[list[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    db, letter = court
    code, out, err = run(capsys, "drafts", "export", letter, "--pdf-only", str(tmp_path / "approved.pdf"),
                         *[part.format(tmp=tmp_path) for part in extra], *db, "--as", "tani")
    assert (code, out) == (2, "")
    assert err == ("--pdf-only writes the PDF alone and --pdf the PDF beside the .docx of --out: give one of them. "
                   "Nothing was written.\n")
    assert _files(tmp_path) == []


def test_export_asks_for_a_docx_or_a_pdf_alone_and_not_both(court: tuple[list[str], str], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    db, letter = court
    with pytest.raises(SystemExit) as missing:
        main(["drafts", "export", letter, *db])
    assert missing.value.code == 2
    assert "one of the arguments --out --pdf-only is required" in capsys.readouterr().err
    with pytest.raises(SystemExit) as both:
        main(["drafts", "export", letter, "--out", str(tmp_path / "a.docx"), "--pdf-only", str(tmp_path / "a.pdf"),
              *db])
    assert both.value.code == 2
    assert "argument --pdf-only: not allowed with argument --out" in capsys.readouterr().err
    assert _files(tmp_path) == []


# --- --pdf-only --sign-with: the signed PDF alone ----------------------------------------------
@pytest.fixture
def signing(court: tuple[list[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The office trusts its CA and binds tani's certificate; returns tani's key file (.p12)."""
    ca = root()
    tani = issue(ca, JUDGE_FULL_NAME)
    admin = office(court[0][1])
    admin.signing.trust_add(ca.pem, "ca.pem")
    admin.signing.bind_certificate("tani", tani.pem, "tani.pem")
    admin.close()
    key = tmp_path / "keys" / "tani.p12"
    key.parent.mkdir()
    key.write_bytes(tani.p12())
    monkeypatch.setenv("CHAMBERS_SIGN_PASSPHRASE", PASSPHRASE)
    return str(key)


def _events(capsys: pytest.CaptureFixture[str], db: list[str], letter: str) -> list[dict[str, object]]:
    _, history, _ = run(capsys, "drafts", "history", letter, "--json", *db, "--as", "tani")
    return [e for e in json.loads(history)["events"] if e["action"].startswith("export")]


@pytest.mark.libreoffice
def test_the_signed_pdf_alone_verifies(court: tuple[list[str], str], signing: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str], libreoffice: None) -> None:
    db, letter = court
    assert run(capsys, "drafts", "approve", letter, "--expect-version", "1", *db, "--as", "tani")[0] == 0
    pdf = tmp_path / "filed.pdf"
    code, out, err = run(capsys, "drafts", "export", letter, "--pdf-only", str(pdf), "--sign-with", signing,
                         *db, "--as", "tani")
    assert (code, err) == (0, "")
    assert out == f"Wrote the PDF of the approved letter {letter}, signed by {JUDGE_FULL_NAME}, to {pdf}\n"
    assert _files(tmp_path) == ["filed.pdf"]  # no .docx beside it
    code, out, err = run(capsys, "verify", str(pdf), *db)
    assert code == 0, err
    assert f"signed by {JUDGE_FULL_NAME}" in out
    assert f"approved version 1 of letter {letter}" in out
    [event] = _events(capsys, db, letter)
    assert (event["actor"], event["action"]) == ("tani", "export_final")
    detail = event["detail"]
    assert (detail["file"], detail["docx"], detail["signed"]) == ("filed.pdf", False, True)
    assert detail["pdf_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    code, out, _ = run(capsys, "drafts", "show", letter, *db, "--as", "tani")
    assert "status exported" in out


@pytest.mark.parametrize(("approved", "passphrase", "said"), [
    (False, PASSPHRASE, "is in review, not approved: only an approved letter is signed"),
    (True, "not the passphrase", "passphrase does not open"),
])
def test_the_signed_pdf_alone_is_refused_and_nothing_is_written(
        court: tuple[list[str], str], signing: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, approved: bool, passphrase: str, said: str) -> None:
    db, letter = court
    if approved:
        assert run(capsys, "drafts", "approve", letter, "--expect-version", "1", *db, "--as", "tani")[0] == 0
    monkeypatch.setenv("CHAMBERS_SIGN_PASSPHRASE", passphrase)
    code, out, err = run(capsys, "drafts", "export", letter, "--pdf-only", str(tmp_path / "filed.pdf"),
                         "--sign-with", signing, *db, "--as", "tani")
    assert (code, out) == (5, "")
    assert said in err
    assert "nothing was written" in err
    assert _files(tmp_path) == []
    assert _events(capsys, db, letter) == []


def test_the_signed_pdf_alone_keeps_to_the_output_policy(court: tuple[list[str], str], signing: str,
                                                         tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The targets tests/cli/test_output_policy.py aims every writer at, aimed at the signed PDF alone."""
    db, letter = court
    assert run(capsys, "drafts", "approve", letter, "--expect-version", "1", *db, "--as", "tani")[0] == 0
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"the judge's own notes, not a letter")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "real.pdf").write_bytes(b"%PDF-1.7\n% a PDF somewhere else\n")
    link = tmp_path / "link.pdf"
    link.symlink_to(elsewhere / "real.pdf")
    database = tmp_path / "chambers.sqlite3"
    recovery = journal_folder(db[1])
    recovery.mkdir(parents=True, exist_ok=True)
    targets = {
        notes: "an existing file that is not",
        database: "this is the Chambers database",
        database.with_name(database.name + "-wal"): "this is the Chambers database's wal file",
        recovery / "filed.pdf": "the recovery folder",
        ROOT / "templates" / "officials-concern" / "filed.pdf": "a template folder",
        link: "this is a symbolic link",
    }
    before = {target: target.read_bytes() if target.exists() else None for target in targets}
    for target, said in targets.items():
        code, out, err = run(capsys, "drafts", "export", letter, "--pdf-only", str(target), "--sign-with", signing,
                             *db, "--as", "tani")
        assert (code, out) == (2, ""), (target, err)
        assert err.startswith(f"Refused: --pdf-only {target}"), err
        assert said in err, err
    assert {target: target.read_bytes() if target.exists() else None for target in targets} == before
    assert link.is_symlink()
    assert _files(tmp_path) == ["link.pdf", "notes.pdf"]
    assert _events(capsys, db, letter) == []
