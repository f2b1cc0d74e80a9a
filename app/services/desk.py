"""What the drafting window asks of the services: a typed boundary, no Qt, no ``Any`` across it.

The window (app.ui) runs these calls on worker threads and shows their results; everything here
takes plain data and returns frozen records, so it can be tested with PySide6 uninstalled.

``ServiceDesk`` is the drafts database (review workflow, shared clause bank and address book);
``LocalDesk`` is this computer alone (an autosave file, clause bank and address book as JSON), with
no workflow, so review controls stay disabled and say why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.core import hostos, jsondata
from app.core.address import Finding, letter_findings
from app.core.dates import date_line
from app.core.diff import WordDiff, field_changes, word_diff
from app.core.errors import ChambersError, LetterInvalid, Problem, TemplateProblem
from app.core.files import (
    atomic_write,
    check_output_folder_target,
    make_private_folder,
    preflight_outputs,
    write_outputs,
)
from app.core.letter import Letter, iter_text, parse_letter
from app.core.records import Approval, AuditEvent, Comment, CourtProfile, LetterSummary, LetterVersion
from app.core.text import Removal
from app.core.workflow import Action, Refused, Role, Status, Verdict, verdict
from app.rendering.engine import CompiledPack
from app.rendering.fonts import print_check
from app.rendering.preview import Preview, docx_preview
from app.services.journal import Journal, TypingLog
from app.services.office import AddressBookService, Clauses, CourtProfileService, Users, address_entry
from app.services.templates import TemplateLibrary
from app.storage.interfaces import Store

if TYPE_CHECKING:  # the drafts service, exports and PDFs are imported when first used: not at start-up
    from app.services.drafts import DiffReport, Drafts, ExportReport, LetterDetail
    from app.services.signing import Signing

# The letter's JSON, as the form holds it: nested dicts, lists and scalars.
LetterData = dict[str, object]

# A compiled pack keeps per-render state (its sandbox budget, its zip cache): one render at a time.
RENDER_LOCK = threading.Lock()
PARAGRAPH_SECTIONS = ("opening", "concerns", "requested_policies", "closing")
SECTION_NAMES = {"opening": "opening", "concerns": "concerns", "requested_policies": "requested policies",
                 "closing": "closing"}
# A judge's review is any of these on a version: what "changes since my last review" starts from.
REVIEW_ACTIONS = frozenset({"commented", "request_changes", "approve"})


# -- checking and exporting a letter -------------------------------------------------------------
@dataclass
class Check:
    """The letter as typed, checked: what stops export, what cleaning removed, and its preview."""

    letter: Letter | None
    problems: list[Problem] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    preview: Preview | None = None
    docx: bytes | None = None
    millis: float = 0.0
    # Advice that never stops export: name-line checks, guessed salutations, substituted fonts.
    advice: list[Finding] = field(default_factory=list)
    print_warnings: list[Problem] = field(default_factory=list)

    @property
    def exportable(self) -> bool:
        return self.letter is not None and not self.problems and not self.removals

    @property
    def blocking(self) -> str:
        """Why this letter cannot go to a judge or be approved now ("" when it can)."""
        count = len(self.problems) + len(self.removals)
        if self.letter is None or count:
            what = "1 problem" if count == 1 else f"{count} problems"
            return f"Preflight lists {what}: fix {'it' if count == 1 else 'them'} first"
        return ""


def _section_problems(pack: CompiledPack, data: LetterData) -> list[Problem]:
    problems: list[Problem] = []
    for key in PARAGRAPH_SECTIONS:
        if key not in pack.manifest.sections:
            continue
        raw = data.get(key)
        items = raw if isinstance(raw, list) else []
        if not any(str(p).strip() for p in items):
            if key in ("concerns", "opening"):
                problems.append(Problem(key, f"the {SECTION_NAMES[key]} section is empty"))
            continue
        for i, item in enumerate(items):
            if not str(item).strip():
                problems.append(Problem(f"{key}[{i}]", "empty paragraph: write it or remove it"))
    return problems


def check_letter(pack: CompiledPack, data: LetterData, *, render: bool = True,
                 images: Mapping[str, bytes] | None = None, standing: str | None = None) -> Check:
    """Validate ``data`` against the letter contract and the pack, and render a fast preview;
    ``images``: the office's seal images, for a letter that pins one (``desk.seals``); ``standing``:
    the approved letter's line (``standing.approved_standing``), rendered without the DRAFT mark."""
    start = time.perf_counter()
    try:
        parsed = parse_letter(data)
    except LetterInvalid as exc:
        return Check(None, exc.problems + _section_problems(pack, data), millis=_since(start))
    letter = parsed.letter
    problems = pack.manifest.check_letter(letter) + _section_problems(pack, data)
    result = Check(letter, problems, list(parsed.removals), advice=letter_findings(letter))
    if render:
        try:
            with RENDER_LOCK:
                rendered = pack.render(letter, draft=standing is None, images=images)
            result.docx = rendered.data
            result.preview = docx_preview(rendered.data, standing or "")
            # A character no font has would vanish from the PDF: an error, like any other preflight error.
            printing = print_check(letter, rendered.data)
            result.problems.extend(printing.errors)
            result.print_warnings = printing.warnings
        except LetterInvalid as exc:  # the pinned seal is missing or not what its hash says
            result.problems.extend(exc.problems)
        except ChambersError as exc:
            result.problems.append(Problem("", str(exc)))
    result.millis = _since(start)
    return result


