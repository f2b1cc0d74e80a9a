"""Recovery journals are per user, and a session's ``--as`` is never remembered."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from app.bootstrap import data_dir
from app.services.journal import TypingLog, apply_changes, changes
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


def _letter() -> dict:
    return {"subject": "Courthouse arrests", "addressees": [{"name": "Jeff Sessions"}, {"name": "John F. Kelly"}],
            "concerns": ["One", "Two"]}


def test_the_typing_log_appends_only_what_changed_and_replays_to_the_text_on_screen(tmp_path: Path) -> None:
    path = tmp_path / "carla" / "typing.log"
    log = TypingLog(path, "carla")
    letter = _letter()
    log.begin(7, 3, letter, unsaved=False)
    letter["addressees"][1]["name"] = "John Kelly"
    log.edit(letter)
    letter["concerns"].append("Three")
    log.edit(letter)
    log.flush()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert '"John Kelly"' in lines[1]
    assert "Jeff Sessions" not in lines[1]
    state = TypingLog.read(path, "carla")
    assert state is not None
    assert (state.letter_id, state.base_version, state.data, state.unsaved) == (7, 3, letter, True)
    log.saved(7, 4, letter)
    log.flush()
    state = TypingLog.read(path, "carla")
    assert state is not None
    assert (state.base_version, state.unsaved) == (4, False)
    log.close(remove=True)
    assert not path.exists()


def test_a_line_torn_by_a_crash_leaves_everything_before_it(tmp_path: Path) -> None:
    path = tmp_path / "typing.log"
    log = TypingLog(path, "carla")
    letter = _letter()
    log.begin(None, None, letter, unsaved=False)
    letter["subject"] = "Courthouse arrests in California"
    log.edit(letter)
    log.close(remove=False)
    with path.open("ab") as file:
        file.write(b'{"kind": "edit", "at": "2026-12-06T10:00:00+00:00", "changes": [[["subj')
    state = TypingLog.read(path, "carla")
    assert state is not None
    assert state.data["subject"] == "Courthouse arrests in California"
    assert state.unsaved


def test_another_users_typing_log_is_not_offered(tmp_path: Path) -> None:
    path = tmp_path / "typing.log"
    log = TypingLog(path, "tom")
    log.begin(1, 1, _letter(), unsaved=True)
    log.close(remove=False)
    assert TypingLog.read(path, "tom") is not None
    assert TypingLog.read(path, "carla") is None


def test_changes_and_their_replay_agree_on_moves_removals_and_new_keys() -> None:
    before = _letter()
    after = {**_letter(), "concerns": ["Two", "One"], "addressees": [{"name": "Jeff Sessions", "title": "AG"}],
             "cc": ["Clerk"]}
    import copy

    assert apply_changes(copy.deepcopy(before), changes(before, after)) == after
    assert changes(before, before) == []
