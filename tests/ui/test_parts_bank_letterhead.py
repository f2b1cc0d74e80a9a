"""The clause bank and address book part, and the office letterhead part, work from their collaborators
alone: a desk, the database runner, the form on screen and a message port, with no window around them
(issue 15, item 2). What the desk keeps is the verdict."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QVBoxLayout, QWidget

from app.bootstrap import services, template_library
from app.services.desk import Desk
from app.ui.backend import ClauseItem, LocalBackend, ServiceBackend
from app.ui.bank import ClauseBankAndAddressBook
from app.ui.clauses import ClauseBankPanel
from app.ui.controller import Collaborators
from app.ui.court_profile import OfficeLetterhead
from app.ui.document import LetterDocument
from app.ui.form import LetterForm
from app.ui.session import LetterSession
from app.ui.workers import OpRunner
from tests.conftest import sample_data
from tests.ui.conftest import Said

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

ADDRESSEE = {"honorific": "The Honorable", "name": "Xavier Becerra", "title": "Attorney General of California",
             "organization": "California Department of Justice", "address": ["1300 I Street", "Sacramento, CA 95814"]}


@dataclass
class Desktop:
    """The form on screen, a database runner and a message port: what both parts are built from."""

    host: QWidget
    desk: Desk
    db: OpRunner
    form: LetterForm
    said: Said = field(default_factory=Said)


@pytest.fixture
def desktop(qtbot: Any) -> Iterator[Any]:
    made: list[Desktop] = []

    def make(desk: Desk) -> Desktop:
        host = QWidget()
        QVBoxLayout(host)
        qtbot.addWidget(host)
        form = LetterForm(template_library().get("officials-concern").manifest, host)
        form.set_data(sample_data())
        layout = host.layout()
        assert layout is not None
        layout.addWidget(form)
        host.show()
        made.append(Desktop(host, desk, OpRunner(host, threads=1), form))
        return made[-1]

    yield make
    for d in made:
        qtbot.waitUntil(lambda d=d: d.db.pending == 0, timeout=15_000)
        d.db.shutdown()
        if isinstance(d.desk, ServiceBackend):
            d.desk.close()


def _shared(d: Desktop, form: LetterForm | None) -> Collaborators:
    """What the window would share with the part: the form on screen (or none), this desktop's runner and port."""
    return Collaborators(LetterSession(d.desk, d.db, d.host), LetterDocument(d.host), d.desk, d.db,
                         OpRunner(d.host), lambda: form, d.said, d.host)


def _bank(d: Desktop) -> ClauseBankAndAddressBook:
    return ClauseBankAndAddressBook(_shared(d, d.form), ClauseBankPanel(d.host))


def test_an_addressee_saved_to_the_book_is_picked_into_the_letter(
        qtbot: Any, desktop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = desktop(LocalBackend(folder=tmp_path / "workspace"))
    bank = _bank(d)
    with qtbot.waitSignal(bank.status, timeout=10_000) as said:
        bank.save_addressee(ADDRESSEE)
    assert said.args == ["Xavier Becerra was added to the address book", 6000]
    assert d.desk.address_book() == [ADDRESSEE]
    offered: list[list[str]] = []

    def pick(_parent: Any, _title: str, _label: str, labels: list[str], *_args: Any) -> tuple[str, bool]:
        offered.append(labels)
        return labels[0], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(pick))
    before = len(d.form.data()["addressees"])
    bank.pick_addressee()
    qtbot.waitUntil(lambda: len(d.form.data()["addressees"]) == before + 1, timeout=10_000)
    assert d.form.data()["addressees"][-1]["name"] == "Xavier Becerra"
    assert len(offered[0]) == 1


def test_clauses_searched_are_shown_in_the_panel_and_one_goes_into_the_paragraph(
        qtbot: Any, desktop: Any, tmp_path: Path) -> None:
    d = desktop(LocalBackend(folder=tmp_path / "workspace"))
    bank = _bank(d)
    found = d.desk.clauses("sensitive", "")
    assert found  # the seed clause bank has one
    bank.search_clauses("sensitive", "")
    qtbot.waitUntil(lambda: bank.panel.list.count() == len(found), timeout=10_000)
    concerns = d.form.sections["concerns"]
    concerns.editors()[0].setFocus()
    d.form.note_focus(concerns.editors()[0])
    before = len(concerns.values())
    bank.insert_clause(found[0], False)
    assert len(concerns.values()) == before + 1
    assert found[0].text in concerns.values()
    qtbot.waitUntil(lambda: d.desk.clauses("sensitive", "")[0].use_count == 1, timeout=10_000)  # counted


