"""The whole workflow through the command line, as a court office would run it."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from tests.conftest import sample_data
from tests.storage.dbfixtures import db_url, office, postgres_template  # noqa: F401


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_full_workflow_end_to_end(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    office(db_url).close()
    db = ("--db", db_url)
    first = write(tmp_path / "v1.json", sample_data())
    second_data = copy.deepcopy(sample_data())
    second_data["subject"] = "Immigration arrests in California courthouses"
    second = write(tmp_path / "v2.json", second_data)
    third_data = copy.deepcopy(second_data)
    third_data["concerns"] = third_data["concerns"][:2]
    third = write(tmp_path / "v3.json", third_data)

    code, out, _ = run(capsys, "drafts", "new", "--template", "officials-concern", "--data", str(first), *db,
                       "--as", "ann")
    assert code == 0
    letter = out.strip()
    assert letter.isdigit()
    assert run(capsys, "drafts", "update", letter, "--data", str(second), "--expect-version", "1", *db,
               "--as", "ann")[0] == 0
    # A stale version is a conflict, and says who saved in between.
    code, _, err = run(capsys, "drafts", "update", letter, "--data", str(third), "--expect-version", "1", *db,
                       "--as", "ann")
    assert code == 6
    assert "changed by ann" in err
    assert run(capsys, "drafts", "submit", letter, *db, "--as", "ann")[0] == 0
    # A clerk cannot approve: refused, in a sentence.
    code, _, err = run(capsys, "drafts", "approve", letter, *db, "--as", "ann")
    assert code == 5
    assert "may not approve" in err
    assert run(capsys, "drafts", "request-changes", letter, "--comment", "Two concerns are enough.", *db,
               "--as", "tani")[0] == 0
    assert run(capsys, "drafts", "update", letter, "--data", str(third), "--expect-version", "2", *db,
               "--as", "ann")[0] == 0
    assert run(capsys, "drafts", "submit", letter, *db, "--as", "ann")[0] == 0
    code, out, _ = run(capsys, "drafts", "diff", letter, "--from", "2", "--to", "3", *db, "--as", "tani")
    assert code == 0
    assert "removed  concerns[2]" in out
    assert run(capsys, "drafts", "comment", letter, "Good.", *db, "--as", "tani")[0] == 0
    assert run(capsys, "drafts", "approve", letter, "--expect-version", "3", *db, "--as", "tani")[0] == 0
    out_docx = tmp_path / "letter.docx"
    code, out, _ = run(capsys, "drafts", "export", letter, "--out", str(out_docx), *db, "--as", "tani")
    assert code == 0
    assert "approved letter" in out

    code, out, _ = run(capsys, "verify", str(out_docx), *db, "--as", "ann")
    assert code == 0
    assert f"matches approved version 3 of letter {letter}, approved by Tani G. Cantil-Sakauye on" in out

    # Edit the .docx behind the app's back: one word of the body.
    with zipfile.ZipFile(out_docx) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    members["word/document.xml"] = members["word/document.xml"].replace(b"respectfully", b"hereby", 1)
    assert members["word/document.xml"] != zipfile.ZipFile(out_docx).read("word/document.xml")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    tampered = tmp_path / "tampered.docx"
    tampered.write_bytes(buffer.getvalue())
    code, _, err = run(capsys, "verify", str(tampered), *db, "--as", "ann")
    assert code == 1
    assert "modified after approval" in err

    code, out, _ = run(capsys, "drafts", "history", letter, "--json", *db, "--as", "ann")
    history = json.loads(out)
    assert [v["version"] for v in history["versions"]] == [1, 2, 3]
    assert {"id", "status", "version", "template", "updated_by", "updated_at"} <= history.keys()
    assert history["status"] == "exported"
    code, out, _ = run(capsys, "drafts", "list", "--json", "--status", "exported", *db, "--as", "ann")
    (row,) = json.loads(out)
    assert row["id"] == int(letter)
    assert row["template"] == "officials-concern"
    assert row["updated_by"] == "tani"
    code, out, _ = run(capsys, "drafts", "show", letter, "--json", *db, "--as", "ann")
    shown = json.loads(out)
    assert shown["version"] == 3
    assert shown["approval"]["version"] == 3
    assert run(capsys, "audit", "verify", *db, "--as", "ann")[0] == 0

    # An edit after approval withdraws it, and says so.
    code, out, _ = run(capsys, "drafts", "update", letter, "--data", str(second), "--expect-version", "3", *db,
                       "--as", "ann")
    assert code == 0
    assert "This edit withdrew tani's approval of version 3" in out
    assert "needs review and approval again" in out


def test_not_a_letter_from_this_database(db_url: str, tmp_path: Path,  # noqa: F811
                                         capsys: pytest.CaptureFixture[str]) -> None:
    office(db_url).close()
    other = tmp_path / "other.sqlite3"
    office(f"sqlite:///{other}").close()
    data = write(tmp_path / "l.json", sample_data())
    code, out, _ = run(capsys, "drafts", "new", "--template", "officials-concern", "--data", str(data),
                       "--db", f"sqlite:///{other}", "--as", "ann")
    letter = out.strip()
    run(capsys, "drafts", "submit", letter, "--db", f"sqlite:///{other}", "--as", "ann")
    run(capsys, "drafts", "approve", letter, "--expect-version", "1", "--db", f"sqlite:///{other}", "--as", "tani")
    run(capsys, "drafts", "export", letter, "--out", str(tmp_path / "x.docx"), "--db", f"sqlite:///{other}",
        "--as", "tani")
    code, _, err = run(capsys, "verify", str(tmp_path / "x.docx"), "--db", db_url, "--as", "ann")
    assert code == 2
    assert "not a letter from this database" in err
    (tmp_path / "plain.txt").write_text("hello")
    assert run(capsys, "verify", str(tmp_path / "plain.txt"), "--db", db_url, "--as", "ann")[0] == 2


def test_refusals_name_the_reason(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    office(db_url).close()
    db = ("--db", db_url)
    assert run(capsys, "drafts", "show", "999", *db, "--as", "ann")[0] == 7
    code, _, err = run(capsys, "users", "add", "bob", "--role", "clerk", *db, "--as", "ann")
    assert code == 5
    assert "may not manage users" in err
    code, _, err = run(capsys, "drafts", "list", *db, "--as", "nobody")
    assert code == 5
    assert "no user called nobody" in err
    code, out, _ = run(capsys, "clauses", "list", "--json", *db, "--as", "ann")
    assert code == 0
    assert len(json.loads(out)) >= 2
    code, out, _ = run(capsys, "clauses", "add", "--text", "Courts must stay open.", "--tag", "concern", *db,
                       "--as", "admin")
    assert code == 0
    clause = out.split()[2].rstrip(":")
    assert run(capsys, "clauses", "remove", clause, *db, "--as", "admin")[0] == 0
    code, out, _ = run(capsys, "users", "list", *db, "--as", "ann")
    assert "tani" in out
    assert "judge" in out


def test_db_upgrade_and_embedded_default(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         private_home: Path) -> None:
    code, _, err = run(capsys, "db", "upgrade")  # no database yet: only `db init` makes one
    assert code == 1
    assert "There is no Chambers database" in err
    assert not (private_home / "chambers.sqlite3").exists()
    code, out, _ = run(capsys, "db", "init")
    assert code == 0
    assert (private_home / "chambers.sqlite3").exists()
    code, out, _ = run(capsys, "db", "upgrade")
    assert "already up to date" in out
    assert run(capsys, "users", "add", "first", "--role", "admin")[0] == 0
    # The first --as is remembered as the local profile.
    assert run(capsys, "users", "list", "--as", "first")[0] == 0
    assert run(capsys, "users", "list")[0] == 0
