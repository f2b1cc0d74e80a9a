"""Drafting and review: the letters' use cases, shared by the window and the command line.

Every save is a new immutable version; a save that started from an older version than the
database holds is refused with a ``Conflict`` naming who saved in between (never a silent
overwrite). An edit is recorded in the recovery journal before it is sent to the database
and leaves it only once committed, so a lost connection or a crash never loses it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.audit import first_broken
from app.core.diff import FieldChange, WordDiff, field_changes, word_diff
from app.core.errors import ChambersError, LetterInvalid, TemplateProblem
from app.core.letter import Letter, iter_text, parse_letter
from app.core.packs import check_letter_for_pack
from app.core.records import Approval, AuditEvent, Comment, LetterSummary, LetterVersion, User, utc_now
from app.core.text import Removal
from app.core.workflow import (
    Action,
    Conflict,
    NotFound,
    Refused,
    Role,
    Status,
    StorageUnavailable,
    check,
    check_role,
)
from app.rendering.engine import CompiledPack
from app.rendering.seal import add_custom_properties, content_hash, custom_properties, document_text, is_docx
from app.services.journal import Journal
from app.services.letters import preflight_letter_files, write_letter_files
from app.services.templates import TemplateLibrary
from app.storage.interfaces import NewVersion, Store, Transaction

PROP_LETTER, PROP_VERSION, PROP_APPROVER = "Chambers.LetterId", "Chambers.Version", "Chambers.ApprovedBy"
PROP_AT, PROP_HASH, PROP_DATABASE = "Chambers.ApprovedAt", "Chambers.ContentSHA256", "Chambers.Database"


@dataclass(frozen=True)
class LetterDetail:
    summary: LetterSummary
    current: LetterVersion
    comments: list[Comment]
    approval: Approval | None

    def to_json(self) -> dict[str, Any]:
        data = self.summary.to_json()
        data["letter"] = self.current.data
        data["comments"] = [{"id": c.id, "author": c.author, "at": c.created_at.isoformat(), "text": c.text,
                             "paragraph": c.paragraph, "kind": c.kind, "version": c.version}
                            for c in self.comments]
        if self.approval:
            data["approval"] = {"version": self.approval.version, "approver": self.approval.approver,
                                "at": self.approval.approved_at.isoformat(),
                                "content_sha256": self.approval.content_sha256}
        return data


@dataclass(frozen=True)
class DiffReport:
    letter_id: int
    from_version: int
    to_version: int
    fields: list[FieldChange]
    text: WordDiff


@dataclass(frozen=True)
class ExportReport:
    docx: Path
    pdf: Path | None
    final: bool
    approval: Approval | None
    removals: list[Removal] = field(default_factory=list)


@dataclass(frozen=True)
class Verification:
    """What a .docx is: 0 the approved letter, 1 modified after approval, 2 not from here."""

    code: int
    message: str
    approval: Approval | None = None


def _search_text(letter: Letter) -> str:
    return "\n".join(text for _path, text in iter_text(letter) if text.strip())


class Drafts:
    """The letters: create, edit, review, approve, export, and prove what was approved."""

    def __init__(self, store: Store, library: TemplateLibrary, journal: Journal,
                 actor: Callable[[], User]) -> None:
        self.store = store
        self.library = library
        self.journal = journal
        self._actor = actor

    @property
    def user(self) -> User:
        return self._actor()

    # --- writing -----------------------------------------------------------------------
    def _prepare(self, template: str, data: dict[str, Any], note: str) -> tuple[NewVersion, CompiledPack]:
        pack = self.library.get(template)
        letter = parse_letter({**data, "template": pack.id}).letter
        check_letter_for_pack(pack.manifest, letter)
        version = NewVersion(
            data=letter.to_data(), subject=letter.subject, search_text=_search_text(letter),
            template_id=pack.id, template_version=pack.version, template_sha256=pack.sha256,
            author=self.user.name, at=utc_now(), note=note)
        return version, pack

    def _kept(self, exc: StorageUnavailable) -> StorageUnavailable:
        return StorageUnavailable(f"{exc}. Your edit is kept (recovery journal in {self.journal.folder}); "
                                  "try again when the database is back")

    def create(self, template: str, data: dict[str, Any], note: str = "") -> LetterSummary:
        user = self.user
        check_role(user.name, user.role, Action.CREATE)
        version, _pack = self._prepare(template, data, note or "created")
        self.journal.record(None, data)
        try:
            with self.store.write() as tx:
                letter = tx.letters.create(version, Status.DRAFT)
                tx.audit.append(user.name, "created", letter.id,
                                {"version": 1, "template": version.template_id,
                                 "template_version": version.template_version,
                                 "template_sha256": version.template_sha256}, version.at)
        except StorageUnavailable as exc:
            raise self._kept(exc) from None
        self.journal.discard(None)
        return letter

    def update(self, letter_id: int, data: dict[str, Any], expect_version: int, note: str = "") -> LetterSummary:
        """Save ``data`` as the next version; ``Conflict`` unless ``expect_version`` is the newest."""
        user = self.user
        check_role(user.name, user.role, Action.EDIT)
        self.journal.record(letter_id, data, expect_version)
        try:
            with self.store.write() as tx:
                current = tx.letters.get(letter_id)
                status = check(user.name, user.role, Action.EDIT, current.status)
                if current.version != expect_version:
                    latest = tx.letters.version(letter_id, current.version)
                    raise Conflict(letter_id, expect_version, current.version, latest.author, latest.created_at)
                version, _pack = self._prepare(current.template_id, data, note)
                voided = current.approval_id if current.status in (Status.APPROVED, Status.EXPORTED) else None
                letter = tx.letters.add_version(current, version, status,
                                                approval_id=None if voided else current.approval_id)
                tx.audit.append(user.name, "edited", letter_id,
                                {"version": letter.version, "note": note, "status": status.value}, version.at)
                if voided is not None:
                    tx.letters.void_approval(voided, user.name, version.at)
                    tx.audit.append(user.name, "approval_voided", letter_id,
                                    {"approval": voided, "by_version": letter.version,
                                     "reason": "the letter was edited after approval"}, version.at)
        except StorageUnavailable as exc:
            raise self._kept(exc) from None
        except NotFound:
            self.journal.discard(letter_id)  # nothing to recover into: the letter does not exist
            raise
        self.journal.discard(letter_id)
        return letter

    def _transition(self, letter_id: int, action: Action, detail: dict[str, Any],
                    expect_version: int | None = None,
                    extra: Callable[[Transaction, LetterSummary, User], dict[str, Any]] | None = None
                    ) -> LetterSummary:
        user = self.user
        check_role(user.name, user.role, action)
        with self.store.write() as tx:
            current = tx.letters.get(letter_id)
            status = check(user.name, user.role, action, current.status)
            if expect_version is not None and current.version != expect_version:
                raise Refused(f"letter {letter_id} is now at version {current.version}, not {expect_version}: "
                              "read it again before you act on it")
            more = extra(tx, current, user) if extra else {}
            approval_id = more.pop("approval_id", None)
            now = utc_now()
            if approval_id is not None:
                letter = tx.letters.set_status(current, status, user.name, now, approval_id=approval_id)
            else:
                letter = tx.letters.set_status(current, status, user.name, now)
            tx.audit.append(user.name, action.value, letter_id,
                            {"version": current.version, "from": current.status.value, "to": status.value,
                             **detail, **more}, now)
        return letter

    def submit(self, letter_id: int, expect_version: int | None = None) -> LetterSummary:
        return self._transition(letter_id, Action.SUBMIT, {}, expect_version)

    def comment(self, letter_id: int, text: str, paragraph: str | None = None) -> Comment:
        user = self.user
        check_role(user.name, user.role, Action.COMMENT)
        if not text.strip():
            raise Refused("a comment needs some text")
        with self.store.write() as tx:
            current = tx.letters.get(letter_id)
            if paragraph is not None:
                self._check_paragraph(tx.letters.version(letter_id, current.version).data, paragraph)
            now = utc_now()
            comment = tx.comments.add(letter_id, current.version, user.name, now, text, paragraph)
            tx.audit.append(user.name, "commented", letter_id,
                            {"version": current.version, "comment": comment.id, "paragraph": paragraph}, now)
        return comment

    @staticmethod
    def _check_paragraph(data: dict[str, Any], paragraph: str) -> None:
        match = re.fullmatch(r"(opening|concerns|requested_policies|closing)\[(\d+)\]", paragraph)
        if not match or int(match.group(2)) >= len(data.get(match.group(1), [])):
            raise Refused(f"the letter has no paragraph {paragraph!r} (write it as concerns[0], opening[1], ...)")

    def request_changes(self, letter_id: int, comment: str, paragraph: str | None = None) -> LetterSummary:
        if not comment.strip():
            raise Refused("say what should change: a request for changes needs a comment")

        def add_comment(tx: Transaction, current: LetterSummary, user: User) -> dict[str, Any]:
            if paragraph is not None:
                self._check_paragraph(tx.letters.version(letter_id, current.version).data, paragraph)
            made = tx.comments.add(letter_id, current.version, user.name, utc_now(), comment, paragraph,
                                   kind="changes_requested")
            return {"comment": made.id}

        return self._transition(letter_id, Action.REQUEST_CHANGES, {}, extra=add_comment)

    def approve(self, letter_id: int, expect_version: int | None = None) -> Approval:
        """Render the letter once, seal it, and store the exact bytes with their hash."""
        def seal(tx: Transaction, current: LetterSummary, user: User) -> dict[str, Any]:
            version = tx.letters.version(letter_id, current.version)
            letter = parse_letter(version.data).letter
            pack = self.library.get(current.template_id)
            signs = user.role is Role.JUDGE and user.signature_png is not None and \
                letter.signatory.name.casefold() in (user.name.casefold(), user.full_name.casefold())
            rendered = pack.render(letter, draft=False, signature_png=user.signature_png if signs else None)
            now = utc_now()
            props = {PROP_LETTER: str(letter_id), PROP_VERSION: str(current.version), PROP_APPROVER: user.shown,
                     PROP_AT: now.isoformat(timespec="seconds"), PROP_DATABASE: tx.meta.get("database_id") or ""}
            unsealed = add_custom_properties(rendered.data, props)
            digest = content_hash(unsealed)
            sealed = add_custom_properties(unsealed, {**props, PROP_HASH: digest})
            approval = tx.letters.add_approval(letter_id, current.version, user.name, now, digest, sealed)
            return {"approval_id": approval.id, "content_sha256": digest, "signature_image": signs,
                    "template_sha256": pack.sha256}

        letter = self._transition(letter_id, Action.APPROVE, {}, expect_version, extra=seal)
        with self.store.read() as tx:
            assert letter.approval_id is not None
            return tx.letters.approval(letter.approval_id)

    def export(self, letter_id: int, out: Path, pdf: Path | None = None) -> ExportReport:
        """An approved letter: the approved bytes, as they were. Anything else: a DRAFT copy."""
        user = self.user
        preflight_letter_files(self.library, out, pdf)
        with self.store.read() as tx:
            current = tx.letters.get(letter_id)
            approval = tx.letters.approval(current.approval_id) if current.approval_id else None
            version = tx.letters.version(letter_id, current.version)
        final = current.status in (Status.APPROVED, Status.EXPORTED) and approval is not None
        removals: list[Removal] = []
        if final:
            check(user.name, user.role, Action.EXPORT_FINAL, current.status)
            assert approval is not None
            data = approval.docx
        else:
            check_role(user.name, user.role, Action.EXPORT_DRAFT)
            pack = self.library.get(current.template_id)
            rendered = pack.render(parse_letter(version.data).letter, draft=True)
            data, removals = rendered.data, rendered.removals
        write_letter_files(self.library, data, out, pdf)
        if final:
            self._transition(letter_id, Action.EXPORT_FINAL, {"file": out.name, "pdf": pdf is not None})
        else:
            with self.store.write() as tx:
                tx.audit.append(user.name, "exported_draft", letter_id,
                                {"version": current.version, "file": out.name}, utc_now())
        return ExportReport(out, pdf, final, approval, removals)

    # --- reading ------------------------------------------------------------------------
    def find(self, status: Status | None = None, search: str | None = None, limit: int = 500) -> list[LetterSummary]:
        with self.store.read() as tx:
            return tx.letters.find(status, search, limit)

    def get(self, letter_id: int) -> LetterDetail:
        with self.store.read() as tx:
            summary = tx.letters.get(letter_id)
            current = tx.letters.version(letter_id, summary.version)
            comments = tx.comments.of(letter_id)
            approval = tx.letters.approval(summary.approval_id) if summary.approval_id else None
        return LetterDetail(summary, current, comments, approval)

    def history(self, letter_id: int) -> tuple[LetterSummary, list[LetterVersion], list[AuditEvent]]:
        with self.store.read() as tx:
            summary = tx.letters.get(letter_id)
            return summary, tx.letters.versions(letter_id), list(tx.audit.events(letter_id))

    def last_reviewed_version(self, letter_id: int) -> int | None:
        """The version a judge last looked at: commented on, sent back, or approved."""
        with self.store.read() as tx:
            judges = {u.name for u in tx.users.list() if u.role is Role.JUDGE}
            events = [e for e in tx.audit.events(letter_id)
                      if e.action in ("commented", "request_changes", "approve") and e.actor in judges]
        if not events:
            return None
        return int(json.loads(events[-1].detail)["version"])

    def _text(self, version: LetterVersion) -> list[str]:
        try:
            letter = parse_letter(version.data).letter
            return document_text(self.library.get(version.template_id).render(letter, draft=False).data)
        except (TemplateProblem, LetterInvalid):
            # The pack is gone or changed shape; the letter's own text still shows what changed.
            return [text for _path, text in iter_text(parse_letter(version.data).letter)]

    def diff(self, letter_id: int, from_version: int | None = None, to_version: int | None = None) -> DiffReport:
        with self.store.read() as tx:
            summary = tx.letters.get(letter_id)
        to_number = to_version or summary.version
        from_number = from_version or self.last_reviewed_version(letter_id) or max(1, to_number - 1)
        with self.store.read() as tx:
            before, after = tx.letters.version(letter_id, from_number), tx.letters.version(letter_id, to_number)
        return DiffReport(letter_id, from_number, to_number, field_changes(before.data, after.data),
                          word_diff(self._text(before), self._text(after)))

    def verify(self, path: Path) -> Verification:
        """Whether ``path`` is, byte for byte in its content, a letter approved in this database."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ChambersError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        if not is_docx(data):
            return Verification(2, f"{path.name}: not a letter from this database (not a Word document)")
        props = custom_properties(data)
        digest = content_hash(data)
        with self.store.read() as tx:
            database_id = tx.meta.get("database_id")
            matches = tx.letters.approvals_with_hash(digest)
            claimed = props.get(PROP_LETTER, "")
            claimed_approvals = tx.letters.approvals_of(int(claimed)) if claimed.isdigit() and \
                props.get(PROP_DATABASE) == database_id else []
            approvers = {a.approver: tx.users.get(a.approver) for a in matches}
        if matches:
            a = matches[-1]
            who = approvers.get(a.approver)
            name = who.shown if who else a.approver
            message = (f"matches approved version {a.version} of letter {a.letter_id}, approved by {name} "
                       f"on {a.approved_at:%B %-d, %Y at %H:%M} UTC")
            if a.voided_at:
                message += f" (that approval was voided by a later edit on {a.voided_at:%B %-d, %Y})"
            return Verification(0, message, a)
        if claimed_approvals:
            version = props.get(PROP_VERSION, "?")
            return Verification(1, f"modified after approval: the file claims to be approved version {version} "
                                   f"of letter {claimed}, but its content differs from what was approved")
        return Verification(2, "not a letter from this database")

    def audit_check(self) -> tuple[int, AuditEvent | None, str]:
        """(events checked, first broken event or None, why)."""
        with self.store.read() as tx:
            events = list(tx.audit.events())
        broken, why = first_broken(events)
        return len(events), broken, why

