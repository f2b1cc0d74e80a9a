"""Screenshots of the office at work (``--screenshot FILE --scene judge|withdraw|users|opening|signing``).

Each scene builds a throwaway office database (an admin, a clerk and the Chief Justice as the
judge, with the sample letters) in a temporary data folder, drives the real window to the
moment shown, and writes the PNG: the window, with a dialog drawn over it where one is open.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QPoint, QSettings, QTimer
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from app.core import jsondata
from app.core.workflow import Role
from app.ui.main_window import MainWindow

SAMPLES = ("officials-concern", "legislative-position", "response-to-inquiry")


def _office(templates: Path) -> list[int]:
    """Users and letters: the flagship and a second letter waiting for the judge, a third a draft."""
    from app.bootstrap import services

    admin = services(as_user="admin")
    try:
        admin.users.add("admin", Role.ADMIN, "Office Admin")
        admin.users.add("clerk", Role.CLERK, "Court Clerk")
        admin.users.add("judge", Role.JUDGE, "Tani G. Cantil-Sakauye")
        admin.users.add("ann", Role.CLERK, "Ann Rivera")
    finally:
        admin.close()
    clerk = services(as_user="clerk")
    ids = []
    try:
        flagship = jsondata.load_file(templates / SAMPLES[0] / "sample.json")
        for i, pack in enumerate(SAMPLES):
            data = jsondata.load_file(templates / pack / "sample.json")
            data["signatory"] = flagship["signatory"]
            letter = clerk.drafts.create(pack, data)
            ids.append(letter.id)
            if i < 2:
                clerk.drafts.submit(letter.id)
        # A second round on the flagship: the judge commented, the clerk revised and resubmitted.
        judge = services(as_user="judge")
        try:
            judge.drafts.request_changes(ids[0], "Say which courts reported the arrests.")
        finally:
            judge.close()
        current = clerk.drafts.get(ids[0])
        data = dict(current.current.data)
        data["opening"] = [data["opening"][0].replace("some of our trial courts",
                                                      "our trial courts in Los Angeles, Fresno and Sonoma")]
        data["opening"] += current.current.data["opening"][1:]
        clerk.drafts.update(ids[0], data, current.summary.version)
        clerk.drafts.submit(ids[0])
    finally:
        clerk.close()
    return ids


SCENE_PASSPHRASE = "throwaway"


def _signing_office(letter_id: int) -> None:
    """The office trusts a throwaway CA, binds the judge's certificate from it, and the judge approves
    ``letter_id``; the judge's key file waits in the scene's data folder."""
    from app.bootstrap import services
    from app.rendering.throwaway_ca import throwaway_office

    made = throwaway_office("Tani G. Cantil-Sakauye", "Supreme Court of California", SCENE_PASSPHRASE)
    (Path(os.environ["CHAMBERS_HOME"]) / "Tani G. Cantil-Sakauye.p12").write_bytes(made.judge_p12)
    admin = services(as_user="admin")
    try:
        admin.signing.trust_add(made.ca_pem, "the scene's CA")
        admin.signing.bind_certificate("judge", made.judge_pem, "the judge's certificate")
    finally:
        admin.close()
    judge = services(as_user="judge")
    try:
        judge.drafts.approve(letter_id, judge.drafts.get(letter_id).summary.version)
    finally:
        judge.close()


def _window(user: str) -> MainWindow:
    from app.bootstrap import services, template_library
    from app.ui.backend import ServiceBackend
    from app.ui.profile import Preferences

    backend = ServiceBackend(services(as_user=user))
    return MainWindow(template_library(), Preferences(user=user), backend, QSettings())


def _opening_window(letter_id: int) -> tuple[MainWindow, threading.Event]:
    """The clerk's morning start: the last letter from the start card, the database held shut until the
    picture is taken (the event), as a slow disk or a busy server would."""
    from app.bootstrap import journal_folder, resolved_database_url, services, template_library
    from app.services.journal import Journal
    from app.services.startcard import ShownLetter, StartCard
    from app.services.views import Identity
    from app.ui.backend import ServiceBackend
    from app.ui.profile import Preferences

    clerk = services(as_user="clerk")
    try:
        detail = clerk.drafts.get(letter_id)
    finally:
        clerk.close()
    url = resolved_database_url()
    who = Identity("clerk", "clerk", "Court Clerk", "this computer (SQLite)")
    summary = detail.summary
    card = StartCard(who, ShownLetter(letter_id, summary.version, summary.status.value, detail.current.data))
    held = threading.Event()

    def opener() -> Any:
        held.wait(60)
        return services(as_user="clerk")

    backend = ServiceBackend(opener=opener, known=who, journal=Journal(journal_folder(url), "clerk"), url=url)
    return MainWindow(template_library(), Preferences(user="clerk"), backend, QSettings(), start_card=card), held


def _wait(loop: QEventLoop, ready: Callable[[], bool], then: Callable[[], None]) -> None:
    def poll() -> None:
        if ready():
            then()
        else:
            QTimer.singleShot(50, poll)
    QTimer.singleShot(0, poll)


def _compose(window: QWidget, dialog: QWidget | None) -> QPixmap:
    shot = window.grab()
    if dialog is not None:
        painter = QPainter(shot)
        over = dialog.grab()
        painter.fillRect(shot.rect(), QColor(0, 0, 0, 90))  # the window dimmed behind a modal question
        painter.drawPixmap(QPoint((shot.width() - over.width()) // 2, (shot.height() - over.height()) // 3), over)
        painter.end()
    return shot


def screenshot_scene(app: QApplication, scene: str, path: Path, size: str) -> int:
    home = tempfile.mkdtemp(prefix="chambers-scene-")
    os.environ["CHAMBERS_HOME"] = home
    try:
        width, height = (int(v) for v in size.lower().split("x"))
        from app.bootstrap import SHIPPED

        ids = _office(SHIPPED)
        return _run(app, scene, path, (width, height), ids)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _run(app: QApplication, scene: str, path: Path, size: tuple[int, int], ids: list[int]) -> int:
    from app.bootstrap import services

    if scene == "withdraw":
        judge = services(as_user="judge")
        try:
            judge.drafts.approve(ids[1], judge.drafts.get(ids[1]).summary.version)
        finally:
            judge.close()
    if scene == "signing":
        _signing_office(ids[0])
    held: threading.Event | None = None
    if scene == "opening":
        window, held = _opening_window(ids[2])
    else:
        window = _window({"judge": "judge", "withdraw": "clerk", "users": "admin", "signing": "judge"}[scene])
    window.resize(*size)
    window.show()
    loop = QEventLoop()
    result = {"code": 1}

    def save(dialog: QWidget | None = None) -> None:
        app.processEvents()
        path.parent.mkdir(parents=True, exist_ok=True)
        if _compose(window, dialog).save(str(path), "PNG"):
            result["code"] = 0
            print(f"wrote {path}")
        else:
            print(f"could not write {path}", file=sys.stderr)
        if dialog is not None:
            dialog.close()
        loop.quit()

    def ready() -> bool:
        return (window.form is not None and window.previewer.idle and window.last_check is not None
                and window.spelling.loaded and window.db.pending == 0)

    if scene == "opening":
        window.start()
        _wait(loop, lambda: (window.form is not None and window.previewer.idle and window.last_check is not None
                             and window.spelling.loaded), save)
    elif scene == "judge":
        window.start()
        _wait(loop, lambda: ready() and window.review.changes.toPlainText() != "", save)
    elif scene == "withdraw":
        window.open_record(ids[1])

        def edit() -> None:
            from app.ui.dialogs import WithdrawApprovalPrompt

            def grab_prompt() -> None:
                prompt = next((w for w in app.topLevelWidgets()
                               if isinstance(w, WithdrawApprovalPrompt) and w.isVisible()), None)
                if prompt is None:
                    QTimer.singleShot(50, grab_prompt)
                    return
                save(prompt)

            QTimer.singleShot(200, grab_prompt)
            assert window.form is not None
            window.form.subject.setFocus()
            window.form.subject.end(False)
            window.form.subject.insert(" (revised)")

        _wait(loop, ready, edit)
    elif scene == "signing":
        window.prefs.export_folder = str(Path.home() / "Documents" / "Letters")
        window.open_record(ids[0])

        def sign() -> None:
            from app.ui.signing_dialog import SigningDialog

            def fill_in() -> None:
                dialog = next((w for w in app.topLevelWidgets()
                               if isinstance(w, SigningDialog) and w.isVisible()), None)
                if dialog is None or dialog.may_sign is None:
                    QTimer.singleShot(50, fill_in)
                    return
                dialog.key.setText(str(Path(os.environ["CHAMBERS_HOME"]) / "Tani G. Cantil-Sakauye.p12"))
                dialog.secret.setText(SCENE_PASSPHRASE)
                save(dialog)

            QTimer.singleShot(0, fill_in)
            window.sign_action.trigger()

        _wait(loop, ready, sign)
    else:
        window.start()

        def users() -> None:
            from app.ui.users import UsersDialog

            office = window.backend.workflow
            assert office is not None  # the users scene runs on its own office database
            dialog = UsersDialog(office, window.db, window)
            dialog.show()
            def shown() -> None:
                dialog.select("ann")
                save(dialog)

            _wait(loop, lambda: len(dialog.rows) == 4, shown)

        _wait(loop, ready, users)
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    if held is not None:
        held.set()  # the picture is taken: the database may open, and the window close
    window.close()
    window.backend.close()
    return result["code"]
