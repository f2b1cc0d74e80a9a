"""A start shows the last letter at once and opens the database behind it; nothing typed meanwhile is lost."""

from __future__ import annotations

import stat
import threading
from typing import Any

import pytest

from app.bootstrap import Services, data_dir, resolved_database_url, services
from app.core.workflow import Role, StorageUnavailable
from app.services.startcard import StartCard
from app.ui.app import build_window, parse_args
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.main_window import MainWindow
from app.ui.profile import Preferences
from tests.conftest import sample_data
from tests.ui.conftest import DialogScript, close_window, show_window, user_journal

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

SUBJECT = "Immigration enforcement in California courthouses"


@pytest.fixture
def last_session(private_home: Any) -> dict[str, Any]:
    """Yesterday: clerk Carla saved letter 1 and closed the window on it (the card is written at close)."""
    admin = services(as_user="admin")
    admin.users.add("admin", Role.ADMIN)
    admin.users.add("carla", Role.CLERK, "Carla Clerk")
    admin.users.add("tom", Role.CLERK, "Tom Clerk")
    admin.close()
    carla = services(as_user="carla")
    summary = carla.drafts.create("officials-concern", sample_data())
    carla.close()
    prefs = Preferences(user="carla")
    prefs.recent = {"carla@this computer (SQLite)": [summary.id]}
    prefs.save()
    return {"id": summary.id}


