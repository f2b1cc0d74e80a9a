"""Recovery journals are per user, and a session's ``--as`` is never remembered."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from app.bootstrap import data_dir
from app.services.office import Profile
from tests.conftest import ROOT, sample_data
from tests.storage.dbfixtures import as_user, office


def test_an_unsaved_edit_is_offered_only_to_the_user_who_made_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    office(url).close()
    clerk, judge = as_user(url, "ann"), as_user(url, "tani")
    try:
        clerk.journal.record(None, {**sample_data(), "subject": "Ann's unsaved subject"})
        assert [e.data["subject"] for e in clerk.journal.pending()] == ["Ann's unsaved subject"]
        assert judge.journal.pending() == []
        assert clerk.journal.folder != judge.journal.folder
        assert clerk.journal.folder.parent == judge.journal.folder.parent

        # A file carried into another person's folder is still not that person's edit.
        judge.journal.folder.mkdir(parents=True)
        for path in clerk.journal.folder.glob("*.json"):
            shutil.copy(path, judge.journal.folder / path.name)
        assert judge.journal.pending() == []
        judge.journal.discard()
        assert len(clerk.journal.pending()) == 1
    finally:
        clerk.close()
        judge.close()


def test_a_saved_edit_leaves_only_its_authors_journal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    office(url).close()
    clerk = as_user(url, "ann")
    try:
        clerk.journal.record(7, {"subject": "another letter"}, 3)
        letter = clerk.drafts.create("officials-concern", sample_data())
        clerk.drafts.update(letter.id, {**sample_data(), "subject": "Saved"}, letter.version)
        assert [e.letter_id for e in clerk.journal.pending()] == [7]
    finally:
        clerk.close()


def test_acting_as_someone_for_one_command_does_not_make_this_desktop_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    office(url).close()
    as_user(url, "ann").close()
    assert Profile(data_dir() / "profile.json").name() is None

    def chambers(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--db", url], cwd=ROOT,
                              capture_output=True, text=True, timeout=120, check=False)

    letter = tmp_path / "letter.json"
    letter.write_text(json.dumps(sample_data()), encoding="utf-8")
    new = ("drafts", "new", "--template", "officials-concern", "--data", str(letter))
    assert chambers(*new, "--as", "ann").returncode == 0
    later = chambers(*new)
    assert later.returncode == 5, later.stderr
    assert "say who you are with --as NAME" in later.stderr
    assert not (data_dir() / "profile.json").exists()
