"""``chambers templates new NAME``: a working pack to start from, where Chambers finds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from app.cli import main
from tests.conftest import sample_data


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_new_pack_is_listed_and_renders_a_letter(private_home: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "templates", "new", "notice-to-counsel")
    assert code == 0, err
    folder = private_home / "templates" / "notice-to-counsel"
    assert sorted(p.name for p in folder.iterdir()) == ["letter.docx", "manifest.yaml", "sample.json"]
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    assert (manifest["id"], manifest["version"]) == ("notice-to-counsel", "0.1.0")
    assert "notice-to-counsel" in run(capsys, "templates", "list", "--brief")[1]
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(sample_data("response-to-inquiry")), encoding="utf-8")
    out_file = tmp_path / "notice.docx"
    code, _, err = run(capsys, "render", "--template", "notice-to-counsel", "--data", str(data), "--out", str(out_file))
    assert code == 0, err
    assert out_file.read_bytes()[:2] == b"PK"


def test_a_new_pack_never_replaces_one_and_needs_a_pack_id(private_home: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "templates", "new", "ours", "--from", "legislative-position")[0] == 0
    manifest = private_home / "templates" / "ours" / "manifest.yaml"
    before = manifest.read_bytes()
    code, _, err = run(capsys, "templates", "new", "ours")
    assert code == 2
    assert "already exists" in err
    assert manifest.read_bytes() == before
    for bad in ("Our Pack", "../escape", "under_score"):
        code, _, err = run(capsys, "templates", "new", bad)
        assert code == 2
        assert "cannot name a pack" in err
    code, _, err = run(capsys, "templates", "new", "other", "--from", "no-such-pack")
    assert code == 2
    assert "not a shipped pack" in err
    assert sorted(p.name for p in (private_home / "templates").iterdir()) == ["ours"]
