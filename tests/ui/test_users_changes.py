"""An admin changes users through Office > Users…: role, signature image set and removed,
deactivate and reactivate; each read back from the database."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from app.bootstrap import services
from app.core.records import User
from app.ui.users import UsersDialog
from tests.ui.conftest import DialogScript, WindowFactory

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _png(width: int = 4, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _user(name: str) -> User:
    s = services(as_user="admin")
    try:
        return next(u for u in s.users.list() if u.name == name)
    finally:
        s.close()


def _click(qtbot: Any, dialog: UsersDialog, button: Any) -> str:
    with qtbot.waitSignal(dialog.listed, timeout=10_000):  # the list is read again after each change
        button.click()
    return dialog.message.text()


def test_an_admin_changes_role_signature_and_deactivates_through_the_dialog(
        qtbot: Any, office: dict[str, str], window: WindowFactory, dialog_guard: DialogScript,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    signature = tmp_path / "signature.png"
    signature.write_bytes(_png())
    not_a_png = tmp_path / "signature.jpg"
    not_a_png.write_bytes(b"\xff\xd8\xff\xe0 not a png")
    chosen = [str(not_a_png), str(signature)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (chosen.pop(0), "")))
    admin = window("admin")
    seen: dict[str, Any] = {}

    def manage(dialog: UsersDialog) -> None:
        qtbot.waitUntil(lambda: len(dialog.rows) == 3, timeout=10_000)
        dialog.select("admin")
        seen["self"] = (dialog.deactivate_button.isEnabled(), dialog.deactivate_button.toolTip())
        dialog.select("clerk")
        dialog.role.setCurrentIndex(dialog.role.findData("judge"))
        seen["role"] = _click(qtbot, dialog, dialog.set_role_button)
        seen["role after"] = _user("clerk").role.value
        with qtbot.waitSignal(dialog.changed, timeout=10_000):
            dialog.signature_button.click()  # not a PNG: refused, nothing stored
        seen["refused"] = dialog.message.text()
        seen["refused image"] = _user("clerk").signature_png
        seen["signature"] = _click(qtbot, dialog, dialog.signature_button)
        seen["image"] = _user("clerk").signature_png
        seen["remove enabled"] = dialog.remove_signature_button.isEnabled()
        seen["removed"] = _click(qtbot, dialog, dialog.remove_signature_button)
        seen["image after"] = _user("clerk").signature_png
        seen["deactivated"] = _click(qtbot, dialog, dialog.deactivate_button)
        seen["active"] = _user("clerk").active
        seen["shown"] = dialog.table.item(dialog.rows.index(next(r for r in dialog.rows if r.name == "clerk")),
                                          4).text()
        seen["buttons"] = (dialog.deactivate_button.isEnabled(), dialog.activate_button.isEnabled())
        seen["reactivated"] = _click(qtbot, dialog, dialog.activate_button)
        seen["active again"] = _user("clerk").active
        dialog.reject()

    dialog_guard.expect(UsersDialog, manage)
    admin.users_action.trigger()
    assert seen["self"] == (False, "You cannot deactivate your own account; another admin can")
    assert (seen["role"], seen["role after"]) == ("Done: clerk is now a judge.", "judge")
    assert seen["refused"].startswith("Nothing was changed: ")
    assert "not a PNG" in seen["refused"]
    assert seen["refused image"] is None
    assert seen["signature"] == "Done: set the signature image of clerk."
    assert seen["image"] == _png()
    assert seen["remove enabled"]
    assert (seen["removed"], seen["image after"]) == ("Done: removed the signature image of clerk.", None)
    assert seen["deactivated"].startswith("Done: deactivated clerk")
    assert (seen["active"], seen["shown"], seen["buttons"]) == (False, "deactivated", (False, True))
    assert seen["reactivated"].startswith("Done: reactivated clerk")
    assert seen["active again"]
