"""Which letter is open: a restored edit, a judge's waiting letters, the last letter, Open and Recent.

``Opening`` is built from its collaborators (the session, the document, the desk, the runners, the
template library, the spell checker, its widgets and a ``Messages`` port); it tells the window what it
did through signals: ``form_built`` (place this form; the document is opened in it next),
``letter_shown`` (the letter is in the form), ``desk_opened`` (the database answered: work on this
desk from now on), ``recent_changed`` (File > Recent lists these letters).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QStatusBar, QWidget

from app.bootstrap import data_dir
from app.core import jsondata
from app.core.errors import LetterInvalid, TemplateProblem
from app.core.workflow import Status
from app.rendering.engine import CompiledPack
from app.rendering.fonts import prefetch as prefetch_fonts
from app.services.desk import Desk, ServiceDesk
from app.services.spelling import letter_names
from app.services.startcard import ShownLetter, ShownPreview, StartCard
from app.services.templates import TemplateLibrary
from app.services.views import (
    Identity,
    Row,
)
from app.ui.backend import LocalBackend
from app.ui.controller import Messages, Part
from app.ui.dialogs import (
    RestoreDialog,
    TemplateGallery,
    TextPrompt,
)
from app.ui.document import LetterDocument
from app.ui.form import PARAGRAPH_SECTIONS, LetterForm
from app.ui.profile import CourtProfile, Preferences
from app.ui.session import LetterRecord, LetterSession
from app.ui.spelling import SpellChecking
from app.ui.workers import SETTLE_MS, OpRunner, describe_error

if TYPE_CHECKING:  # imported when first used, not at start-up
    from app.core.packs import Manifest
    from app.services.drafts import LetterDetail
    from app.ui.drafts_browser import DraftsBrowser
    from app.ui.preview_pane import PreviewPane
    from app.ui.review_pane import ReviewPane

log = logging.getLogger(__name__)

FLAGSHIP = "officials-concern"
RECENT_COUNT = 8
LARGEST_LETTER_NUMBER = 2**63 - 1  # the databases' integer keys (SQLite and PostgreSQL bigint)
# A start opens the database once the card's letter has its preview, or after this long without one.
FIRST_PREVIEW_WAIT_MS = 1500

FormFactory = Callable[["Manifest"], LetterForm]
Letterhead = Callable[[], "tuple[dict[str, Any], dict[str, Any]] | None"]


class Opening(QObject, Part):
    """Which letter is open: a restored edit, a judge's waiting letters, the last letter, Open and Recent."""

    form_built = Signal(object)      # LetterForm: place it; the document opens in it next
    letter_shown = Signal(str)       # the subject: the letter is in the form, its check asked next
    desk_opened = Signal(object)     # Desk: the database opened (or could not): work on this one now
    recent_changed = Signal(list)    # the letter ids File > Recent lists, the newest first

    _card_letter: ShownLetter | None = None  # the letter a start showed from the card, until the database answers
    _requests = 0  # letters asked for so far: only the newest one's form is built

    def __init__(self, host: QWidget, session: LetterSession, document: LetterDocument, desk: Desk, *,
                 library: TemplateLibrary, prefs: Callable[[], Preferences], runner: OpRunner, db: OpRunner,
                 spelling: SpellChecking, messages: Messages, make_form: FormFactory, letterhead: Letterhead,
                 start_card: StartCard | None, drafts: DraftsBrowser, drafts_dock: QDockWidget,
                 review: ReviewPane, placeholder: QLabel, status: QStatusBar, save_state: QLabel,
                 preview: PreviewPane, preview_pending: Callable[[], bool]) -> None:
        super().__init__(host)
        self.host = host
        self.session = session
        self.document = document
        self.desk = desk
        self.library = library
        self.prefs = prefs
        self.runner = runner
        self.db = db
        self.spelling = spelling
        self.messages = messages
        self.make_form = make_form
        self.letterhead = letterhead
        self.start_card = start_card
        self.drafts = drafts
        self.drafts_dock = drafts_dock
        self.review = review
        self.placeholder = placeholder
        self.status = status
        self.save_state = save_state
        self.preview = preview
        self.preview_pending = preview_pending  # an edit whose fast preview is not on screen yet
        self.form: LetterForm | None = None
        self._after_preview: list[Callable[[], None]] = []
        session.opened.connect(self._record_shown)
        session.record_changed.connect(self._record_shown)

    # -- the window's lifecycle (app.ui.controller.Lifecycle) -----------------------------------------
    def desk_changed(self, desk: Desk) -> None:
        self.desk = desk

    def letter_replaced(self, form: LetterForm) -> None:
        self.form = form

    def shutting_down(self) -> None:
        self.write_card()

    def _record_shown(self, record: LetterRecord) -> None:
        if record.id is not None:
            self._remember(record.id)

    def start(self) -> None:
        """An unsaved edit first (asked); else a judge's letters waiting for review; else the letter this
        person worked on last; the flagship sample only for a newcomer.

        A start with the last session's card shows the card's letter at once and opens the database
        behind it (``_database_ready`` then reconciles the two)."""
        backend = self.desk
        later = backend.opening
        restored = self._restore()
        if restored is True:
            if later:
                self._open_database()  # what was restored needs the database to show
            return
        # After a crash the letter that was on screen opens again, not the card's of the last clean close.
        left = backend.left_on_screen()
        if later:
            card = self.start_card
            if left is not None and (card is None or card.letter is None or card.letter.id != left):
                self._open_database()
                self.open_record(left)
                return
            self._show_card(skip_unsaved=restored is None)
            return
        if backend.workflow is not None and backend.may("approve").allowed:
            self.show_waiting()
            return
        recent = ([left] if left is not None else []) + self.recent_letters()
        if recent and backend.workflow is not None:
            self.open_record(recent[0])
            return
        self.open_sample()

    def _restore(self) -> bool | None:
        """Offer the unsaved edit the journal kept: True when a letter is being opened, None when there was
        an edit but it was not restored (discarded, or kept for later), False when there was none."""
        try:
            saved = self.desk.restore()
        except Exception as exc:  # a broken journal must not stop the window from opening
            self.messages.show_error(self.tr("Unsaved work could not be restored: {error}")
                                     .format(error=describe_error(exc)))
            saved = None
        if saved is None:
            return False
        letter_id = saved.letter_id
        answer = self._ask_restore(letter_id, saved.data) if self.desk.asks_before_restore else "restore"
        if answer == "restore":
            if letter_id is not None:
                self.open_record(letter_id, restored=(saved.base_version, saved.data))
            else:
                self.open_letter(saved.data, restored=True)
            return True
        if answer == "discard":
            self.desk.discard_recovery(letter_id)
            self.status.showMessage(self.tr("The unsaved edit was discarded"), 6000)
        else:
            self.messages.show_error(self.tr("Your unsaved edit is still kept; Chambers offers it again at the next "
                                             "start."), error=False)
        if letter_id is not None and self.desk.workflow is not None:
            self.open_record(letter_id)
            return True
        return None

    # -- a start from the last session's card --------------------------------------------------
    def _show_card(self, *, skip_unsaved: bool = False) -> None:
        """The card's letter on screen now; the database opens once its preview is drawn (the two would
        share the processor), and everything asked of the database meanwhile waits for it, in order."""
        card = self.start_card
        shown = card.letter if card is not None else None
        if shown is not None and shown.id is None and skip_unsaved:
            shown = None  # a new letter the clerk just chose not to restore is not shown from the card either
        self._card_letter = shown
        self.status.showMessage(self.tr("Opening the drafts database…"))
        self._after_first_preview(self._open_database)
        if shown is None:
            self.open_sample()
            return
        status = Status(shown.status) if shown.status in {s.value for s in Status} else None
        self.open_letter(shown.data, record=LetterRecord(shown.id, shown.version, status))

    def _after_first_preview(self, fn: Callable[[], None]) -> None:
        """``fn`` once, after the first preview is on screen (or after a while, should it never come)."""
        done = [False]

        def once() -> None:
            if done[0]:
                return
            done[0] = True
            # A moment for the window to paint what it just got: the database's opening holds
            # Python's lock for long stretches (its extensions load), which would hold the paint.
            QTimer.singleShot(SETTLE_MS, fn)

        self._after_preview.append(once)
        QTimer.singleShot(FIRST_PREVIEW_WAIT_MS, once)

    def preview_shown(self, *_check: object) -> None:
        """A preview is on screen: what waited for the first one goes ahead."""
        waiting, self._after_preview = self._after_preview, []
        for fn in waiting:
            fn()

    def _open_database(self) -> None:
        backend = self.desk.workflow
        if backend is None:
            return
        self.db.run(backend.ready, lambda who: self._database_ready(backend, who),
                    lambda exc: self._database_failed(backend, exc))

    def _database_ready(self, backend: ServiceDesk, identity: Identity) -> None:
        if self.desk is not backend:
            return
        self.status.showMessage(self.tr("The drafts database is open"), 4000)
        self.desk_opened.emit(backend)
        QTimer.singleShot(SETTLE_MS, self.spelling.start)
        card = self.start_card
        if card is not None and identity.user != card.identity.user:
            self.messages.show_error(self.tr("The drafts database opened as {user}, not as {before} of the last "
                                             "session").format(user=identity.user, before=card.identity.user),
                                     error=False)
        shown = self._card_letter
        record = self.session.record
        if shown is not None and shown.id is not None and record.id == shown.id:
            letter_id = shown.id

            def failed(exc: BaseException) -> None:
                self.messages.show_error(self.tr("Letter {id} cannot be opened: {error}").format(
                    id=letter_id, error=describe_error(exc)))

            self.db.run(lambda: backend.open(letter_id), lambda detail: self._reconcile(shown, detail), failed)
        if backend.may("approve").allowed:
            self._waiting_after_open(backend)

    def _reconcile(self, shown: ShownLetter, detail: LetterDetail) -> None:
        """The database's record of the letter the card showed: the record follows it; the form follows it
        only when nothing was typed (an edit typed meanwhile is saved against the card's version, so a
        newer one in the database is a conflict, shown side by side, never overwritten)."""
        session = self.session
        if session.record.id != shown.id:
            return  # the clerk opened another letter meanwhile
        if session.record.detail is not None:
            session.apply(detail)  # a save made meanwhile already read the letter back
            return
        same_text = detail.current.data == shown.data
        if same_text or ((session.dirty or session.saving) and detail.summary.version == session.record.version):
            session.apply(detail)
            return
        if session.dirty or session.saving:
            self.messages.show_error(self.tr(
                "Letter {id} was changed in the drafts database since you last had it open (it is at version "
                "{v} now): your edit is compared with it when it is saved").format(
                    id=shown.id, v=detail.summary.version), error=False)
            return
        self.open_letter(detail.current.data, detail=detail)
        author = self.desk.shown_name(detail.current.author)
        self.messages.show_error(self.tr("Letter {id} was changed since you last had it open: this is version {v}, "
                                         "saved by {author}").format(id=shown.id, v=detail.summary.version,
                                                                     author=author), error=False)

    def _waiting_after_open(self, backend: ServiceDesk) -> None:
        """A judge's start: once the database is open, the letters waiting for review; the first one opens
        unless the judge is already working on the letter shown."""
        self.drafts_dock.show()
        self.drafts_dock.raise_()
        self.drafts.show_waiting()

        def listed(rows: list[Row]) -> None:
            self.drafts.show_rows(rows)
            waiting = [r.id for r in rows if r.waiting_for_me]
            shown = self.session.record.id
            if waiting and shown not in waiting and not self.session.dirty:
                self.open_record(waiting[0])

        self.db.run(lambda: backend.rows("", "mine"), listed)

    def _database_failed(self, backend: ServiceDesk, exc: BaseException) -> None:
        """The database could not be opened (or does not know this person): this computer alone, as a start
        without the card would have been; the letter on screen and what was typed stay."""
        if self.desk is not backend:
            return
        why = describe_error(exc)
        local = LocalBackend(why_no_workflow=why, user=backend.user, role=backend.role)
        self.desk_opened.emit(local)
        self.spelling.start()
        self.status.clearMessage()
        self.messages.show_error(self.tr("The drafts database could not be opened: {why}. You are working on this "
                                         "computer alone; what you type is kept here.").format(why=why))
        if self.form is not None:
            self.session.mark_edited()  # kept in this computer's autosave from now on

    def changed_by_others(self, detail: LetterDetail) -> None:
        """Someone else changed the open letter: its status and actions follow at once; their newer text
        replaces the form only when nothing is typed here (a save meets it as a conflict otherwise)."""
        session = self.session
        if detail.summary.id != session.record.id:
            return
        if detail.summary.version == session.record.version:
            session.apply(detail)
        elif not session.dirty and not session.saving and self.form is not None:
            self.open_letter(detail.current.data, detail=detail)

    def write_card(self) -> None:
        """At close: who worked here and the letter on screen, for the next start to show at once."""
        backend = self.desk.workflow
        if backend is None or backend.opening or not backend.url:
            return  # no database (or never opened this session): the card of the last session stays
        record = self.session.record
        letter = None
        if self.form is not None:
            letter = ShownLetter(record.id, record.version, record.status.value if record.status else None,
                                 self.form.data())
        card = StartCard(Identity(backend.user, backend.role, backend.full_name, backend.database), letter,
                         preview=self._shown_preview() if letter is not None else None)
        try:
            card.save(data_dir(), backend.url)
        except OSError as exc:
            log.warning("the start card was not written: %s", exc)

    def _shown_preview(self) -> ShownPreview | None:
        """The fast preview on screen, for the next start's first paint: only while it is the letter as typed."""
        shown = self.preview.current
        if shown is None or self.preview_pending() or not self.preview.banner.isHidden():
            return None  # an edit not rendered yet, or one that could not be: the next start renders it
        return ShownPreview(shown.html, shown.text)

    def open_sample(self) -> None:
        try:
            data = jsondata.loads(self.library.sample(FLAGSHIP), "the sample letter")
        except (TemplateProblem, LetterInvalid) as exc:
            packs = [p for p in self.library.list() if not p.problem]
            if not packs:
                self.messages.show_error(self.tr("No template packs were found: {error}").format(
                    error=describe_error(exc)))
                return
            data = self._blank(packs[0].id)
        if not self.prefs().profile.court:
            self.prefs().profile = CourtProfile.from_letter(data)
        self.open_letter(data)

    def show_waiting(self) -> None:
        """A judge's start: the drafts list on the letters waiting for this judge, the first one open."""
        backend = self.desk.workflow
        assert backend is not None  # asked for a judge, who works only with the drafts database
        self.drafts_dock.show()
        self.drafts_dock.raise_()
        self.drafts.show_waiting()

        def listed(rows: list[Row]) -> None:
            self.drafts.show_rows(rows)
            waiting = [r for r in rows if r.waiting_for_me]
            recent = self.recent_letters()
            if waiting:
                self.open_record(waiting[0].id)
            elif recent:
                self.open_record(recent[0])
            else:
                self.placeholder.setText(self.tr("No letters are waiting for your review. Letters submitted "
                                                 "to you appear in Drafts."))

        self.db.run(lambda: backend.rows("", "mine"), listed)

    def _recent_key(self) -> str:
        return f"{self.desk.user}@{self.desk.database}"

    def recent_letters(self) -> list[int]:
        return list(self.prefs().recent.get(self._recent_key(), []))

    def _remember(self, letter_id: int) -> None:
        key = self._recent_key()
        ids = [letter_id, *[i for i in self.prefs().recent.get(key, []) if i != letter_id]][:RECENT_COUNT]
        if self.prefs().recent.get(key) == ids:
            return
        self.prefs().recent[key] = ids
        self._fill_recent_menu()
        prefs = self.prefs()
        self.runner.run(prefs.save, None, lambda exc: log.warning("recent letters not saved: %s", exc))

    def _fill_recent_menu(self) -> None:
        self.recent_changed.emit(self.recent_letters())

    def open_by_number(self) -> None:
        """File > Open: a letter of the drafts database by its number (the drafts list finds it by words)."""
        if self.desk.workflow is None:
            self.messages.show_error(self.tr("Opening letters needs the drafts database: {why}")
                                     .format(why=self.desk.why_no_workflow))
            return
        prompt = TextPrompt(self.tr("Open letter"), self.tr("Letter number (search by words in Drafts, Ctrl+D):"),
                            self.host)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        typed = prompt.value().strip()
        text = typed.lstrip("#").replace(",", "")
        # isdigit() would take "²" and other digits int() refuses; a number past the database's integers
        # would reach it as an overflow: both are told here, in words.
        if not (text.isascii() and text.isdecimal()) or int(text) < 1:
            self.messages.show_error(self.tr("“{text}” is not a letter number: letters are numbered 1, 2, 3… "
                                             "(search by words in Drafts, Ctrl+D)").format(text=typed))
            return
        if int(text) > LARGEST_LETTER_NUMBER:
            self.messages.show_error(self.tr("There is no letter {text}: letter numbers go up to {largest}").format(
                text=text, largest=f"{LARGEST_LETTER_NUMBER:,}"))
            return
        self.open_record(int(text))

    def _ask_restore(self, letter_id: int | None, data: dict[str, Any]) -> str | None:
        """Restore, discard, or (Escape) neither for now: the edit stays in the journal."""
        dialog = RestoreDialog(letter_id, data, self.desk.recovered_at, self.host)
        dialog.exec()
        return dialog.answer

    def _blank(self, pack_id: str) -> dict[str, Any]:
        profile = self.prefs().profile
        # The office's court profile when there is a database; this computer's Preferences otherwise.
        sender, signatory = self.letterhead() or (profile.sender(), profile.signatory())
        data: dict[str, Any] = {
            "template": pack_id, "date": dt.date.today().isoformat(), "subject": "",
            "sender": sender, "signatory": signatory, "addressees": [],
            "complimentary_close": "Sincerely,", "fields": {},
        }
        for key in PARAGRAPH_SECTIONS:
            data[key] = [""] if key in ("opening", "concerns") else []
        return data

    def open_letter(self, data: dict[str, Any], restored: bool = False, detail: LetterDetail | None = None,
                    base_version: int | None = None, record: LetterRecord | None = None) -> None:
        """Show ``data`` in the form: a letter of the database (``detail``), the record a start card
        remembered (``record``, read again once the database is open), or a letter never saved."""
        pack_id = str(data.get("template") or FLAGSHIP)
        remembered = record
        # Packs compile on two threads: a letter asked for earlier may be ready later. The newest request
        # wins, as the clerk expects (a start's sample never replaces the letter opened meanwhile).
        self._requests += 1
        request = self._requests

        def loaded(pack: CompiledPack) -> None:
            if request != self._requests:
                return  # another letter was asked for since: it is the one shown
            record = remembered if detail is None and remembered is not None else LetterRecord.of(detail)
            if base_version is not None:
                # A restored edit saves against the version it started from: a save in between is a conflict.
                from dataclasses import replace

                record = replace(record, version=base_version)
            if detail is None and remembered is None and self.desk.has_workflow:
                self.review.clear(self.tr("This letter is not saved yet; it is saved as soon as it is complete."))
            self._install(pack, data)
            self.session.open(record, dirty=restored)
            if restored:
                self.save_state.setText(self.tr("Restored the letter you were writing (not yet saved)"))

        def failed(exc: BaseException) -> None:
            self.messages.show_error(self.tr("The template {pack} cannot be used: {error}")
                                     .format(pack=pack_id, error=describe_error(exc)))

        def compiled() -> CompiledPack:
            pack = self.library.get(pack_id)
            prefetch_fonts(pack.members.get("word/styles.xml"))  # asked beside the form's building
            return pack

        self.runner.run(compiled, loaded, failed)

    def _install(self, pack: CompiledPack, data: dict[str, Any]) -> None:
        # The window builds the view and wires it (to editing, the address book); placed, every part
        # that holds the form takes the new one before the document opens in it.
        form = self.make_form(pack.manifest)
        self.form_built.emit(form)
        self.document.open(pack, data)  # the form shows it (a view of the document)
        self.spelling.set_language(pack.manifest.language)
        self.spelling.set_names(letter_names(self.document.data))
        self.letter_shown.emit(str(data.get("subject") or ""))

    def new_letter(self) -> None:
        packs = self.library.list()
        gallery = TemplateGallery(packs, self.host)
        accepted = gallery.exec() == TemplateGallery.DialogCode.Accepted
        pack_id = gallery.chosen()
        gallery.deleteLater()  # a closed dialog kept as a child could still hold the keyboard focus
        if not accepted:
            return
        if pack_id:
            self.session.save(save_point=True)  # what was typed in the letter on screen, a version of its own
            self.open_letter(self._blank(pack_id))

    def open_record(self, letter_id: int, restored: tuple[int | None, dict[str, Any]] | None = None) -> None:
        """Open a letter from the drafts database (with unsaved journal edits on top, if any)."""
        if self.form is not None and self.session.dirty:
            self.session.save()
        backend = self.desk.workflow
        if backend is None:
            return

        def opened(detail: LetterDetail) -> None:
            data = restored[1] if restored else detail.current.data
            self.open_letter(data, restored=restored is not None, detail=detail,
                             base_version=restored[0] if restored else None)

        def failed(exc: BaseException) -> None:
            self.messages.show_error(self.tr("Letter {id} cannot be opened: {error}").format(
                id=letter_id, error=describe_error(exc)))

        self.db.run(lambda: backend.open(letter_id), opened, failed)
