"""Which letter is open: a restored edit, a judge's waiting letters, the last letter, Open and Recent."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)

from app.bootstrap import data_dir
from app.core import jsondata
from app.core.errors import LetterInvalid, TemplateProblem
from app.core.workflow import Status
from app.rendering.engine import CompiledPack
from app.rendering.fonts import prefetch as prefetch_fonts
from app.services.spelling import letter_names
from app.services.startcard import ShownLetter, StartCard
from app.services.views import (
    Identity,
    Row,
)
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.controller import Controller
from app.ui.dialogs import (
    RestoreDialog,
    TemplateGallery,
    TextPrompt,
)
from app.ui.form import PARAGRAPH_SECTIONS, LetterForm
from app.ui.profile import CourtProfile
from app.ui.session import LetterRecord
from app.ui.workers import SETTLE_MS, describe_error

if TYPE_CHECKING:  # imported when first used, not at start-up
    from app.services.drafts import LetterDetail

log = logging.getLogger(__name__)

FLAGSHIP = "officials-concern"
RECENT_COUNT = 8
LARGEST_LETTER_NUMBER = 2**63 - 1  # the databases' integer keys (SQLite and PostgreSQL bigint)
# A start opens the database once the card's letter has its preview, or after this long without one.
FIRST_PREVIEW_WAIT_MS = 1500


class Opening(Controller):
    """Which letter is open: a restored edit, a judge's waiting letters, the last letter, Open and Recent."""

    _card_letter: ShownLetter | None = None  # the letter a start showed from the card, until the database answers

    def start(self) -> None:
        """An unsaved edit first (asked); else a judge's letters waiting for review; else the letter this
        person worked on last; the flagship sample only for a newcomer.

        A start with the last session's card shows the card's letter at once and opens the database
        behind it (``_database_ready`` then reconciles the two)."""
        backend = self.w.backend
        later = backend.opening
        restored = self._restore()
        if restored is True:
            if later:
                self._open_database()  # what was restored needs the database to show
            return
        # After a crash the letter that was on screen opens again, not the card's of the last clean close.
        left = backend.left_on_screen()
        if later:
            card = self.w.start_card
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
            saved = self.w.backend.restore()
        except Exception as exc:  # a broken journal must not stop the window from opening
            self.w.show_error(self.w.tr("Unsaved work could not be restored: {error}")
                              .format(error=describe_error(exc)))
            saved = None
        if saved is None:
            return False
        letter_id = saved.letter_id
        answer = self._ask_restore(letter_id, saved.data) if self.w.backend.asks_before_restore else "restore"
        if answer == "restore":
            if letter_id is not None:
                self.open_record(letter_id, restored=(saved.base_version, saved.data))
            else:
                self.open_letter(saved.data, restored=True)
            return True
        if answer == "discard":
            self.w.backend.discard_recovery(letter_id)
            self.w.statusBar().showMessage(self.w.tr("The unsaved edit was discarded"), 6000)
        else:
            self.w.show_error(self.w.tr("Your unsaved edit is still kept; Chambers offers it again at the next "
                                    "start."), error=False)
        if letter_id is not None and self.w.backend.workflow is not None:
            self.open_record(letter_id)
            return True
        return None

    # -- a start from the last session's card --------------------------------------------------
    def _show_card(self, *, skip_unsaved: bool = False) -> None:
        """The card's letter on screen now; the database opens once its preview is drawn (the two would
        share the processor), and everything asked of the database meanwhile waits for it, in order."""
        card = self.w.start_card
        shown = card.letter if card is not None else None
        if shown is not None and shown.id is None and skip_unsaved:
            shown = None  # a new letter the clerk just chose not to restore is not shown from the card either
        self._card_letter = shown
        self.w.statusBar().showMessage(self.w.tr("Opening the drafts database…"))
        self._after_first_preview(self._open_database)
        if shown is None:
            self.open_sample()
            return
        status = Status(shown.status) if shown.status in {s.value for s in Status} else None
        self.open_letter(shown.data, record=LetterRecord(shown.id, shown.version, status))

    def _after_first_preview(self, fn: Callable[[], None]) -> None:
        """``fn`` once, after the first preview is on screen (or after a while, should it never come)."""
        done = [False]

        def once(*_args: object) -> None:
            if done[0]:
                return
            done[0] = True
            self.w.checked.disconnect(once)
            # A moment for the window to paint what it just got: the database's opening holds
            # Python's lock for long stretches (its extensions load), which would hold the paint.
            QTimer.singleShot(SETTLE_MS, fn)

        self.w.checked.connect(once)
        QTimer.singleShot(FIRST_PREVIEW_WAIT_MS, once)

    def _open_database(self) -> None:
        backend = self.w.backend.workflow
        if backend is None:
            return
        self.w.db.run(backend.ready, lambda who: self._database_ready(backend, who),
                      lambda exc: self._database_failed(backend, exc))

    def _database_ready(self, backend: ServiceBackend, identity: Identity) -> None:
        if self.w.backend is not backend:
            return
        self.w.statusBar().showMessage(self.w.tr("The drafts database is open"), 4000)
        self.w.attach_backend(backend)
        QTimer.singleShot(SETTLE_MS, self.w.spelling.start)
        card = self.w.start_card
        if card is not None and identity.user != card.identity.user:
            self.w.show_error(self.w.tr("The drafts database opened as {user}, not as {before} of the last "
                                        "session").format(user=identity.user, before=card.identity.user), error=False)
        shown = self._card_letter
        record = self.w.session.record
        if shown is not None and shown.id is not None and record.id == shown.id:
            letter_id = shown.id

            def failed(exc: BaseException) -> None:
                self.w.show_error(self.w.tr("Letter {id} cannot be opened: {error}").format(
                    id=letter_id, error=describe_error(exc)))

            self.w.db.run(lambda: backend.open(letter_id), lambda detail: self._reconcile(shown, detail), failed)
        if backend.may("approve").allowed:
            self._waiting_after_open(backend)

    def _reconcile(self, shown: ShownLetter, detail: LetterDetail) -> None:
        """The database's record of the letter the card showed: the record follows it; the form follows it
        only when nothing was typed (an edit typed meanwhile is saved against the card's version, so a
        newer one in the database is a conflict, shown side by side, never overwritten)."""
        session = self.w.session
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
            self.w.show_error(self.w.tr(
                "Letter {id} was changed in the drafts database since you last had it open (it is at version "
                "{v} now): your edit is compared with it when it is saved").format(
                    id=shown.id, v=detail.summary.version), error=False)
            return
        self.open_letter(detail.current.data, detail=detail)
        self.w.show_error(self.w.tr("Letter {id} was changed since you last had it open: this is version {v}, "
                                    "saved by {author}").format(id=shown.id, v=detail.summary.version,
                                                                author=self.w.backend.shown_name(
                                                                    detail.current.author)), error=False)

    def _waiting_after_open(self, backend: ServiceBackend) -> None:
        """A judge's start: once the database is open, the letters waiting for review; the first one opens
        unless the judge is already working on the letter shown."""
        self.w.drafts_dock.show()
        self.w.drafts_dock.raise_()
        self.w.drafts.show_waiting()

        def listed(rows: list[Row]) -> None:
            self.w.drafts.show_rows(rows)
            waiting = [r.id for r in rows if r.waiting_for_me]
            shown = self.w.session.record.id
            if waiting and shown not in waiting and not self.w.session.dirty:
                self.open_record(waiting[0])

        self.w.db.run(lambda: backend.rows("", "mine"), listed)

    def _database_failed(self, backend: ServiceBackend, exc: BaseException) -> None:
        """The database could not be opened (or does not know this person): this computer alone, as a start
        without the card would have been; the letter on screen and what was typed stay."""
        if self.w.backend is not backend:
            return
        why = describe_error(exc)
        local = LocalBackend(why_no_workflow=why, user=backend.user, role=backend.role)
        self.w.attach_backend(local)
        self.w.spelling.start()
        self.w.statusBar().clearMessage()
        self.w.show_error(self.w.tr("The drafts database could not be opened: {why}. You are working on this "
                                    "computer alone; what you type is kept here.").format(why=why))
        if self.w.form is not None:
            self.w.session.mark_edited()  # kept in this computer's autosave from now on

    def write_card(self) -> None:
        """At close: who worked here and the letter on screen, for the next start to show at once."""
        backend = self.w.backend.workflow
        if backend is None or backend.opening or not backend.url:
            return  # no database (or never opened this session): the card of the last session stays
        record = self.w.session.record
        letter = None
        if self.w.form is not None:
            letter = ShownLetter(record.id, record.version, record.status.value if record.status else None,
                                 self.w.letter_data())
        card = StartCard(Identity(backend.user, backend.role, backend.full_name, backend.database), letter)
        try:
            card.save(data_dir(), backend.url)
        except OSError as exc:
            log.warning("the start card was not written: %s", exc)

    def open_sample(self) -> None:
        try:
            data = jsondata.loads(self.w.library.sample(FLAGSHIP), "the sample letter")
        except (TemplateProblem, LetterInvalid) as exc:
            packs = [p for p in self.w.library.list() if not p.problem]
            if not packs:
                self.w.show_error(self.w.tr("No template packs were found: {error}").format(error=describe_error(exc)))
                return
            data = self._blank(packs[0].id)
        if not self.w.prefs.profile.court:
            self.w.prefs.profile = CourtProfile.from_letter(data)
        self.open_letter(data)

    def show_waiting(self) -> None:
        """A judge's start: the drafts list on the letters waiting for this judge, the first one open."""
        backend = self.w.backend.workflow
        assert backend is not None  # asked for a judge, who works only with the drafts database
        self.w.drafts_dock.show()
        self.w.drafts_dock.raise_()
        self.w.drafts.show_waiting()

        def listed(rows: list[Row]) -> None:
            self.w.drafts.show_rows(rows)
            waiting = [r for r in rows if r.waiting_for_me]
            recent = self.recent_letters()
            if waiting:
                self.open_record(waiting[0].id)
            elif recent:
                self.open_record(recent[0])
            else:
                self.w.placeholder.setText(self.w.tr("No letters are waiting for your review. Letters submitted "
                                                 "to you appear in Drafts."))

        self.w.db.run(lambda: backend.rows("", "mine"), listed)

    def _recent_key(self) -> str:
        return f"{self.w.backend.user}@{self.w.backend.database}"

    def recent_letters(self) -> list[int]:
        return list(self.w.prefs.recent.get(self._recent_key(), []))

    def _remember(self, letter_id: int) -> None:
        key = self._recent_key()
        ids = [letter_id, *[i for i in self.w.prefs.recent.get(key, []) if i != letter_id]][:RECENT_COUNT]
        if self.w.prefs.recent.get(key) == ids:
            return
        self.w.prefs.recent[key] = ids
        self._fill_recent_menu()
        prefs = self.w.prefs
        self.w.runner.run(prefs.save, None, lambda exc: log.warning("recent letters not saved: %s", exc))

    def _fill_recent_menu(self) -> None:
        menu = self.w.recent_menu
        menu.clear()
        ids = self.recent_letters()
        for letter_id in ids:
            action = menu.addAction(self.w.tr("Letter {id}").format(id=letter_id))
            action.triggered.connect(lambda _c=False, i=letter_id: self.open_record(i))
        menu.setEnabled(bool(ids))

    def open_by_number(self) -> None:
        """File > Open: a letter of the drafts database by its number (the drafts list finds it by words)."""
        if self.w.backend.workflow is None:
            self.w.show_error(self.w.tr("Opening letters needs the drafts database: {why}")
                            .format(why=self.w.backend.why_no_workflow))
            return
        prompt = TextPrompt(self.w.tr("Open letter"), self.w.tr("Letter number (search by words in Drafts, Ctrl+D):"),
                            self.w)
        if prompt.exec() != TextPrompt.DialogCode.Accepted:
            return
        typed = prompt.value().strip()
        text = typed.lstrip("#").replace(",", "")
        # isdigit() would take "²" and other digits int() refuses; a number past the database's integers
        # would reach it as an overflow: both are told here, in words.
        if not (text.isascii() and text.isdecimal()) or int(text) < 1:
            self.w.show_error(self.w.tr("“{text}” is not a letter number: letters are numbered 1, 2, 3… "
                                        "(search by words in Drafts, Ctrl+D)").format(text=typed))
            return
        if int(text) > LARGEST_LETTER_NUMBER:
            self.w.show_error(self.w.tr("There is no letter {text}: letter numbers go up to {largest}").format(
                text=text, largest=f"{LARGEST_LETTER_NUMBER:,}"))
            return
        self.open_record(int(text))

    def _ask_restore(self, letter_id: int | None, data: dict[str, Any]) -> str | None:
        """Restore, discard, or (Escape) neither for now: the edit stays in the journal."""
        dialog = RestoreDialog(letter_id, data, self.w.backend.recovered_at, self.w)
        dialog.exec()
        return dialog.answer

    def _blank(self, pack_id: str) -> dict[str, Any]:
        profile = self.w.prefs.profile
        # The office's court profile when there is a database; this computer's Preferences otherwise.
        sender, signatory = self.w.letterhead.defaults or (profile.sender(), profile.signatory())
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

        def loaded(pack: CompiledPack) -> None:
            record = remembered if detail is None and remembered is not None else LetterRecord.of(detail)
            if base_version is not None:
                # A restored edit saves against the version it started from: a save in between is a conflict.
                from dataclasses import replace

                record = replace(record, version=base_version)
            if detail is None and remembered is None and self.w.backend.has_workflow:
                self.w.review.clear(self.w.tr("This letter is not saved yet; it is saved as soon as it is complete."))
            self._install(pack, data)
            self.w.session.open(record, dirty=restored)
            if restored:
                self.w.save_state.setText(self.w.tr("Restored the letter you were writing (not yet saved)"))

        def failed(exc: BaseException) -> None:
            self.w.show_error(self.w.tr("The template {pack} cannot be used: {error}")
                            .format(pack=pack_id, error=describe_error(exc)))

        def compiled() -> CompiledPack:
            pack = self.w.library.get(pack_id)
            prefetch_fonts(pack.members.get("word/styles.xml"))  # asked beside the form's building
            return pack

        self.w.runner.run(compiled, loaded, failed)

    def _install(self, pack: CompiledPack, data: dict[str, Any]) -> None:
        form = LetterForm(pack.manifest, self.w, editor_hook=self.w.editing._editor_created)
        for editor in form.findChildren(QLineEdit) + form.findChildren(QTextEdit) + form.findChildren(QPlainTextEdit):
            self.w.editing._take_undo_keys(editor)
        form.edited.connect(self.w.editing._edited)
        form.addressees.save_requested.connect(self.w.bank.save_addressee)
        form.addressees.pick_requested.connect(self.w.bank.pick_addressee)
        if self.w.form is not None:
            self.w.form_holder.removeWidget(self.w.form)
            self.w.form.deleteLater()
        self.w.placeholder.hide()
        self.w.form_holder.addWidget(form)
        self.w.form = form
        self.w.document.open(pack, data)  # the form shows it (a view of the document)
        self.w.preview.clear()
        self.w.spelling.set_language(pack.manifest.language)
        self.w.spelling.set_names(letter_names(self.w.document.data))
        subject = data.get("subject") or self.w.tr("New letter")
        self.w.setWindowTitle(self.w.tr("{subject} — Chambers").format(subject=subject))
        self.w.actions_table.update_controls()
        self.w.previewing.request_check()
        self.w.letter_loaded.emit()

    def new_letter(self) -> None:
        packs = self.w.library.list()
        gallery = TemplateGallery(packs, self.w)
        accepted = gallery.exec() == TemplateGallery.DialogCode.Accepted
        pack_id = gallery.chosen()
        gallery.deleteLater()  # a closed dialog kept as a child could still hold the keyboard focus
        if not accepted:
            return
        if pack_id:
            self.w.saving.autosave()
            self.open_letter(self._blank(pack_id))

    def open_record(self, letter_id: int, restored: tuple[int | None, dict[str, Any]] | None = None) -> None:
        """Open a letter from the drafts database (with unsaved journal edits on top, if any)."""
        if self.w.form is not None and self.w.dirty:
            self.w.session.save()
        backend = self.w.backend.workflow
        if backend is None:
            return

        def opened(detail: LetterDetail) -> None:
            data = restored[1] if restored else detail.current.data
            self.open_letter(data, restored=restored is not None, detail=detail,
                             base_version=restored[0] if restored else None)

        def failed(exc: BaseException) -> None:
            self.w.show_error(self.w.tr("Letter {id} cannot be opened: {error}").format(id=letter_id,
                                                                                    error=describe_error(exc)))

        self.w.db.run(lambda: backend.open(letter_id), opened, failed)
