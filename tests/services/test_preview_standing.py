"""The fast preview says what the letter on screen is: an approved letter shows "Approved version N by
Judge X" and no DRAFT mark; a draft, a letter in review, a withdrawn approval or an approved letter being
edited keep the template's "DRAFT — not approved"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Services
from app.services.checking import check_letter
from app.services.standing import approved_standing
from tests.conftest import sample_data
from tests.storage.dbfixtures import JUDGE_FULL_NAME, office

DRAFT_MARK = "DRAFT \u2014 not approved"


@pytest.fixture
def court(tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    clerk, judge = office(url, "ann"), office(url, "tani")
    yield clerk, judge
    clerk.close()
    judge.close()


def _preview_of(chambers: Services, letter: int, *, edited: bool = False) -> tuple[str | None, str, str]:
    detail = chambers.drafts.get(letter)
    names = {u.name: u.shown for u in chambers.users.list()}  # as the office desk's shown_name gives them
    standing = approved_standing(detail, edited=edited, shown_name=names.__getitem__)
    pack = chambers.drafts.library.get(detail.summary.template_id)
    check = check_letter(pack, detail.current.data, standing=standing)
    assert check.preview is not None
    return standing, check.preview.html, check.preview.text


def test_an_approved_letter_is_previewed_as_approved_by_its_judge(court: tuple[Services, Services]) -> None:
    clerk, judge = court
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter)
    approval = judge.drafts.approve(letter, 1)
    standing, page, text = _preview_of(clerk, letter)
    assert standing == f"Approved version {approval.version} by Judge {JUDGE_FULL_NAME}"
    assert page.startswith(f"<html><body><p><b>Approved version {approval.version} by Judge Tani G. "
                           "Cantil-Sakauye</b></p><hr/>")
    assert "DRAFT" not in page
    assert "DRAFT" not in text
    assert "Dear Attorney General Sessions and Secretary Kelly:" in text
    assert standing not in text  # the line is the preview's, not the letter's


def test_an_exported_letter_says_so_too(court: tuple[Services, Services], tmp_path: Path) -> None:
    clerk, judge = court
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter)
    judge.drafts.approve(letter, 1)
    judge.drafts.export(letter, tmp_path / "approved.docx")
    standing, _page, _text = _preview_of(judge, letter)
    assert standing is not None
    assert standing.endswith(f"by Judge {JUDGE_FULL_NAME} (exported)")


def test_what_is_not_the_approved_letter_keeps_the_draft_mark(court: tuple[Services, Services]) -> None:
    clerk, judge = court
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    assert _preview_of(clerk, letter)[0] is None  # a draft
    assert DRAFT_MARK in _preview_of(clerk, letter)[1]
    clerk.drafts.submit(letter)
    standing, page, _text = _preview_of(judge, letter)  # in review
    assert (standing, DRAFT_MARK in page) == (None, True)
    judge.drafts.approve(letter, 1)
    standing, page, _text = _preview_of(clerk, letter, edited=True)  # typed into since it was read
    assert (standing, DRAFT_MARK in page) == (None, True)
    detail = clerk.drafts.get(letter)
    clerk.drafts.update(letter, detail.current.data, detail.summary.version,
                        withdraws=detail.approval.id if detail.approval else None)
    standing, page, _text = _preview_of(clerk, letter)  # the approval withdrawn by the saved edit
    assert (standing, DRAFT_MARK in page, "Approved" in page) == (None, True, False)
