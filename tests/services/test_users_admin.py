"""An admin manages people: roles, deactivation, signature images; never the last admin away."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.bootstrap import services
from app.core.workflow import NotFound, Refused, Role
from app.services.office import create_first_user, local_identity
from tests.storage.dbfixtures import (  # noqa: F401
    SIGNATURE_PNG,
    as_user,
    db_url,
    office,
    postgres_template,
    postgres_url,
)


def users(url: str) -> dict[str, tuple[Role, bool, bool]]:
    s = as_user(url, "admin")
    try:
        return {u.name: (u.role, u.active, u.signature_png is not None) for u in s.users.list()}
    finally:
        s.close()


def user_events(url: str) -> list[tuple[str, str, dict[str, object]]]:
    s = as_user(url, "admin")
    try:
        with s.store.read() as tx:
            events = list(tx.audit.events())
        return [(e.actor, e.action, json.loads(e.detail)) for e in events if e.action.startswith("user_")]
    finally:
        s.close()


def test_an_admin_changes_a_role_and_the_change_is_audited(db_url: str) -> None:  # noqa: F811
    admin = office(db_url)
    try:
        assert admin.users.set_role("ann", Role.JUDGE).startswith("ann is now a judge")
        assert admin.users.set_role("ann", Role.JUDGE) == "ann is already a judge"
    finally:
        admin.close()
    assert users(db_url)["ann"][0] is Role.JUDGE
    assert ("admin", "user_role_changed") in [(a, b) for a, b, _ in user_events(db_url)]
    ann = as_user(db_url, "ann")
    try:
        assert ann.drafts.user.role is Role.JUDGE
    finally:
        ann.close()


@pytest.mark.parametrize("change", ["role", "deactivate", "activate", "signature"])
def test_only_an_admin_changes_users_and_a_refusal_changes_nothing(db_url: str, change: str) -> None:  # noqa: F811
    office(db_url).close()
    before = users(db_url), len(user_events(db_url))
    clerk = as_user(db_url, "ann")
    attempts = {"role": lambda: clerk.users.set_role("ann", Role.CLERK),
                "deactivate": lambda: clerk.users.deactivate("tani"),
                "activate": lambda: clerk.users.activate("tani"),
                "signature": lambda: clerk.users.set_signature("tani", None)}
    try:
        with pytest.raises(Refused, match="ann is a clerk and a clerk may not manage users; that needs an admin"):
            attempts[change]()
    finally:
        clerk.close()
    assert (users(db_url), len(user_events(db_url))) == before


def test_the_last_admin_cannot_be_demoted_or_deactivated(db_url: str) -> None:  # noqa: F811
    admin = office(db_url)
    try:
        with pytest.raises(Refused, match="admin is the last active admin and cannot be made clerk"):
            admin.users.set_role("admin", Role.CLERK)
        with pytest.raises(Refused, match="cannot deactivate their own account"):
            admin.users.deactivate("admin")
        admin.users.set_role("ming", Role.ADMIN)
        assert admin.users.set_role("admin", Role.CLERK).startswith("admin is now a clerk")
    finally:
        admin.close()
    ming = as_user(db_url, "ming")
    try:
        with pytest.raises(Refused, match="ming is the last active admin and cannot be made judge"):
            ming.users.set_role("ming", Role.JUDGE)
        with pytest.raises(NotFound, match="no user called nobody"):
            ming.users.set_role("nobody", Role.CLERK)
    finally:
        ming.close()
    assert users(db_url)["ming"][0] is Role.ADMIN


def test_a_deactivated_user_cannot_act_until_reactivated(db_url: str) -> None:  # noqa: F811
    admin = office(db_url)
    try:
        assert admin.users.deactivate("ann") == "deactivated ann"
    finally:
        admin.close()
    assert users(db_url)["ann"][1] is False
    ann = as_user(db_url, "ann")
    try:
        with pytest.raises(Refused, match=r"ann is deactivated and can no longer act.*users activate ann"):
            _ = ann.drafts.user
        # Nobody who is deactivated is this desktop's identity either.
        assert local_identity(ann.store, ann.profile, claimed="ann").user is None
    finally:
        ann.close()
    admin = as_user(db_url, "admin")
    try:
        assert admin.users.reactivate("ann") == "reactivated ann"
    finally:
        admin.close()
    ann = as_user(db_url, "ann")
    try:
        assert ann.drafts.user.active
    finally:
        ann.close()
    actions = [b for _a, b, _d in user_events(db_url)]
    assert actions[-2:] == ["user_deactivated", "user_activated"]


def test_a_signature_image_is_set_checked_and_cleared(db_url: str) -> None:  # noqa: F811
    admin = office(db_url)
    try:
        assert admin.users.set_signature("ming", SIGNATURE_PNG) == "set the signature image of ming"
        assert users(db_url)["ming"][2] is True
        for bad, why in ((b"GIF89a....", "not a PNG"), (SIGNATURE_PNG[:20], "not a PNG"),
                         (b"\x89PNG\r\n\x1a\n" + b"\0" * 5_000_000, "the limit is")):
            with pytest.raises(Refused, match=why):
                admin.users.set_signature("tani", bad)
        with pytest.raises(Refused, match="not a PNG"):
            admin.users.add("zed", Role.JUDGE, signature_png=b"not an image")
        assert admin.users.set_signature("ming", None) == "removed the signature image of ming"
    finally:
        admin.close()
    after = users(db_url)
    assert after["ming"][2] is False
    assert after["tani"][2] is True  # the refused images left tani's own as it was
    assert "zed" not in after


def test_the_first_person_on_a_new_database_is_an_admin_or_gets_one_beside_them(tmp_path: Path,
                                                                                 private_home: Path) -> None:
    s = services(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    try:
        first = create_first_user(s.store, s.profile, "rosa", full_name="Rosa Admin")
        assert first.role is Role.ADMIN
        assert [u.name for u in s.users.list()] == ["rosa"]
    finally:
        s.close()
    s = services(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    try:
        create_first_user(s.store, s.profile, "ann", Role.CLERK, admin_name="office")
        assert {u.name: u.role for u in s.users.list()} == {"ann": Role.CLERK, "office": Role.ADMIN}
        # The admin beside the first clerk is how a judge gets added.
        office_admin = services(f"sqlite:///{tmp_path / 'b.sqlite3'}", as_user="office")
        try:
            office_admin.users.add("tani", Role.JUDGE)
        finally:
            office_admin.close()
    finally:
        s.close()
    s = services(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    try:
        with pytest.raises(Refused, match="cannot be both the first clerk and the admin"):
            create_first_user(s.store, s.profile, "admin", Role.CLERK)
        assert s.users.list() == []
    finally:
        s.close()


@pytest.mark.postgres
def test_a_deactivated_users_database_login_can_no_longer_connect(postgres_url: str) -> None:  # noqa: F811
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from app.storage.database import init_roles
    from tests.storage.test_postgres_roles import login_url

    # Logins belong to the whole server: this test uses one no other test connects as.
    leaver = "wf_leaving_clerk"
    admin = office(postgres_url)
    try:
        admin.users.add(leaver, Role.CLERK)
        init_roles(admin.store, {u.name: u.role.value for u in admin.users.list()})  # type: ignore[arg-type]
        assert admin.users.deactivate(leaver) == f"deactivated {leaver}; database login {leaver} can no longer connect"
    finally:
        admin.close()
    engine = create_engine(login_url(postgres_url, leaver))
    try:
        with pytest.raises(OperationalError, match="not permitted to log in"), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
        admin = as_user(postgres_url, "admin")
        try:
            assert admin.users.activate(leaver).endswith(f"login {leaver} may connect again")
        finally:
            admin.close()
    again = services(login_url(postgres_url, leaver))
    try:
        assert again.drafts.user.name == leaver
    finally:
        again.close()


def test_an_admin_who_makes_themself_a_clerk_acts_as_a_clerk_at_once(db_url: str) -> None:  # noqa: F811
    """The services opened as the admin follow the change of their own role: no further admin's step."""
    admin = office(db_url)
    try:
        admin.users.set_role("ann", Role.ADMIN)  # the office keeps an admin
        assert admin.drafts.user.role is Role.ADMIN
        assert admin.users.set_role("admin", Role.CLERK).startswith("admin is now a clerk")
        assert admin.drafts.user.role is Role.CLERK
        with pytest.raises(Refused):
            admin.users.set_role("tani", Role.CLERK)
    finally:
        admin.close()
    assert users(db_url)["tani"][0] is Role.JUDGE
