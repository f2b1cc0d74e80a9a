"""Settings in one place (chambers.toml and the environment), the log, exit codes in --help,
``--data -`` and passwords that never pass through the command line."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from app.cli import main
from tests.conftest import sample_data


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "chambers.toml"
    monkeypatch.setenv("CHAMBERS_CONFIG", str(path))
    for variable in ("CHAMBERS_DATABASE_URL", "CHAMBERS_SOFFICE", "CHAMBERS_NO_UNO", "CHAMBERS_LOGIN_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    return path


def shown(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, str]]:
    code, out, err = run(capsys, "config", "show", "--json")
    assert code == 0, err
    return {row["key"]: row for row in json.loads(out)["settings"]}


def test_config_show_says_where_each_value_came_from_and_masks_passwords(
        settings_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings_file.write_text('database_url = "postgresql://ann:s3cret@db.court.example/chambers"\n'
                             'soffice = "/opt/lo/program/soffice"\nno_uno = true\n', encoding="utf-8")
    monkeypatch.setenv("CHAMBERS_SOFFICE", "/usr/bin/soffice")  # the environment wins over the file
    monkeypatch.setenv("CHAMBERS_LOGIN_PASSWORD", "hunter2")
    rows = shown(capsys)
    assert rows["database_url"]["value"] == "postgresql://ann:********@db.court.example/chambers"
    assert rows["database_url"]["from"] == f"{settings_file} (database_url)"
    assert (rows["soffice"]["value"], rows["soffice"]["from"]) == ("/usr/bin/soffice", "$CHAMBERS_SOFFICE")
    assert rows["no_uno"]["value"] == "1"
    assert rows["login_password"]["value"] == "********"
    assert rows["log_level"]["from"] == "default"
    out = run(capsys, "config", "show")[1]
    assert "s3cret" not in out
    assert "hunter2" not in out
    assert "$CHAMBERS_TEMPLATES" in out


def test_the_files_database_is_the_one_commands_use(settings_file: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "office.sqlite3"
    settings_file.write_text(f'database_url = "{db}"\n', encoding="utf-8")
    assert run(capsys, "db", "init")[0] == 0
    assert db.is_file()
    assert run(capsys, "users", "add", "ann", "--role", "admin")[0] == 0
    assert "ann" in run(capsys, "users", "list", "--as", "ann")[1]
    import os

    assert "CHAMBERS_DATABASE_URL" not in os.environ  # the file's values last as long as the command


@pytest.mark.parametrize(("text", "said"), [
    ('database = "x"\n', "unknown setting 'database'"),
    ('password = "x"\n', "passwords are never kept in this file"),
    ("no_uno = 'yes'\n", "no_uno must be true or false"),
    ('database_url = "x\n', "not valid TOML"),
    ('template_folders = "/srv"\n', "template_folders must be a list of folders"),
])
def test_a_settings_file_that_cannot_be_used_is_named_and_nothing_runs(
        settings_file: Path, capsys: pytest.CaptureFixture[str], text: str, said: str) -> None:
    settings_file.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "templates", "list")
    assert code == 2
    assert out == ""
    assert str(settings_file) in err
    assert said in err
    assert "Traceback" not in err


def test_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for line in ("0  done", "2  invalid letter data", "3  a bad or unsafe template", "4  PDF unavailable",
                 "5  refused", "6  conflict", "7  not found"):
        assert line in out


def test_each_command_is_logged_in_the_data_folder_without_passwords(
        private_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "drafts", "list", "--db", "postgresql://ann:s3cret@127.0.0.1:1/nowhere")
    log = (private_home / "logs" / "chambers.log").read_text(encoding="utf-8")
    assert "chambers drafts list --db postgresql://ann:********@127.0.0.1:1/nowhere" in log
    assert "exit 1" in log
    assert "s3cret" not in log
    assert (private_home / "logs" / "chambers.log").stat().st_mode & 0o777 == 0o600


def test_verbose_and_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    assert "chambers: chambers -v templates list" in run(capsys, "-v", "templates", "list")[2]
    assert run(capsys, "-q", "templates", "list")[2] == ""


def test_data_dash_reads_the_letter_from_standard_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(sample_data()).encode("utf-8")))
    monkeypatch.setattr(sys, "stdin", stdin)
    out = tmp_path / "letter.docx"
    code, _, err = run(capsys, "render", "--template", "officials-concern", "--data", "-", "--out", str(out))
    assert code == 0, err
    assert out.read_bytes()[:2] == b"PK"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"subject": "x", "subject": "y"}')))
    code, _, err = run(capsys, "render", "--template", "officials-concern", "--data", "-",
                       "--out", str(tmp_path / "other.docx"))
    assert code == 2
    assert "subject: duplicate key" in err


def test_a_password_on_the_command_line_is_refused_and_said_why(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "office.sqlite3")
    assert run(capsys, "db", "init", "--db", db)[0] == 0
    with pytest.raises(SystemExit) as done:
        main(["users", "add", "ann", "--role", "admin", "--password", "hunter2", "--db", db])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "--password is no longer accepted" in err
    assert "--password-stdin" in err
    assert run(capsys, "users", "list", "--db", db, "--as", "nobody")[0] != 0  # nobody was added


def test_password_stdin_reads_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from app.cli.drafts import login_password

    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse\nignored\n"))
    args = argparse.Namespace(password_stdin=True, ask_password=False, name="ann")
    assert login_password(args) == "correct horse"
    monkeypatch.setenv("CHAMBERS_LOGIN_PASSWORD", "from-env")
    assert login_password(argparse.Namespace(password_stdin=False, ask_password=False, name="ann")) == "from-env"