class Gate:
    """Holds the database's opening until the test lets it go (a slow disk, a busy server)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: BaseException | None = None) -> None:
        self.open = threading.Event()
        self.calls = 0
        self.fail = fail

        def slow_services(*args: Any, **kwargs: Any) -> Services:
            self.calls += 1
            assert self.open.wait(20), "the test never let the database open"
            if self.fail is not None:
                raise self.fail
            return services(*args, **kwargs)

        monkeypatch.setattr("app.ui.app.services", slow_services)


def _yesterday(qtbot: Any) -> None:
    """The first start of all (no card): the full start, closed on letter 1, which writes the card."""
    window = show_window(qtbot, build_window(parse_args([])))
    qtbot.waitUntil(lambda: window.letter_id is not None and window.session.record.detail is not None,
                    timeout=10_000)
    close_window(qtbot, window)


def _card() -> StartCard | None:
    return StartCard.load(data_dir(), resolved_database_url())


def _opened(window: MainWindow) -> bool:
    backend = window.backend
    return not isinstance(backend, ServiceBackend) or backend.opened


def test_closing_writes_a_private_card_of_who_worked_and_the_letter_shown(qtbot: Any, last_session: dict) -> None:
    _yesterday(qtbot)
    card = _card()
    assert card is not None
    assert card.letter is not None
    assert (card.identity.user, card.identity.role, card.identity.full_name) == ("carla", "clerk", "Carla Clerk")
    assert (card.letter.id, card.letter.version) == (last_session["id"], 1)
    assert card.letter.data["subject"] == SUBJECT
    path = StartCard.path(data_dir(), resolved_database_url())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_last_letter_shows_before_the_database_opens_and_an_edit_typed_meanwhile_is_saved(
        qtbot: Any, last_session: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    _yesterday(qtbot)
    gate = Gate(monkeypatch)
    window = show_window(qtbot, build_window(parse_args([])))  # the letter and its preview, database shut
    assert window.form is not None
    assert window.form.subject.text() == SUBJECT
    assert not _opened(window)
    assert "Opening the drafts database" in window.statusBar().currentMessage()
    assert (window.letter_id, window.version) == (last_session["id"], 1)
    assert not window.drafts.isEnabled()

    window.form.subject.setFocus()
    window.form.subject.end(False)
    qtbot.keyClicks(window.form.subject, " (revised)")  # typed while the database is still opening
    window.save_action.trigger()                         # and Ctrl+S pressed: it waits, in order
    qtbot.wait(200)
    assert window.dirty or window.session.saving
    gate.open.set()
    qtbot.waitUntil(lambda: _opened(window) and not window.dirty and window.version == 2, timeout=15_000)
    assert window.drafts.isEnabled()
    qtbot.waitUntil(lambda: window.drafts.ids() == [last_session["id"]], timeout=10_000)
    assert gate.calls == 1
    close_window(qtbot, window)

    check = services(as_user="carla")
    try:
        assert check.drafts.get(last_session["id"]).current.data["subject"] == SUBJECT + " (revised)"
    finally:
        check.close()


def test_a_letter_changed_since_the_card_shows_the_database_text(
        qtbot: Any, last_session: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    _yesterday(qtbot)
    tom = services(as_user="tom")
    data = sample_data()
    data["subject"] = "Courthouse arrests: a second request"
    tom.drafts.update(last_session["id"], data, 1)
    tom.close()
    gate = Gate(monkeypatch)
    window = show_window(qtbot, build_window(parse_args([])))
    assert window.form is not None
    assert window.form.subject.text() == SUBJECT
    gate.open.set()
    qtbot.waitUntil(lambda: window.form is not None and window.version == 2
                    and window.form.subject.text() == data["subject"], timeout=15_000)
    assert "changed since you last had it open" in window.messages.label.text()
    assert not window.dirty
    close_window(qtbot, window)


def test_an_edit_on_a_card_older_than_the_database_is_a_conflict_not_an_overwrite(
        qtbot: Any, last_session: dict, monkeypatch: pytest.MonkeyPatch, dialog_guard: DialogScript) -> None:
    from app.ui.dialogs import ConflictDialog

    _yesterday(qtbot)
    tom = services(as_user="tom")
    theirs = sample_data()
    theirs["subject"] = "Tom's subject"
    tom.drafts.update(last_session["id"], theirs, 1)
    tom.close()
    gate = Gate(monkeypatch)
    window = show_window(qtbot, build_window(parse_args([])))
    assert window.form is not None
    window.form.subject.setFocus()
    window.form.subject.end(False)
    qtbot.keyClicks(window.form.subject, " (Carla's words)")
    dialog_guard.expect(ConflictDialog, lambda dialog: dialog.click("reload"))
    window.save_action.trigger()
    gate.open.set()
    qtbot.waitUntil(lambda: window.form is not None and window.form.subject.text() == "Tom's subject"
                    and window.version == 2 and not window.dirty, timeout=15_000)
    check = services(as_user="carla")
    try:
        assert check.drafts.get(last_session["id"]).current.data["subject"] == "Tom's subject"  # not overwritten
        kept = [e for e in user_journal("carla").pending() if e.letter_id == last_session["id"]]
        assert [(e.base_version, e.data["subject"]) for e in kept] == [(1, SUBJECT + " (Carla's words)")]
    finally:
        check.close()
    close_window(qtbot, window)


def test_a_database_that_cannot_open_leaves_the_letter_and_works_on_this_computer(
        qtbot: Any, last_session: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    _yesterday(qtbot)
    gate = Gate(monkeypatch, fail=StorageUnavailable("the drafts database server does not answer"))
    window = show_window(qtbot, build_window(parse_args([])))
    assert window.form is not None
    window.form.subject.setFocus()
    window.form.subject.end(False)
    qtbot.keyClicks(window.form.subject, " (kept)")
    gate.open.set()
    qtbot.waitUntil(lambda: isinstance(window.backend, LocalBackend), timeout=15_000)
    assert "could not be opened" in window.messages.label.text()
    assert "does not answer" in window.messages.label.text()
    assert window.session.desk is window.backend  # one owner: the session saves where the window works
    assert window.form.subject.text() == SUBJECT + " (kept)"
    qtbot.waitUntil(lambda: not window.dirty, timeout=10_000)
    assert window.backend.load_autosave()["subject"] == SUBJECT + " (kept)"  # type: ignore[index]
    assert not window.review_dock.isVisible()
    close_window(qtbot, window)


def test_another_user_named_on_the_command_line_gets_the_full_start(
        qtbot: Any, last_session: dict) -> None:
    _yesterday(qtbot)
    window = show_window(qtbot, build_window(parse_args(["--user", "tom"])))
    assert isinstance(window.backend, ServiceBackend)
    assert window.backend.opened
    assert window.backend.user == "tom"
    close_window(qtbot, window)


def test_a_letter_pinning_the_office_seal_shows_with_it_before_the_database_opens(
        qtbot: Any, last_session: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.services.test_court_profile import png

    seal = png(64, 64, shade=0x20)
    admin = services(as_user="admin")
    try:
        admin.court.update(court="Superior Court of Sierra Vista", signatory_name="Ana Ruiz",
                           signatory_title="Presiding Judge", seal_png=seal)
        reference = admin.court.get().seal
        carla = services(as_user="carla")
        data = sample_data()
        data["sender"]["seal"] = reference
        carla.drafts.update(last_session["id"], data, 1)
        carla.close()
    finally:
        admin.close()
    _yesterday(qtbot)  # the window read the seal once: this computer keeps a copy
    gate = Gate(monkeypatch)
    window = show_window(qtbot, build_window(parse_args([])))  # the preview is drawn, the database shut
    assert not _opened(window)
    check = window.last_check
    assert check is not None
    assert check.docx is not None
    assert not check.problems
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(check.docx)) as docx:
        assert seal in [docx.read(n) for n in docx.namelist() if n.startswith("word/media/")]
    gate.open.set()
    qtbot.waitUntil(lambda: _opened(window), timeout=15_000)
    close_window(qtbot, window)
