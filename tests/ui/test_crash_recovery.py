"""kill -9 while typing: the next start offers exactly the letter and the text that was on screen.

A real window runs in a process of its own (offscreen), opens a letter, types, and is killed with
SIGKILL; the next start, in this process, must offer that letter with every character typed (never
the start card's letter, never a new letter beside it) and save it as that letter's next version.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import services
from app.core.workflow import Role
from app.services.journal import TypingLog, TypingState
from app.ui.app import build_window, parse_args
from app.ui.dialogs import RestoreDialog
from app.ui.main_window import MainWindow
from app.ui.profile import Preferences
from tests.conftest import ROOT, sample_data
from tests.ui.conftest import DialogScript, close_window, show_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

# The window process: opens the letter it is told (an id, or "new": a new complete letter), types the
# first words, waits for an autosave to reach the database, types the rest (unless told "saved"), then
# says "typed" and goes on running until it is killed.
WINDOW = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from app.ui.app import application, build_window, parse_args
from tests.conftest import sample_data

which, first, rest = sys.argv[1], sys.argv[2], sys.argv[3]
app = application([])
window = build_window(parse_args([]))
window.show()
window.start()
state = {"step": "starting"}


def opened():
    backend = window.backend
    return window.form is not None and getattr(backend, "opened", False) and window.previewer.idle \
        and window.session.record.detail is not None and not window.session.saving


def tick():
    step = state["step"]
    if step == "starting" and opened():
        if which == "new":
            data = sample_data()
            data["subject"] = ""
            window.opening.open_letter(data)
            state["step"] = "opening-new"
        else:
            window.open_record(int(which))
            state["step"] = "opening"
    elif step == "opening-new" and window.form is not None and window.form.subject.text() == "" \
            and window.session.record.id is None:
        state["step"] = "type"
    elif step == "opening" and window.form is not None and window.session.record.id == int(which) \
            and window.session.record.detail is not None:
        state["step"] = "type"
    elif step == "type":
        window.form.subject.setFocus()
        window.form.subject.selectAll()
        QTest.keyClicks(window.form.subject, first)
        state["step"] = "autosave"
    elif step == "autosave" and not window.session.dirty and not window.session.saving \
            and window.session.record.id is not None and window.session.record.detail is not None \
            and window.session.record.detail.current.data["subject"] == first:
        QTest.keyClicks(window.form.subject, rest)  # faster than any autosave: no pause in typing
        print("typed", window.session.record.id, flush=True)
        state["step"] = "typed"


timer = QTimer()
timer.timeout.connect(tick)
timer.start(20)
app.exec()
"""

FIRST = "Courthouse arrests"
REST = ", and the courts' concerns"


@pytest.fixture
def office_with_two_letters(private_home: Path) -> dict[str, Any]:
    """Carla's office: letters 1 and 2; she closed the window on letter 1 yesterday (its card says so)."""
    admin = services(as_user="admin")
    admin.users.add("admin", Role.ADMIN)
    admin.users.add("carla", Role.CLERK, "Carla Clerk")
    admin.close()
    carla = services(as_user="carla")
    first = carla.drafts.create("officials-concern", sample_data())
    second = carla.drafts.create("officials-concern", {**sample_data(), "subject": "Letter two"})
    journal = carla.journal
    carla.close()
    prefs = Preferences(user="carla")
    prefs.recent = {"carla@this computer (SQLite)": [first.id]}
    prefs.save()
    return {"first": first.id, "second": second.id, "log": journal.typing_path, "home": private_home}


