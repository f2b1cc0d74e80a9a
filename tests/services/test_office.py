"""The court office services: the first user of an embedded database, who this desktop is, the address book."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import data_dir, services
from app.core.records import AddressBookEntry
from app.core.workflow import Refused, Role
from app.services.office import (
    AddressBookService,
    Profile,
    address_entry,
    choose_local_user,
    create_first_user,
    local_identity,
)
from tests.storage.dbfixtures import db_url, office, postgres_template  # noqa: F401


def _events(url: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    s = services(url)
    try:
        with s.store.read() as tx:
            return [(e.actor, e.action, json.loads(e.detail)) for e in tx.audit.events()]
    finally:
        s.close()


# --- the first start on the embedded database ----------------------------------------------------
def test_first_user_is_made_once_and_becomes_this_desktop(private_home: Path) -> None:
    s = services()
    try:
        assert local_identity(s.store, s.profile).users == []
        user = create_first_user(s.store, s.profile, "ann", Role.CLERK, "Ann Clerk")
        assert (user.name, user.role, user.full_name) == ("ann", Role.CLERK, "Ann Clerk")
        assert Profile(data_dir() / "profile.json").name() == "ann"
        with pytest.raises(Refused, match=r"already has users \(admin, ann\).*users add bob --role judge"):
            create_first_user(s.store, s.profile, "bob", Role.JUDGE)
        # A first clerk gets an admin account beside theirs, so someone can add a judge.
        assert [(u.name, u.role) for u in s.users.list()] == [("admin", Role.ADMIN), ("ann", Role.CLERK)]
    finally:
        s.close()
    assert ("ann", "user_added", {"user": "ann", "role": "clerk", "first_user": True}) in _events()
    later = services()  # a later start: no name given, the profile answers
    try:
        assert later.drafts.user.name == "ann"
        assert later.drafts.user.role is Role.CLERK
        identity = local_identity(later.store, later.profile)
        assert identity.user is not None
        assert identity.user.name == "ann"
        assert identity.embedded
    finally:
        later.close()


def test_first_user_with_a_bad_name_writes_nothing(private_home: Path) -> None:
    s = services()
    try:
        with pytest.raises(Refused, match="cannot be a user name"):
            create_first_user(s.store, s.profile, "Ann Smith", Role.CLERK)
        assert s.users.list() == []
        assert s.profile.name() is None
    finally:
        s.close()


class _ServerStore:
    """Stands in for a PostgreSQL store: the refusal comes before any query."""

    dialect = "postgresql"

    def read(self) -> Any:
        raise AssertionError("a server database must not be touched")

    write = read


def test_first_user_and_choosing_are_refused_on_a_server_database(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "profile.json")
    with pytest.raises(Refused, match="only on this computer's own database"):
        create_first_user(_ServerStore(), profile, "ann", Role.ADMIN)  # type: ignore[arg-type]
    with pytest.raises(Refused, match="only on this computer's own database"):
        choose_local_user(_ServerStore(), profile, "ann")  # type: ignore[arg-type]
    assert profile.name() is None


def test_a_desktop_whose_profile_is_not_a_user_chooses_one(private_home: Path) -> None:
    office(None)  # type: ignore[arg-type]
    s = services()
    try:
        s.profile.choose("gone")
        identity = local_identity(s.store, s.profile)
        assert identity.user is None
        assert {u.name for u in identity.users} == {"admin", "ann", "tani", "ming"}
        claimed = local_identity(s.store, s.profile, claimed="tani").user
        assert claimed is not None
        assert claimed.name == "tani"
        with pytest.raises(Refused, match="there is no user called nobody"):
            choose_local_user(s.store, s.profile, "nobody")
        assert choose_local_user(s.store, s.profile, "tani").role is Role.JUDGE
        assert s.profile.name() == "tani"
    finally:
        s.close()


# --- the address book ----------------------------------------------------------------------------
ADDRESSEE = {"honorific": "The Honorable", "name": "Xavier Becerra", "title": "Attorney General of California",
             "organization": "California Department of Justice", "address": ["1300 I Street", " ", "Sacramento"]}


def test_clerk_adds_and_updates_an_address_book_entry(db_url: str) -> None:  # noqa: F811
    clerk = office(db_url, "ann")
    try:
        book = AddressBookService(clerk.store, lambda: clerk.drafts.user)
        before = len(book.list())
        entry, new = book.save(address_entry(ADDRESSEE))
        assert new
        assert entry.id > 0
        assert entry.address == ("1300 I Street", "Sacramento")
        found = [e for e in book.list() if e.name == "Xavier Becerra"]
        assert found == [entry]
        assert found[0].to_addressee() == {**ADDRESSEE, "address": ["1300 I Street", "Sacramento"]}

        moved = address_entry({**ADDRESSEE, "address": ["455 Golden Gate Avenue", "San Francisco"],
                               "salutation": "Dear General Becerra:"})
        updated, new = book.save(moved)
        assert not new
        assert updated.id == entry.id
        assert len(book.list()) == before + 1
        again = next(e for e in book.list() if e.name == "Xavier Becerra")
        assert again.address == ("455 Golden Gate Avenue", "San Francisco")
        assert again.salutation == "Dear General Becerra:"
    finally:
        clerk.close()
    actions = [(actor, action) for actor, action, _detail in _events(db_url)]
    assert ("ann", "address_added") in actions
    assert ("ann", "address_updated") in actions


def test_a_judge_may_not_change_the_address_book_and_an_entry_needs_a_name(
        db_url: str) -> None:  # noqa: F811
    judge = office(db_url, "tani")
    admin = office(db_url, "admin")
    try:
        book = AddressBookService(judge.store, lambda: judge.drafts.user)
        count = len(book.list())
        with pytest.raises(Refused, match=r"tani is a judge .* needs a clerk or an admin"):
            book.save(address_entry(ADDRESSEE))
        admin_book = AddressBookService(admin.store, lambda: admin.drafts.user)
        with pytest.raises(Refused, match="needs the addressee's name"):
            admin_book.save(AddressBookEntry(0, "  ", "Judge"))
        assert len(book.list()) == count
        assert admin_book.save(address_entry(ADDRESSEE))[1]
    finally:
        judge.close()
        admin.close()
