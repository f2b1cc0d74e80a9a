"""Two windows, a clerk's and a judge's, on one database: each follows what the other does, told by the
database itself (PostgreSQL LISTEN/NOTIFY with a login each; SQLite's data_version), not by counting
the audit log every second. Waits are on the window's own signals, bounded generously."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.bootstrap import services, template_library
from app.core.workflow import Status
from app.ui.backend import ServiceBackend
from app.ui.main_window import MainWindow
from app.ui.profile import Preferences
from tests.conftest import sample_data
from tests.storage.dbfixtures import office as office_at
from tests.storage.dbfixtures import postgres_template, postgres_url  # noqa: F401
from tests.storage.test_postgres_enforcement import login_url, roles  # noqa: F401
from tests.ui.conftest import close_window, flagship_profile, show_window, wait_ready

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

WITHIN_MS = 30_000  # a hang guard: each wait ends at the signal


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def logins(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The database URL each person's window opens: one login each on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
        office_at(url).close()
        return {"ann": url, "tani": url}
    url = request.getfixturevalue("roles")
    return {"ann": login_url(url, "ann"), "tani": login_url(url, "tani")}


@pytest.fixture
def desks(qtbot: Any, logins: dict[str, str]) -> Iterator[dict[str, MainWindow]]:
    opened: dict[str, MainWindow] = {}
    for user, role in (("ann", "clerk"), ("tani", "judge")):
        backend = ServiceBackend(services(logins[user], as_user=user))
        backend.restore = lambda: None  # type: ignore[method-assign]  # a fresh start: nothing to restore
        prefs = Preferences(user=user, role=role, profile=flagship_profile())
        opened[user] = show_window(qtbot, MainWindow(template_library(), prefs, backend, QSettings()), ready=False)
    yield opened
    for made in opened.values():
        close_window(qtbot, made)


def _submitted(url: str) -> int:
    clerk = services(url, as_user="ann")
    try:
        letter = clerk.drafts.create("officials-concern", sample_data()).id
        clerk.drafts.submit(letter)
        return letter
    finally:
        clerk.close()


def _open(qtbot: Any, window: MainWindow, letter_id: int) -> None:
    qtbot.waitUntil(lambda: window.watcher.listening is not None, timeout=WITHIN_MS)
    window.open_record(letter_id)
    qtbot.waitUntil(lambda: window.letter_id == letter_id and window.form is not None, timeout=WITHIN_MS)
    wait_ready(qtbot, window)


def test_the_judges_approval_reaches_the_clerks_window_and_the_clerks_letter_the_judges_queue(
        qtbot: Any, desks: dict[str, MainWindow], logins: dict[str, str]) -> None:
    clerk, judge = desks["ann"], desks["tani"]
    letter = _submitted(logins["ann"])
    _open(qtbot, clerk, letter)
    _open(qtbot, judge, letter)
    assert clerk.session.record.status is Status.IN_REVIEW
    listening = clerk.watcher.listening
    assert listening is not None
    with qtbot.waitSignals([listening.changed, clerk.watcher.letter_changed], timeout=WITHIN_MS):
        judge.approve_action.trigger()  # as the judge would: the button, in the judge's own window
    qtbot.waitUntil(lambda: clerk.session.record.status is Status.APPROVED, timeout=WITHIN_MS)
    assert f"Tani G. Cantil-Sakauye approved letter {letter}, version 1" in clerk.messages.label.text()
    assert not clerk.submit_action.isEnabled()
    assert not clerk.watcher._polling  # heard from the database, not asked every second

    # The clerk's next letter, submitted from another desk, reaches the judge's list of letters waiting.
    judge_listening = judge.watcher.listening
    assert judge_listening is not None
    with qtbot.waitSignal(judge.watcher.others_changed, timeout=WITHIN_MS):
        following = _submitted(logins["ann"])
    qtbot.waitUntil(lambda: following in judge.drafts.ids(), timeout=WITHIN_MS)
    assert "Ann Clerk submitted letter" in judge.messages.label.text()
    check = office_at(logins["tani"], "tani")
    try:
        assert check.drafts.get(letter).summary.status is Status.APPROVED
        assert check.drafts.get(following).summary.status is Status.IN_REVIEW
    finally:
        check.close()


@pytest.mark.postgres
@pytest.mark.parametrize("logins", ["postgres"], indirect=True)
def test_the_clerks_window_listens_again_after_the_server_drops_its_connection(
        qtbot: Any, desks: dict[str, MainWindow], logins: dict[str, str], roles: str) -> None:  # noqa: F811
    from sqlalchemy import create_engine, text

    from app.storage.news import ListenFeed

    clerk = desks["ann"]
    letter = _submitted(logins["ann"])
    _open(qtbot, clerk, letter)
    listening = clerk.watcher.listening
    assert listening is not None
    qtbot.waitUntil(lambda: isinstance(listening.feed, ListenFeed) and listening.feed.backend_pid() is not None,
                    timeout=WITHIN_MS)
    feed = listening.feed
    assert isinstance(feed, ListenFeed)
    dropped = feed.backend_pid()
    server = create_engine(roles.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": dropped}).scalar_one()
    finally:
        server.dispose()
    qtbot.waitUntil(lambda: feed.connections == 2, timeout=WITHIN_MS)
    judge = services(logins["tani"], as_user="tani")
    try:
        judge.drafts.approve(letter, 1)
    finally:
        judge.close()
    qtbot.waitUntil(lambda: clerk.session.record.status is Status.APPROVED, timeout=WITHIN_MS)
    assert f"approved letter {letter}, version 1" in clerk.messages.label.text()
    assert feed.backend_pid() not in (None, dropped)


def test_a_window_asks_the_database_nothing_while_nothing_happens(
        qtbot: Any, desks: dict[str, MainWindow], logins: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    judge = desks["tani"]
    letter = _submitted(logins["ann"])
    _open(qtbot, judge, letter)
    watcher = judge.watcher
    qtbot.waitUntil(lambda: watcher._seen is not None and not watcher._owed and not watcher._asking,
                    timeout=WITHIN_MS)
    desk = judge.backend.workflow
    assert desk is not None
    asked: list[int | None] = []
    real_news = desk.news
    monkeypatch.setattr(desk, "news", lambda seen: asked.append(seen) or real_news(seen))
    for _look in range(5):  # the once-a-second look, five times, with no news delivered in between
        watcher.poll()
    assert asked == []
    with qtbot.waitSignal(watcher.others_changed, timeout=WITHIN_MS):
        _submitted(logins["ann"])  # news: now the window reads the audit log after what it saw
    assert asked
    assert all(isinstance(seen, int) for seen in asked)  # read after the last event seen, never from the start