def _since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


@dataclass
class ExportRequest:
    """What the export dialog asks for."""

    folder: Path
    stem: str
    docx: bool = True
    pdf: bool = False
    per_addressee: bool = False
    overwrite: bool = False


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)


def planned_files(letter: Letter, request: ExportRequest) -> list[Path]:
    """The files an export would write, so the dialog can ask before overwriting any."""
    from app.services.letters import suggested_file_name

    stems = ([Path(suggested_file_name(letter.model_copy(update={"addressees": [a]}), "")).name
              for a in letter.addressees] if request.per_addressee else [request.stem])
    paths = []
    for stem in stems:
        if request.docx:
            paths.append(request.folder / f"{stem}.docx")
        if request.pdf:
            paths.append(request.folder / f"{stem}.pdf")
    return paths


def export_letter(library: TemplateLibrary, pack: CompiledPack, letter: Letter,
                  request: ExportRequest, images: Mapping[str, bytes] | None = None) -> ExportResult:
    """Render every letter first (a DRAFT copy: see below), then write: each .docx with its PDF both or
    neither, never into a template folder, and over an existing file only when asked."""
    from app.services.letters import preflight_letter_files, write_letter_files

    if request.per_addressee:
        letters = [letter.model_copy(update={"addressees": [a]}) for a in letter.addressees]
    else:
        letters = [letter]
    targets = planned_files(letter, request)
    if not request.overwrite:
        existing = [p for p in targets if p.exists()]
        if existing:
            raise FileExistsError(0, "already exists; choose another name or allow overwriting", str(existing[0]))
    stems = [p.stem for p in targets if p.suffix == (".docx" if request.docx else ".pdf")]
    check_output_folder_target(request.folder)  # the output policy, before the folder is made
    made = not request.folder.exists()
    request.folder.mkdir(parents=True, exist_ok=True)  # the folder chosen in the dialog
    try:
        for stem in stems:  # every target refused or accepted before anything is rendered or written
            preflight_letter_files(library, request.folder / f"{stem}.docx",
                                   request.folder / f"{stem}.pdf" if request.pdf else None)
    except BaseException:
        if made:  # a refusal leaves the disk as it was
            request.folder.rmdir()
        raise
    # Always a DRAFT: an approved letter leaves through the drafts service (ServiceDesk.export_final and
    # its kin), which releases the approved bytes (audited) and checks them; never through this function.
    rendered: list[bytes] = []
    for one in letters:
        with RENDER_LOCK:
            rendered.append(pack.render(one, draft=True, images=images).data)
    result = ExportResult()
    for data, stem in zip(rendered, stems, strict=True):
        docx, pdf = request.folder / f"{stem}.docx", request.folder / f"{stem}.pdf"
        if request.docx:
            write_letter_files(library, data, docx, pdf if request.pdf else None)
            result.written.append(docx)
        else:
            write_pdf_only(library, data, pdf)
        if request.pdf:
            result.written.append(pdf)
    return result


def write_pdf_only(library: TemplateLibrary, docx: bytes, pdf: Path) -> None:
    """A PDF without its .docx, under the same rules as ``write_letter_files``."""
    from app.rendering.pdf import EXPORTED, PdfConverter
    from app.services.letters import protect_packs

    protect_packs(library)
    preflight_outputs([(pdf, ".pdf", "--pdf")])
    with PdfConverter() as converter:
        data = converter.convert(docx, EXPORTED)
    write_outputs([(pdf, ".pdf", "--pdf", data, None)])


