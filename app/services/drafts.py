"""Drafting and review: the letters' use cases, shared by the window and the command line.

Every save counts the letter's version up; a save that started from an older version than the
database holds is refused with a ``Conflict`` naming who saved in between (never a silent
overwrite). The history keeps versions that mean something: an author's autosaves replace
their working copy, and a history version is made at each workflow step (submit, review,
approval, export, a comment), when a different person edits, and at an explicit save point.
An edit is recorded in the recovery journal before it is sent to the database and leaves it only
once committed, so a lost connection or a crash never loses it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.audit import first_broken, missing
from app.core.diff import FieldChange, WordDiff, field_changes, word_diff
from app.core.errors import ChambersError, LetterInvalid, TemplateProblem
from app.core.files import WORD_LETTER, check_output_folder_target, preflight_outputs, write_outputs
from app.core.letter import Letter, iter_text, parse_letter
from app.core.packs import check_letter_for_pack
from app.core.records import Approval, AuditEvent, Comment, LetterSummary, LetterVersion, User, utc_now
from app.core.text import Removal
from app.core.vocabulary import PARAGRAPH_SECTIONS
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
    reviewers,
    voids_approval,
)
from app.rendering.engine import SIGNATURE_MEDIA, CompiledPack
from app.rendering.package import read_members
from app.rendering.seal import (
    CUSTOM,
    HASH_PROPERTY,
    SEAL_PREFIX,
    SealProblem,
    content_hash,
    custom_properties,
    document_text,
    is_docx,
    legacy_content_hash,
    member,
    same_package,
    seal,
)
from app.rendering.verify import check_docx_file
from app.services.journal import Journal
from app.services.letters import preflight_letter_files, protect_packs, write_letter_files
from app.services.office import OfficeSeals
from app.services.templates import TemplateLibrary
from app.storage.interfaces import NewVersion, Store, Transaction

PROP_LETTER, PROP_VERSION, PROP_APPROVER = "Chambers.LetterId", "Chambers.Version", "Chambers.ApprovedBy"
PROP_AT, PROP_HASH, PROP_DATABASE = "Chambers.ApprovedAt", HASH_PROPERTY, "Chambers.Database"
# Only when the approving judge is not the letter's signatory: the signatory's name, as signed for.
PROP_SIGNED_FOR = "Chambers.SignedFor"
# Only on a per-addressee copy: which addressee, "2 of 3", and the hash of the whole letter approved.
PROP_COPY_FOR, PROP_COPY, PROP_COPY_OF = "Chambers.CopyFor", "Chambers.Copy", "Chambers.CopyOf"



class ApprovalNotWithdrawn(Refused):
    """A save would withdraw an approval nobody agreed to withdraw (the window asks first; see ``update``)."""

    def __init__(self, letter_id: int, approval_id: int) -> None:
        super().__init__(f"letter {letter_id} is approved: saving this edit would withdraw the approval, "
                         "which was not agreed to")
        self.letter_id = letter_id
        self.approval_id = approval_id


# What ``verify`` answers; the command line exits with the same number.
VERIFIED, MODIFIED, FOREIGN, WITHDRAWN = 0, 1, 2, 3
# Approved by a judge who is not the letter's signatory, with no record of signing for them: an
# approval made before signatories were checked, or written into the database around the app.
NOT_SIGNATORY = 8
# The file could not be checked at all (the database unavailable, the pinned template pack or seal
# missing, the file unreadable): never a pass, and never confused with "modified".
COULD_NOT_CHECK = 9


class CouldNotCheck(ChambersError):
    """An approval cannot be rendered again to check it (its pinned pack or seal is gone)."""


@dataclass(frozen=True)
class LetterDetail:
    summary: LetterSummary
    current: LetterVersion
    comments: list[Comment]
    approval: Approval | None

    @property
    def signed_for(self) -> str | None:
        """The signatory, when the approving judge signed on their behalf (as the seal says)."""
        return self.approval.signed_for if self.approval else None

    def to_json(self) -> dict[str, Any]:
        data = self.summary.to_json()
        data["letter"] = self.current.data
        data["comments"] = [{"id": c.id, "author": c.author, "at": c.created_at.isoformat(), "text": c.text,
                             "paragraph": c.paragraph, "kind": c.kind, "version": c.version}
                            for c in self.comments]
        if self.approval:
            data["approval"] = {"version": self.approval.version, "approver": self.approval.approver,
                                "at": self.approval.approved_at.isoformat(),
                                "content_sha256": self.approval.content_sha256,
                                "signed_for": self.signed_for}
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
    """What a .docx is: 0 the approved letter (or a per-addressee copy of it), 1 modified after
    approval (or approved bytes the approved version does not render to), 2 not from this
    database, 3 an approval withdrawn since (a later edit voided it), 8 approved by a judge who
    is not the signatory and recorded no signing on their behalf, 9 could not check (the pinned
    pack or seal is not available)."""

    code: int
    message: str
    approval: Approval | None = None
    copy_for: str | None = None       # the addressee, when the file is a per-addressee copy
    signed_for: str | None = None     # the signatory, when the approver signed on their behalf


@dataclass(frozen=True)
class SealedCopy:
    """One per-addressee copy of an approved letter, reproduced byte for byte as approved."""

    addressee: str
    number: int
    data: bytes
    sha256: str
    file_name: str


def _person(name: str) -> str:
    return " ".join(name.split()).casefold()


def is_signatory(user: User, letter: Letter) -> bool:
    """Whether ``user`` is the judge who signs ``letter`` (by full name or login, any case or spacing)."""
    return _signs(user.name, user.full_name, letter.signatory.name)


def _signs(login: str, full_name: str, signatory: str) -> bool:
    wanted = _person(signatory)
    return bool(wanted) and wanted in {_person(login), _person(full_name)} - {""}


def _signatory_of(data: dict[str, Any]) -> str:
    signatory = data.get("signatory")
    return str(signatory.get("name") or "") if isinstance(signatory, dict) else ""


def _addressee_label(letter: Letter, index: int) -> str:
    addressee = letter.addressees[index]
    return f"{addressee.name}, {addressee.title}" if addressee.title else addressee.name


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
        # The seal images letters pin by hash; every render of a stored letter is given them.
        self.seals = OfficeSeals.of(store)

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
            author=self.user.name, at=utc_now(), note=note, signatory=letter.signatory.name,
            addressees=tuple(a.name for a in letter.addressees), letter_date=letter.date)
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

    def update(self, letter_id: int, data: dict[str, Any], expect_version: int, note: str = "",
               save_point: bool = False, *, withdraws: int | bool | None = True) -> LetterSummary:
        """Save ``data`` as the next version; ``Conflict`` unless ``expect_version`` is the newest.

        The author's working copy is replaced while nothing else happened to the letter since
        their last save; otherwise the save is a new version. ``save_point`` makes the result a
        history version that later saves leave as it is. ``withdraws`` is the approval the person
        agreed to withdraw (None: none; True: whatever approval there is, as the command line's
        edit does): a save that would withdraw another is ``ApprovalNotWithdrawn``, decided in the
        same transaction, so a judge's approval made after the window last looked is never voided
        unasked.
        """
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
                voided = current.approval_id if voids_approval(current.status) else None
                if voided is not None and withdraws is not True and withdraws != voided:
                    raise ApprovalNotWithdrawn(letter_id, voided)
                # An edit that moves the letter (out of review, or withdrawing an approval) is a
                # workflow step: the version before it stays in the history.
                working = tx.letters.working_copy(letter_id) if status is current.status else None
                mine = working is not None and working.author == user.name
                version, _pack = self._prepare(current.template_id, data,
                                               note or (working.note if mine and working else ""))
                if mine:
                    letter = tx.letters.amend_version(current, version, status, working=not save_point)
                else:
                    letter = tx.letters.add_version(current, version, status,
                                                    approval_id=None if voided else current.approval_id,
                                                    working=not save_point)
                detail: dict[str, Any] = {"version": letter.version, "note": note, "status": status.value}
                if mine:
                    detail["replaces_working_copy"] = current.version
                if save_point:
                    detail["save_point"] = True
                tx.audit.append(user.name, "edited", letter_id, detail, version.at)
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
        match = re.fullmatch(rf"({'|'.join(PARAGRAPH_SECTIONS)})\[(\d+)\]", paragraph)
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

    def approve(self, letter_id: int, expect_version: int | None, *, signing_for: str | None = None) -> Approval:
        """Render the version the judge had on screen once, seal it, and store the exact bytes.

        ``expect_version`` is the version the judge read; any other is refused. A judge approves
        only a letter that judge signs, unless ``signing_for`` names the letter's signatory: then
        the approval, its seal and ``verify`` all say who signed for whom, and no signature image
        is printed (one judge's image never goes above another's name). A letter to several
        addressees is also sealed once per addressee, each copy's hash kept with the approval.
        """
        user = self.user
        check_role(user.name, user.role, Action.APPROVE)  # a clerk hears that first, whatever the version
        if expect_version is None:
            raise Refused(f"say which version of letter {letter_id} you approve: pass the version "
                          "shown by `drafts show` (--expect-version N)")

        def sealed(tx: Transaction, current: LetterSummary, user: User) -> dict[str, Any]:
            version = tx.letters.version(letter_id, current.version)
            letter = parse_letter(version.data).letter
            signatory = letter.signatory.name
            own = is_signatory(user, letter)
            if not own and signing_for is None:
                raise Refused(f"letter {letter_id} is signed by {signatory}, not by {user.shown}: only the "
                              "signatory approves it, unless you approve it on their behalf and say so "
                              f"(on the command line: --for \"{signatory}\")")
            if not own and _person(signing_for or "") != _person(signatory):
                raise Refused(f"letter {letter_id} is signed by {signatory}; --for names {signing_for!r}")
            pack = self.library.get(current.template_id)
            signature = user.signature_png if own and user.role is Role.JUDGE else None
            seals = OfficeSeals(tx.court_profile.seal)
            rendered = pack.render(letter, draft=False, signature_png=signature, images=seals)
            now = utc_now()
            props = {PROP_LETTER: str(letter_id), PROP_VERSION: str(current.version), PROP_APPROVER: user.shown,
                     PROP_AT: now.isoformat(timespec="seconds"), PROP_DATABASE: tx.meta.get("database_id") or ""}
            if not own:
                props[PROP_SIGNED_FOR] = signatory
            data, digest = seal(rendered.data, props)
            copies = self._sealed_copies(pack, letter, props, digest, signature, seals)
            approval = tx.letters.add_approval(letter_id, current.version, user.name, now, digest, data)
            more: dict[str, Any] = {
                "approval_id": approval.id, "approval": approval.id, "content_sha256": digest,
                "signature_image": signature is not None, "template_sha256": pack.sha256}
            if not own:
                more["signed_for"] = signatory
            if copies:
                more["copies"] = [{"addressee": c.addressee, "number": c.number, "sha256": c.sha256}
                                  for c in copies]
            return more

        letter = self._transition(letter_id, Action.APPROVE, {}, expect_version, extra=sealed)
        with self.store.read() as tx:
            assert letter.approval_id is not None
            return tx.letters.approval(letter.approval_id)

    @staticmethod
    def _sealed_copies(pack: CompiledPack, letter: Letter, props: dict[str, str], digest: str,
                       signature: bytes | None, seals: Mapping[str, bytes]) -> list[SealedCopy]:
        """One sealed letter per addressee (none for a letter to one): the mail-merge copies."""
        from app.services.letters import suggested_file_name

        count = len(letter.addressees)
        if count < 2:
            return []
        copies = []
        for index in range(count):
            one = letter.model_copy(update={"addressees": [letter.addressees[index]]})
            label = _addressee_label(letter, index)
            rendered = pack.render(one, draft=False, signature_png=signature, images=seals)
            data, sha = seal(rendered.data, {**props, PROP_COPY_FOR: label, PROP_COPY: f"{index + 1} of {count}",
                                             PROP_COPY_OF: digest})
            copies.append(SealedCopy(label, index + 1, data, sha, suggested_file_name(one)))
        return copies

    def _checked(self, approval: Approval) -> bytes:
        """The approved bytes, once they are proved to be what the seal recorded and to be
        approved by the letter's signatory or, said in the seal, on the signatory's behalf."""
        with self.store.write() as tx:  # on PostgreSQL the release is itself an audit event
            docx = tx.letters.release_approved(approval.id, self.user.name)
        try:
            digest = content_hash(docx)
            if digest != approval.content_sha256:
                digest = legacy_content_hash(docx)  # approved before the whole-package seal
        except (SealProblem, TemplateProblem) as exc:
            digest = f"unreadable ({exc})"
        if digest != approval.content_sha256 or \
                custom_properties(docx).get(PROP_HASH) != approval.content_sha256:
            raise Refused(f"the stored approved letter (letter {approval.letter_id}, version {approval.version}) "
                          "no longer matches the hash recorded when it was approved; nothing was written. "
                          "Tell the court's IT staff, and approve the letter again")
        with self.store.read() as tx:
            signatory = _signatory_of(tx.letters.version(approval.letter_id, approval.version).data)
            approver = tx.users.get(approval.approver)
        if PROP_SIGNED_FOR not in custom_properties(docx) and \
                not _signs(approval.approver, approver.full_name if approver else "", signatory):
            raise Refused(f"letter {approval.letter_id} is signed by {signatory}, but version {approval.version} was "
                          f"approved by {approver.shown if approver else approval.approver} without saying it was "
                          "on the signatory's behalf; nothing was written. The signatory approves it again, or "
                          "another judge approves it for them")
        self._reproduced(approval, docx)
        return docx

    def _approve_record(self, approval: Approval) -> dict[str, Any]:
        """What the audit event of ``approval`` recorded (empty for an approval with no event)."""
        with self.store.read() as tx:
            events = [e for e in tx.audit.events(approval.letter_id) if e.action == Action.APPROVE.value]
        for event in reversed(events):
            detail = json.loads(event.detail)
            if detail.get("approval") == approval.id:
                return dict(detail)
        return {}

    def reproduction_problem(self, approval: Approval, docx: bytes) -> str | None:
        """Why the approved bytes ``docx`` are not what Chambers renders from the approved version,
        or None when they are; ``CouldNotCheck`` when the pinned pack or seal is not available.

        ``docx`` is the approval's bytes as released to this user (on PostgreSQL a member login
        never reads them directly: see ``LetterRepository.release_approved``), or a file already
        proved by its seal to carry the approval's hash.

        What a judge approved must be reproducible: the approved version's stored data is
        rendered again with the template pack it was approved with (its id, and the SHA-256 of
        its template the approval recorded, else the one the version records) and the seal the
        letter pins, given the approval's own signature image and seal properties, and sealed.
        Rendering is byte-deterministic (fixed zip timestamps, document properties taken from
        the letter, never the clock), so today's approvals are compared byte for byte. An
        approval sealed by an earlier seal scheme wrote docProps/custom.xml in another form; for
        it the canonical form is compared instead: every other part byte for byte, and the
        custom properties by name and value (the hash property aside). So bytes approved
        around the app (raw SQL, a forged approval) are found: no stored bytes pass unless the
        letter's own text renders to them.
        """
        with self.store.read() as tx:
            version = tx.letters.version(approval.letter_id, approval.version)
        where = f"version {approval.version} of letter {approval.letter_id}"
        pinned = str(self._approve_record(approval).get("template_sha256") or version.template_sha256)
        try:
            pack = self.library.get(version.template_id)
        except TemplateProblem as exc:
            raise CouldNotCheck(f"{where} was approved with the template pack {version.template_id}, which is "
                                f"not available here ({exc})") from None
        if pack.sha256 != pinned:
            raise CouldNotCheck(f"{where} was approved with template pack {version.template_id} (template SHA-256 "
                                f"{pinned[:16]}…); the installed pack {pack.id} version {pack.version} is another "
                                f"template (SHA-256 {pack.sha256[:16]}…), so the approval cannot be rendered "
                                "again to check it; install the pack it was approved with")
        props = custom_properties(docx)
        claimed = (props.get(PROP_LETTER), props.get(PROP_VERSION))
        if claimed != (str(approval.letter_id), str(approval.version)):
            return (f"the stored approved bytes say they are version {claimed[1]} of letter {claimed[0]}, "
                    f"not {where}")
        sealed_props = {k: v for k, v in props.items() if k.startswith(SEAL_PREFIX) and k != PROP_HASH}
        try:
            letter = parse_letter(version.data).letter
            rendered = pack.render(letter, draft=False, signature_png=member(docx, SIGNATURE_MEDIA),
                                   images=self.seals)
            made, _digest = seal(rendered.data, sealed_props)
        except (LetterInvalid, TemplateProblem) as exc:
            raise CouldNotCheck(f"{where} cannot be rendered again to check its approval: {exc}") from None
        if made == docx or _same_letter(made, docx):
            return None
        return (f"the stored approved bytes are not what {where} renders to with its pinned template pack and "
                "seal: they were not made by Chambers from the letter's text")

    def _reproduced(self, approval: Approval, docx: bytes) -> None:
        """``Refused`` (nothing written) unless the stored approved bytes render again from the letter."""
        try:
            problem = self.reproduction_problem(approval, docx)
        except CouldNotCheck as exc:
            raise Refused(f"could not check the approved letter: {exc}; nothing was written") from None
        if problem is not None:
            raise Refused(f"{problem}; nothing was written. Tell the court's IT staff, and approve the letter again")

    def export(self, letter_id: int, out: Path, pdf: Path | None = None) -> ExportReport:
        """An approved letter: the approved bytes, as they were. Anything else: a DRAFT copy."""
        user = self.user
        preflight_letter_files(self.library, out, pdf)
        with self.store.read() as tx:
            current = tx.letters.get(letter_id)
            approval = tx.letters.approval(current.approval_id) if current.approval_id else None
            version = tx.letters.version(letter_id, current.version)
        final = current.status in (Status.APPROVED, Status.EXPORTED) and approval is not None \
            and approval.voided_at is None
        removals: list[Removal] = []
        if final:
            check(user.name, user.role, Action.EXPORT_FINAL, current.status)
            assert approval is not None
            data = self._checked(approval)
        else:
            check_role(user.name, user.role, Action.EXPORT_DRAFT)
            pack = self.library.get(current.template_id)
            rendered = pack.render(parse_letter(version.data).letter, draft=True, images=self.seals)
            data, removals = rendered.data, rendered.removals
        write_letter_files(self.library, data, out, pdf)
        if final:
            self._transition(letter_id, Action.EXPORT_FINAL, {"file": out.name, "pdf": pdf is not None})
        else:
            with self.store.write() as tx:
                tx.audit.append(user.name, "exported_draft", letter_id,
                                {"version": current.version, "file": out.name}, utc_now())
        return ExportReport(out, pdf, final, approval, removals)

    def export_pdf(self, letter_id: int, pdf: Path) -> Path:
        """The approved letter as a PDF alone, without its .docx.

        The PDF is made from the approved bytes as ``export`` writes them: released through the
        store (an audit event of its own on PostgreSQL, where a member login never reads them
        directly) and checked (hash, signatory, rendered again) before LibreOffice sees them, so
        a PDF never comes from bytes nobody checked, nor from the empty bytes a member login
        reads. The export is recorded as ``export`` records it. A letter that is not approved has
        no final PDF: ``Refused`` (its draft PDF is rendered from the letter as typed).
        """
        from app.rendering.pdf import EXPORTED, PdfConverter

        user = self.user
        protect_packs(self.library)
        preflight_outputs([(pdf, ".pdf", "--pdf")])  # refused before anything is released or converted
        with self.store.read() as tx:
            current = tx.letters.get(letter_id)
            approval = tx.letters.approval(current.approval_id) if current.approval_id else None
        if current.status not in (Status.APPROVED, Status.EXPORTED) or approval is None \
                or approval.voided_at is not None:
            raise Refused(f"letter {letter_id} is {current.status.label}, not approved: only an approved letter "
                          "has a final PDF; export it as a draft instead")
        check(user.name, user.role, Action.EXPORT_FINAL, current.status)
        data = self._checked(approval)
        with PdfConverter() as converter:
            rendition = converter.convert(data, EXPORTED)
        protect_packs(self.library)
        write_outputs([(pdf, ".pdf", "--pdf", rendition, None)])
        self._transition(letter_id, Action.EXPORT_FINAL, {"file": pdf.name, "pdf": True, "docx": False})
        return pdf

    def approved_copies(self, letter_id: int) -> list[SealedCopy]:
        """The per-addressee copies of the approved letter, byte for byte as sealed at approval.

        Each copy is rendered again from the approved version with the approval's own seal and
        signature image, and given out only when its hash is the one recorded at approval;
        otherwise (the template pack changed since, say) ``Refused`` names the addressee.
        """
        user = self.user
        with self.store.read() as tx:
            current = tx.letters.get(letter_id)
            approval = tx.letters.approval(current.approval_id) if current.approval_id else None
            events = [e for e in tx.audit.events(letter_id) if e.action == Action.APPROVE.value]
        if approval is None or approval.voided_at is not None or \
                current.status not in (Status.APPROVED, Status.EXPORTED):
            raise Refused(f"letter {letter_id} is {current.status.label}, not approved: only an approved letter "
                          "has sealed per-addressee copies")
        check(user.name, user.role, Action.EXPORT_FINAL, current.status)
        data = self._checked(approval)
        recorded = next((json.loads(e.detail) for e in reversed(events)
                         if json.loads(e.detail).get("approval") == approval.id), None)
        if recorded is None or not recorded.get("copies"):
            raise Refused(f"the approval of letter {letter_id} version {approval.version} recorded no "
                          "per-addressee copies (a letter to one addressee, or approved before copies were "
                          "sealed); export the letter itself, or approve it again")
        with self.store.read() as tx:
            version = tx.letters.version(letter_id, approval.version)
        letter = parse_letter(version.data).letter
        pack = self.library.get(version.template_id)
        props = {k: v for k, v in custom_properties(data).items() if k.startswith(SEAL_PREFIX) and k != PROP_HASH}
        copies = self._sealed_copies(pack, letter, props, approval.content_sha256, member(data, SIGNATURE_MEDIA),
                                     self.seals)
        expected = {int(c["number"]): c for c in recorded["copies"]}
        if len(copies) != len(expected):
            raise Refused(f"letter {letter_id} was approved with {len(expected)} per-addressee copies; "
                          f"version {approval.version} now gives {len(copies)}")
        for made in copies:
            if expected[made.number]["sha256"] != made.sha256:
                raise Refused(f"the copy for {made.addressee} cannot be made again exactly as it was approved "
                              f"(the template pack {version.template_id} changed since?); nothing was written. "
                              "Approve the letter again to seal new copies")
        return copies

    def export_copies(self, letter_id: int, folder: Path) -> list[Path]:
        """Write each sealed per-addressee copy of the approved letter into ``folder``."""
        protect_packs(self.library)
        check_output_folder_target(folder, "--folder")
        copies = self.approved_copies(letter_id)
        paths = _copy_paths(copies, folder)
        # All the copies or none, every target through the output policy before any is written.
        write_outputs([(path, WORD_LETTER, "--folder", made.data, check_docx_file)
                       for made, path in zip(copies, paths, strict=True)])
        self._transition(letter_id, Action.EXPORT_FINAL,
                         {"files": [p.name for p in paths], "per_addressee": len(paths)})
        return paths

    def export_copies_pdf(self, letter_id: int, folder: Path) -> list[Path]:
        """Only the PDFs of the sealed per-addressee copies, into ``folder``: made from the copies as
        ``export_copies`` writes them (the approved bytes released and checked first), all or none,
        named as those copies are, and recorded as an export of the final letter."""
        from app.rendering.pdf import EXPORTED, PdfConverter

        protect_packs(self.library)
        check_output_folder_target(folder, "--folder")
        copies = self.approved_copies(letter_id)
        paths = [path.with_suffix(".pdf") for path in _copy_paths(copies, folder)]
        preflight_outputs([(path, ".pdf", "--pdf") for path in paths])  # refused before LibreOffice works
        with PdfConverter() as converter:
            pdfs = [converter.convert(made.data, EXPORTED) for made in copies]
        protect_packs(self.library)
        write_outputs([(path, ".pdf", "--pdf", data, None) for path, data in zip(paths, pdfs, strict=True)])
        self._transition(letter_id, Action.EXPORT_FINAL,
                         {"files": [p.name for p in paths], "per_addressee": len(paths), "docx": False})
        return paths

    # --- reading ------------------------------------------------------------------------
    def find(self, status: Status | None = None, search: str | None = None, limit: int = 500) -> list[LetterSummary]:
        """The drafts list: one query; each summary carries everything a row shows."""
        with self.store.read() as tx:
            return tx.letters.find(status, search, limit)

    def waiting_for(self, user: str | User | None = None, search: str | None = None,
                    limit: int = 500) -> list[LetterSummary]:
        """The review queue of a judge (default: the current user): letters in review that this
        judge signs, and those whose signatory is no active judge (any judge may take them)."""
        name = user.name if isinstance(user, User) else user or self.user.name
        with self.store.read() as tx:
            return tx.letters.find(None, search, limit, waiting_for=name)

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
            judges = {u.name for u in tx.users.list() if u.role in reviewers()}
            events = [e for e in tx.audit.events(letter_id)
                      if e.action in ("commented", "request_changes", "approve") and e.actor in judges]
        if not events:
            return None
        return int(json.loads(events[-1].detail)["version"])

    def _text(self, version: LetterVersion) -> list[str]:
        try:
            letter = parse_letter(version.data).letter
            return document_text(self.library.get(version.template_id).render(letter, draft=False,
                                                                              images=self.seals).data)
        except (TemplateProblem, LetterInvalid):
            # The pack is gone or changed shape; the letter's own text still shows what changed.
            return [text for _path, text in iter_text(parse_letter(version.data).letter)]

    def diff(self, letter_id: int, from_version: int | None = None, to_version: int | None = None) -> DiffReport:
        with self.store.read() as tx:
            summary = tx.letters.get(letter_id)
            # Version numbers have gaps where a working copy was replaced: "the one before" is
            # the newest kept version below.
            numbers = [v.number for v in tx.letters.versions(letter_id)]
        to_number = to_version or summary.version
        earlier = [n for n in numbers if n < to_number]
        from_number = from_version or self.last_reviewed_version(letter_id) or (earlier[-1] if earlier else to_number)
        with self.store.read() as tx:
            before, after = tx.letters.version(letter_id, from_number), tx.letters.version(letter_id, to_number)
        return DiffReport(letter_id, from_number, to_number, field_changes(before.data, after.data),
                          word_diff(self._text(before), self._text(after)))

    def verify(self, path: Path) -> Verification:
        """What ``path`` is: an approved letter or copy of this database (0), modified after
        approval (1), not from this database (2), approved once but withdrawn since (3), not
        approved by its signatory (8), or not checkable (9); see ``Verification``. The approval
        found must also render again from its version (``reproduction_problem``).

        The hash covers every part of the file (see ``app.rendering.seal``); the seal's own
        properties, which a DOCPROPERTY field could print, are covered too, and the hash
        property must read the hash itself.
        """
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ChambersError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        if not is_docx(data):
            return Verification(FOREIGN, f"{path.name}: not a letter from this database (not a Word document)")
        props = custom_properties(data)
        problem = ""
        try:
            digest: str | None = content_hash(data)
        except SealProblem as exc:
            digest, problem = None, str(exc)
        with self.store.read() as tx:
            database_id = tx.meta.get("database_id")
            claimed = props.get(PROP_LETTER, "")
            claimed_id = int(claimed) if claimed.isdigit() and props.get(PROP_DATABASE) == database_id else None
            claimed_approvals = tx.letters.approvals_of(claimed_id) if claimed_id is not None else []
            found = self._approval_for(tx, data, digest, claimed_id)
            if found is None:
                if claimed_approvals:
                    why = problem or "its content differs from what was approved"
                    return Verification(MODIFIED, f"modified after approval: the file claims to be approved version "
                                                  f"{props.get(PROP_VERSION, '?')} of letter {claimed}, but {why}")
                return Verification(FOREIGN, "not a letter from this database" + (f" ({problem})" if problem else ""))
            approval, copy = found
            approver = tx.users.get(approval.approver)
            current = tx.letters.get(approval.letter_id)
            signatory = _signatory_of(tx.letters.version(approval.letter_id, approval.version).data)
        name = approver.shown if approver else approval.approver
        if props.get(PROP_HASH) != (approval.content_sha256 if copy is None else copy["sha256"]):
            return Verification(MODIFIED, f"modified after approval: the seal of letter {approval.letter_id} "
                                          f"version {approval.version} was altered (its hash property no longer "
                                          "reads the hash of the content)", approval)
        unchecked: str | None = None
        try:
            # A file whose seal carries the approval's hash is the approved bytes; a copy is checked
            # by rendering the copy again (the approved bytes themselves a member login on
            # PostgreSQL does not read, and need not: the copy's own seal records its base).
            if copy is None:
                differs = self.reproduction_problem(approval, data)
            else:
                differs = (self.reproduction_problem(approval, approval.docx) if approval.docx else None) or \
                    self._copy_problem(approval, copy, data)
        except CouldNotCheck as exc:
            differs, unchecked = None, str(exc)
        if differs is not None:
            return Verification(MODIFIED, f"modified: {differs}", approval)
        what = (f"the copy for addressee {copy['addressee']} ({props.get(PROP_COPY, copy.get('number'))}) of "
                if copy is not None else "")
        signed_for = props.get(PROP_SIGNED_FOR)
        by = f"{name}, signed for {signed_for}" if signed_for else name
        at = f"{approval.approved_at:%B %-d, %Y at %H:%M} UTC"
        if approval.voided_at is not None:
            voided_by = f" by {approval.voided_by}" if approval.voided_by else ""
            return Verification(
                WITHDRAWN,
                f"approval withdrawn: this is {what}approved version {approval.version} of letter "
                f"{approval.letter_id} (approved by {by} on {at}), but that approval was withdrawn on "
                f"{approval.voided_at:%B %-d, %Y at %H:%M} UTC{voided_by} when the letter was edited; the letter "
                f"is now version {current.version}, {current.status.label}",
                approval, copy["addressee"] if copy else None, signed_for)
        if unchecked is not None:
            return Verification(COULD_NOT_CHECK, f"could not check: the file is sealed as {what}approved version "
                                                 f"{approval.version} of letter {approval.letter_id}, but {unchecked}",
                                approval, copy["addressee"] if copy else None, signed_for)
        if signed_for is None and not _signs(approval.approver, approver.full_name if approver else "", signatory):
            return Verification(
                NOT_SIGNATORY,
                f"not approved by its signatory: {what}version {approval.version} of letter "
                f"{approval.letter_id} was approved by {name} on {at}, but the letter is signed by {signatory} "
                "and the approval does not record signing on their behalf", approval,
                copy["addressee"] if copy else None)
        return Verification(VERIFIED, f"matches {what}approved version {approval.version} of letter "
                                      f"{approval.letter_id}, approved by {by} on {at}",
                            approval, copy["addressee"] if copy else None, signed_for)

    def _copy_problem(self, approval: Approval, copy: dict[str, Any], data: bytes) -> str | None:
        """Why a per-addressee copy (``data``) is not what the approved version renders to for its
        addressee. Its seal's base properties and signature image come from the approved bytes
        when this user may read them, else from the copy itself: either way the copy must
        render again byte for byte and match the hash its approval's audit event recorded."""
        source = approval.docx or data
        copy_only = {PROP_COPY_FOR, PROP_COPY, PROP_COPY_OF}
        with self.store.read() as tx:
            version = tx.letters.version(approval.letter_id, approval.version)
        try:
            pack = self.library.get(version.template_id)
            letter = parse_letter(version.data).letter
            base = {k: v for k, v in custom_properties(source).items()
                    if k.startswith(SEAL_PREFIX) and k != PROP_HASH and k not in copy_only}
            copies = self._sealed_copies(pack, letter, base, approval.content_sha256,
                                         member(source, SIGNATURE_MEDIA), self.seals)
        except (LetterInvalid, TemplateProblem) as exc:
            raise CouldNotCheck(f"the copy cannot be rendered again to check it: {exc}") from None
        made = next((c for c in copies if c.number == copy.get("number")), None)
        if made is None or made.sha256 != copy.get("sha256"):
            return (f"the copy for {copy.get('addressee')} is not what version {approval.version} of letter "
                    f"{approval.letter_id} renders to for that addressee")
        return None

    @staticmethod
    def _approval_for(tx: Transaction, data: bytes, digest: str | None,
                      claimed_id: int | None) -> tuple[Approval, dict[str, Any] | None] | None:
        """The approval (and, for a per-addressee copy, the copy's record) that ``data`` is."""
        if digest is None:
            return None
        matches = tx.letters.approvals_with_hash(digest)
        if matches:
            return matches[-1], None
        # Approved before the whole-package seal: the old hash finds the approval, and then
        # every part, document properties included, must be the stored approved bytes.
        for approval in reversed(tx.letters.approvals_with_hash(legacy_content_hash(data))):
            if same_package(data, approval.docx):
                return approval, None
        events = tx.audit.events(claimed_id) if claimed_id is not None else tx.audit.events()
        for event in events:
            if event.action != Action.APPROVE.value:
                continue
            detail = json.loads(event.detail)
            for copy in detail.get("copies") or []:
                if copy.get("sha256") == digest and isinstance(detail.get("approval"), int):
                    approval = tx.letters.approval(detail["approval"])
                    if approval.letter_id == event.letter_id:
                        return approval, copy
        return None

    def audit_check(self) -> tuple[int, AuditEvent | None, str]:
        """(events checked, first broken event or None, why)."""
        with self.store.read() as tx:
            events = list(tx.audit.events())
            head = tx.audit.head()
            references = tx.audit.references()
            profile = tx.court_profile.get()
        broken, why = first_broken(events, head, references)
        if broken is None and profile.version:
            # The profile row must still say what the event that set it recorded: new letters copy it.
            setting = [e for e in events if e.action == "court_profile_changed"]
            recorded = json.loads(setting[-1].detail) if setting else None
            if recorded != {**profile.content(), "version": profile.version}:
                last = setting[-1] if setting else None
                return len(events), last or missing(0), (
                    f"the court profile (version {profile.version}) is not what its audit event recorded: it was "
                    "changed behind Chambers' back; an admin saves it again in Office > Court profile")
        return len(events), broken, why



def _copy_paths(copies: list[SealedCopy], folder: Path) -> list[Path]:
    """Where each per-addressee copy goes in ``folder``: its own name, numbered where two are alike."""
    taken: set[str] = set()
    paths = []
    for made in copies:
        name = made.file_name
        stem, n = name[:-5], 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem} ({n}).docx"
        taken.add(name.casefold())
        paths.append(folder / name)
    return paths


def _same_letter(first: bytes, second: bytes) -> bool:
    """Whether two sealed packages are one letter in the canonical form (see
    ``Drafts.reproduction_problem``): every part but docProps/custom.xml byte for byte, and the
    custom properties by name and value, the seal's own hash aside."""
    try:
        one, other = read_members(first, "the letter"), read_members(second, "the approved letter")
    except TemplateProblem:
        return False
    one.pop(CUSTOM, None)
    other.pop(CUSTOM, None)
    if one != other:
        return False
    props = [{k: v for k, v in custom_properties(data).items() if k != PROP_HASH} for data in (first, second)]
    return props[0] == props[1]
