"""The desks the drafting window works at, and the one protocol they answer.

The window (app.ui) runs these calls on worker threads and shows their results; everything here
takes plain data and returns frozen records, so it can be tested with PySide6 uninstalled.

``ServiceDesk`` is the drafts database (review workflow, shared clause bank and address book);
``LocalDesk`` is this computer alone (an autosave file, clause bank and address book as JSON), with
no workflow, so review controls stay disabled and say why. Both keep their clauses in one
``ClauseBank`` (app.services.clauses), on the database's shelf or in a file.

What the desks use lives beside this module by topic: checking a letter (``checking``), exporting
a draft (``exporting``), a save that met another's version (``conflicts``), what the window shows
(``views``), and the seal images kept on this computer (``seals``).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.core import jsondata
from app.core.dates import date_line
from app.core.diff import WordDiff, field_changes, word_diff
from app.core.errors import ChambersError, LetterInvalid
from app.core.files import atomic_write, check_output_folder_target, write_outputs
from app.core.records import Approval, AuditEvent, Clause, Comment, CourtProfile, LetterSummary, LetterVersion
from app.core.workflow import Action, Refused, Role, Status, Verdict, verdict
from app.rendering.engine import CompiledPack
from app.services.checking import LetterData, check_letter, letter_text
from app.services.clauses import ClauseBank, ClauseFile
from app.services.journal import Journal, TypingLog
from app.services.office import AddressBookService, CourtProfileService, Users, address_entry
from app.services.seals import SealCache
from app.services.templates import TemplateLibrary
from app.services.views import Identity, Restorable, ReviewView, Row, UserRow
from app.storage.interfaces import Store

if TYPE_CHECKING:  # the drafts service, exports and PDFs are imported when first used: not at start-up
    from app.services.drafts import DiffReport, Drafts, ExportReport, LetterDetail
    from app.services.signing import Signing

# A judge's review is any of these on a version: what "changes since my last review" starts from.
REVIEW_ACTIONS = frozenset({"commented", "request_changes", "approve"})


class OfficeServices(Protocol):
    """The parts of ``app.bootstrap.Services`` the window uses (bootstrap is a layer above this one)."""

    store: Store
    library: TemplateLibrary
    journal: Journal
    drafts: Drafts
    users: Users
    clauses: ClauseBank
    court: CourtProfileService
    signing: Signing

    def close(self) -> None: ...


class Desk(Protocol):
    """What the window asks of any desk: who works here, what they may do, the letter being written,
    the clause bank and the address book. ``workflow`` is the drafts database's part (review, drafts,
    users), or None on this computer alone: the window asks which it has once, never the desk's class."""

    user: str
    role: str
    full_name: str
    database: str
    has_workflow: bool
    why_no_workflow: str
    asks_before_restore: bool
    recovered_at: dt.datetime | None

    @property
    def workflow(self) -> ServiceDesk | None: ...
    @property
    def opening(self) -> bool: ...
    @property
    def seals(self) -> Mapping[str, bytes]: ...
    @property
    def typing_path(self) -> Path: ...
    def close(self) -> None: ...
    def may(self, action: str) -> Verdict: ...
    def verdict(self, action: Action, status: Status | None) -> Verdict: ...
    def shown_name(self, name: str) -> str: ...
    def new_letter_defaults(self) -> tuple[LetterData, LetterData] | None: ...
    def restore(self) -> Restorable | None: ...
    def left_on_screen(self) -> int | None: ...
    def discard_recovery(self, letter_id: int | None) -> None: ...
    def keep(self, letter_id: int | None, data: LetterData, base_version: int | None) -> None: ...
    def save_draft(self, pack: CompiledPack, letter_id: int | None, data: LetterData, version: int | None,
                   note: str = "", *, save_point: bool = False,
                   withdraws: int | bool | None = True) -> LetterSummary | None: ...
    @property
    def clause_bank(self) -> ClauseBank: ...
    def clauses(self, search: str = "", tag: str = "") -> list[Clause]: ...
    def add_clause(self, title: str, text: str, tags: tuple[str, ...]) -> Clause: ...
    def address_book(self) -> list[LetterData]: ...
    def add_address(self, entry: LetterData) -> bool: ...