# -- what the window shows -----------------------------------------------------------------------
SEED_CLAUSES: list[dict[str, object]] = [
    {"title": "Courthouses as sensitive locations",
     "text": "I respectfully request that courthouses be treated as sensitive locations, as schools, hospitals "
             "and places of worship already are, at which enforcement actions are generally avoided.",
     "tags": ["requested policy", "immigration", "access to justice"]},
    {"title": "Coordinate with the presiding judge",
     "text": "Where an enforcement action at or near a courthouse cannot be avoided, I ask that officers first "
             "coordinate with the presiding judge and court security personnel.",
     "tags": ["requested policy", "security"]},
    {"title": "Access to justice",
     "text": "Our courthouses serve as a vital forum for ensuring access to justice and protecting public "
             "safety; courts cannot do their work if those whose presence the law requires are afraid to "
             "walk through the courthouse door.",
     "tags": ["concern", "access to justice"]},
    {"title": "Public trust and confidence",
     "text": "I am concerned about the impact on public trust and confidence in our state court system if the "
             "public feels that our state institutions are being used to facilitate other goals.",
     "tags": ["concern", "public trust"]},
    {"title": "Welcome a discussion",
     "text": "I would welcome the opportunity to discuss these concerns with you or your staff.",
     "tags": ["closing"]},
    {"title": "Thank you",
     "text": "Thank you for your attention to this important matter.",
     "tags": ["closing"]},
]


