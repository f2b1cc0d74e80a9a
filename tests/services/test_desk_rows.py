"""The window's drafts list (ServiceDesk.rows): built from the summaries, never loading a letter."""

from __future__ import annotations

from typing import Any

import pytest

from app.services.desk import ServiceDesk
from app.services.drafts import Drafts
from tests.services.test_drafts_list import Statements, in_review, letter_signed_by
from tests.storage.dbfixtures import JUDGE_FULL_NAME, as_user, db_url, office, postgres_template  # noqa: F401


def _no_get(self: Drafts, letter_id: int) -> Any:
    raise AssertionError(f"the drafts list loaded letter {letter_id} on its own")


def test_rows_come_from_one_query_with_names_date_and_the_queue(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        tanis = in_review(clerk, letter_signed_by(JUDGE_FULL_NAME, "Signed by Tani", "Loretta Lynch"))
        mings = in_review(clerk, letter_signed_by("Ming W. Chin", "Signed by Ming"))
        anyones = in_review(clerk, letter_signed_by("A Visiting Judge", "Signed by nobody here"))
        draft = clerk.drafts.create("officials-concern", letter_signed_by(JUDGE_FULL_NAME, "A draft")).id
    finally:
        clerk.close()
    tani = as_user(db_url, "tani")
    monkeypatch.setattr(Drafts, "get", _no_get)
    try:
        desk = ServiceDesk(tani)
        desk.rows("", "")  # a first call may load what SQLAlchemy caches
        with Statements(tani) as statements:
            rows = {r.id: r for r in desk.rows("", "")}
        assert len(statements.seen) == 1, statements.seen
        assert set(rows) == {tanis, mings, anyones, draft}
        row = rows[tanis]
        assert row.addressees == "Loretta Lynch, John F. Kelly"
        assert row.date == "November 30, 2026"
        assert (row.status, row.updated_by, row.mine) == ("in_review", "ann", False)
        assert {i for i, r in rows.items() if r.waiting_for_me} == {tanis, anyones}
        assert {r.id for r in desk.rows("", "mine")} == {tanis, anyones}
        assert [r.id for r in desk.rows("visiting", "in_review")] == [anyones]
    finally:
        tani.close()
    clerk = as_user(db_url, "ann")
    monkeypatch.setattr(Drafts, "get", _no_get)
    try:
        desk = ServiceDesk(clerk)
        mine = desk.rows("", "mine")
        assert {r.id for r in mine} == {tanis, mings, anyones, draft}
        assert not any(r.waiting_for_me for r in mine)  # a clerk's list waits for no one
    finally:
        clerk.close()
