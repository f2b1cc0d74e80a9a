"""The command line as scripts use it: exit codes, messages, files written or left alone."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import docx
import pytest

from app.cli import main
from tests.conftest import PACK_IDS, ROOT, TEMPLATES, sample_data


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_render_sample_writes_a_word_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_json(tmp_path / "letter.json", sample_data())
    out = tmp_path / "letter.docx"
    assert main(["render", "--template", "officials-concern", "--data", str(data), "--out", str(out)]) == 0
    document = docx.Document(str(out))
    assert any(p.text == "Dear Attorney General Sessions and Secretary Kelly:" for p in document.paragraphs)
    assert str(out) in capsys.readouterr().out
    assert not list(tmp_path.glob(".*.tmp")), "temporary file left behind"


def test_template_given_as_a_folder_path(tmp_path: Path) -> None:
    data = write_json(tmp_path / "letter.json", sample_data())
    out = tmp_path / "letter.docx"
    assert main(["render", "--template", str(TEMPLATES / "officials-concern"), "--data", str(data),
                 "--out", str(out)]) == 0
    assert out.exists()


def test_invalid_data_exits_2_names_the_path_and_leaves_the_file(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    letter = sample_data()
    del letter["addressees"][1]["name"]
    letter["date"] = "16/03/2017"
    data = write_json(tmp_path / "letter.json", letter)
    out = tmp_path / "letter.docx"
    good = write_json(tmp_path / "earlier.json", sample_data())
    assert main(["render", "--template", "officials-concern", "--data", str(good), "--out", str(out)]) == 0
    earlier = out.read_bytes()
    capsys.readouterr()
    code = main(["render", "--template", "officials-concern", "--data", str(data), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "addressees[1].name: required" in err
    assert "date: is not a date" in err
    assert out.read_bytes() == earlier


@pytest.mark.parametrize(("content", "words"), [
    ("{ not json", "not valid JSON at line 1"),
    ("[1, 2]", "must be a JSON object"),
])
def test_unreadable_data_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
                                 words: str) -> None:
    data = tmp_path / "letter.json"
    data.write_text(content, encoding="utf-8")
    out = tmp_path / "out.docx"
    assert main(["render", "--template", "officials-concern", "--data", str(data), "--out", str(out)]) == 2
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_missing_data_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--template", "officials-concern", "--data", str(tmp_path / "none.json"),
                 "--out", str(tmp_path / "o.docx")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_unknown_template_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_json(tmp_path / "letter.json", sample_data())
    out = tmp_path / "o.docx"
    assert main(["render", "--template", "no-such-pack", "--data", str(data), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "no template pack called 'no-such-pack'" in err
    assert "officials-concern" in err
    assert not out.exists()


def test_bad_template_exits_3_and_leaves_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "broken"
    pack.mkdir()
    (pack / "manifest.yaml").write_text("id: broken\nname: Broken\nversion: 1.0.0\n", encoding="utf-8")
    (pack / "letter.docx").write_bytes(b"PK\x03\x04 this is not really a zip")
    data = write_json(tmp_path / "letter.json", sample_data())
    out = tmp_path / "o.docx"
    out.write_bytes(b"keep me")
    assert main(["render", "--template", str(pack), "--data", str(data), "--out", str(out)]) == 3
    assert "not a Word document" in capsys.readouterr().err
    assert out.read_bytes() == b"keep me"


def test_pdf_without_libreoffice_exits_4_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CHAMBERS_SOFFICE", str(tmp_path / "no-soffice"))
    data = write_json(tmp_path / "letter.json", sample_data())
    out, pdf = tmp_path / "o.docx", tmp_path / "o.pdf"
    assert main(["render", "--template", "officials-concern", "--data", str(data), "--out", str(out),
                 "--pdf", str(pdf)]) == 4
    assert "LibreOffice is not installed" in capsys.readouterr().err
    assert not out.exists()
    assert not pdf.exists()


@pytest.mark.libreoffice
@pytest.mark.timeout(300)
def test_render_with_pdf(libreoffice: None, tmp_path: Path) -> None:
    data = write_json(tmp_path / "letter.json", sample_data())
    out, pdf = tmp_path / "o.docx", tmp_path / "o.pdf"
    assert main(["render", "--template", "officials-concern", "--data", str(data), "--out", str(out),
                 "--pdf", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(rows)
    return path


def test_batch_one_letter_per_row_and_bad_rows_reported(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        ["honorific", "name", "title", "organization", "address", "salutation"],
        ["The Honorable", "Jeff Sessions", "Attorney General of the United States", "U.S. Department of Justice",
         "950 Pennsylvania Avenue, NW|Washington, DC 20530-0001", ""],
        ["The Honorable", "", "Secretary of Homeland Security", "DHS", "Washington, DC 20528", ""],
        ["", "Maria Lopez", "Director of Public Affairs", "", "1 Main Street|Sacramento, CA 95814", "Ms. Lopez"],
        ["The Honorable", "Kamala D. Harris", "Senator", "United States Senate", "Washington, DC 20510", ""],
    ]
    csv_path = write_csv(tmp_path / "people.csv", rows)
    data = write_json(tmp_path / "letter.json", sample_data())
    out = tmp_path / "letters"
    code = main(["batch", "--template", "officials-concern", "--data", str(data), "--addressees", str(csv_path),
                 "--out", str(out), "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == 2
    assert "row 2 (line 3 of people.csv)" in captured.err
    assert "name: required" in captured.err
    assert "4/4 letters" in captured.err  # the progress bar reached the end
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "2017-03-16 Letter to Attorney General Sessions.docx",
        "2017-03-16 Letter to Ms. Lopez.docx",
        "2017-03-16 Letter to Senator Harris.docx",
    ]
    lopez = docx.Document(str(out / "2017-03-16 Letter to Ms. Lopez.docx"))
    texts = [p.text for p in lopez.paragraphs]
    assert "Maria Lopez\nDirector of Public Affairs\n1 Main Street\nSacramento, CA 95814" in texts
    assert "Dear Ms. Lopez:" in texts


def test_batch_on_all_cores_names_duplicates(tmp_path: Path) -> None:
    header = ["honorific", "name", "title", "organization", "address"]
    rows = [header] + [["", "John Kelly", "Secretary of Homeland Security", "DHS", "Washington, DC"]
                       for _ in range(60)]
    csv_path = write_csv(tmp_path / "people.csv", rows)
    data = write_json(tmp_path / "letter.json", sample_data())
    out = tmp_path / "letters"
    assert main(["batch", "--template", "officials-concern", "--data", str(data), "--addressees", str(csv_path),
                 "--out", str(out), "--jobs", "2"]) == 0
    files = sorted(out.iterdir())
    assert len(files) == 60
    assert (out / "2017-03-16 Letter to Secretary Kelly (60).docx").exists()


def test_batch_rejects_a_csv_without_the_needed_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = write_csv(tmp_path / "people.csv", [["who", "what"], ["a", "b"]])
    data = write_json(tmp_path / "letter.json", sample_data())
    assert main(["batch", "--template", "officials-concern", "--data", str(data), "--addressees", str(csv_path),
                 "--out", str(tmp_path / "o")]) == 2
    assert "'name' is required" in capsys.readouterr().err


def test_templates_list_and_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "list"]) == 0
    listing = capsys.readouterr().out
    for pack_id in PACK_IDS:
        assert pack_id in listing
    for pack_id in PACK_IDS:
        assert main(["templates", "check", str(TEMPLATES / pack_id)]) == 0
        assert "sound" in capsys.readouterr().out


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_sample_prints_the_pack_sample(pack_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", pack_id]) == 0
    assert json.loads(capsys.readouterr().out) == sample_data(pack_id)


def test_main_py_entry_point_runs_the_cli(tmp_path: Path) -> None:
    data = write_json(tmp_path / "letter.json", sample_data("response-to-inquiry"))
    out = tmp_path / "reply.docx"
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "render", "--template", "response-to-inquiry",
                           "--data", str(data), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.exists()


@pytest.mark.parametrize(("content", "words"), [
    ("", "the file is empty"),
    ("name,title\n", "no addressees: the file has its header line but no rows"),
    ("honorific;name;title\n;Ann Lee;Mayor\n", "separated by semicolons; save the CSV with commas"),
])
def test_batch_explains_a_csv_it_cannot_use(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
                                            words: str) -> None:
    csv_path = tmp_path / "people.csv"
    csv_path.write_text(content, encoding="utf-8")
    data = write_json(tmp_path / "letter.json", sample_data())
    out = tmp_path / "letters"
    assert main(["batch", "--template", "officials-concern", "--data", str(data), "--addressees", str(csv_path),
                 "--out", str(out)]) == 2
    assert words in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("out", "pdf", "words"), [
    ("letter.pdf", None, "only a Word letter (.docx) is written here"),
    ("letter.docx", "letter.docx", "only a PDF copy (.pdf) is written here"),
    ("letter.docx", "LETTER.docx.pdf", None),
])
def test_output_names_are_checked_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        out: str, pdf: str | None, words: str | None) -> None:
    monkeypatch.setenv("CHAMBERS_SOFFICE", str(tmp_path / "no-soffice"))
    data = write_json(tmp_path / "letter.json", sample_data())
    args = ["render", "--template", "officials-concern", "--data", str(data), "--out", str(tmp_path / out)]
    if pdf:
        args += ["--pdf", str(tmp_path / pdf)]
    code = main(args)
    if words is None:
        assert code == 4  # names fine; then no LibreOffice
    else:
        assert code == 2
        assert words in capsys.readouterr().err
    assert not (tmp_path / out).exists()


def test_a_missing_output_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_json(tmp_path / "letter.json", sample_data())
    assert main(["render", "--template", "officials-concern", "--data", str(data),
                 "--out", str(tmp_path / "nowhere" / "letter.docx")]) == 1
    assert f"The folder {tmp_path / 'nowhere'} does not exist" in capsys.readouterr().err


def test_verify_of_a_missing_file_is_a_sentence_not_a_traceback(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "init"]) == 0  # a database is made only when asked
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "nothere.docx")]) != 0
    err = capsys.readouterr().err
    assert "nothere.docx" in err
    assert "Traceback" not in err


@pytest.mark.libreoffice
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_with_pdf_writes_a_pdf_beside_each_letter_and_skips_bad_rows(
        libreoffice: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str) -> None:
    header = ["honorific", "name", "title", "organization", "address"]
    people = [["The Honorable", f"Alex Rivera{i}", "Mayor", "City of Sierra Vista", "1 Plaza|Sierra Vista, CA"]
              for i in range(11)]
    people[4][1] = ""  # row 5: no name
    csv_path = write_csv(tmp_path / "people.csv", [header, *people])
    data = write_json(tmp_path / "letter.json", sample_data())
    out = tmp_path / "letters"
    code = main(["batch", "--template", "officials-concern", "--data", str(data), "--addressees", str(csv_path),
                 "--out", str(out), "--jobs", jobs, "--pdf"])
    captured = capsys.readouterr()
    assert code == 2
    assert "row 5 (line 6 of people.csv)" in captured.err
    assert "with their PDFs" in captured.out
    letters = sorted(p for p in out.iterdir() if p.suffix == ".docx")
    pdfs = sorted(p for p in out.iterdir() if p.suffix == ".pdf")
    assert len(letters) == 10
    assert [p.stem for p in pdfs] == [p.stem for p in letters]
    for pdf in pdfs:
        assert pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in out.iterdir() if p.suffix not in (".docx", ".pdf")) == []