def test_the_clause_inserted_most_rises_to_the_top_of_the_panel_and_stays_current(
        qtbot: Any, desktop: Any, tmp_path: Path) -> None:
    d = desktop(LocalBackend(folder=tmp_path / "workspace"))
    bank = _bank(d)
    bank.panel.search_changed.connect(bank.search_clauses)
    bank.panel.insert_requested.connect(bank.insert_clause)
    oldest_first = d.desk.clauses()
    assert len(oldest_first) > 2
    bank.panel.refresh()
    qtbot.waitUntil(lambda: bank.panel.list.count() == len(oldest_first), timeout=10_000)
    d.form.sections["closing"].editors()[0].setFocus()
    last = oldest_first[-1]
    bank.panel.list.setCurrentRow(len(oldest_first) - 1)
    bank.panel.insert_new.click()
    qtbot.waitUntil(lambda: _listed_ids(bank.panel) == [last.id] + [c.id for c in oldest_first[:-1]],
                    timeout=10_000)
    current = bank.panel.current_clause()
    assert current is not None
    assert current.id == last.id  # the clerk's place is kept in the new order
    second = oldest_first[-2]
    for _ in range(2):  # used twice, it passes the one used once
        bank.insert_clause(second, True)
    # Both counted, and the panel listed again after the second (a tie after the first lists it first too).
    qtbot.waitUntil(lambda: d.db.pending == 0, timeout=10_000)
    assert [(c.id, c.use_count) for c in d.desk.clauses()[:2]] == [(second.id, 2), (last.id, 1)]
    # The panel is listed again once the count is back (the reading is queued after it): waited for.
    qtbot.waitUntil(lambda: _listed_ids(bank.panel)[:2] == [second.id, last.id], timeout=10_000)


def test_a_letter_that_may_not_be_edited_takes_no_clause_and_counts_no_use(
        qtbot: Any, desktop: Any, tmp_path: Path) -> None:
    d = desktop(LocalBackend(folder=tmp_path / "workspace"))
    bank = _bank(d)
    d.form.set_read_only("Approved: a judge's letter")
    clause = d.desk.clauses()[-1]
    before = d.form.data()
    bank.insert_clause(clause, False)
    qtbot.waitUntil(lambda: d.db.pending == 0, timeout=10_000)
    assert d.form.data() == before
    assert all(c.use_count == 0 for c in d.desk.clauses())


def _listed_ids(panel: ClauseBankPanel) -> list[int]:
    ids = []
    for row in range(panel.list.count()):
        item = panel.list.item(row)
        clause = item.data(Qt.ItemDataRole.UserRole)
        assert isinstance(clause, ClauseItem)
        ids.append(clause.id)
    return ids


def test_a_clause_with_no_paragraph_section_to_take_it_is_refused_with_a_reason(
        qtbot: Any, desktop: Any, tmp_path: Path) -> None:
    d = desktop(LocalBackend(folder=tmp_path / "workspace"))
    bank = ClauseBankAndAddressBook(_shared(d, None), ClauseBankPanel(d.host))
    bank.insert_clause(ClauseItem(1, "Any", "Any text.", (), 0), True)
    assert d.said.lines == [("This template has no paragraph sections to insert a clause into.", True)]


def test_the_office_letterhead_goes_onto_the_open_letter_as_one_change(
        qtbot: Any, office: dict[str, str], desktop: Any) -> None:
    admin = services(as_user="admin")
    try:
        admin.court.update(court="Superior Court of Sierra Vista", signatory_name="Ana Ruiz",
                           signatory_title="Presiding Judge")
    finally:
        admin.close()
    d = desktop(ServiceBackend(services(as_user="clerk")))
    changes: list[tuple[dict[str, Any], str]] = []

    def change_letter(after: dict[str, Any], path: str) -> bool:
        changes.append((after, path))
        return True

    letterhead = OfficeLetterhead(d.desk, d.db, lambda: d.form, change_letter, d.said, d.host)
    with qtbot.waitSignal(letterhead.status, timeout=10_000) as said:
        letterhead.use_on_letter()
    assert said.args == ["The letter now has the office's letterhead.", 6000]
    [(after, path)] = changes
    assert path == "letterhead"
    assert after["sender"]["court"] == "Superior Court of Sierra Vista"
    assert after["signatory"] == {"name": "Ana Ruiz", "title": "Presiding Judge"}
    assert after["concerns"] == d.form.data()["concerns"]  # the rest of the letter as it is on screen
    assert letterhead.defaults is not None


def test_an_office_with_no_court_profile_says_where_to_set_it(
        qtbot: Any, office: dict[str, str], desktop: Any) -> None:
    d = desktop(ServiceBackend(services(as_user="clerk")))
    letterhead = OfficeLetterhead(d.desk, d.db, lambda: d.form, lambda _after, _path: True, d.said, d.host)
    letterhead.use_on_letter()
    qtbot.waitUntil(lambda: bool(d.said.lines), timeout=10_000)
    assert d.said.lines == [("This office has no court profile yet: an admin sets it in Office > Court profile…",
                             True)]


def test_a_paragraph_saved_to_the_bank_is_tagged_with_its_sections_name_and_found_by_it(
        qtbot: Any, desktop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = desktop(LocalBackend(folder=tmp_path / "workspace"))
    bank = _bank(d)
    policies = d.form.sections["requested_policies"]
    d.host.activateWindow()
    qtbot.waitUntil(d.host.isActiveWindow, timeout=10_000)
    policies.editors()[0].setFocus()
    d.form.note_focus(policies.editors()[0])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *_a, **_k: ("Courthouse arrests", True)))
    with qtbot.waitSignal(bank.status, timeout=10_000):
        bank.save_paragraph_to_bank()
    saved = [c for c in d.desk.clauses("", "requested policy") if c.title == "Courthouse arrests"]
    assert [c.tags for c in saved] == [("requested policy",)]
    assert saved[0].text == policies.values()[0].strip()
