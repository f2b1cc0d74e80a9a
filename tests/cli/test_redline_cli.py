"""``drafts redline``: the changes between versions as Word tracked changes, from the command line."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from tests.conftest import sample_data
from tests.storage.dbfixtures import db_url, office, postgres_template  # noqa: F401


def test_redline_between_versions(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    office(db_url).close()
    db = ("--db", db_url)
    v1 = sample_data()
    v2 = copy.deepcopy(v1)
    v2["concerns"][0] = v2["concerns"][0].replace("do not come by choice", "rarely come by choice")
    (tmp_path / "v1.json").write_text(json.dumps(v1), encoding="utf-8")
    (tmp_path / "v2.json").write_text(json.dumps(v2), encoding="utf-8")
    assert main(["drafts", "new", "--template", "officials-concern", "--data", str(tmp_path / "v1.json"),
                 *db, "--as", "ann"]) == 0
    letter = capsys.readouterr().out.strip()
    assert main(["drafts", "update", letter, "--data", str(tmp_path / "v2.json"), "--expect-version", "1",
                 *db, "--as", "ann"]) == 0
    capsys.readouterr()
    out = tmp_path / "changes.docx"
    assert main(["drafts", "redline", letter, "--from", "1", "--to", "2", "--out", str(out), *db, "--as", "ann"]) == 0
    assert "from version 1 to 2" in capsys.readouterr().out
    xml = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("word/document.xml").decode()
    assert "<w:ins " in xml
    assert "rarely" in xml

    # A version that does not exist is named, and nothing is written.
    missing = tmp_path / "none.docx"
    assert main(["drafts", "redline", letter, "--from", "1", "--to", "9", "--out", str(missing), *db,
                 "--as", "ann"]) == 7
    assert "no version 9" in capsys.readouterr().err
    assert not missing.exists()
    assert main(["drafts", "redline", letter, "--out", str(tmp_path / "x.pdf"), *db, "--as", "ann"]) == 2
    assert not (tmp_path / "x.pdf").exists()
