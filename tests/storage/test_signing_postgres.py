"""On PostgreSQL (after `db init-roles`) the database keeps certificates and trust anchors an
admin's: the admin's own login binds and trusts through Chambers, audited; a judge's own login
cannot bind itself a certificate nor trust a CA of its choosing, and nobody deletes a row."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from app.bootstrap import services
from app.storage.database import init_roles
from tests.signing_office import issue, root
from tests.storage.dbfixtures import JUDGE_FULL_NAME, office, postgres_template, postgres_url  # noqa: F401
from tests.storage.test_postgres_enforcement import login_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles(postgres_url: str) -> str:  # noqa: F811
    s = office(postgres_url)
    init_roles(s.store, {u.name: u.role.value for u in s.users.list()})  # type: ignore[arg-type]
    s.close()
    return postgres_url


@pytest.fixture
def judge_login(roles: str) -> Iterator[Engine]:
    engine = create_engine(login_url(roles, "tani").replace("postgresql://", "postgresql+psycopg://", 1))
    yield engine
    engine.dispose()


def test_only_the_admins_login_binds_and_trusts_and_no_row_is_deleted(roles: str, judge_login: Engine) -> None:
    ca = root()
    admin = services(login_url(roles, "admin"))
    try:
        assert admin.store.login() == ("admin", False)
        anchor = admin.signing.trust_add(ca.pem)
        bound = admin.signing.bind_certificate("tani", issue(ca, JUDGE_FULL_NAME).pem)
        assert bound.bound_by == "admin"
        _count, broken, why = admin.drafts.audit_check()
        assert broken is None, why
    finally:
        admin.close()

    rogue = issue(root("Rogue CA"), JUDGE_FULL_NAME)
    for statement in (
            "INSERT INTO signing_certificates (user_name, sha256, der, subject, not_after, bound_by, bound_at) "
            "VALUES ('tani', repeat('a', 64), :der, 'CN=x', '2099-01-01T00:00:00.000000Z', 'tani', "
            "'2026-01-01T00:00:00.000000Z')",
            "INSERT INTO trust_anchors (sha256, der, subject, added_by, added_at) "
            "VALUES (repeat('b', 64), :der, 'CN=Rogue CA', 'tani', '2026-01-01T00:00:00.000000Z')",
            "UPDATE trust_anchors SET der = :der",
            "DELETE FROM signing_certificates"):
        with pytest.raises(DBAPIError, match="permission denied"), judge_login.begin() as conn:
            conn.execute(text(statement), {"der": rogue.der})

    admin_engine = create_engine(login_url(roles, "admin").replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with pytest.raises(DBAPIError, match="permission denied"), admin_engine.begin() as conn:
            conn.execute(text("DELETE FROM trust_anchors"))
    finally:
        admin_engine.dispose()
    check = office(roles)
    try:
        assert [a.sha256 for a in check.signing.trust_list()] == [anchor.sha256]
        with check.store.read() as tx:
            assert tx.signing.certificate("tani") == bound
    finally:
        check.close()
