"""The approved .docx leaves a PostgreSQL database only through an audited export (migration 0007):
no member login reads the bytes directly, a clerk's not at all, and each release by a judge is an
audit event in the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from app.bootstrap import services
from app.core.workflow import Status
from app.services.drafts import VERIFIED
from tests.conftest import sample_data
from tests.storage.dbfixtures import postgres_template, postgres_url  # noqa: F401
from tests.storage.test_postgres_enforcement import audit_intact, letter_at, login_url, roles  # noqa: F401

pytestmark = pytest.mark.postgres

RELEASE = "SELECT chambers_approved_docx(:who, id) FROM approvals WHERE letter_id = :l"


@pytest.fixture
def logins(roles: str) -> Iterator[dict[str, Engine]]:  # noqa: F811
    engines = {name: create_engine(login_url(roles, name).replace("postgresql://", "postgresql+psycopg://", 1))
               for name in ("ann", "tani", "ming", "admin")}
    yield engines
    for engine in engines.values():
        engine.dispose()


def releases(url: str, letter: int) -> list[tuple[str, dict[str, object]]]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, detail FROM audit_log WHERE letter_id = :l "
                                 "AND action = 'approved_letter_released' ORDER BY id"), {"l": letter}).all()
    engine.dispose()
    return [(actor, json.loads(detail)) for actor, detail in rows]


@pytest.mark.parametrize("who", ["ann", "tani", "ming", "admin"])
def test_no_member_login_selects_the_approved_bytes(roles: str, logins: dict[str, Engine], who: str) -> None:  # noqa: F811
    letter = letter_at(roles, Status.APPROVED)
    for statement in ("SELECT docx FROM approvals", "SELECT * FROM approvals",
                      "SELECT length(docx) FROM approvals", "SELECT a FROM approvals a"):
        with pytest.raises(DBAPIError, match="permission denied"), logins[who].connect() as conn:
            conn.execute(text(statement))
    with logins[who].connect() as conn:  # everything else about the approval stays readable
        approver, signed_for = conn.execute(text("SELECT approver, signed_for FROM approvals WHERE letter_id = :l"),
                                            {"l": letter}).one()
    assert (approver, signed_for) == ("tani", None)
    assert releases(roles, letter) == []


def test_a_clerk_gets_no_approved_bytes_through_the_function_either(roles: str,  # noqa: F811
                                                                     logins: dict[str, Engine]) -> None:
    """Not granted to clerks; and were it granted by mistake, the function itself refuses them."""
    letter = letter_at(roles, Status.APPROVED)
    for claimed in ("ann", "tani"):
        with pytest.raises(DBAPIError, match=r"permission denied for function chambers_approved_docx"), \
                logins["ann"].begin() as conn:
            conn.execute(text(RELEASE), {"who": claimed, "l": letter})
    owner = create_engine(roles.replace("postgresql://", "postgresql+psycopg://", 1))
    with owner.begin() as conn:
        conn.execute(text("GRANT EXECUTE ON FUNCTION chambers_approved_docx(text, integer) TO chambers_clerk"))
    owner.dispose()
    with pytest.raises(DBAPIError, match="only a judge exports the final letter"), logins["ann"].begin() as conn:
        conn.execute(text(RELEASE), {"who": "ann", "l": letter})
    clerk = services(login_url(roles, "ann"))
    try:
        detail = clerk.drafts.get(letter)
        assert detail.approval is not None
        assert detail.approval.docx == b""
        assert detail.summary.status is Status.APPROVED
    finally:
        clerk.close()
    assert releases(roles, letter) == []
    audit_intact(roles)


def test_a_judges_export_releases_the_bytes_once_and_records_it(roles: str, tmp_path: Path) -> None:  # noqa: F811
    letter = letter_at(roles, Status.APPROVED)
    judge = services(login_url(roles, "ming"))  # any judge exports the final letter, not only its approver
    try:
        report = judge.drafts.export(letter, tmp_path / "letter.docx")
        assert report.final
        assert judge.drafts.verify(tmp_path / "letter.docx").code == VERIFIED
    finally:
        judge.close()
    ((actor, detail),) = releases(roles, letter)
    owner = services(roles)
    approval = owner.drafts.get(letter).approval
    owner.close()
    assert approval is not None
    assert actor == "ming"
    assert detail == {"approval": approval.id, "content_sha256": approval.content_sha256, "version": 1}
    audit_intact(roles)


def test_a_withdrawn_approval_is_never_released(roles: str, logins: dict[str, Engine]) -> None:  # noqa: F811
    letter = letter_at(roles, Status.APPROVED)
    clerk = services(login_url(roles, "ann"))
    try:
        clerk.drafts.update(letter, {**sample_data(), "subject": "Edited after approval"}, 1)
    finally:
        clerk.close()
    with pytest.raises(DBAPIError, match="is not in force"), logins["tani"].begin() as conn:
        conn.execute(text(RELEASE), {"who": "tani", "l": letter})
    with pytest.raises(DBAPIError, match="only in its own name, not as ming"), logins["tani"].begin() as conn:
        conn.execute(text(RELEASE), {"who": "ming", "l": letter})
    assert releases(roles, letter) == []

