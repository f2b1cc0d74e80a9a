"""The address book keeps surname, given name and courtesy title (migration 0005), and gives them
back to the letter so the salutation needs no guess; an official with no title is kept too."""

from __future__ import annotations

from alembic import command

from app.core import address as forms
from app.core.letter import Addressee
from app.services.office import AddressBookService, address_entry
from app.storage.database import _ALEMBIC, _config, current_revision, head_revision
from tests.storage.dbfixtures import as_user, db_url, office, postgres_template  # noqa: F401

SENATOR = {"honorific": "The Honorable", "name": "Catherine Cortez Masto", "title": "United States Senator",
           "organization": "United States Senate", "address": ["313 Hart Senate Office Building",
                                                                "Washington, DC 20510"],
           "surname": "Cortez Masto", "given_name": "Catherine", "courtesy": "Ms."}
PRIEST = {"honorific": "The Reverend", "name": "John Doe", "address": ["St. Mary's Rectory"]}


def _migrate(store: object, target: str, down: bool = False) -> None:
    engine = store.engine  # type: ignore[attr-defined]
    config = _config()
    with _ALEMBIC, engine.connect() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, target)
        conn.commit()


def test_surname_given_name_and_courtesy_round_trip(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        book = AddressBookService(clerk.store, lambda: clerk.drafts.user)
        saved, new = book.save(address_entry(SENATOR))
        assert new
        assert (saved.surname, saved.given_name, saved.courtesy) == ("Cortez Masto", "Catherine", "Ms.")
        back = next(e for e in book.list() if e.name == "Catherine Cortez Masto").to_addressee()
        assert back == SENATOR
        assert forms.salutation_line(Addressee(**back)) == "Dear Senator Cortez Masto:"
        # Saved again without the surname: the entry is updated, not doubled, and the guess returns.
        plain = {k: v for k, v in SENATOR.items() if k not in ("surname", "given_name")}
        _, again = book.save(address_entry(plain))
        assert not again
        back = next(e for e in book.list() if e.name == "Catherine Cortez Masto").to_addressee()
        assert "surname" not in back
        assert forms.explain_salutation(Addressee(**back)).guessed
        # A priest has no title: kept, and given back without one.
        book.save(address_entry(PRIEST))
        priest = next(e for e in book.list() if e.name == "John Doe").to_addressee()
        assert priest == PRIEST
    finally:
        clerk.close()


def test_migration_0005_keeps_entries_down_and_up(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    store = clerk.store
    try:
        book = AddressBookService(store, lambda: clerk.drafts.user)
        book.save(address_entry(SENATOR))
        count = len(book.list())
        _migrate(store, "0004", down=True)
        assert current_revision(store.engine) == "0004"  # type: ignore[attr-defined]
        _migrate(store, "head")
        assert current_revision(store.engine) == head_revision()  # type: ignore[attr-defined]
        entries = book.list()
        assert len(entries) == count
        kept = next(e for e in entries if e.name == "Catherine Cortez Masto")
        assert kept.title == "United States Senator"
        assert kept.surname is None  # going back to 0004 dropped what 0004 cannot hold
        book.save(address_entry(SENATOR))
        assert next(e for e in book.list() if e.name == "Catherine Cortez Masto").surname == "Cortez Masto"
    finally:
        clerk.close()
