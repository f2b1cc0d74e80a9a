"""``chambers drafts export ID --pdf-only FILE.pdf``: the approved letter's PDF alone, made from the approved
bytes; a letter that is not approved is refused and nothing is written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from app.cli import main
from tests.conftest import sample_data
from tests.storage.dbfixtures import office


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


@pytest.mark.parametrize(("extra", "said"), [
    (["--pdf", "{tmp}/also.pdf"], "--pdf-only writes the PDF alone and --pdf the PDF beside the .docx of --out"),
    (["--sign-with", "{tmp}/judge.p12"], "--sign-with signs the PDF it writes beside the approved .docx"),
])
def test_pdf_only_with_an_option_of_the_docx_export_is_refused_before_anything_is_read(
        court: tuple[list[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
        said: str) -> None:
    db, letter = court
    code, out, err = run(capsys, "drafts", "export", letter, "--pdf-only", str(tmp_path / "approved.pdf"),
                         *[part.format(tmp=tmp_path) for part in extra], *db, "--as", "tani")
    assert (code, out) == (2, "")
    assert err.startswith(said)
    assert err.endswith("Nothing was written.\n")
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