@pytest.fixture
def window_process(office_with_two_letters: dict[str, Any]) -> Iterator[Any]:
    started: list[subprocess.Popen[str]] = []

    def start(which: str, rest: str) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
               "CHAMBERS_HOME": str(office_with_two_letters["home"])}
        process = subprocess.Popen([sys.executable, "-c", WINDOW, which, FIRST, rest], env=env, cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def _typed(process: subprocess.Popen[str]) -> int:
    """The letter the window typed in, once it says so (it prints one line; a window that died says why)."""
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("typed"):
        process.kill()
        raise AssertionError(f"the window process stopped before typing: {process.communicate(timeout=30)[1][-3000:]}")
    return int(line.split()[1])


def _on_disk(log: Path, want: str, *, unsaved: bool) -> TypingState:
    """The typing log's letter, once its subject is ``want``: a bounded wait on the file, not on the clock's
    verdict (the window promises 250 ms; a loaded machine may take longer, and no test decides by time)."""
    state = None
    for _ in range(600):
        state = TypingLog.read(log, "carla")
        if state is not None and state.data.get("subject") == want and state.unsaved == unsaved:
            return state
        time.sleep(0.05)
    held = None if state is None else (state.letter_id, state.data.get("subject"), state.unsaved)
    raise AssertionError(f"the typing log never held {want!r} (unsaved={unsaved}): (letter, subject, unsaved) {held}")


def _kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def _restart(qtbot: Any) -> MainWindow:
    """The next morning's start, as `python main.py` does it (the card of the last clean close is there)."""
    return show_window(qtbot, build_window(parse_args([])), ready=False)


def _letter_count() -> int:
    carla = services(as_user="carla")
    try:
        return len(carla.drafts.find())
    finally:
        carla.close()


def _yesterday_card(qtbot: Any) -> None:
    window = show_window(qtbot, build_window(parse_args([])))
    qtbot.waitUntil(lambda: window.letter_id is not None and window.session.record.detail is not None,
                    timeout=15_000)
    close_window(qtbot, window)


@pytest.mark.timeout(180)
def test_kill_9_while_typing_offers_that_letter_with_every_character(
        qtbot: Any, office_with_two_letters: dict[str, Any], window_process: Any, dialog_guard: DialogScript) -> None:
    office = office_with_two_letters
    _yesterday_card(qtbot)  # the card says letter 1
    process = window_process(str(office["second"]), REST)
    assert _typed(process) == office["second"]
    _on_disk(office["log"], FIRST + REST, unsaved=True)
    _kill(process)

    asked: list[str] = []

    def restore(dialog: RestoreDialog) -> None:
        asked.append(dialog.message.text())
        dialog.click("restore")

    dialog_guard.expect(RestoreDialog, restore)
    window = _restart(qtbot)
    qtbot.waitUntil(lambda: window.form is not None and window.letter_id == office["second"]
                    and window.form.subject.text() == FIRST + REST, timeout=15_000)
    assert f"letter {office['second']}, “{FIRST + REST}”" in asked[0]
    qtbot.waitUntil(lambda: not window.dirty and window.version == 3, timeout=15_000)  # 1, the autosave, this
    close_window(qtbot, window)
    carla = services(as_user="carla")
    try:
        assert carla.drafts.get(office["second"]).current.data["subject"] == FIRST + REST
        assert carla.drafts.get(office["first"]).current.data["subject"] != FIRST + REST
    finally:
        carla.close()
    assert _letter_count() == 2


@pytest.mark.timeout(180)
def test_kill_9_in_a_new_letter_after_its_first_save_restores_that_letter_not_a_duplicate(
        qtbot: Any, office_with_two_letters: dict[str, Any], window_process: Any, dialog_guard: DialogScript) -> None:
    office = office_with_two_letters
    process = window_process("new", REST)
    new_id = _typed(process)
    assert new_id not in (office["first"], office["second"])
    state = _on_disk(office["log"], FIRST + REST, unsaved=True)
    assert state.letter_id == new_id  # the log learnt the number the first save gave it
    _kill(process)

    dialog_guard.expect(RestoreDialog, lambda dialog: dialog.click("restore"))
    window = _restart(qtbot)
    qtbot.waitUntil(lambda: window.form is not None and window.letter_id == new_id
                    and window.form.subject.text() == FIRST + REST, timeout=15_000)
    qtbot.waitUntil(lambda: not window.dirty and not window.session.saving, timeout=15_000)
    close_window(qtbot, window)
    assert _letter_count() == 3  # letters 1, 2 and the new one: no duplicate of it


@pytest.mark.timeout(180)
def test_kill_9_after_everything_was_saved_opens_the_letter_on_screen_not_the_cards(
        qtbot: Any, office_with_two_letters: dict[str, Any], window_process: Any, dialog_guard: DialogScript) -> None:
    office = office_with_two_letters
    _yesterday_card(qtbot)  # the card says letter 1
    process = window_process(str(office["second"]), "")
    _typed(process)
    _on_disk(office["log"], FIRST, unsaved=False)  # the autosave reached the database, and the log says so
    _kill(process)

    window = _restart(qtbot)  # nothing to restore: no question
    qtbot.waitUntil(lambda: window.form is not None and window.letter_id == office["second"]
                    and window.form.subject.text() == FIRST and window.session.record.detail is not None,
                    timeout=15_000)
    close_window(qtbot, window)
    assert json.loads(json.dumps(dialog_guard.shown)) == []
