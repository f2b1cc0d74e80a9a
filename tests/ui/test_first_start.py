"""The window's first start on a database that is not there yet: it asks, and makes it only on "Create it"."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

import app.ui.app
from app.bootstrap import data_dir, database_to_create, embedded_database_file, services
from app.core.workflow import Role, StorageUnavailable
from app.ui.app import CreateDatabasePrompt, build_window, parse_args
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.dialogs import FirstRunDialog
from tests.ui.conftest import DialogScript, close_window, show_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

REAL_QUESTION = app.ui.app.ask_create_database  # before conftest's fixture answers it for every other test


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch, dialog_guard: DialogScript) -> list[dict[str, Any]]:
    """The real question, shown as the window shows it; each test says which button it clicks."""
    monkeypatch.setattr(app.ui.app, "ask_create_database", REAL_QUESTION)
    seen: list[dict[str, Any]] = []
    return seen


def answer(dialog_guard: DialogScript, seen: list[dict[str, Any]], *, create: bool) -> None:
    def click(prompt: CreateDatabasePrompt) -> None:
        seen.append({"text": prompt.text(), "buttons": [b.text() for b in prompt.buttons()],
                     "default": prompt.defaultButton() is prompt.create_button})
        (prompt.create_button if create else prompt.alone_button).click()

    dialog_guard.expect(CreateDatabasePrompt, click)


def _database() -> Path:
    path = embedded_database_file()
    assert path is not None
    return path


def _created_files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if "sqlite3" in p.name)


def test_no_on_the_first_start_makes_nothing_and_works_on_this_computer(
        qtbot: Any, dialog_guard: DialogScript, asked: list[dict[str, Any]], private_home: Path) -> None:
    database = _database()
    answer(dialog_guard, asked, create=False)
    window = show_window(qtbot, build_window(parse_args([])))

    assert asked[0]["text"] == f"There is no drafts database at {database} yet. Create it?"
    assert asked[0]["buttons"] == ["&Create it", "Work on this computer &alone"]
    assert not database.exists()
    assert _created_files(private_home) == []
    backend = window.backend
    assert isinstance(backend, LocalBackend)
    assert str(database) in backend.why_no_workflow
    message = window.statusBar().currentMessage()
    assert message.startswith("Working on this computer alone: there is no drafts database at")
    assert str(database) in message
    # The window works: the sample letter is in the form with its preview, and typing is kept here.
    assert window.form is not None
    assert window.preview.plain_text()
    window.form.subject.setText("Kept on this computer")
    close_window(qtbot, window)
    assert not database.exists()


def test_yes_on_the_first_start_makes_the_database_and_its_first_user(
        qtbot: Any, dialog_guard: DialogScript, asked: list[dict[str, Any]]) -> None:
    database = _database()
    answer(dialog_guard, asked, create=True)

    def first_user(dialog: FirstRunDialog) -> None:
        assert database.is_file()  # made before anyone is asked who they are
        dialog.name.setText("ann")
        dialog.full_name.setText("Ann Clerk")
        dialog.set_role(Role.CLERK)
        dialog.ok.click()

    dialog_guard.expect(FirstRunDialog, first_user)
    window = show_window(qtbot, build_window(parse_args([])))

    assert asked[0]["default"]
    backend = window.backend
    assert isinstance(backend, ServiceBackend)
    assert (backend.user, backend.role) == ("ann", "clerk")
    close_window(qtbot, window)
    s = services(create=False)
    try:
        # A first clerk gets an admin beside them: an office never locks itself out.
        assert {u.name: u.role for u in s.users.list()}.get("ann") == Role.CLERK
    finally:
        s.close()

    again = show_window(qtbot, build_window(parse_args([])))  # no question once it exists (the guard says so)
    assert isinstance(again.backend, ServiceBackend)
    close_window(qtbot, again)
    assert len(asked) == 1


def test_a_card_whose_database_is_gone_asks_again_rather_than_make_it_behind_the_letter(
        qtbot: Any, dialog_guard: DialogScript, asked: list[dict[str, Any]]) -> None:
    admin = services(as_user="admin")
    admin.users.add("admin", Role.ADMIN)
    admin.close()
    from app.ui.profile import Preferences

    prefs = Preferences.load()
    prefs.user = "admin"
    prefs.save()
    window = show_window(qtbot, build_window(parse_args([])))
    assert isinstance(window.backend, ServiceBackend)
    close_window(qtbot, window)  # writes the start card
    assert list((data_dir() / "start").iterdir())
    database = _database()
    for path in database.parent.glob(database.name + "*"):
        if path.is_file():
            path.unlink()

    answer(dialog_guard, asked, create=False)
    later = show_window(qtbot, build_window(parse_args([])))
    assert isinstance(later.backend, LocalBackend)
    assert not database.exists()
    close_window(qtbot, later)


def test_the_card_path_never_makes_a_database_it_opens_later(qtbot: Any) -> None:
    """The database the card named, gone between the look and the opening: refused, not made."""
    from app.bootstrap import Settings
    from app.services.startcard import StartCard
    from app.services.views import Identity
    from app.ui.app import _opened_later
    from app.ui.profile import Preferences

    card = StartCard(Identity("admin", "admin", "", "x"), None)
    backend = _opened_later(Preferences(user="admin"), Settings.from_environment(), card)
    with pytest.raises(StorageUnavailable, match=r"there is no Chambers database at .* nothing was created"):
        backend.ready()
    assert not _database().exists()


def test_a_database_that_cannot_be_made_is_said_so_and_the_window_works_alone(
        qtbot: Any, dialog_guard: DialogScript, asked: list[dict[str, Any]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("CHAMBERS_DATABASE_URL", str(blocked / "chambers.sqlite3"))
    seen: dict[str, str] = {}

    def create(prompt: CreateDatabasePrompt) -> None:
        seen["detail"] = prompt.informativeText()
        prompt.create_button.click()

    dialog_guard.expect(CreateDatabasePrompt, create)
    window = show_window(qtbot, build_window(parse_args([])))
    assert f"The folder {blocked} does not exist either" in seen["detail"]
    assert isinstance(window.backend, LocalBackend)
    assert window.backend.why_no_workflow.startswith(f"the drafts database {blocked / 'chambers.sqlite3'} could "
                                                     "not be created: ")
    assert "could not be created" in window.statusBar().currentMessage()
    assert blocked.read_text(encoding="utf-8") == "a file where the folder should be"
    close_window(qtbot, window)


def test_a_screenshot_on_a_database_that_is_not_there_makes_none(qtbot: Any, tmp_path: Path,
                                                                  private_home: Path) -> None:
    """Nobody sits in front of a screenshot to answer the question: it works on this computer alone."""
    from PySide6.QtWidgets import QApplication

    from app.ui.app import _screenshot as shoot

    args = parse_args(["--screenshot", str(tmp_path / "shot.png"), "--size", "1200x800"])
    window = build_window(args, fresh=True)
    qtbot.addWidget(window)
    assert isinstance(window.backend, LocalBackend)
    assert "nothing was created" in window.backend.why_no_workflow
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    assert shoot(qapp, window, args.screenshot, args.size) == 0
    assert not _database().exists()
    assert _created_files(private_home) == []


# --- the question's words, without a window ----------------------------------------------------------
def test_an_existing_database_is_not_to_be_created(tmp_path: Path) -> None:
    target = tmp_path / "office.sqlite3"
    assert database_to_create(str(target)) is not None
    target.write_bytes(b"")
    assert database_to_create(str(target)) is None  # whatever it is, opening it says so; nothing is asked


@pytest.mark.postgres
def test_a_server_database_without_chambers_is_set_up_only_when_asked(
        qtbot: Any, dialog_guard: DialogScript, asked: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    from sqlalchemy import make_url

    from app.storage.database import current_revision
    from app.storage.sql import SqlStore
    from tests.storage.dbfixtures import _admin_url, execute_autocommit, with_database

    admin = _admin_url()
    name = f"chambers_empty_{uuid.uuid4().hex[:10]}"
    execute_autocommit(admin, f'CREATE DATABASE "{name}"')
    request.addfinalizer(lambda: execute_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    url = with_database(admin, name)
    monkeypatch.setenv("CHAMBERS_DATABASE_URL", url)
    server = make_url(url)
    question = f"Set up Chambers in database {name} on server {server.host}:{server.port}?"

    def revision() -> str | None:
        store = SqlStore(url)
        try:
            return current_revision(store.engine)
        finally:
            store.close()

    answer(dialog_guard, asked, create=False)
    window = show_window(qtbot, build_window(parse_args([])))
    assert asked[0]["text"] == question
    assert isinstance(window.backend, LocalBackend)
    assert revision() is None
    close_window(qtbot, window)

    answer(dialog_guard, asked, create=True)
    window = show_window(qtbot, build_window(parse_args([])))
    assert asked[1]["text"] == question
    assert revision() is not None
    close_window(qtbot, window)