@dataclass(frozen=True)
class ClauseItem:
    title: str
    text: str
    tags: tuple[str, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class Row:
    """One line of the drafts browser."""

    id: int
    subject: str
    status: str
    template: str
    addressees: str
    date: str
    updated_by: str
    updated_at: str
    waiting_for_me: bool = False
    mine: bool = False


@dataclass(frozen=True)
class Restorable:
    """An edit that never reached the database, offered back at the next start."""

    letter_id: int | None
    base_version: int | None
    data: LetterData


@dataclass(frozen=True)
class ReviewView:
    """What the review pane shows of one version of a letter, read in one go (no loading race)."""

    detail: LetterDetail
    versions: list[LetterVersion]
    since_review: DiffReport
    reviewed_version: int | None  # None: never reviewed, the changes are the whole letter


@dataclass(frozen=True)
class UserRow:
    name: str
    role: Role
    full_name: str
    has_signature: bool
    active: bool


@dataclass(frozen=True)
class PartChange:
    """One part of the letter (a field or a section) the other person changed, beside mine."""

    part: str                        # the letter's key: "subject", "concerns", "addressees"
    paths: tuple[str, ...]           # the fields they changed in it, e.g. ("concerns[1]",)
    theirs: str
    mine: str
    same: bool                       # mine already says what theirs says


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(_shown(v) for v in value.values() if v not in (None, "", []))
    return "" if value is None else str(value)


def conflict_parts(base: LetterData, theirs: LetterData, mine: LetterData) -> list[PartChange]:
    """What the other person changed since the version I started from, part by part, beside mine."""
    parts: dict[str, list[str]] = {}
    for change in field_changes(base, theirs):
        key = change.path.split(".")[0].split("[")[0]
        parts.setdefault(key, []).append(change.path)
    return [PartChange(key, tuple(paths), _shown(theirs.get(key)), _shown(mine.get(key)),
                       theirs.get(key) == mine.get(key))
            for key, paths in parts.items()]


def take_parts(mine: LetterData, theirs: LetterData, parts: list[str]) -> LetterData:
    """My letter with the chosen parts as the other person has them (a part they removed goes)."""
    merged = dict(mine)
    for key in parts:
        if key in theirs:
            merged[key] = theirs[key]
        else:
            merged.pop(key, None)
    return merged


class OfficeServices(Protocol):
    """The parts of ``app.bootstrap.Services`` the window uses (bootstrap is a layer above this one)."""

    store: Store
    library: TemplateLibrary
    journal: Journal
    drafts: Drafts
    users: Users
    clauses: Clauses
    court: CourtProfileService
    signing: Signing

    def close(self) -> None: ...


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def letter_text(library: TemplateLibrary, version: LetterVersion,
                images: Mapping[str, bytes] | None = None) -> list[str]:
    """The letter's paragraphs as the judge reads them on paper (the pack's own wording included)."""
    from app.rendering.seal import document_text

    letter = parse_letter(version.data).letter
    try:
        pack = library.get(version.template_id)
        with RENDER_LOCK:
            return document_text(pack.render(letter, draft=False, images=images).data)
    except (TemplateProblem, LetterInvalid):
        return [text for _path, text in iter_text(letter)]


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
    def clauses(self, search: str = "", tag: str = "") -> list[ClauseItem]: ...
    def add_clause(self, title: str, text: str, tags: tuple[str, ...]) -> ClauseItem: ...
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
        if action in ("edit", "create", "export_draft"):
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
    def clauses(self, search: str = "", tag: str = "") -> list[ClauseItem]:
        raw = self._read("clauses.json", None)
        items = raw if isinstance(raw, list) else SEED_CLAUSES
        words = search.lower().split()
        out = []
        for i, c in enumerate(items):
            if not isinstance(c, dict):
                continue
            raw_tags = c.get("tags")
            tags = tuple(str(t) for t in raw_tags) if isinstance(raw_tags, list) else ()
            hay = f"{c.get('title', '')} {c.get('text', '')} {' '.join(tags)}".lower()
            if all(w in hay for w in words) and (not tag or tag in tags):
                out.append(ClauseItem(str(c.get("title", "")), str(c.get("text", "")), tags, i))
        return out

    def add_clause(self, title: str, text: str, tags: tuple[str, ...]) -> ClauseItem:
        with self._lock:
            raw = self._read("clauses.json", None)
            items = list(raw) if isinstance(raw, list) else list(SEED_CLAUSES)
            items.append({"title": title, "text": text, "tags": list(tags)})
            self._write("clauses.json", items)
        return ClauseItem(title, text, tags, len(items) - 1)

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


class SealCache(Mapping[str, bytes]):
    """Seal images by their reference ("sha256:<hex>"), kept on this computer once read.

    A letter pins its seal by hash, so a start can show the last letter, seal and all, before the
    database is open: a copy in ``folder`` (owner-only, next to the recovery journal) is used only
    if its bytes have that hash; any other is read from the database (``fetch``) and kept.
    """

    FOLDER = ".seals"  # never a user's folder: user names do not start with a dot

    def __init__(self, folder: Path, fetch: Callable[[str], bytes]) -> None:
        self.folder = folder
        self._fetch = fetch
        self._found: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def _path(self, reference: str) -> Path | None:
        digest = reference.removeprefix("sha256:")
        if not reference.startswith("sha256:") or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None
        return self.folder / f"{digest}.png"

    def _kept(self, reference: str) -> bytes | None:
        path = self._path(reference)
        if path is None:
            return None
        try:
            # Only a regular file is read: a FIFO planted here would block the window for ever.
            data = hostos.read_regular(path, MAX_KEPT_SEAL)
        except OSError:
            return None
        return data if "sha256:" + hashlib.sha256(data).hexdigest() == reference else None

    def __getitem__(self, reference: str) -> bytes:
        with self._lock:
            found = self._found.get(reference)
        if found is not None:
            return found
        data = self._kept(reference)
        if data is None:
            data = self._fetch(reference)  # KeyError when the office has no such seal
            path = self._path(reference)
            if path is not None and "sha256:" + hashlib.sha256(data).hexdigest() == reference:
                try:
                    make_private_folder(self.folder)
                    atomic_write(path, data, durable=False)
                except OSError:
                    pass  # only a copy: the database still has it
        with self._lock:
            self._found[reference] = data
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._found))  # those read so far: the office's store is not listed

    def __len__(self) -> int:
        return len(self._found)


MAX_KEPT_SEAL = 2 * 1024 * 1024


@dataclass(frozen=True)
class Identity:
    """Who the window works as, and where: what a start shows before the database has answered."""

    user: str
    role: str
    full_name: str
    database: str


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
    def clauses(self, search: str = "", tag: str = "") -> list[ClauseItem]:
        return [ClauseItem(c.title, c.text, tuple(c.tags), c.id)
                for c in self.services.clauses.list(search or None, tag or None)]

    def add_clause(self, title: str, text: str, tags: tuple[str, ...]) -> ClauseItem:
        c = self.services.clauses.add(title, text, tags)
        return ClauseItem(c.title, c.text, tuple(c.tags), c.id)

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

