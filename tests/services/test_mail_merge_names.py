"""Mail merge carries surname, given name and courtesy title from the CSV, and needs no title."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import docx
import pytest

from app.cli import main
from app.core.errors import LetterInvalid
from app.services.letters import read_addressees
from tests.conftest import sample_data


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(rows)
    return path


ROWS = [
    ["honorific", "name", "surname", "given_name", "courtesy", "title", "organization", "address"],
    ["The Honorable", "Catherine Cortez Masto", "Cortez Masto", "Catherine", "Ms.", "United States Senator",
     "United States Senate", "313 Hart Senate Office Building|Washington, DC 20510"],
    ["The Honorable", "Nancy Pelosi", "", "", "Ms.", "Speaker of the House", "U.S. House of Representatives",
     "Washington, DC 20515"],
    ["Mx.", "Pat Smith", "", "", "", "", "", "1 Main Street|Sacramento, CA 95814"],
]


def test_read_addressees_takes_the_optional_columns(tmp_path: Path) -> None:
    rows = read_addressees(_csv(tmp_path / "people.csv", ROWS))
    assert [error for _n, _a, error in rows] == [None, None, None]
    senator, speaker, private = (a for _n, a, _e in rows)
    assert senator == {"honorific": "The Honorable", "name": "Catherine Cortez Masto", "surname": "Cortez Masto",
                       "given_name": "Catherine", "courtesy": "Ms.", "title": "United States Senator",
                       "organization": "United States Senate",
                       "address": ["313 Hart Senate Office Building", "Washington, DC 20510"]}
    assert speaker is not None
    assert "surname" not in speaker
    assert speaker["courtesy"] == "Ms."
    assert private is not None
    assert "title" not in private  # an empty cell is no title, not a title ""


def test_a_csv_without_a_title_column_is_read(tmp_path: Path) -> None:
    rows = read_addressees(_csv(tmp_path / "people.csv", [["name", "honorific"], ["John Doe", "The Reverend"]]))
    assert rows == [(1, {"name": "John Doe", "honorific": "The Reverend", "address": []}, None)]
    with pytest.raises(LetterInvalid, match="'name' is required"):
        read_addressees(_csv(tmp_path / "nameless.csv", [["title"], ["Judge"]]))
    with pytest.raises(LetterInvalid, match=r"unknown column\(s\) nickname.*surname, given_name, courtesy"):
        read_addressees(_csv(tmp_path / "odd.csv", [["name", "nickname"], ["A", "B"]]))


def test_batch_letters_use_the_surname_and_courtesy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    people = _csv(tmp_path / "people.csv", ROWS)
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(sample_data()), encoding="utf-8")
    out = tmp_path / "letters"
    code = main(["batch", "--template", "officials-concern", "--data", str(data), "--addressees", str(people),
                 "--out", str(out), "--jobs", "1"])
    assert code == 0, capsys.readouterr().err
    texts = {path.name: [p.text for p in docx.Document(str(path)).paragraphs] for path in out.iterdir()}
    salutations = sorted(t for paragraphs in texts.values() for t in paragraphs if t.startswith("Dear "))
    assert salutations == ["Dear Madam Speaker:", "Dear Mx. Smith:", "Dear Senator Cortez Masto:"]
    smith = next(paragraphs for name, paragraphs in texts.items() if "Smith" in name)
    assert "Mx. Pat Smith\n1 Main Street\nSacramento, CA 95814" in smith
