"""`chambers preflight` and `--strict`: a guessed salutation is named, and refused when asked."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from tests.conftest import sample_data
from tests.storage.dbfixtures import db_url, office, postgres_template  # noqa: F401

# "Cortez Masto" or "Masto"? The engine takes the Spanish double surname, and says it had to choose.
GUESSED = {"honorific": "The Honorable", "name": "Catherine Cortez Masto", "title": "United States Senator",
           "address": ["Washington, DC 20510"]}
CONFIRMED = dict(GUESSED, surname="Cortez Masto")


def letter_with(*addressees: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(sample_data())
    data["addressees"] = list(addressees)
    return data


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_preflight_names_every_guess_with_its_reason_and_fix(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "letter.json", letter_with(GUESSED, {"honorific": "The Honorable",
                                                                 "name": "Richard J. Durbin"}))
    code, out, _ = run(capsys, "preflight", str(path))
    assert code == 2
    assert "addressees[0].salutation: [guess] 'Dear Senator Cortez Masto:' takes one of two readings" in out
    assert "if it is 'Masto', fill in the surname" in out
    # Never "Dear Richard J. Durbin:": the safe form, and a question.
    assert "Dear Richard J. Durbin" not in out
    assert "addressees[1].salutation: [guess] 'Dear Sir or Madam:' is a guess" in out
    assert "Give the courtesy title" in out


def test_preflight_json_gives_each_salutation_its_confidence(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "letter.json", letter_with(CONFIRMED, dict(GUESSED, name="Alex Padilla")))
    code, out, _ = run(capsys, "preflight", str(path), "--json")
    result = json.loads(out)
    assert code == 0
    assert result["valid"] is True
    assert result["salutation"] == "Dear Senator Cortez Masto and Senator Padilla:"
    assert [a["confidence"] for a in result["addressees"]] == ["settled", "settled"]
    assert result["guesses"] == 0


def test_preflight_advises_a_colon_for_a_salutation_typed_with_a_comma(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "letter.json", letter_with(dict(CONFIRMED, salutation="Dear Judge Ito,")))
    code, out, _ = run(capsys, "preflight", str(path), "--json")
    findings = json.loads(out)["findings"]
    assert code == 0  # advice, not a guess: the clerk's own words are kept
    assert [(f["path"], f["value"]) for f in findings] == [("addressees[0].salutation", "Dear Judge Ito:")]


def test_preflight_of_invalid_data_names_the_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "letter.json", letter_with({"title": "Senator"}))
    code, _, err = run(capsys, "preflight", str(path))
    assert code == 2
    assert "addressees[0].name" in err


def test_render_strict_refuses_a_guess_and_writes_nothing(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "letter.docx"
    guessed = write(tmp_path / "guessed.json", letter_with(GUESSED))
    code, _, err = run(capsys, "render", "--template", "officials-concern", "--data", str(guessed),
                       "--out", str(out), "--strict")
    assert code == 2
    assert "addressees[0].salutation" in err
    assert "--strict refuses it" in err
    assert not out.exists()
    # Without --strict the letter is written (the guess stays advice), and a confirmed surname passes.
    assert run(capsys, "render", "--template", "officials-concern", "--data", str(guessed),
               "--out", str(out))[0] == 0
    confirmed = write(tmp_path / "confirmed.json", letter_with(CONFIRMED))
    assert run(capsys, "render", "--template", "officials-concern", "--data", str(confirmed),
               "--out", str(tmp_path / "confirmed.docx"), "--strict")[0] == 0


def test_batch_strict_names_the_row_with_a_guess(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "people.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["honorific", "name", "title", "address"])
        writer.writerow(["The Honorable", "Jim McDonnell", "Sheriff of Los Angeles County", "Los Angeles"])
        writer.writerow(["The Honorable", "Sheila Jackson Lee", "United States Representative", "Washington"])
    data = write(tmp_path / "letter.json", sample_data())
    out = tmp_path / "letters"
    code, _, err = run(capsys, "batch", "--template", "officials-concern", "--data", str(data), "--addressees",
                       str(csv_path), "--out", str(out), "--jobs", "1", "--strict")
    assert code == 2
    assert "row 2: addressees[0].salutation" in err
    assert "Jackson Lee" in err
    assert not out.exists() or not any(out.iterdir())


def test_drafts_submit_strict_keeps_a_guess_out_of_review(db_url: str, tmp_path: Path,  # noqa: F811
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    office(db_url).close()
    db = ("--db", db_url)
    path = write(tmp_path / "letter.json", letter_with(GUESSED))
    code, out, _ = run(capsys, "drafts", "new", "--template", "officials-concern", "--data", str(path), *db,
                       "--as", "ann")
    assert code == 0
    letter = out.strip()
    code, _, err = run(capsys, "drafts", "submit", letter, "--strict", *db, "--as", "ann")
    assert code == 2
    assert f"Letter {letter} has a salutation that is guessed" in err
    assert "addressees[0].salutation" in err
    fixed = write(tmp_path / "fixed.json", letter_with(CONFIRMED))
    assert run(capsys, "drafts", "update", letter, "--data", str(fixed), "--expect-version", "1", *db,
               "--as", "ann")[0] == 0
    assert run(capsys, "drafts", "submit", letter, "--strict", *db, "--as", "ann")[0] == 0
