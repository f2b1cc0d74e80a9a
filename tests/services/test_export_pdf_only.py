"""The approved letter exported as a PDF alone (``Drafts.export_pdf``): made from the approved bytes
as released and checked, never from bytes a login cannot read, and recorded as an export."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from app.bootstrap import Services
from app.core.workflow import Refused, Status
from tests.conftest import sample_data
from tests.storage.dbfixtures import office, postgres_template, postgres_url  # noqa: F401
from tests.storage.test_postgres_enforcement import login_url, roles  # noqa: F401


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _approved(clerk: Services, judge: Services) -> int:
    letter = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter)
    judge.drafts.approve(letter, expect_version=1)
    return letter


def _exports(chambers: Services, letter: int) -> list[dict[str, object]]:
    _summary, _versions, events = chambers.drafts.history(letter)
    return [json.loads(e.detail) for e in events if e.action == "export_final"]


def _export_pdf_alone(clerk: Services, judge: Services, folder: Path) -> None:
    letter = _approved(clerk, judge)
    pdf = folder / "approved.pdf"
    assert judge.drafts.export_pdf(letter, pdf) == pdf
    assert not (folder / "approved.docx").exists()
    text = _pdf_text(pdf)
    assert "Dear Attorney General Sessions and Secretary Kelly:" in text
    assert "DRAFT" not in text
    assert judge.drafts.get(letter).summary.status is Status.EXPORTED
    (event,) = _exports(judge, letter)
    assert {k: event[k] for k in ("file", "pdf", "docx", "from", "to")} == \
        {"file": "approved.pdf", "pdf": True, "docx": False, "from": "approved", "to": "exported"}


@pytest.mark.libreoffice
def test_a_judge_exports_the_approved_letter_as_a_pdf_alone_on_sqlite(tmp_path: Path, libreoffice: None) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    clerk, judge = office(url, "ann"), office(url, "tani")
    try:
        _export_pdf_alone(clerk, judge, tmp_path)
    finally:
        clerk.close()
        judge.close()


@pytest.mark.postgres
@pytest.mark.libreoffice
def test_a_judges_own_login_exports_the_pdf_from_the_released_bytes_on_postgres(
        roles: str, tmp_path: Path, libreoffice: None) -> None:  # noqa: F811
    """A member login reads the approved bytes empty; the PDF comes from the audited release."""
    clerk, judge = office(login_url(roles, "ann"), "ann"), office(login_url(roles, "tani"), "tani")
    try:
        _export_pdf_alone(clerk, judge, tmp_path)
        owner = office(roles)
        try:
            (letter,) = [s.id for s in owner.drafts.find()]
            _summary, _versions, events = owner.drafts.history(letter)
        finally:
            owner.close()
        assert [e.actor for e in events if e.action == "approved_letter_released"] == ["tani"]
    finally:
        clerk.close()
        judge.close()


def test_a_draft_has_no_final_pdf_and_nothing_is_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    clerk, judge = office(url, "ann"), office(url, "tani")
    try:
        letter = clerk.drafts.create("officials-concern", sample_data()).id
        clerk.drafts.submit(letter)
        with pytest.raises(Refused, match=f"letter {letter} is in review, not approved"):
            judge.drafts.export_pdf(letter, tmp_path / "draft.pdf")
        assert not (tmp_path / "draft.pdf").exists()
        assert _exports(judge, letter) == []
    finally:
        clerk.close()
        judge.close()


@pytest.mark.libreoffice
def test_the_per_addressee_copies_as_pdfs_alone_leave_any_docx_as_it_was(tmp_path: Path, libreoffice: None) -> None:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    clerk, judge = office(url, "ann"), office(url, "tani")
    try:
        letter = _approved(clerk, judge)
        folder = tmp_path / "copies"
        folder.mkdir()
        kept = folder / "2017-03-16 Letter to Secretary Kelly.docx"
        kept.write_bytes(b"the clerk's own file")
        paths = judge.drafts.export_copies_pdf(letter, folder)
        assert [p.name for p in paths] == ["2017-03-16 Letter to Attorney General Sessions.pdf",
                                           "2017-03-16 Letter to Secretary Kelly.pdf"]
        assert sorted(p.name for p in folder.iterdir()) == sorted([kept.name, *(p.name for p in paths)])
        assert kept.read_bytes() == b"the clerk's own file"
        assert "Dear Secretary Kelly:" in _pdf_text(paths[1])
        (event,) = _exports(judge, letter)
        assert (event["per_addressee"], event["docx"], event["files"]) == (2, False, [p.name for p in paths])
    finally:
        clerk.close()
        judge.close()
