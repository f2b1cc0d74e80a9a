"""Managing users from the command line (the real entry point), as an office's admin would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, sample_data
from tests.storage.dbfixtures import SIGNATURE_PNG, office


def chambers(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--db", url], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def url(tmp_path: Path) -> str:
    database = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    office(database).close()
    return database


def listed(url: str) -> str:
    done = chambers(url, "users", "list", "--as", "admin")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_admin_changes_a_role_deactivates_and_reactivates(url: str, tmp_path: Path) -> None:
    done = chambers(url, "users", "role", "ann", "judge", "--as", "admin")
    assert (done.returncode, done.stdout.strip()) == (0, "Ann is now a judge.")
    assert any(line.split()[:2] == ["ann", "judge"] for line in listed(url).splitlines())

    assert chambers(url, "users", "role", "ann", "clerk", "--as", "admin").returncode == 0
    done = chambers(url, "users", "deactivate", "ann", "--as", "admin")
    assert (done.returncode, done.stdout.strip()) == (0, "Deactivated ann.")
    assert "(deactivated)" in next(line for line in listed(url).splitlines() if line.startswith("ann "))

    letter = tmp_path / "letter.json"
    letter.write_text(json.dumps(sample_data()), encoding="utf-8")
    refused = chambers(url, "drafts", "new", "--template", "officials-concern", "--data", str(letter), "--as", "ann")
    assert refused.returncode == 5
    assert "ann is deactivated" in refused.stderr

    assert chambers(url, "users", "activate", "ann", "--as", "admin").returncode == 0
    again = chambers(url, "drafts", "new", "--template", "officials-concern", "--data", str(letter), "--as", "ann")
    assert again.returncode == 0, again.stderr


def test_signature_is_set_from_a_png_and_cleared(url: str, tmp_path: Path) -> None:
    png = tmp_path / "ming.png"
    png.write_bytes(SIGNATURE_PNG)
    done = chambers(url, "users", "signature", "ming", str(png), "--as", "admin")
    assert (done.returncode, done.stdout.strip()) == (0, "Set the signature image of ming.")
    assert "signature on file" in next(line for line in listed(url).splitlines() if line.startswith("ming"))

    not_png = tmp_path / "ming.txt"
    not_png.write_text("a signature", encoding="utf-8")
    bad = chambers(url, "users", "signature", "ming", str(not_png), "--as", "admin")
    assert bad.returncode == 5
    assert "not a PNG" in bad.stderr

    cleared = chambers(url, "users", "signature", "ming", "--clear", "--as", "admin")
    assert cleared.returncode == 0, cleared.stderr
    assert "signature on file" not in next(line for line in listed(url).splitlines() if line.startswith("ming"))
    assert chambers(url, "users", "signature", "ming", "--as", "admin").returncode == 2  # FILE or --clear


def test_only_an_admin_and_never_the_last_admin_away(url: str) -> None:
    clerk = chambers(url, "users", "role", "ann", "admin", "--as", "ann")
    assert clerk.returncode == 5
    assert "ann is a clerk and a clerk may not manage users; that needs an admin" in clerk.stderr

    last = chambers(url, "users", "role", "admin", "clerk", "--as", "admin")
    assert last.returncode == 5
    assert "admin is the last active admin" in last.stderr
    self_off = chambers(url, "users", "deactivate", "admin", "--as", "admin")
    assert self_off.returncode == 5
    nobody = chambers(url, "users", "activate", "nobody", "--as", "admin")
    assert nobody.returncode == 7
    assert "no user called nobody" in nobody.stderr
    assert any(line.split()[:2] == ["admin", "admin"] for line in listed(url).splitlines())


def test_the_review_queue_of_a_judge(url: str, tmp_path: Path) -> None:
    letter = tmp_path / "letter.json"
    letter.write_text(json.dumps(sample_data()), encoding="utf-8")
    new = chambers(url, "drafts", "new", "--template", "officials-concern", "--data", str(letter), "--as", "ann")
    assert chambers(url, "drafts", "submit", new.stdout.strip(), "--as", "ann").returncode == 0
    queue = chambers(url, "drafts", "list", "--waiting-for", "tani", "--json")
    rows = json.loads(queue.stdout)
    assert [(r["id"], r["waiting_for"], r["signatory"]) for r in rows] == [
        (int(new.stdout), "tani", sample_data()["signatory"]["name"])]
    assert json.loads(chambers(url, "drafts", "list", "--waiting-for", "ming", "--json").stdout) == []
    table = chambers(url, "drafts", "list")
    assert "WAITING FOR" in table.stdout
    assert "tani" in table.stdout.splitlines()[1]
