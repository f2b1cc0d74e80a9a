"""One clause bank for both desks: the same words find the same clauses, in the same order, whether
the bank is the office's (in the drafts database) or this computer's own (a file)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.workflow import NotFound, Refused
from app.services.clauses import ClauseBank, ClauseFile, DatabaseShelf, NewClause, starter_clauses, title_of
from app.services.desk import Desk, LocalDesk, ServiceDesk
from tests.conftest import sample_data
from tests.storage.dbfixtures import as_user, db_url, fresh_postgres, office, postgres_template  # noqa: F401

STARTER = [NewClause("Courthouses as sensitive locations", "Treat courthouses as sensitive locations.",
                     ("requested policy",)),
           NewClause("Welcome a discussion", "I would welcome the opportunity to discuss these concerns.",
                     ("closing paragraph",))]


@pytest.fixture(params=["file", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClauseBank]:
    """An empty bank with the two STARTER clauses added, on either shelf (the database's on either
    engine), as its manager."""
    if request.param == "file":
        made = ClauseBank(ClauseFile(tmp_path / "clauses.json", starter=list))
        for clause in STARTER:
            made.add(*clause)
        yield made
        return
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'chambers.sqlite3'}"])
    else:
        urls = fresh_postgres(request)
    url = next(urls)
    office(url).close()
    admin = as_user(url, "admin")
    try:
        for clause in admin.clauses.list():  # the seed: this test starts from its own clauses
            admin.clauses.remove(clause.id)
        for clause in STARTER:
            admin.clauses.add(*clause)
        yield admin.clauses
    finally:
        admin.close()
        for _dropped in urls:  # a PostgreSQL copy is dropped once the generator ends
            pass


def test_words_in_any_order_and_case_find_a_clause_by_its_title_text_or_tags(bank: ClauseBank) -> None:
    assert [c.title for c in bank.list("LOCATIONS sensitive")] == ["Courthouses as sensitive locations"]
    assert [c.title for c in bank.list("discuss")] == ["Welcome a discussion"]  # a word's beginning
    assert [c.title for c in bank.list("closing")] == ["Welcome a discussion"]  # its tag
    assert [c.title for c in bank.list("", "requested policy")] == ["Courthouses as sensitive locations"]
    assert bank.list("sensitive", "closing paragraph") == []
    assert bank.list("zebra") == []


def test_a_used_clause_rises_and_a_removed_one_goes(bank: ClauseBank) -> None:
    first, second = bank.list()
    assert [c.title for c in (first, second)] == [s.title for s in STARTER]  # oldest first while unused
    bank.use(second.id)
    assert [c.id for c in bank.list()] == [second.id, first.id]
    assert bank.list()[0].use_count == 1
    bank.remove(first.id)
    assert [c.id for c in bank.list()] == [second.id]
    with pytest.raises(NotFound, match=f"there is no clause {first.id}"):
        bank.use(first.id)


def test_a_clerk_taking_clauses_into_letters_reorders_the_bank_on_either_desk(tmp_path: Path,
                                                                             db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        desks: dict[str, Desk] = {"this computer": LocalDesk(tmp_path / "workspace"), "the office": ServiceDesk(clerk)}
        for where, desk in desks.items():
            first, second, third = desk.clauses()[:3]  # the starter clauses, oldest first while unused
            assert desk.clause_bank.use(third.id).use_count == 1, where
            desk.clause_bank.use(second.id)
            desk.clause_bank.use(third.id)
            ranked = desk.clauses()
            assert [(c.id, c.use_count) for c in ranked[:3]] == [(third.id, 2), (second.id, 1), (first.id, 0)], where
            # A search lists what it finds in the same order: the most used first.
            words = third.text.split()[0]
            found = desk.clauses(words)
            assert found == sorted(found, key=lambda c: (-c.use_count, c.id)), where
    finally:
        clerk.close()


def test_on_the_office_bank_a_judge_counts_no_use_and_is_told_why(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    judge = as_user(db_url, "tani")
    try:
        clause = judge.clauses.list()[-1]  # the last while none is used
        with pytest.raises(Refused, match=r"tani is a judge and .*edit letters"):
            judge.clauses.use(clause.id)
    finally:
        judge.close()
    admin = as_user(db_url, "admin")  # who manages the bank may count too (the database grants it)
    try:
        assert admin.clauses.use(clause.id).use_count == 1
        assert (admin.clauses.list()[0].id, admin.clauses.list()[-1].use_count) == (clause.id, 0)
    finally:
        admin.close()


def test_a_clause_needs_text_and_is_named_by_its_first_sentence(bank: ClauseBank) -> None:
    with pytest.raises(Refused, match="a clause needs some text"):
        bank.add("Empty", "   ")
    made = bank.add("", "Courts must remain open to all. Everyone is welcome.", ["access, fairness", " access "])
    assert (made.title, made.tags) == ("Courts must remain open to all", ("access", "fairness"))
    assert made in bank.list("courts")


def test_both_desks_start_from_the_flagship_paragraphs_and_find_the_same(tmp_path: Path,
                                                                         db_url: str) -> None:  # noqa: F811
    sample = sample_data()
    expected = starter_clauses(sample)
    assert {c.text for c in expected} == {*sample["concerns"], *sample["requested_policies"], *sample["closing"]}
    local = LocalDesk(tmp_path / "workspace")
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        shared = ServiceDesk(clerk)
        for words in ("", "sensitive locations", "discuss", "requested policy", "Concern"):
            found = [(c.title, c.text, c.tags) for c in local.clauses(words)]
            assert found == [(c.title, c.text, c.tags) for c in shared.clauses(words)], words
        assert [(c.title, c.text, c.tags) for c in local.clauses()] == [tuple(c) for c in expected]
        # Only an admin changes the office's bank; this computer's bank is its user's own.
        with pytest.raises(Refused, match="manage the clause bank"):
            shared.add_clause("Mine", "A clerk's own paragraph.", ())
        assert not shared.may("manage_clauses").allowed
    finally:
        clerk.close()
    assert local.may("manage_clauses").allowed
    made = local.add_clause("Mine", "A clerk's own paragraph.", ("concern",))
    assert local.clauses("own paragraph") == [made]
    assert len(local.clauses()) == len(expected) + 1  # the starter clauses kept with it


def test_a_bank_file_from_before_clauses_had_ids_keeps_every_clause(tmp_path: Path) -> None:
    path = tmp_path / "clauses.json"
    path.write_text(json.dumps([{"title": "One", "text": "First.", "tags": ["concern"]},
                                {"text": "Second paragraph; untitled."},
                                {"id": 1, "title": "Numbered", "text": "Kept under its own number."},
                                {"id": 1, "title": "Twice", "text": "A number already taken."},
                                "not a clause"]), encoding="utf-8")
    bank = ClauseBank(ClauseFile(path, starter=list))
    # A clause with its number keeps it; the others are numbered after the highest, in file order.
    assert [(c.id, c.title) for c in bank.list()] == [(1, "Numbered"), (2, "One"), (3, "Second paragraph"),
                                                      (4, "Twice")]
    bank.use(3)
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert [(e["id"], e["title"], e["use_count"]) for e in kept] == [
        (2, "One", 0), (3, "Second paragraph", 1), (1, "Numbered", 0), (4, "Twice", 0)]
    assert [c.id for c in bank.list()] == [3, 1, 2, 4]


def test_the_database_shelf_audits_who_changed_the_bank(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    office(url).close()
    admin = as_user(url, "admin")
    try:
        assert isinstance(admin.clauses.shelf, DatabaseShelf)
        made = admin.clauses.add("", "Courts must remain open to all.", ("concern",))
        admin.clauses.remove(made.id)
        with admin.store.read() as tx:
            events = [(e.actor, e.action) for e in tx.audit.events()][-2:]
        assert events == [("admin", "clause_added"), ("admin", "clause_removed")]
    finally:
        admin.close()


def test_title_of_cuts_at_a_word() -> None:
    assert title_of("A " + "very " * 20 + "long sentence.").endswith("very\u2026")