@dataclass
class LocalDesk:
    """Autosave, clause bank and address book in a folder; no shared drafts, no workflow."""

    folder: Path
    database: str = "none (letters are autosaved on this computer)"
    has_workflow: bool = False
    why_no_workflow: str = "the drafts database is not available in this installation"
    user: str = ""
    role: str = "clerk"
    full_name: str = ""
    # The autosave file is the letter itself (there is no database to save to): it reopens silently.
    asks_before_restore: bool = False
    recovered_at: dt.datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: This computer's own bank, in ``clauses.json`` (its user manages it: there is no office). Made
    #: with the desk, not on first use: two workers must never hold two banks over one file.
    clause_bank: ClauseBank = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.clause_bank = ClauseBank(ClauseFile(self.folder / "clauses.json"))

    def close(self) -> None:
        return

    @property
    def workflow(self) -> None:
        """No drafts database: no review workflow (``Desk.workflow``)."""
        return None

    @property
    def opening(self) -> bool:
        return False

    @property
    def seals(self) -> Mapping[str, bytes]:
        """No office, no seal store: a letter that pins a seal is refused on ``sender.seal``."""
        return {}

    def new_letter_defaults(self) -> tuple[LetterData, LetterData] | None:
        return None  # this computer alone: the window's own Preferences give the letterhead

    def may(self, action: str) -> Verdict:
        # The clause bank on this computer is its user's own: there is no office whose bank it could spoil.
        if action in ("edit", "create", "export_draft", "manage_clauses"):
            return Verdict(True, "")
        return Verdict(False, f"review needs the drafts database: {self.why_no_workflow}")

    def verdict(self, action: Action, status: Status | None) -> Verdict:
        return self.may(action.value)

    def shown_name(self, name: str) -> str:
        return name

    def _read(self, name: str, default: object) -> object:
        try:
            value: object = jsondata.load_file(self.folder / name)
            return value
        except LetterInvalid:  # missing, unreadable or not JSON: as if never written
            return default

    def _write(self, name: str, value: object) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.folder / name, json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8"))

    @property
    def _autosave_name(self) -> str:
        # Per user: one person's unsaved letter is never offered to another as "your last edit".
        return f"autosave-{self.user}.json" if self.user else "autosave.json"

    @property
    def typing_path(self) -> Path:
        """The typing log of this computer's user (``app.services.journal.TypingLog``)."""
        return self.folder / (f"typing-{self.user}.log" if self.user else "typing.log")

    # -- the letter being written ---------------------------------------------------------
    def restore(self) -> Restorable | None:
        """What was on screen when the window last stopped: the typing log a crash left is newer than the
        autosave (it has every keystroke), and becomes the autosave."""
        left = TypingLog.read(self.typing_path, self.user)
        if left is not None and left.unsaved:
            self.autosave(left.data)
            self.recovered_at = left.recorded_at
        self.typing_path.unlink(missing_ok=True)
        data = self.load_autosave()
        return Restorable(None, None, data) if data is not None else None

    def left_on_screen(self) -> int | None:
        return None  # no database: nothing but the autosave to show

    def keep(self, letter_id: int | None, data: LetterData, base_version: int | None) -> None:
        self.autosave(data)

    def save_draft(self, pack: CompiledPack, letter_id: int | None, data: LetterData,
                   version: int | None, note: str = "", *, save_point: bool = False,
                   withdraws: int | bool | None = True) -> LetterSummary | None:
        self.keep(letter_id, data, version)
        return None

    def load_autosave(self) -> LetterData | None:
        data = self._read(self._autosave_name, None)
        return data if isinstance(data, dict) else None

    def autosave(self, data: LetterData) -> None:
        with self._lock:
            self._write(self._autosave_name, data)

    def discard_recovery(self, letter_id: int | None) -> None:
        with self._lock:
            (self.folder / self._autosave_name).unlink(missing_ok=True)
            self.typing_path.unlink(missing_ok=True)

    # -- clause bank ----------------------------------------------------------------------
    def clauses(self, search: str = "", tag: str = "") -> list[Clause]:
        return self.clause_bank.list(search, tag)

    def add_clause(self, title: str, text: str, tags: tuple[str, ...]) -> Clause:
        return self.clause_bank.add(title, text, tags)

    # -- address book ---------------------------------------------------------------------
    def address_book(self) -> list[LetterData]:
        raw = self._read("address-book.json", [])
        return [e for e in raw if isinstance(e, dict)] if isinstance(raw, list) else []

    def add_address(self, entry: LetterData) -> bool:
        """Add ``entry`` (or replace the one with its name and title); whether it is new."""
        with self._lock:
            book = self.address_book()
            others = [e for e in book if (e.get("name"), e.get("title")) != (entry.get("name"), entry.get("title"))]
            others.append(entry)
            self._write("address-book.json", others)
        return len(others) > len(book)


