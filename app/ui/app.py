"""Starting the window: ``python main.py`` (or ``--screenshot FILE`` to render it to a PNG and exit)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.bootstrap import (
    APP_NAME,
    DatabaseToCreate,
    Services,
    Settings,
    data_dir,
    database_to_create,
    embedded_database_file,
    init_database,
    journal_folder,
    resolved_database_url,
    services,
    template_library,
)
from app.core.errors import ChambersError
from app.core.files import protect_database_url
from app.core.workflow import Refused
from app.rendering.pages import page_view_available
from app.services.journal import Journal
from app.services.startcard import StartCard
from app.ui.backend import LocalBackend, ServiceBackend
from app.ui.dialogs import FirstRunDialog, IdentityChoice, suggested_user_name
from app.ui.first_paint import StartView, application, bench_line, parse_args, private_settings
from app.ui.main_window import MainWindow
from app.ui.profile import Preferences

if TYPE_CHECKING:
    from app.services.office import LocalIdentity

log = logging.getLogger(__name__)

AskIdentity = Callable[["LocalIdentity"], IdentityChoice | None]


# Fusion's dark palette, written out: a screenshot runs on the offscreen platform, which has no colour
# scheme to follow (QStyleHints.setColorScheme is ignored there), so --dark sets the colours a system in
# dark mode gives Fusion, by role, and the window must read in them as it does in the light ones.
DARK_COLOURS = {
    QPalette.ColorRole.Window: "#323232", QPalette.ColorRole.WindowText: "#f0f0f0",
    QPalette.ColorRole.Base: "#242424", QPalette.ColorRole.AlternateBase: "#2d2d2d",
    QPalette.ColorRole.Text: "#f0f0f0", QPalette.ColorRole.PlaceholderText: "#a0a0a0",
    QPalette.ColorRole.Button: "#3c3c3c", QPalette.ColorRole.ButtonText: "#f0f0f0",
    QPalette.ColorRole.BrightText: "#ff6b6b", QPalette.ColorRole.ToolTipBase: "#3c3c3c",
    QPalette.ColorRole.ToolTipText: "#f0f0f0", QPalette.ColorRole.Highlight: "#2f65ca",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Link: "#8ab4f8",
    QPalette.ColorRole.LinkVisited: "#c58af9", QPalette.ColorRole.Light: "#505050",
    QPalette.ColorRole.Midlight: "#464646", QPalette.ColorRole.Mid: "#2a2a2a",
    QPalette.ColorRole.Dark: "#1e1e1e", QPalette.ColorRole.Shadow: "#0f0f0f",
}


def dark_palette() -> QPalette:
    """The palette of a system in dark mode (for ``--screenshot --dark``); disabled text greyed."""
    palette = QPalette()
    for role, colour in DARK_COLOURS.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f7f7f"))
    return palette


def build_window(args: argparse.Namespace, *, fresh: bool = False, asks: bool = True) -> MainWindow:
    # --user and --role hold for this session only: they never reach the saved preferences.
    prefs = Preferences.load()
    settings = Settings.from_environment()
    if prefs.templates_folder:
        settings.template_folders.insert(0, Path(prefs.templates_folder).expanduser())
    # A screenshot and an explicit --user never ask who the user is.
    ask = None if fresh or args.user or not asks else ask_identity
    # Only a start a person sits in front of may make the database, and only once they said so: a
    # screenshot or a benchmark on a database that is not there works on this computer alone.
    interactive = not fresh and asks
    card = None if fresh else _start_card(prefs, args)
    backend: LocalBackend | ServiceBackend
    alone: str | None = None
    if card is not None:
        backend = _opened_later(prefs, settings, card)
    else:
        declined = _first_start(prefs, args.user or prefs.user or None, args.role) if interactive else None
        if declined is not None:
            backend, alone = declined
        else:
            backend = open_backend(prefs, settings, args.user or prefs.user or None, ask,
                                   strict=bool(args.user) and not fresh, role=args.role)
    window = MainWindow(template_library(settings), prefs, backend, QSettings(), start_card=card)
    if alone is not None:
        window.statusBar().showMessage(alone)
    if fresh:
        backend.restore = lambda: None  # type: ignore[method-assign]
    return window


class CreateDatabasePrompt(QMessageBox):
    """The first start's question: make the configured database, or work on this computer alone."""

    def __init__(self, missing: DatabaseToCreate) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("The drafts database") + " — " + APP_NAME)
        self.setIcon(QMessageBox.Icon.Question)
        self.setText(missing.question)
        about = self.tr(
            "The drafts database keeps letters, their versions, review and approvals, shared with everyone "
            "who uses it. Working on this computer alone keeps your letters here only; Chambers asks again "
            "at the next start.")
        self.setInformativeText(f"{missing.detail}\n\n{about}" if missing.detail else about)
        self.create_button = self.addButton(self.tr("&Create it"), QMessageBox.ButtonRole.AcceptRole)
        self.alone_button = self.addButton(self.tr("Work on this computer &alone"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.create_button)
        self.setEscapeButton(self.alone_button)  # closing the question makes nothing


def ask_create_database(missing: DatabaseToCreate) -> bool:
    """Whether the person wants the configured database made now (True only for "Create it")."""
    prompt = CreateDatabasePrompt(missing)
    prompt.exec()
    created = prompt.clickedButton() is prompt.create_button
    prompt.deleteLater()
    return created


def _first_start(prefs: Preferences, user: str | None, role: str | None) -> tuple[LocalBackend, str] | None:
    """The first start on a database that is not there yet asks before anything is made.

    None when the database exists (or was just made on "Create it", or cannot be looked at: opening it
    then says why); on "Work on this computer alone", the desk of this computer and what the status bar
    says about it. Asked before the window is built: nothing of the window waits on the answer."""
    url = prefs.database_url or None
    try:
        missing = database_to_create(url)
    except (ChambersError, OSError):
        return None  # an unusable URL or an unreachable server: opening it says why, in the same words
    if missing is None:
        return None
    local_role = role or prefs.role
    if not ask_create_database(missing):
        why = (f"there is no drafts database at {missing.where}; you chose to work on this computer alone "
               "(Chambers asks again at the next start)")
        return (LocalBackend(why_no_workflow=why, user=user or "", role=local_role),
                f"Working on this computer alone: there is no drafts database at {missing.where} "
                "(Chambers asks again at the next start)")
    try:
        where, _made = init_database(url)
    except (ChambersError, OSError) as exc:
        why = f"the drafts database {missing.where} could not be created: {exc}"
        return (LocalBackend(why_no_workflow=why, user=user or "", role=local_role),
                f"Working on this computer alone: {why}")
    log.info("the first start created the drafts database %s", where)
    return None


def _start_card(prefs: Preferences, args: argparse.Namespace) -> StartCard | None:
    """The last session's card for this database, when this start is that person's again."""
    url = prefs.database_url or None
    card = StartCard.load(data_dir(), resolved_database_url(url))
    embedded = embedded_database_file(url)
    if card is not None and embedded is not None and not embedded.exists():
        return None  # the database is gone (moved, deleted): the full start, which asks before making one
    if card is None or (args.user and args.user != card.identity.user) or args.role:
        return None  # another person named on the command line (or a role tried out): the full start
    if not args.user and card.identity.user != prefs.user:
        # The card paints the first screen only: who this is comes from the preferences (a card written
        # by a `--user` session, or before the preferences changed, is someone else's).
        return None
    return card


def _opened_later(prefs: Preferences, settings: Settings, card: StartCard) -> ServiceBackend:
    """The drafts database as the card's user, opened by the window's database worker after the letter shows.

    The database says who the user is when it opens (the desk then follows it); until then the window
    works as the card says, and everything that needs the database waits for it in order.
    """
    url = resolved_database_url(prefs.database_url or None)
    protect_database_url(url)  # no export may be written over it, even before it opens
    journal = Journal(journal_folder(url), card.identity.user)
    user = prefs.user or None

    def opener() -> Services:
        # The card says the database was there: one gone since is said so, never made again behind the letter.
        return services(prefs.database_url or None, user, settings, create=False)

    return ServiceBackend(opener=opener, known=card.identity, journal=journal, url=url)


def ask_identity(identity: LocalIdentity) -> IdentityChoice | None:
    """The first-run dialog: who are you (a new first user, or one of the database's users)."""
    suggested = suggested_user_name() if not identity.users else ""
    dialog = FirstRunDialog(identity.users, suggested)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.choice()


def open_backend(prefs: Preferences, settings: Settings, user: str | None,
                 ask: AskIdentity | None = None, *, strict: bool = False,
                 role: str | None = None) -> LocalBackend | ServiceBackend:
    """The drafts database when it can be opened and knows the user; else this computer alone.

    On this computer's own database (SQLite) the user is the local profile: with ``ask``, a start
    whose profile names no user of the database asks who the user is (the very first user, or
    one of the users already there) instead of falling back to this computer alone. A database that is
    not there is never made here (``_first_start`` asks first): opening it says so, and this computer alone.
    """
    try:
        opened: Services | None = services(prefs.database_url or None, user, settings, create=False)
        if strict and opened is not None:
            try:
                _ = opened.drafts.user  # resolves the named user now: an unknown one is refused at once
            except Refused:
                opened.close()
                raise
        if ask is not None:
            assert opened is not None
            opened = _settle_identity(opened, prefs, settings, user, ask)
    except Refused as exc:
        if strict:  # a user named on the command line that the database refuses: say so, don't guess
            raise
        return LocalBackend(why_no_workflow=str(exc), user=user or "", role=role or prefs.role)
    except (ChambersError, OSError) as exc:
        return LocalBackend(why_no_workflow=str(exc), user=user or "", role=role or prefs.role)
    if opened is None:
        return LocalBackend(why_no_workflow="nobody was chosen to work as on this computer; Chambers asks "
                                            "again at the next start", user=user or "", role=role or prefs.role)
    try:
        return ServiceBackend(opened)
    except (ChambersError, OSError) as exc:
        opened.close()
        return LocalBackend(why_no_workflow=str(exc), user=user or "", role=role or prefs.role)


def _settle_identity(opened: Services, prefs: Preferences, settings: Settings, user: str | None,
                     ask: AskIdentity) -> Services | None:
    """The services as the user this desktop is; asks once on an embedded database that cannot tell."""
    from app.core.workflow import Role
    from app.services.office import choose_local_user, create_first_user, local_identity

    store = opened.store
    try:
        if store.dialect != "sqlite" or not store.login()[1]:
            return opened  # a server database: the login is the user
        identity = local_identity(store, opened.profile, user)
        if identity.user is not None:
            return opened
        choice = ask(identity)
        if choice is None:
            opened.close()
            return None
        with_admin = choice.new and bool(choice.admin)
        if with_admin:
            # The admin first (the database's first user), then the person, added by that admin.
            create_first_user(store, opened.profile, choice.admin, Role.ADMIN)
            opened.close()
            as_admin = services(prefs.database_url or None, choice.admin, settings)
            try:
                as_admin.users.add(choice.name, choice.role or Role.CLERK, choice.full_name)
                choose_local_user(as_admin.store, as_admin.profile, choice.name)
            finally:
                as_admin.close()
            _remember_user(prefs, user, choice.name)
            return services(prefs.database_url or None, choice.name, settings)
        if choice.new:
            create_first_user(store, opened.profile, choice.name, choice.role or Role.ADMIN, choice.full_name)
        else:
            choose_local_user(store, opened.profile, choice.name)
    except BaseException:
        opened.close()
        raise
    if user is None or user == choice.name:
        return opened  # the services ask the profile, which now names the user
    opened.close()
    _remember_user(prefs, user, choice.name)
    return services(prefs.database_url or None, choice.name, settings)


def _remember_user(prefs: Preferences, named: str | None, chosen: str) -> None:
    """The preferences named a user the database does not know: they name the chosen one from now on."""
    if named is None or named == chosen:
        return
    prefs.user = chosen
    try:
        prefs.save()
    except OSError as exc:
        log.warning("preferences not saved: %s", exc)


def run_gui(argv: Sequence[str] | argparse.Namespace, *, first: StartView | None = None) -> int:
    """The window proper; ``first``: the first paint on screen meanwhile (``app.ui.first_paint``), which it
    takes the place of once its letter and preview are there."""
    args = argv if isinstance(argv, argparse.Namespace) else parse_args(argv)
    app = application()
    private_settings(args)
    if args.screenshot is not None and args.dark:
        app.setPalette(dark_palette())
    if args.screenshot is not None and args.scene != "clerk":
        from app.ui.scenes import screenshot_scene

        return screenshot_scene(app, args.scene, args.screenshot, args.size)
    try:
        # The start benchmark measures the start a clerk has every morning (the card, the database
        # opened behind the letter), only without the first-run question.
        window = build_window(args, fresh=args.screenshot is not None, asks=not args.bench_startup)
    except Refused as exc:
        if first is not None:
            first.close_now()
        print(f"Chambers cannot start as {args.user}: {exc}", file=sys.stderr)
        return 2
    if first is not None:
        _hand_over_when_ready(window, first)
    if args.bench_startup:
        return _bench_startup(window, pages=args.bench_pages, first=first is not None)
    if args.screenshot is not None:
        return _screenshot(app, window, args.screenshot, args.size, args.tab)
    if first is None:
        window.show()
    window.start()
    try:
        return app.exec()
    finally:
        close = getattr(window.backend, "close", None)
        if close is not None:
            close()


# The first paint gives way to the window once its preview is drawn, or after this long without one
# (a letter that cannot be rendered now still opens, with Preflight saying why).
HAND_OVER_AT_THE_LATEST_MS = 1500


def _hand_over_when_ready(window: MainWindow, first: StartView) -> None:
    """The window proper in the first paint's place once it shows the letter and its preview."""
    done = [False]

    def hand_over(*_args: object, late: bool = False) -> None:
        if done[0] or (window.form is None and not late):
            return
        done[0] = True
        window.checked.disconnect(hand_over)
        first.hand_over(window)

    window.checked.connect(hand_over)
    QTimer.singleShot(HAND_OVER_AT_THE_LATEST_MS, lambda: hand_over(late=True))


def _bench_startup(window: MainWindow, *, pages: bool = False, first: bool = False) -> int:
    """Print a line once the window is usable (the last letter in the form, its fast preview on screen;
    after a first paint, which printed "shown", once the window proper took its place), another once the
    drafts database is open, and quit. With ``pages``: then the Page view, a line once its pages are on
    screen, and quit when the benchmark says (on standard input: it reads LibreOffice's memory meanwhile)."""
    import json

    if not first:
        window.show()
    window.start()

    def usable() -> None:
        if window.isHidden() or window.form is None or window.last_check is None or not window.preview.plain_text():
            QTimer.singleShot(1, usable)
            return
        if not first:
            bench_line("shown")
        bench_line("window")
        database()

    def database() -> None:
        backend = window.backend
        if backend.workflow is not None and (backend.opening or not window.drafts.isEnabled()):
            QTimer.singleShot(1, database)
            return
        bench_line("database")
        if not pages:
            window.close()
            loop.exit(0)
            return
        if page_view_available() is not None:
            print(json.dumps({"pages": False, "why": page_view_available()}), flush=True)
            window.close()
            loop.exit(0)
            return
        window.preview.show_page_tab()
        QTimer.singleShot(1, paged)

    def paged() -> None:
        if window.preview.page_view.page_count() == 0 or not window.page_requests.idle:
            QTimer.singleShot(5, paged)
            return
        bench_line("pages")
        sys.stdin.readline()  # the benchmark has read LibreOffice's memory
        window.close()
        loop.exit(0)

    # A local event loop, not app.exec(): quitting the application would also end aboutToQuit's
    # clean-ups for a process (a test) that goes on using Qt afterwards.
    loop = QEventLoop()
    QTimer.singleShot(0, usable)
    QTimer.singleShot(30_000, lambda: loop.exit(1))
    return loop.exec()


def _screenshot(app: QApplication, window: MainWindow, path: Path, size: str, tab: str = "text") -> int:
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        print(f"--size must be WIDTHxHEIGHT, not {size!r}", file=sys.stderr)
        return 2
    window.resize(width, height)
    window.show()
    window.start()
    result = {"code": 1}

    if tab == "page":
        window.preview.show_page_tab()

    def ready() -> bool:
        done = window.form is not None and window.previewer.idle and window.last_check is not None
        if tab == "page":
            done = done and window.page_requests.idle and not window._page_timer.isActive() and (
                window.preview.page_view.page_count() > 0 or page_view_available() is not None)
        return done and window.spelling.loaded

    def capture() -> None:
        if not ready():
            QTimer.singleShot(50, capture)
            return
        app.processEvents()
        path.parent.mkdir(parents=True, exist_ok=True)
        if window.grab().save(str(path), "PNG"):
            result["code"] = 0
            print(f"wrote {path}")
        else:
            print(f"could not write {path}", file=sys.stderr)
        window.close()
        loop.quit()

    loop = QEventLoop()
    QTimer.singleShot(0, capture)
    QTimer.singleShot(120_000 if tab == "page" else 30_000, loop.quit)
    loop.exec()
    return result["code"]
