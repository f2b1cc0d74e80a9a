"""Drafting and review through the services, on SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from app.bootstrap import Services
from app.core.records import utc_now
from app.core.workflow import Conflict, Refused, Role, Status
from app.rendering.seal import content_hash, custom_properties
from tests.conftest import sample_data
from tests.storage.dbfixtures import as_user, db_url, office, postgres_template  # noqa: F401

USERS = {Role.CLERK: "ann", Role.JUDGE: "tani", Role.ADMIN: "admin"}
# Written out here rather than read from app.core.workflow, so the test states the rule.
ALLOWED = {
    Role.CLERK: {"create", "edit", "submit", "comment", "export_draft"},
    Role.JUDGE: {"comment", "request_changes", "approve", "export_final", "export_draft"},
    Role.ADMIN: {"manage_users", "manage_clauses"},
}
ACTIONS = ["create", "edit", "submit", "comment", "request_changes", "approve", "export_final",
           "export_draft", "manage_users", "manage_clauses"]


def edited(data: dict[str, Any], subject: str) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    changed["subject"] = subject
    return changed


def new_letter(url: str, status: Status = Status.DRAFT) -> int:
    """A letter by ann brought to ``status`` by the right people."""
    clerk = as_user(url, "ann")
    letter_id = clerk.drafts.create("officials-concern", sample_data()).id
    if status is not Status.DRAFT:
        clerk.drafts.submit(letter_id)
    clerk.close()
    if status in (Status.APPROVED, Status.CHANGES_REQUESTED):
        judge = as_user(url, "tani")
        if status is Status.APPROVED:
            judge.drafts.approve(letter_id, 1)
        else:
            judge.drafts.request_changes(letter_id, "Please shorten the second concern.")
        judge.close()
    return letter_id


def snapshot(s: Services, letter_id: int | None) -> tuple[Any, ...]:
    with s.store.read() as tx:
        events = len(list(tx.audit.events()))
        letter = tx.letters.get(letter_id) if letter_id else None
        versions = len(tx.letters.versions(letter_id)) if letter_id else 0
        return events, letter, versions, tx.users.count(), tx.clauses.count(), len(tx.letters.find())


def attempt(s: Services, action: str, letter_id: int | None, tmp_path: Path) -> None:
    if action == "create":
        s.drafts.create("officials-concern", sample_data())
    elif action == "edit":
        assert letter_id is not None
        s.drafts.update(letter_id, edited(sample_data(), "A new subject"), expect_version=1)
    elif action == "submit":
        s.drafts.submit(letter_id)  # type: ignore[arg-type]
    elif action == "comment":
        s.drafts.comment(letter_id, "Looks right.")  # type: ignore[arg-type]
    elif action == "request_changes":
        s.drafts.request_changes(letter_id, "Cite the statute.")  # type: ignore[arg-type]
    elif action == "approve":
        s.drafts.approve(letter_id, 1)  # type: ignore[arg-type]
    elif action in ("export_final", "export_draft"):
        report = s.drafts.export(letter_id, tmp_path / "out.docx")  # type: ignore[arg-type]
        assert report.final is (action == "export_final")
    elif action == "manage_users":
        s.users.add("newclerk", Role.CLERK)
    elif action == "manage_clauses":
        s.clauses.add("Access to courts", "Courts must remain open to all.", ("concern",))


STATE_FOR = {"edit": Status.DRAFT, "submit": Status.DRAFT, "comment": Status.DRAFT,
             "request_changes": Status.IN_REVIEW, "approve": Status.IN_REVIEW,
             "export_final": Status.APPROVED, "export_draft": Status.DRAFT}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_role_matrix(db_url: str, role: Role, action: str, tmp_path: Path) -> None:  # noqa: F811
    office(db_url).close()
    letter_id = new_letter(db_url, STATE_FOR[action]) if action in STATE_FOR else None
    s = as_user(db_url, USERS[role])
    before = snapshot(s, letter_id)
    if action in ALLOWED[role]:
        attempt(s, action, letter_id, tmp_path)
        assert snapshot(s, letter_id) != before
    else:
        with pytest.raises(Refused, match=f"{role.value} may not"):
            attempt(s, action, letter_id, tmp_path)
        assert snapshot(s, letter_id) == before, "a refused action must change nothing"
        assert not (tmp_path / "out.docx").exists()
    s.close()


def test_wrong_state_is_refused_and_changes_nothing(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    letter_id = new_letter(db_url)
    judge = as_user(db_url, "tani")
    before = snapshot(judge, letter_id)
    with pytest.raises(Refused, match="only a letter that is in review can be approved"):
        judge.drafts.approve(letter_id, 1)
    assert snapshot(judge, letter_id) == before
    judge.close()


def test_two_writers_one_conflict_no_lost_version(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    letter_id = new_letter(db_url)
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}
    writers = {name: as_user(db_url, "ann") for name in ("first", "second")}

    def write(name: str) -> None:
        s = writers[name]
        barrier.wait(30)
        try:
            results[name] = s.drafts.update(letter_id, edited(sample_data(), f"Subject by {name}"), 1)
        except Conflict as exc:
            results[name] = exc
        finally:
            s.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    conflicts = [r for r in results.values() if isinstance(r, Conflict)]
    saved = [r for r in results.values() if not isinstance(r, Conflict)]
    assert len(conflicts) == 1
    assert len(saved) == 1
    conflict = conflicts[0]
    assert conflict.author == "ann"
    assert conflict.current == 2
    assert conflict.expected == 1
    assert "changed by ann" in str(conflict)
    assert "nothing was overwritten" in str(conflict)
    s = as_user(db_url, "ann")
    _summary, versions, _events = s.drafts.history(letter_id)
    assert [v.number for v in versions] == [1, 2]
    # "Keep mine as a new version": save again on top of the version that won.
    loser = next(n for n, r in results.items() if isinstance(r, Conflict))
    kept = s.drafts.update(letter_id, edited(sample_data(), f"Subject by {loser}"), conflict.current)
    assert kept.version == 3
    assert s.drafts.get(letter_id).current.data["subject"] == f"Subject by {loser}"
    s.close()


def test_edit_after_approval_voids_it_and_says_so(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    letter_id = new_letter(db_url, Status.APPROVED)
    clerk = as_user(db_url, "ann")
    letter = clerk.drafts.update(letter_id, edited(sample_data(), "Changed after approval"), 1)
    assert letter.status is Status.DRAFT
    assert letter.approval_id is None
    _s, _v, events = clerk.drafts.history(letter_id)
    voided = [e for e in events if e.action == "approval_voided"]
    assert len(voided) == 1
    assert "edited after approval" in voided[0].detail
    with clerk.store.read() as tx:
        (approval,) = tx.letters.approvals_of(letter_id)
    assert approval.voided_by == "ann"
    clerk.close()


def test_signature_only_once_the_signing_judge_approved(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    office(db_url).close()
    draft_id = new_letter(db_url)
    judge = as_user(db_url, "tani")
    judge.drafts.export(draft_id, tmp_path / "draft.docx")
    draft_parts = [p.partname for p in Document(tmp_path / "draft.docx").part.package.iter_parts()]
    assert "/word/media/chambers-signature.png" not in draft_parts
    approved_id = new_letter(db_url, Status.APPROVED)
    approval = judge.drafts.get(approved_id).approval
    assert approval is not None
    judge.drafts.export(approved_id, tmp_path / "final.docx")
    parts = [p.partname for p in Document(tmp_path / "final.docx").part.package.iter_parts()]
    assert "/word/media/chambers-signature.png" in parts
    judge.close()
    # Another judge approves for the signatory: no signature image, room for a wet signature.
    other = new_letter(db_url, Status.IN_REVIEW)
    ming = as_user(db_url, "ming")
    ming.drafts.approve(other, 1, signing_for="Tani G. Cantil-Sakauye")
    ming.drafts.export(other, tmp_path / "other.docx")
    parts = [p.partname for p in Document(tmp_path / "other.docx").part.package.iter_parts()]
    assert "/word/media/chambers-signature.png" not in parts
    ming.close()


def test_approval_is_sealed_and_export_writes_the_stored_bytes(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    office(db_url).close()
    letter_id = new_letter(db_url, Status.APPROVED)
    judge = as_user(db_url, "tani")
    approval = judge.drafts.get(letter_id).approval
    assert approval is not None
    judge.drafts.export(letter_id, tmp_path / "a.docx")
    judge.drafts.export(letter_id, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == approval.docx == (tmp_path / "b.docx").read_bytes()
    assert content_hash(approval.docx) == approval.content_sha256
    props = custom_properties(approval.docx)
    assert props["Chambers.LetterId"] == str(letter_id)
    assert props["Chambers.Version"] == str(approval.version)
    assert props["Chambers.ContentSHA256"] == approval.content_sha256
    assert props["Chambers.ApprovedBy"] == "Tani G. Cantil-Sakauye"
    text = "\n".join(p.text for p in Document(tmp_path / "a.docx").paragraphs)
    assert "DRAFT" not in text
    assert judge.drafts.get(letter_id).summary.status is Status.EXPORTED
    judge.close()


def test_draft_export_is_marked_draft(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    office(db_url).close()
    letter_id = new_letter(db_url)
    clerk = as_user(db_url, "ann")
    report = clerk.drafts.export(letter_id, tmp_path / "d.docx")
    assert not report.final
    document = Document(tmp_path / "d.docx")
    texts = [p.text for p in document.paragraphs]
    for section in document.sections:
        texts += [p.text for p in section.header.paragraphs] + [p.text for p in section.first_page_header.paragraphs]
    assert any("DRAFT" in t for t in texts)
    clerk.close()


def test_comments_on_letter_and_paragraph_and_diff_since_review(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    letter_id = new_letter(db_url, Status.IN_REVIEW)
    judge = as_user(db_url, "tani")
    judge.drafts.comment(letter_id, "The second concern is long.", paragraph="concerns[1]")
    with pytest.raises(Refused, match="no paragraph"):
        judge.drafts.comment(letter_id, "Nowhere", paragraph="concerns[99]")
    judge.drafts.request_changes(letter_id, "Shorten it.")
    clerk = as_user(db_url, "ann")
    data = sample_data()
    data["concerns"][1] = "Enforcement at courthouses deters witnesses."
    clerk.drafts.update(letter_id, data, 1)
    diff = judge.drafts.diff(letter_id)
    assert (diff.from_version, diff.to_version) == (1, 2)
    assert [c.path for c in diff.fields] == ["concerns[1]"]
    assert diff.text.inserted > 0
    assert any("{+" in line and "witnesses" in line for line in diff.text.lines)
    comments = judge.drafts.get(letter_id).comments
    assert [(c.paragraph, c.kind) for c in comments] == [("concerns[1]", "comment"), (None, "changes_requested")]
    judge.close()
    clerk.close()


def test_journal_keeps_unsaved_edits_until_saved(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    s = as_user(db_url, "ann")
    s.journal.record(None, {"subject": "typing..."})
    s.journal.record(7, {"subject": "other"}, base_version=3)
    pending = {e.letter_id: e for e in s.journal.pending()}
    assert pending[None].data == {"subject": "typing..."}
    assert pending[7].base_version == 3
    letter = s.drafts.create("officials-concern", sample_data())
    assert None not in {e.letter_id for e in s.journal.pending()}
    s.drafts.update(letter.id, edited(sample_data(), "x"), 1)
    assert {e.letter_id for e in s.journal.pending()} == {7}
    s.journal.discard()
    assert s.journal.pending() == []
    s.close()


def test_audit_verify_names_the_row_altered_behind_the_apps_back(db_url: str) -> None:  # noqa: F811
    from sqlalchemy import text

    office(db_url).close()
    new_letter(db_url, Status.APPROVED)
    s = as_user(db_url, "ann")
    count, broken, _why = s.drafts.audit_check()
    assert broken is None
    assert count > 5
    store: Any = s.store
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_immutable"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 3"))
    count, broken, why = s.drafts.audit_check()
    assert broken is not None
    assert broken.id == 3
    assert "changed" in why
    s.close()


def test_audit_rows_cannot_be_updated_or_deleted(db_url: str) -> None:  # noqa: F811
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    office(db_url).close()
    new_letter(db_url)
    s = as_user(db_url, "ann")
    store: Any = s.store
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                      "UPDATE letter_versions SET author = 'x'"):
        with pytest.raises(DBAPIError, match="never changed"), store.engine.begin() as conn:
            conn.execute(text(statement))
    s.close()


def test_search_finds_words_and_prefixes(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    first = clerk.drafts.create("officials-concern", edited(sample_data(), "Zanzibar protocol")).id
    clerk.drafts.create("officials-concern", edited(sample_data(), "Jury duty notices"))
    assert [r.id for r in clerk.drafts.find(search="zanzib")] == [first]  # a prefix
    assert len(clerk.drafts.find(search="courthouse")) == 2
    assert len(clerk.drafts.find(search="jury")) == 1
    assert len(clerk.drafts.find(search="Sessions")) == 2  # an addressee's name
    assert clerk.drafts.find(search="zebra") == []
    assert len(clerk.drafts.find(status=Status.DRAFT)) == 2
    assert clerk.drafts.find(status=Status.APPROVED) == []
    clerk.close()


def test_seed_comes_from_the_flagship_sample(db_url: str) -> None:  # noqa: F811
    s = office(db_url)
    sample = sample_data()
    texts = {c.text for c in s.clauses.list()}
    assert set(sample["concerns"]) | set(sample["requested_policies"]) <= texts
    from app.services.office import addresses

    assert {(a.name, a.title) for a in addresses(s.store)} == {(a["name"], a["title"]) for a in sample["addressees"]}
    s.close()


def test_utc_now_is_aware() -> None:
    assert utc_now().tzinfo is not None
