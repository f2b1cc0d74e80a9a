"""Files and letter data under attack: each case a clear refusal, and nothing written or changed.

The export that replaced the database with a .docx, --pdf that replaced --out and then failed,
a read-only folder reported as a bad template, one long file name or one huge CSV field that
stopped a whole merge, and letter JSON that the standard parser takes too kindly (a key given
twice, NaN, 100,000 levels of nesting, a 5,000-digit number).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest

from app.cli import main
from app.services.journal import Journal
from tests.conftest import ROOT, TEMPLATES, sample_data

DB_NAME = "chambers.sqlite3"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*argv: str, home: Path, cwd: Path, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``python main.py ...`` as a user runs it, with its own data folder."""
    env = {**os.environ, "CHAMBERS_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([*prefix, sys.executable, str(ROOT / "main.py"), *argv], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: its hash and modification time (but the log, which records the
    refused command as it should)."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.relative_to(folder).parts[0] != "logs"}


@pytest.fixture
def office(private_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A local database holding one draft letter (id 1) by the clerk 'clerk'."""
    assert run(capsys, "db", "init")[0] == 0  # a database is made only when asked
    assert run(capsys, "users", "add", "clerk", "--role", "clerk")[0] == 0
    letter = write(tmp_path / "letter.json", sample_data())
    code, out, err = run(capsys, "drafts", "new", "--as", "clerk", "--template", "officials-concern",
                         "--data", str(letter))
    assert code == 0, err
    assert out.strip() == "1"
    assert not (private_home / f"{DB_NAME}-wal").exists()  # closed cleanly: the file is the whole database
    return private_home / DB_NAME


# --- the database, its journals, the recovery folder and the packs are never export targets -------
def test_clerk_export_over_the_database_is_refused_and_the_database_untouched(office: Path, tmp_path: Path) -> None:
    """The attack as it was run: a clerk's ``drafts export --out <the SQLite file>``."""
    before = office.read_bytes(), office.stat().st_mtime_ns
    result = run_process("drafts", "export", "1", "--as", "clerk", "--out", str(office),
                         home=office.parent, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Refused" in result.stderr
    assert "the Chambers database" in result.stderr
    assert str(office) in result.stderr
    assert "Traceback" not in result.stderr
    assert (office.read_bytes(), office.stat().st_mtime_ns) == before
    history = run_process("drafts", "history", "1", "--as", "clerk", "--json", home=office.parent, cwd=tmp_path)
    assert not [e for e in json.loads(history.stdout)["events"] if "export" in e["action"]]


def _symlink(office: Path, tmp_path: Path) -> Path:
    (tmp_path / "link.docx").symlink_to(office)
    return tmp_path / "link.docx"


def _hard_link(office: Path, tmp_path: Path) -> Path:
    os.link(office, tmp_path / "same.docx")
    return tmp_path / "same.docx"


def _dotdot(office: Path, tmp_path: Path) -> Path:
    return office.parent / ".." / office.parent.name / office.name


def _recovery(office: Path, tmp_path: Path) -> Path:
    journal = Journal(office.with_name("chambers.recovery"), "ann")
    journal.record(1, sample_data(), 1)
    return journal.folder / "letter-1.docx"


def court_pack(home: Path) -> Path:
    """A copy of a shipped pack in the court's own templates folder (so a failure harms no real pack)."""
    pack = home / "templates" / "court-pack"
    if not pack.exists():
        shutil.copytree(TEMPLATES / "officials-concern", pack)
    return pack


def _user_templates(office: Path, tmp_path: Path) -> Path:
    return court_pack(office.parent).parent / "letter.docx"


def _pack_file(office: Path, tmp_path: Path) -> Path:
    return court_pack(office.parent) / "letter.docx"


def _fifo(office: Path, tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "pipe.docx")
    return tmp_path / "pipe.docx"


def _not_a_letter(office: Path, tmp_path: Path) -> Path:
    (tmp_path / "minutes.docx").write_text("the clerk's minutes, not a Word file", encoding="utf-8")
    return tmp_path / "minutes.docx"


def _folder(office: Path, tmp_path: Path) -> Path:
    (tmp_path / "folder.docx").mkdir()
    return tmp_path / "folder.docx"


@pytest.mark.parametrize(("target", "words"), [
    (lambda office, tmp: office, "this is the Chambers database"),
    (_dotdot, "this is the Chambers database"),
    (_symlink, "this is the Chambers database"),
    (_hard_link, "another name for the Chambers database"),
    (lambda office, tmp: office.with_name(DB_NAME + "-wal"), "the Chambers database's wal file"),
    (lambda office, tmp: office.with_name(DB_NAME + "-journal"), "the Chambers database's journal file"),
    (_recovery, "inside the recovery folder"),
    (_pack_file, "inside a template folder"),
    (lambda office, tmp: TEMPLATES / "new-pack" / "x.docx", "inside a template folder"),
    (_user_templates, "inside a template folder"),
    (_fifo, "not a regular file"),
    (_folder, "not a regular file"),
    (_not_a_letter, "not a Word letter (.docx) Chambers could have written"),
    (lambda office, tmp: tmp / "letter.sqlite3", "only a Word letter (.docx) is written here"),
], ids=["database", "database-by-dotdot", "symlink", "hard-link", "wal", "journal", "recovery-folder",
        "pack-file", "shipped-templates-folder", "user-templates", "fifo", "folder", "not-a-letter",
        "not-docx"])
def test_export_refuses_what_it_must_never_write(office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 target: Callable[[Path, Path], Path], words: str) -> None:
    out = target(office, tmp_path)
    watched = [office.parent, tmp_path]
    before = [snapshot(folder) for folder in watched]
    code, _, err = run(capsys, "drafts", "export", "1", "--as", "clerk", "--out", str(out))
    assert code == 2, err
    assert words in err
    assert str(out) in err
    assert "Nothing was written" in err
    assert [snapshot(folder) for folder in watched] == before
    assert not list(tmp_path.glob(".*.tmp"))
    assert not list(office.parent.glob(".*.tmp"))


def test_a_database_named_like_a_letter_is_still_the_database(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "court.docx"
    assert run(capsys, "db", "init", "--db", str(db))[0] == 0
    assert run(capsys, "users", "add", "clerk", "--role", "clerk", "--db", str(db))[0] == 0
    letter = write(tmp_path / "letter.json", sample_data())
    assert run(capsys, "drafts", "new", "--as", "clerk", "--db", str(db), "--template", "officials-concern",
               "--data", str(letter))[0] == 0
    before = db.read_bytes()
    code, _, err = run(capsys, "drafts", "export", "1", "--as", "clerk", "--db", str(db), "--out", str(db))
    assert code == 2
    assert "this is the Chambers database" in err
    assert db.read_bytes() == before


def test_another_view_of_a_template_folder_is_refused(office: Path, tmp_path: Path) -> None:
    """A bind mount of the templates folder: another path, the same folder (found by identity)."""
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None:
        pytest.skip("needs root and unshare(1) to bind-mount a folder")
    templates = court_pack(office.parent).parent
    view = tmp_path / "view"
    view.mkdir()
    prefix = (unshare, "-m", "sh", "-c", f"mount --bind '{templates}' '{view}' && exec \"$@\"", "sh")
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("a bind mount cannot be made here")
    before = snapshot(templates)
    out = view / "court-pack" / "letter.docx"
    result = run_process("drafts", "export", "1", "--as", "clerk", "--out", str(out), home=office.parent,
                         cwd=tmp_path, prefix=prefix)
    assert result.returncode == 2, result.stderr
    assert "inside a template folder" in result.stderr
    assert snapshot(templates) == before


def test_render_refuses_the_local_database(office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = _symlink(office, tmp_path)
    data = write(tmp_path / "letter.json", sample_data())
    before = office.read_bytes()
    code, _, err = run(capsys, "render", "--template", "officials-concern", "--data", str(data), "--out", str(link))
    assert code == 2
    assert "this is the Chambers database" in err
    assert office.read_bytes() == before


def test_batch_into_a_template_folder_is_refused(tmp_path: Path, private_home: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "letter.json", sample_data())
    table = tmp_path / "a.csv"
    table.write_text("name,title\nPat Doe,Mayor\n", encoding="utf-8")
    out = court_pack(private_home) / "merge"
    code, _, err = run(capsys, "batch", "--template", "officials-concern", "--data", str(data),
                       "--addressees", str(table), "--out", str(out))
    assert code == 2
    assert "inside a template folder" in err
    assert not out.exists()


def test_an_earlier_letter_is_replaced_and_stays_owner_only(office: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "letter.docx"
    assert run(capsys, "drafts", "export", "1", "--as", "clerk", "--out", str(out))[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert run(capsys, "drafts", "export", "1", "--as", "clerk", "--out", str(out))[0] == 0
    assert any("Dear Attorney General" in p.text for p in docx.Document(str(out)).paragraphs)


# --- with --pdf, both files or neither ----------------------------------------------------------------
@pytest.mark.parametrize("command", ["render", "export"])
def test_pdf_into_a_missing_folder_is_refused_before_anything(office: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str], command: str) -> None:
    out = tmp_path / "letter.docx"
    assert run(capsys, "drafts", "export", "1", "--as", "clerk", "--out", str(out))[0] == 0
    earlier = out.read_bytes(), out.stat().st_mtime_ns
    pdf = tmp_path / "no-such-folder" / "letter.pdf"
    if command == "render":
        data = write(tmp_path / "letter.json", sample_data())
        argv = ["render", "--template", "officials-concern", "--data", str(data)]
    else:
        argv = ["drafts", "export", "1", "--as", "clerk"]
    code, _, err = run(capsys, *argv, "--out", str(out), "--pdf", str(pdf))
    assert code == 1
    assert f"The folder {pdf.parent} does not exist" in err
    assert "Nothing was written" in err
    assert (out.read_bytes(), out.stat().st_mtime_ns) == earlier
    assert not pdf.parent.exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_with_pdf_both_files_are_written_together(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  libreoffice: None) -> None:
    out, pdf = tmp_path / "letter.docx", tmp_path / "letter.pdf"
    data = write(tmp_path / "letter.json", sample_data())
    code, _, err = run(capsys, "render", "--template", "officials-concern", "--data", str(data),
                       "--out", str(out), "--pdf", str(pdf))
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert any("Dear Attorney General" in p.text for p in docx.Document(str(out)).paragraphs)
    assert [stat.S_IMODE(p.stat().st_mode) for p in (out, pdf)] == [0o600, 0o600]
    assert not list(tmp_path.glob(".*.tmp"))


def test_pdf_over_a_protected_file_is_refused_and_the_letter_not_written(
        office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "letter.docx"
    code, _, err = run(capsys, "drafts", "export", "1", "--as", "clerk", "--out", str(out),
                       "--pdf", str(court_pack(office.parent) / "letter.pdf"))
    assert code == 2
    assert "--pdf" in err
    assert "inside a template folder" in err
    assert not out.exists()


# --- a read-only folder is a file error, named, never "a bad template" --------------------------------
def _read_only(folder: Path) -> tuple[str, ...]:
    """A command prefix under which ``folder`` is read-only, even to root (a read-only bind mount)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return ()
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root without unshare(1): no way to make a folder read-only")
    probe = subprocess.run([unshare, "-m", "sh", "-c", f"mount --bind '{folder}' '{folder}' && "
                            f"mount -o remount,bind,ro '{folder}' '{folder}' && ! touch '{folder}/probe'"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("running as root where a read-only bind mount cannot be made")
    script = (f"mount --bind '{folder}' '{folder}' && mount -o remount,bind,ro '{folder}' '{folder}' "
              '&& exec "$@"')
    return (unshare, "-m", "sh", "-c", script, "sh")


@pytest.mark.parametrize("command", ["render", "batch"])
def test_a_read_only_output_folder_is_a_clear_file_error(tmp_path: Path, private_home: Path, command: str) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    prefix = _read_only(folder)
    data = write(tmp_path / "letter.json", sample_data())
    if command == "render":
        argv = ["render", "--template", "officials-concern", "--data", str(data), "--out", str(folder / "l.docx")]
    else:
        table = tmp_path / "a.csv"
        table.write_text("name,title\nPat Doe,Mayor\n", encoding="utf-8")
        argv = ["batch", "--template", "officials-concern", "--data", str(data), "--addressees", str(table),
                "--out", str(folder / "merge")]
    result = run_process(*argv, home=private_home, cwd=tmp_path, prefix=prefix)
    assert result.returncode == 1, result.stderr
    assert "cannot be" in result.stderr
    assert str(folder) in result.stderr
    assert "template" not in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []


# --- a mail merge reports a bad row by number and writes the rest -----------------------------------
def _merge(tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[list[str]],
           out: Path) -> tuple[int, str]:
    data = write(tmp_path / "letter.json", sample_data())
    table = tmp_path / "addressees.csv"
    with table.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["name", "title"])
        writer.writerows(rows)
    code, _, err = run(capsys, "batch", "--template", "officials-concern", "--data", str(data),
                       "--addressees", str(table), "--out", str(out), "--jobs", "1")
    return code, err


def test_a_file_name_too_long_for_the_folder_is_reported_by_row(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    # A folder path so long that only the short names fit under the system's path limit.
    out = tmp_path
    while len(str(out)) < 3900:
        out = out / ("d" * min(200, 3900 - len(str(out))))
    out.mkdir(parents=True)
    long_name = "Pat " + "Longname" * 20
    code, err = _merge(tmp_path, capsys, [["Ann Short", "Mayor"], [long_name, "Mayor"], ["Bo Brief", "Mayor"]], out)
    assert code == 2
    assert "row 2" in err
    assert "too long" in err
    assert sorted(p.name for p in out.iterdir()) == ["2017-03-16 Letter to Mayor Brief.docx",
                                                     "2017-03-16 Letter to Mayor Short.docx"]


def test_a_long_name_in_wide_characters_is_shortened_to_fit(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "merge"
    code, err = _merge(tmp_path, capsys, [["Ann Short", "Mayor"], ["Pat " + "長" * 150, "Mayor"]], out)
    assert code == 0, err
    names = [p.name for p in out.iterdir()]
    assert len(names) == 2
    assert all(len(n.encode("utf-8")) <= 255 for n in names)


def test_a_csv_field_over_the_csv_limit_is_a_row_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "merge"
    huge = "x" * 131_073
    code, err = _merge(tmp_path, capsys, [["Ann Short", "Mayor"], ["Pat Doe", huge], ["Bo Brief", "Mayor"]], out)
    assert code == 2
    assert "row 2" in err
    assert "longer than 131,072 characters" in err
    assert "Traceback" not in err
    assert len(list(out.iterdir())) == 2


def test_a_csv_column_named_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "letter.json", sample_data())
    table = tmp_path / "a.csv"
    table.write_text("name,title,name\nPat Doe,Mayor,Someone Else\n", encoding="utf-8")
    out = tmp_path / "merge"
    code, _, err = run(capsys, "batch", "--template", "officials-concern", "--data", str(data),
                       "--addressees", str(table), "--out", str(out))
    assert code == 2
    assert "the column(s) name appear more than once" in err
    assert not out.exists()


# --- letter JSON is read strictly, by every command that reads it -----------------------------------
def _with_duplicate(text: str) -> str:
    return text.replace('"name": "John F. Kelly"', '"name": "John F. Kelly", "name": "Someone Else"')


LETTER_JSON: list[tuple[str, Callable[[str], str], str]] = [
    ("duplicate-key", _with_duplicate, "addressees[1].name: duplicate key"),
    ("nan", lambda text: text[:-1] + ', "fields": {"amount": NaN}}', "fields.amount: NaN is not a number"),
    ("infinity", lambda text: text[:-1] + ', "fields": {"amount": -Infinity}}', "fields.amount: -Infinity is not"),
    ("deep", lambda text: text[:-1] + ', "concerns": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "concerns[0][0][0]"),
    ("huge-integer", lambda text: text[:-1] + ', "fields": {"amount": ' + "9" * 5_000 + "}}",
     "fields.amount: a number of 5,000 digits is too large"),
    ("huge-float", lambda text: text[:-1] + ', "fields": {"amount": 1e400}}', "fields.amount: the number 1e400"),
    ("too-big", lambda text: text[:-1] + ', "subject": "' + "x" * (17 * 1024 * 1024) + '"}', "larger than"),
    ("too-many-values", lambda text: text[:-1] + ', "cc": [' + ",".join(["0"] * 200_000) + "]}",
     "holds more than 100,000 values"),
    ("long-key", lambda text: text[:-1] + ', "fields": {"' + "k" * 5_000 + '": 1}}',
     "a key of 5,000 characters is not part of a letter"),
]


@pytest.mark.parametrize(("case", "spoil", "words"), LETTER_JSON, ids=[case for case, _, _ in LETTER_JSON])
@pytest.mark.parametrize("command", ["render", "batch", "drafts new", "drafts update"])
def test_letter_json_is_refused_with_its_path(office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              command: str, case: str, spoil: Callable[[str], str],
                                              words: str) -> None:
    data = tmp_path / "spoiled.json"
    data.write_text(spoil(json.dumps(sample_data())), encoding="utf-8")
    out = tmp_path / "out"
    table = tmp_path / "a.csv"
    table.write_text("name,title\nPat Doe,Mayor\n", encoding="utf-8")
    argv = {
        "render": ["render", "--template", "officials-concern", "--data", str(data), "--out", f"{out}.docx"],
        "batch": ["batch", "--template", "officials-concern", "--data", str(data), "--addressees", str(table),
                  "--out", str(out)],
        "drafts new": ["drafts", "new", "--as", "clerk", "--template", "officials-concern", "--data", str(data)],
        "drafts update": ["drafts", "update", "1", "--as", "clerk", "--data", str(data), "--expect-version", "1"],
    }[command]
    before = office.read_bytes()
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert words in err
    assert "Traceback" not in err
    assert not out.exists()
    assert not Path(f"{out}.docx").exists()
    assert office.read_bytes() == before


def test_the_journal_reads_entries_strictly(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "recovery", "ann")
    journal.record(1, sample_data(), 1)
    journal.record(2, sample_data(), 1)
    spoiled = journal.folder / "letter-2.json"
    spoiled.write_text(_with_duplicate(spoiled.read_text(encoding="utf-8")), encoding="utf-8")
    assert [entry.letter_id for entry in journal.pending()] == [1]
    assert stat.S_IMODE(journal.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((journal.folder / "letter-1.json").stat().st_mode) == 0o600


# --- a value over a limit is refused, never cut; at the limits nothing is cut ---------------------------
def test_address_blocks_at_the_limits_are_printed_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    letter = sample_data()
    # 8 lines of ~13,800 characters each: as long as lines may be with all eight in one letter
    # (whose whole text is at most 120,000 characters)
    lines = [f"{i} " + "Long Street " * 1_150 for i in range(8)]
    assert all(len(line) <= 20_000 for line in lines)
    letter["addressees"][0]["address"] = lines
    out = tmp_path / "letter.docx"
    code, _, err = run(capsys, "render", "--template", "officials-concern", "--data",
                       str(write(tmp_path / "l.json", letter)), "--out", str(out))
    assert code == 0, err
    assert "limit" not in err
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    for line in lines:
        assert line.strip() in text, "an address line was cut"


@pytest.mark.parametrize(("path", "value", "words"), [
    ("fields", {"note": "x" * 20_001}, "fields.note: is too long (at most 20,000 characters)"),
    ("subject", "x" * 20_001, "subject: is too long (at most 20,000 characters)"),
])
def test_a_value_over_its_limit_is_refused_with_its_path(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         path: str, value: Any, words: str) -> None:
    letter = sample_data()
    letter[path] = value
    out = tmp_path / "letter.docx"
    code, _, err = run(capsys, "render", "--template", "officials-concern", "--data",
                       str(write(tmp_path / "l.json", letter)), "--out", str(out))
    assert code == 2
    assert words in err
    assert not out.exists()


# --- what Chambers creates is its owner's alone --------------------------------------------------------
def test_database_and_its_folder_are_owner_only(office: Path) -> None:
    assert stat.S_IMODE(office.stat().st_mode) == 0o600
    assert stat.S_IMODE(office.parent.stat().st_mode) == 0o700


def test_batch_letters_are_owner_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "merge"
    assert _merge(tmp_path, capsys, [["Ann Short", "Mayor"]], out)[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert [stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()] == [0o600]


def test_the_written_letter_reads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "letter.docx"
    code, _, _ = run(capsys, "render", "--template", "officials-concern", "--data",
                     str(write(tmp_path / "l.json", sample_data())), "--out", str(out))
    assert code == 0
    assert docx.Document(io.BytesIO(out.read_bytes())).paragraphs
