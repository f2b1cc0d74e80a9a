"""The drafts list: one query per list, each row carrying what it shows; a judge's review queue."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sqlalchemy import event

from app.bootstrap import Services
from app.core.workflow import Status
from tests.conftest import sample_data
from tests.storage.dbfixtures import JUDGE_FULL_NAME, as_user, db_url, office, postgres_template  # noqa: F401


def letter_signed_by(signatory: str, subject: str, addressee: str = "Jeff Sessions") -> dict[str, Any]:
    data = copy.deepcopy(sample_data())
    data["subject"] = subject
    data["signatory"]["name"] = signatory
    data["addressees"][0]["name"] = addressee
    data["date"] = "2026-11-30"
    return data


def in_review(clerk: Services, data: dict[str, Any]) -> int:
    letter = clerk.drafts.create("officials-concern", data)
    clerk.drafts.submit(letter.id)
    return letter.id


class Statements:
    """Counts the SQL statements a block sends (BEGIN/COMMIT aside)."""

    def __init__(self, s: Services) -> None:
        self.engine: Any = s.store.engine  # type: ignore[attr-defined]
        self.seen: list[str] = []

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.strip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SET ", "SHOW ")):
            self.seen.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_each_row_shows_signatory_addressees_date_and_who_it_waits_for(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        mine = in_review(clerk, letter_signed_by(f"  {JUDGE_FULL_NAME.upper()} ", "For the Chief Justice",
                                                 "Loretta Lynch"))
        draft = clerk.drafts.create("officials-concern", letter_signed_by("Ming W. Chin", "Still a draft")).id
        clerk.drafts.find()  # a first call may load what SQLAlchemy caches
        with Statements(clerk) as statements:
            rows = {r.id: r for r in clerk.drafts.find()}
        assert len(statements.seen) == 1, statements.seen
        row = rows[mine]
        assert row.signatory == JUDGE_FULL_NAME.upper()
        assert row.addressees == ("Loretta Lynch", "John F. Kelly")
        assert row.letter_date == dt.date(2026, 11, 30)
        assert (row.judge, row.waiting_for) == ("tani", "tani")
        assert (row.created_by, row.updated_by, row.version) == ("ann", "ann", 1)
        assert (rows[draft].judge, rows[draft].waiting_for) == ("ming", None)  # a draft waits for nobody
        assert rows[draft].to_json()["signatory"] == "Ming W. Chin"
    finally:
        clerk.close()


def test_a_judges_queue_holds_their_letters_and_those_any_judge_may_take(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        tanis = in_review(clerk, letter_signed_by(JUDGE_FULL_NAME, "Signed by Tani"))
        mings = in_review(clerk, letter_signed_by("Ming W. Chin", "Signed by Ming"))
        anyones = in_review(clerk, letter_signed_by("A Visiting Judge", "Signed by a judge who is no user"))
        clerk.drafts.create("officials-concern", letter_signed_by(JUDGE_FULL_NAME, "A draft for Tani"))
    finally:
        clerk.close()
    tani = as_user(db_url, "tani")
    try:
        assert {r.id for r in tani.drafts.waiting_for()} == {tanis, anyones}
        assert {r.id for r in tani.drafts.waiting_for("ming")} == {mings, anyones}
        assert [r.id for r in tani.drafts.waiting_for(search="visiting")] == [anyones]
        assert all(r.status is Status.IN_REVIEW for r in tani.drafts.waiting_for())
    finally:
        tani.close()
    # Ming leaves: his letters wait for any judge.
    admin = as_user(db_url, "admin")
    try:
        admin.users.deactivate("ming")
    finally:
        admin.close()
    tani = as_user(db_url, "tani")
    try:
        assert {r.id for r in tani.drafts.waiting_for()} == {tanis, mings, anyones}
    finally:
        tani.close()


def test_an_edit_keeps_the_row_up_to_date(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        letter = clerk.drafts.create("officials-concern", sample_data())
        clerk.drafts.update(letter.id, letter_signed_by("Ming W. Chin", "Re-signed", "Kamala Harris"), 1)
        (row,) = clerk.drafts.find()
        assert (row.subject, row.signatory, row.addressees[0], row.judge) == (
            "Re-signed", "Ming W. Chin", "Kamala Harris", "ming")
    finally:
        clerk.close()