class ServiceDesk:
    """The drafts, review, clause and user services over one database, as the window's user.

    Made over open services, or over an ``opener`` with the identity the last session had
    (``known``): the window then opens and shows the last letter at once, and the database is
    opened by the first call that needs it, on the database worker, in order before every
    other call. ``ready()`` is that first call: it says who the database says the user is.
    """

    has_workflow = True
    why_no_workflow = ""
    # A journal entry is an edit that never reached the database (a crash, a lost connection):
    # the next start asks before it restores it.
    asks_before_restore = True

    def __init__(self, services: OfficeServices | None = None, *,
                 opener: Callable[[], OfficeServices] | None = None, known: Identity | None = None,
                 journal: Journal | None = None, url: str = "") -> None:
        self._services = services
        self.url = url  # the database's URL as the store names it: the start card's key
        self._opener = opener
        self._opening = threading.Lock()
        self._failure: BaseException | None = None
        self.recovered_at: dt.datetime | None = None
        self._left_on_screen: int | None = None
        self._names: dict[str, str] | None = None
        self._addresses: AddressBookService | None = None
        self._seals: SealCache | None = None
        if services is None:
            if opener is None or known is None or journal is None:
                raise ValueError("a desk opened later needs an opener, the identity it expects and its journal")
            self.user, self.role, self.full_name = known.user, known.role, known.full_name
            self.database = known.database
            # Per user, and on disk next to the database: readable before the database answers.
            self.journal = journal
            return
        self._take(services)

    def _take(self, services: OfficeServices) -> None:
        actor = services.drafts.user
        self.user = actor.name
        self.role = actor.role.value
        self.full_name = actor.shown
        # Per user (the services' journal is this user's own): one person's unsaved edit is
        # never offered to another as "your last edit".
        self.journal = services.journal
        url = str(getattr(services.store, "url", ""))
        self.url = url
        self.database = "this computer (SQLite)" if url.startswith("sqlite") else url.split("@")[-1]

    @property
    def opened(self) -> bool:
        return self._services is not None

    @property
    def opening(self) -> bool:
        """The database is still opening behind the window (a start from the card): asked only on its worker."""
        return self._services is None

    @property
    def workflow(self) -> ServiceDesk:
        """The drafts, review and users part of the desk (``Desk.workflow``): this desk itself."""
        return self

    @property
    def services(self) -> OfficeServices:
        """The open services; the first use opens the database (never on the GUI thread in the window)."""
        if self._services is None:
            with self._opening:
                if self._failure is not None:
                    raise self._failure  # once refused, every call says so at once (no second wait)
                if self._services is None:
                    assert self._opener is not None
                    try:
                        services = self._opener()
                    except BaseException as exc:
                        self._failure = exc
                        raise
                    try:
                        self._take(services)
                    except BaseException:
                        services.close()
                        raise
                    self._services = services
        return self._services

    def ready(self) -> Identity:
        """Open the database now (if it is not open) and say who it says the user is."""
        _ = self.services
        return Identity(self.user, self.role, self.full_name, self.database)

    def read_identity_again(self) -> Identity:
        """Who the database says the user is now (an admin may have changed their own role)."""
        actor = self.services.drafts.user
        self.role, self.full_name = actor.role.value, actor.shown
        self._names = None
        return Identity(self.user, self.role, self.full_name, self.database)

    @property
    def drafts(self) -> Drafts:
        return self.services.drafts

    @property
    def addresses(self) -> AddressBookService:
        if self._addresses is None:
            services = self.services
            self._addresses = AddressBookService(services.store, lambda: services.drafts.user)
        return self._addresses

    def close(self) -> None:
        if self._services is not None:
            self._services.close()

    def may(self, action: str) -> Verdict:
        return verdict(Role(self.role), None, Action(action))

    def verdict(self, action: Action, status: Status | None) -> Verdict:
        return verdict(Role(self.role), status, action)

    def shown_name(self, name: str) -> str:
        """A user as people know them (the full name, as signed); read once, the office's users change rarely."""
        if self._names is None:
            if self._services is None:
                return name  # asked on the GUI thread: never wait there for the database to open
            try:
                self._names = {u.name: u.shown for u in self._services.users.list()}
            except ChambersError:
                return name
        return self._names.get(name, name)

    @property
    def typing_path(self) -> Path:
        """This user's typing log (``app.services.journal.TypingLog``), beside the journal's files."""
        return self.journal.typing_path

    # -- the letter being written ---------------------------------------------------------
    def restore(self) -> Restorable | None:
        """The newest edit that never reached the database. The typing log a crash left becomes a journal
        entry first (so a restore put off for later does not lose it when the next letter's log starts),
        and names the letter that was on screen (``left_on_screen``) even when all of it was saved."""
        left = TypingLog.read(self.typing_path, self.journal.owner)
        self._left_on_screen = left.letter_id if left is not None else None
        if left is not None and left.unsaved:
            self.journal.record(left.letter_id, left.data, left.base_version, recorded_at=left.recorded_at)
        self.typing_path.unlink(missing_ok=True)
        pending = self.journal.pending()
        if pending:
            entry = max(pending, key=lambda e: e.recorded_at)
            self.recovered_at = entry.recorded_at
            return Restorable(entry.letter_id, entry.base_version, entry.data)
        return None

    def discard_recovery(self, letter_id: int | None) -> None:
        self.journal.discard(letter_id)

    def left_on_screen(self) -> int | None:
        """The saved letter that was on screen when the window stopped without closing (a crash), as its
        typing log said at ``restore``: the next start opens it, not the card of the last clean close."""
        return self._left_on_screen

    def keep(self, letter_id: int | None, data: LetterData, base_version: int | None) -> None:
        if self.may("edit").allowed:  # a reader's window has no edit to keep
            self.journal.record(letter_id, dict(data), base_version)

    def save_draft(self, pack: CompiledPack, letter_id: int | None, data: LetterData,
                   version: int | None, note: str = "", *, save_point: bool = False,
                   withdraws: int | bool | None = True) -> LetterSummary | None:
        """Keep the edit on this computer, and save it once the letter is complete: an autosave amends
        the author's working copy, a ``save_point`` (File > Save) makes a history version. ``withdraws``:
        the approval the clerk agreed to withdraw (``Drafts.update``)."""
        self.keep(letter_id, data, version)
        if not self.may("edit").allowed:
            return None
        check = check_letter(pack, data, render=False)
        if check.letter is None or check.problems:
            return None
        summary = self.save(letter_id, data, version, note, save_point=save_point, withdraws=withdraws)
        self.journal.discard(letter_id)
        if letter_id is None:
            self.journal.discard(None)
        return summary

    def save(self, letter_id: int | None, data: LetterData, version: int | None, note: str = "", *,
             save_point: bool = False, withdraws: int | bool | None = True) -> LetterSummary:
        if letter_id is None:
            return self.drafts.create(str(data.get("template")), dict(data), note)
        assert version is not None
        return self.drafts.update(letter_id, dict(data), version, note, save_point=save_point, withdraws=withdraws)

    def open(self, letter_id: int) -> LetterDetail:
        return self.drafts.get(letter_id)

    def rows(self, search: str, status: str) -> list[Row]:
        """The drafts list in one query: each summary carries its names and date (no letter is loaded).

        "mine": the letters this person wrote or last edited, and (a judge's) those waiting for them:
        in review, signed by this judge or by nobody who is a judge (any judge may take those).
        """
        wanted = None if status in ("", "mine") else Status(status)
        judge = self.role == Role.JUDGE.value
        rows = []
        for summary in self.drafts.find(wanted, search or None, 200):
            mine = self.user in (summary.created_by, summary.updated_by)
            waiting = judge and summary.status is Status.IN_REVIEW and summary.waiting_for in (self.user, None)
            if status == "mine" and not (mine or waiting):
                continue
            date = date_line(summary.letter_date) if summary.letter_date else ""
            rows.append(Row(summary.id, summary.subject, summary.status.value, summary.template_id,
                            ", ".join(summary.addressees), date, summary.updated_by,
                            f"{summary.updated_at.astimezone():%Y-%m-%d %H:%M}", waiting, mine))
        return rows

    # -- review ---------------------------------------------------------------------------
    def news(self, seen: int | None) -> tuple[int, list[AuditEvent]]:
        """What others did since the audit log held ``seen`` events (None: only how many it holds now):
        the count now, and the events after ``seen`` that someone else made. Asked about once a second,
        so it reads one row unless something happened."""
        with self.services.store.read() as tx:
            count, _head = tx.audit.head()
            if seen is None or count <= seen:
                return count, []
            events = list(tx.audit.events())[seen:]
        return count, [e for e in events if e.actor != self.user]

    def submit(self, letter_id: int, version: int) -> LetterDetail:
        self.drafts.submit(letter_id, version)
        return self.drafts.get(letter_id)

    def approve(self, letter_id: int, version: int, signing_for: str | None = None) -> LetterDetail:
        """Approve the version on screen; ``signing_for`` names the signatory a judge signs for."""
        self.drafts.approve(letter_id, version, signing_for=signing_for)
        return self.drafts.get(letter_id)

    def request_changes(self, letter_id: int, comment: str) -> LetterDetail:
        self.drafts.request_changes(letter_id, comment)
        return self.drafts.get(letter_id)

    def comment(self, letter_id: int, text: str) -> LetterDetail:
        made: Comment = self.drafts.comment(letter_id, text)
        assert made.letter_id == letter_id
        return self.drafts.get(letter_id)

    def history(self, letter_id: int) -> tuple[LetterSummary, list[LetterVersion], list[AuditEvent]]:
        return self.drafts.history(letter_id)

    def diff(self, letter_id: int, from_version: int | None = None, to_version: int | None = None) -> DiffReport:
        return self.drafts.diff(letter_id, from_version, to_version)

    def review(self, letter_id: int) -> ReviewView:
        """The letter, its versions and the changes since this person's last review, read together.

        A judge's review is a comment, a request for changes or an approval by that judge; anyone
        else sees the changes since any judge's last review. Never reviewed: the whole letter, as added.
        """
        from app.services.drafts import DiffReport

        detail = self.drafts.get(letter_id)
        _summary, versions, events = self.drafts.history(letter_id)
        version = detail.summary.version
        reviews = [e for e in events if e.action in REVIEW_ACTIONS]
        if self.role == Role.JUDGE.value:
            reviews = [e for e in reviews if e.actor == self.user]
        else:
            judges = {u.name for u in self.services.users.list() if u.role is Role.JUDGE}
            reviews = [e for e in reviews if e.actor in judges]
        reviewed = int(json.loads(reviews[-1].detail)["version"]) if reviews else None
        after = next(v for v in versions if v.number == version)
        if reviewed is None:
            report = DiffReport(letter_id, 0, version, field_changes({}, after.data),
                                word_diff([], letter_text(self.services.library, after, self.seals)))
        elif reviewed >= version:
            report = DiffReport(letter_id, reviewed, version, [], WordDiff([], 0, 0))
        else:
            report = self.drafts.diff(letter_id, reviewed, version)
        return ReviewView(detail, versions, report, reviewed)

    def conflict_versions(self, letter_id: int, base: int, current: int) -> tuple[LetterData, LetterData]:
        """The version my edit started from and the other person's newer one, to set side by side
        (the base is empty when it is gone, a working copy replaced since)."""
        versions = {v.number: v for v in self.drafts.history(letter_id)[1]}
        if current not in versions:
            raise Refused(f"letter {letter_id} has no version {current}")
        before = dict(versions[base].data) if base in versions else {}
        return before, dict(versions[current].data)

    def export_final(self, letter_id: int, out: Path, pdf: Path | None) -> ExportReport:
        return self.drafts.export(letter_id, out, pdf)

    def export_final_pdf(self, letter_id: int, pdf: Path) -> Path:
        """The approved letter's PDF alone, from the approved bytes as released and checked."""
        return self.drafts.export_pdf(letter_id, pdf)

    def export_copies(self, letter_id: int, folder: Path, pdf: bool = False, docx: bool = True) -> list[Path]:
        """The approved letter's sealed per-addressee copies, as sealed at approval (and each one's PDF;
        with ``docx`` False, only the PDFs).

        The PDFs are made before anything is written, so a failed conversion writes nothing.
        """
        from app.rendering.pdf import EXPORTED, PdfConverter
        from app.services.letters import protect_packs

        library = self.services.library
        if not docx:
            protect_packs(library)
            check_output_folder_target(folder)  # the output policy, before the folder is made
            folder.mkdir(parents=True, exist_ok=True)
            return self.drafts.export_copies_pdf(letter_id, folder)
        pdfs: list[bytes] = []
        if pdf:
            copies = self.drafts.approved_copies(letter_id)
            with PdfConverter() as converter:
                pdfs = [converter.convert(c.data, EXPORTED) for c in copies]
        protect_packs(library)
        check_output_folder_target(folder)  # the output policy, before the folder is made
        folder.mkdir(parents=True, exist_ok=True)
        written = self.drafts.export_copies(letter_id, folder)
        if pdf:
            protect_packs(library)
            write_outputs([(path.with_suffix(".pdf"), ".pdf", "--pdf", data, None)
                           for path, data in zip(written, pdfs, strict=True)])
        out: list[Path] = []
        for path in written:
            out += [path, path.with_suffix(".pdf")] if pdf else [path]
        return out

    def approval(self, detail: LetterDetail) -> Approval | None:
        approval = detail.approval
        return approval if approval is not None and approval.voided_at is None else None

    # -- clause bank and address book -----------------------------------------------------
    @property
    def clause_bank(self) -> ClauseBank:
        """The office's bank in the database (only an admin adds or removes clauses)."""
        return self.services.clauses

    def clauses(self, search: str = "", tag: str = "") -> list[Clause]:
        return self.clause_bank.list(search, tag)

    def add_clause(self, title: str, text: str, tags: tuple[str, ...]) -> Clause:
        return self.clause_bank.add(title, text, tags)

    def address_book(self) -> list[LetterData]:
        return [dict(e.to_addressee()) for e in self.addresses.list()]

    def add_address(self, entry: LetterData) -> bool:
        """Add ``entry`` to the court's address book (or update the one with its name and title)."""
        return self.addresses.save(address_entry(dict(entry)))[1]

    # -- users (an admin's) ---------------------------------------------------------------
    def users(self) -> list[UserRow]:
        return [UserRow(u.name, u.role, u.full_name, u.signature_png is not None, u.active)
                for u in self.services.users.list()]

    def add_user(self, name: str, role: Role, full_name: str) -> str:
        return self.services.users.add(name, role, full_name)

    def set_role(self, name: str, role: Role) -> str:
        return self.services.users.set_role(name, role)

    def set_signature(self, name: str, png: bytes | None) -> str:
        return self.services.users.set_signature(name, png)

    def deactivate(self, name: str) -> str:
        return self.services.users.deactivate(name)

    def activate(self, name: str) -> str:
        return self.services.users.activate(name)


    # --- the office's court profile ------------------------------------------------------
    @property
    def seals(self) -> Mapping[str, bytes]:
        """The office's seal images, asked for on the GUI thread but read only when a render needs one
        (on a worker): from this computer's copy when it has one, else from the database."""
        if self._seals is None:
            self._seals = SealCache(self.journal.root / SealCache.FOLDER, lambda ref: self.services.drafts.seals[ref])
        return self._seals

    def court_profile(self) -> CourtProfile:
        return self.services.court.get()

    def save_court_profile(self, expect_version: int, changes: LetterData,
                           seal_png: bytes | None = None, placeholder_seal: bool = False) -> CourtProfile:
        """Save an admin's edit of the profile: the fields, then a new seal image or the placeholder."""
        if placeholder_seal:
            changes = {**changes, "seal": None}
        return self.services.court.update(expect_version, seal_png=seal_png, **changes)

    def new_letter_defaults(self) -> tuple[LetterData, LetterData] | None:
        return self.services.court.new_letter_defaults()
