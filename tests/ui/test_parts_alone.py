"""The window's opening, action and workflow parts, each built from its collaborators alone (a session, a
document, a desk, runners and its own widgets), without a MainWindow: what each announces is waited for."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QStatusBar

from app.bootstrap import services, template_library
from app.core.workflow import Role, Verdict
from app.services.desk import Desk, Identity
from app.services.journal import Journal
from app.ui.actions import ActionTable
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.clauses import ClauseBankPanel
from app.ui.document import LetterDocument
from app.ui.drafts_browser import DraftsBrowser
from app.ui.form import LetterForm
from app.ui.opening import FLAGSHIP, Opening
from app.ui.preflight import PreflightList
from app.ui.preview_pane import PreviewPane
from app.ui.profile import Preferences
from app.ui.review_pane import ReviewPane
from app.ui.session import LetterRecord, LetterSession
from app.ui.spelling import SpellChecking
from app.ui.workers import OpRunner
from app.ui.workflow_panes import WorkflowPanes
from tests.conftest import sample_data
from tests.ui.conftest import Said, flagship_profile

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@dataclass
class Collaborators:
    host: QMainWindow
    session: LetterSession
    document: LetterDocument
    runner: OpRunner
    db: OpRunner
    said: Said
    prefs: Preferences


@pytest.fixture
def alone(qtbot: Any, private_home: Any) -> Iterator[Collaborators]:
    # Not given to qtbot: it would delete the host (and with it the runners' pending jobs) before this
    # fixture has waited for them.
    host = QMainWindow()
    db = OpRunner(host, threads=1)
    runner = OpRunner(host)
    made = Collaborators(host, LetterSession(LocalBackend(), db, host), LetterDocument(host), runner, db, Said(),
                         Preferences(user="carla", profile=flagship_profile()))
    yield made
    # Every job finished and reported before the widgets they report to go.
    qtbot.waitUntil(lambda: runner.pending == 0 and db.pending == 0, timeout=15_000)
    runner.shutdown()
    db.shutdown()
    host.deleteLater()


def _opening(parts: Collaborators, desk: Desk) -> tuple[Opening, list[LetterForm]]:
    host = parts.host
    placed: list[LetterForm] = []
    opening = Opening(
        host, parts.session, parts.document, desk, library=template_library(), prefs=lambda: parts.prefs,
        runner=parts.runner, db=parts.db, spelling=SpellChecking(OpRunner(host, threads=1), None),
        messages=parts.said, make_form=lambda manifest: LetterForm(manifest, host), letterhead=lambda: None,
        start_card=None, drafts=DraftsBrowser(host), drafts_dock=QDockWidget(host), review=ReviewPane(host),
        placeholder=QLabel(host), status=QStatusBar(host), save_state=QLabel(host), preview=PreviewPane(host),
        preview_pending=lambda: False)
    # What the window does with the form: it places it, and the parts that hold the form take it.
    opening.form_built.connect(placed.append)
    opening.form_built.connect(opening.letter_replaced)
    return opening, placed


def test_opening_alone_shows_the_sample_on_a_local_desk_and_says_why_file_open_cannot(
        qtbot: Any, alone: Collaborators) -> None:
    opening, placed = _opening(alone, LocalBackend())
    with qtbot.waitSignal(alone.session.opened, timeout=15_000), \
            qtbot.waitSignal(opening.letter_shown, timeout=15_000) as shown:
        opening.start()  # a newcomer on this computer alone: the flagship sample
    assert shown.args == [sample_data()["subject"]]
    assert len(placed) == 1
    assert placed[0].manifest.id == FLAGSHIP
    assert alone.document.pack is not None
    assert alone.document.data["subject"] == sample_data()["subject"]
    assert alone.session.record == LetterRecord(None, None, None)
    assert alone.said.lines == []

    opening.open_by_number()  # File > Open needs the drafts database: said, no dialog
    assert alone.said.lines == [("Opening letters needs the drafts database: the drafts database is not "
                                 "available in this installation", True)]


def test_opening_alone_opens_a_letter_of_the_drafts_database_and_lists_it_in_recent(
        qtbot: Any, alone: Collaborators) -> None:
    admin = services(as_user="admin")
    admin.users.add("admin", Role.ADMIN)
    admin.users.add("carla", Role.CLERK, "Carla Clerk")
    admin.close()
    carla = services(as_user="carla")
    letter_id = carla.drafts.create(FLAGSHIP, sample_data()).id
    carla.close()
    desk = ServiceBackend(services(as_user="carla"))
    try:
        alone.session.desk = desk
        opening, placed = _opening(alone, desk)
        with qtbot.waitSignal(opening.recent_changed, timeout=15_000) as recent, \
                qtbot.waitSignal(opening.letter_shown, timeout=15_000):
            opening.open_record(letter_id)
        assert recent.args == [[letter_id]]
        assert alone.prefs.recent == {"carla@this computer (SQLite)": [letter_id]}
        assert (alone.session.record.id, alone.session.record.version) == (letter_id, 1)
        assert len(placed) == 1

        opening.open_record(letter_id + 99)
        qtbot.waitUntil(lambda: bool(alone.said.lines), timeout=15_000)
        assert alone.said.lines[0][0].startswith(f"Letter {letter_id + 99} cannot be opened: ")
        assert alone.session.record.id == letter_id  # the letter on screen stays
    finally:
        qtbot.waitUntil(lambda: alone.db.pending == 0, timeout=15_000)
        desk.close()


@dataclass
class ReadingOnly(LocalBackend):
    """A desk whose verdict refuses editing."""

    def may(self, action: str) -> Verdict:
        return Verdict(False, "this letter is read here, not edited") if action == "edit" else super().may(action)


def _actions(parts: Collaborators, desk: Desk) -> ActionTable:
    host = parts.host
    table = ActionTable(host, parts.session, parts.document, desk, parts.db, parts.said, review=ReviewPane(host),
                        clause_bank=ClauseBankPanel(host), preflight=PreflightList(host), docks=())
    table.build()
    return table


def test_the_action_table_alone_follows_the_desk_the_session_and_the_form(
        qtbot: Any, alone: Collaborators) -> None:
    table = _actions(alone, LocalBackend())
    actions = table.actions
    assert {"new", "open", "save", "submit", "approve", "approve_for", "users", "undo"} <= set(actions)
    assert actions["save"].isEnabled()
    assert not actions["submit"].isEnabled()
    assert actions["submit"].toolTip() == ("Review needs the drafts database: the drafts database is not "
                                           "available in this installation")
    assert not actions["users"].isEnabled()
    assert "the drafts database is not available" in actions["users"].toolTip()

    form = LetterForm(template_library().get(FLAGSHIP).manifest, alone.host)
    table.letter_replaced(form)
    table.desk_changed(ReadingOnly())
    assert table.editable == (False, "This letter is read here, not edited")
    assert form.read_only
    assert not actions["save"].isEnabled()
    assert not actions["add_addressee"].isEnabled()
    table.desk_changed(LocalBackend())
    assert not form.read_only
    assert actions["save"].isEnabled()

    table.show_recent([7, 3])
    assert table.recent_menu is not None
    assert table.recent_menu.isEnabled()
    with qtbot.waitSignal(table.recent_chosen, timeout=5_000) as chosen:
        table.recent_menu.actions()[1].trigger()
    assert chosen.args == [3]


def _opening_desk(user: str, tmp_path: Any) -> ServiceBackend:
    """The drafts database as a start card knows it: opened only when first asked (``ready``)."""
    return ServiceBackend(opener=lambda: services(as_user=user), known=Identity(user, "clerk", "Carla Clerk", "db"),
                          journal=Journal(tmp_path / "journal", user))


def test_the_workflow_panes_alone_never_stay_on_opening_once_the_database_is_open(
        qtbot: Any, alone: Collaborators, tmp_path: Any) -> None:
    admin = services(as_user="admin")
    admin.users.add("admin", Role.ADMIN)
    admin.users.add("carla", Role.CLERK, "Carla Clerk")
    admin.close()
    host = alone.host
    review, review_dock = ReviewPane(host), QDockWidget(host)
    user_label, database_label = QLabel(host), QLabel(host)
    desk = _opening_desk("carla", tmp_path)
    panes = WorkflowPanes(alone.session, desk, prefs=lambda: alone.prefs, drafts=DraftsBrowser(host), review=review,
                          review_dock=review_dock, clause_bank=ClauseBankPanel(host), user_label=user_label,
                          database_label=database_label, parent=host)
    try:
        panes.desk_changed(desk)
        assert review.state.text().startswith("Opening the drafts database…")
        assert user_label.text() == "carla (clerk)"
        panes.letter_replaced(LetterForm(template_library().get(FLAGSHIP).manifest, host))
        alone.session.open(LetterRecord(None, None, None))  # a new letter, never saved

        desk.ready()  # the database answers (the window asks it on its database worker)
        with qtbot.waitSignal(panes.office_opened, timeout=5_000):
            panes.desk_changed(desk)
        assert review.state.text() == "This letter is not saved yet; it is saved as soon as it is complete."
        assert database_label.text() == "Database: this computer (SQLite)"

        with qtbot.waitSignal(panes.review_wanted, timeout=5_000) as wanted:
            alone.session.open(LetterRecord(4, 1, None))
        assert wanted.args[0].id == 4

        panes.desk_changed(LocalBackend(why_no_workflow="the server is down", user="carla"))
        assert review.state.text() == "Review needs the drafts database: the server is down"
        assert review_dock.isHidden()
    finally:
        desk.close()


class HeldLibrary:
    """The template library, except that compiling ``held`` waits until the test lets it go."""

    def __init__(self, held: str) -> None:
        self.library = template_library()
        self.held = held
        self.go = threading.Event()

    def get(self, pack_id: str) -> Any:
        if pack_id == self.held:
            assert self.go.wait(20), "the test never let the held pack compile"
        return self.library.get(pack_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.library, name)


def test_the_letter_asked_for_last_is_the_one_shown_however_the_packs_compile(
        qtbot: Any, alone: Collaborators) -> None:
    """The sample asked for first compiles last (a slow pack): the letter asked for after it stays on screen."""
    opening, placed = _opening(alone, LocalBackend())
    held = HeldLibrary(FLAGSHIP)
    opening.library = held  # type: ignore[assignment]
    shown: list[str] = []
    opening.letter_shown.connect(shown.append)
    opening.open_letter(sample_data())  # the flagship: its compile waits
    other = sample_data("response-to-inquiry")
    with qtbot.waitSignal(opening.letter_shown, timeout=15_000):
        opening.open_letter(other)
    held.go.set()
    qtbot.waitUntil(lambda: alone.runner.pending == 0, timeout=15_000)
    assert shown == [other["subject"]]
    assert len(placed) == 1
    assert alone.document.data["subject"] == other["subject"]
