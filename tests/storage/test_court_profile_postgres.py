"""On PostgreSQL the database itself keeps the court profile an admin's: each attack runs as a
person's OWN login (after `db init-roles`) and is refused, changing nothing; the admin's own
login, through Chambers, changes it with every row vouching for its audit event."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from app.bootstrap import services
from app.core.workflow import Refused
from app.storage.database import init_roles
from tests.services.test_court_profile import png, reference
from tests.storage.dbfixtures import office, postgres_template, postgres_url  # noqa: F401
from tests.storage.test_postgres_enforcement import login_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles(postgres_url: str) -> str:  # noqa: F811
    s = office(postgres_url)
    init_roles(s.store, {u.name: u.role.value for u in s.users.list()})  # type: ignore[arg-type]
    s.close()
    return postgres_url


@pytest.fixture
def logins(roles: str) -> Iterator[dict[str, Engine]]:
    engines = {name: create_engine(login_url(roles, name).replace("postgresql://", "postgresql+psycopg://", 1))
               for name in ("ann", "tani", "admin")}
    yield engines
    for engine in engines.values():
        engine.dispose()


def as_login(url: str, name: str) -> Any:
    return services(login_url(url, name))


def state(url: str) -> tuple[Any, ...]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        profile = conn.execute(text("SELECT court, version, seal_sha256, audit_id FROM court_profile")).all()
        seals = conn.execute(text("SELECT sha256 FROM court_seals ORDER BY sha256")).scalars().all()
        events = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    engine.dispose()
    return tuple(profile), tuple(seals), events


def refused(engine: Engine, statements: list[tuple[str, dict[str, Any]]], match: str) -> None:
    def run() -> None:
        with engine.begin() as conn:
            for statement, params in statements:
                conn.execute(text(statement), params)

    with pytest.raises(DBAPIError, match=match):
        run()


def test_the_admins_own_login_sets_the_profile_through_chambers(roles: str) -> None:
    admin = as_login(roles, "admin")
    seal = png(64, 64)
    try:
        assert admin.store.login() == ("admin", False)
        admin.court.update(0, court="Superior Court of Sierra Vista", address=["Hall of Justice"],
                           signatory_name="Tani G. Cantil-Sakauye", signatory_title="Presiding Judge")
        profile = admin.court.update(1, seal_png=seal, chambers="Chambers of the Presiding Judge")
        assert (profile.version, profile.seal, profile.updated_by) == (2, reference(seal), "admin")
    finally:
        admin.close()
    clerk = as_login(roles, "ann")
    try:
        assert clerk.court.get().chambers == "Chambers of the Presiding Judge"
        assert clerk.court.seal(reference(seal)) == seal  # every login reads the seals it renders
        with pytest.raises(Refused, match="may not change the court profile"):
            clerk.court.update(None, court="Court of Mallory")
        assert clerk.drafts.audit_check()[1] is None
    finally:
        clerk.close()


PROFILE_ROW = ("INSERT INTO court_profile (id, court, version, updated_by, updated_at) "
               "VALUES (1, 'Court of Mallory', 1, :by, 'x')")


@pytest.mark.parametrize("who", ["ann", "tani"])
def test_a_clerks_or_judges_login_cannot_write_the_profile_or_a_seal(roles: str, logins: dict[str, Engine],
                                                                      who: str) -> None:
    admin = as_login(roles, "admin")
    admin.court.update(0, court="Superior Court of Sierra Vista")
    admin.close()
    before = state(roles)
    refused(logins[who], [("UPDATE court_profile SET court = 'Court of Mallory'", {})], "permission denied")
    refused(logins[who], [("DELETE FROM court_profile", {})], "permission denied")
    image = png(40, 40)
    refused(logins[who], [("INSERT INTO court_seals (sha256, png, width, height, added_by, added_at) "
                           "VALUES (:h, :p, 40, 40, :by, 'x')",
                           {"h": hashlib.sha256(image).hexdigest(), "p": image, "by": who})], "permission denied")
    assert state(roles) == before


def test_an_admins_login_cannot_change_the_profile_without_its_audit_event(roles: str,
                                                                           logins: dict[str, Engine]) -> None:
    admin = as_login(roles, "admin")
    admin.court.update(0, court="Superior Court of Sierra Vista")
    admin.close()
    before = state(roles)
    # No event at all.
    refused(logins["admin"], [("UPDATE court_profile SET court = 'Court of Mallory', version = 2", {})],
            "court_profile written without its audit event")
    # An event of its own, but one that says something else than the row.
    detail = json.dumps({"court": "Superior Court of Sierra Vista", "chambers": "", "address": [], "phone": "",
                         "email": "", "seal": None, "signatory_name": "", "signatory_title": "", "version": 2})

    def vouched_by_another_event() -> None:
        with logins["admin"].begin() as conn:
            event = conn.execute(text("SELECT * FROM chambers_audit_append('admin', 'court_profile_changed', "
                                      "NULL, :d, '{}')"), {"d": detail}).one()
            conn.execute(text("UPDATE court_profile SET court = 'Court of Mallory', version = 2, "
                              "updated_by = 'admin', audit_id = :i, audit_hash = :h, audit_prev = :p"),
                         {"i": event.event_id, "h": event.event_hash, "p": event.event_prev})

    with pytest.raises(DBAPIError, match="court_profile written without its audit event"):
        vouched_by_another_event()
    assert state(roles) == before


def test_a_seal_row_must_hold_the_image_its_hash_names_and_is_never_changed(roles: str,
                                                                             logins: dict[str, Engine]) -> None:
    admin = as_login(roles, "admin")
    first = png(48, 48)
    admin.court.update(0, seal_png=first, court="Superior Court of Sierra Vista")
    admin.close()
    before = state(roles)
    other = png(48, 48, shade=0x99)
    refused(logins["admin"], [("INSERT INTO court_seals (sha256, png, width, height, added_by, added_at) "
                               "VALUES (:h, :p, 48, 48, 'admin', 'x')",
                               {"h": hashlib.sha256(first).hexdigest()[::-1], "p": other})],
            "the hash does not match the image bytes")
    owner = create_engine(roles.replace("postgresql://", "postgresql+psycopg://", 1))
    try:  # not even the owner's login rewrites or removes a seal a letter may pin
        refused(owner, [("UPDATE court_seals SET png = :p", {"p": other})], "never changed")
        refused(owner, [("DELETE FROM court_seals", {})], "never removed")
        refused(owner, [("DELETE FROM court_profile", {})], "never removed")
    finally:
        owner.dispose()
    assert state(roles) == before


def test_upgrading_an_office_whose_roles_exist_opens_the_new_tables_to_them(roles: str) -> None:
    from tests.services.test_address_book_names import _migrate

    owner = services(roles)
    try:
        _migrate(owner.store, "0005", down=True)
        _migrate(owner.store, "head")
    finally:
        owner.close()
    admin = as_login(roles, "admin")
    try:  # no `db init-roles` again: the migration granted what the admin group needs
        admin.court.update(0, seal_png=png(50, 50), court="Superior Court of Sierra Vista")
    finally:
        admin.close()
    judge = as_login(roles, "tani")
    try:
        assert judge.court.get().court == "Superior Court of Sierra Vista"
        assert judge.drafts.audit_check()[1] is None
    finally:
        judge.close()


def test_member_logins_write_and_approve_a_letter_with_the_offices_seal(roles: str, tmp_path: Path) -> None:
    import io
    import zipfile

    from tests.conftest import sample_data

    seal = png(60, 60, shade=0x55)
    admin = as_login(roles, "admin")
    try:
        admin.court.update(0, seal_png=seal, court="Superior Court of Sierra Vista",
                           signatory_name="Tani G. Cantil-Sakauye", signatory_title="Presiding Judge")
    finally:
        admin.close()
    clerk = as_login(roles, "ann")
    try:
        defaults = clerk.court.new_letter_defaults()
        assert defaults is not None
        letter_id = clerk.drafts.create("officials-concern", {**sample_data(), "sender": defaults[0],
                                                              "signatory": defaults[1]}).id
        clerk.drafts.submit(letter_id)
    finally:
        clerk.close()
    judge = as_login(roles, "tani")
    try:
        judge.drafts.approve(letter_id, 1)
        # The judge's login reads the approved bytes only through an audited export (migration 0007).
        judge.drafts.export(letter_id, tmp_path / "letter.docx")
        with zipfile.ZipFile(io.BytesIO((tmp_path / "letter.docx").read_bytes())) as package:
            assert package.read("word/media/seal.png") == seal
        assert judge.drafts.audit_check()[1] is None
    finally:
        judge.close()
