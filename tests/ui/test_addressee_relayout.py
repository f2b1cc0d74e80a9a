"""Typing in an addressee's name changes its inside address and salutation as printed; with a long
letter, laying the whole form out again at each key cost more than the preview. The form is laid out
again only when the new text needs another height, and the text still wraps."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.ui.addressees import AddresseeListEditor

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

OFFICIAL = {"honorific": "The Honorable", "name": "Jeff Sessions", "title": "Attorney General",
            "organization": "U.S. Department of Justice", "address": ["950 Pennsylvania Avenue, NW",
                                                                     "Washington, DC 20530"]}


class LayoutRequests(QObject):
    """Counts the requests to lay ``widget`` out again (what a label's new text sends up the form)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def _editor(qtbot: Any) -> tuple[QWidget, AddresseeListEditor]:
    form = QWidget()
    layout = QVBoxLayout(form)
    editor = AddresseeListEditor(form)
    layout.addWidget(editor)
    qtbot.addWidget(form)
    editor.set_values([dict(OFFICIAL), dict(OFFICIAL, name="John Kelly", title="Secretary")])
    editor.list.setCurrentRow(0)
    form.resize(900, 700)
    form.show()
    qtbot.waitExposed(form)
    return form, editor


def test_a_key_in_a_name_lays_out_only_the_addressee_box(qtbot: Any) -> None:
    form, editor = _editor(qtbot)
    requests = LayoutRequests(form)
    qtbot.wait(50)  # whatever showing the form asked for is done
    requests.count = 0
    editor.name.setFocus()
    editor.name.end(False)
    for char in "son":
        qtbot.keyClick(editor.name, char)
        qtbot.wait(1)  # the layout requests are posted events: let them arrive
    assert editor.inside_address.text().splitlines()[0] == "The Honorable Jeff Sessionsson"
    assert requests.count == 0, "a key typed in a name laid the whole form out again"


def test_an_inside_address_that_needs_more_lines_still_wraps_in_full(qtbot: Any) -> None:
    form, editor = _editor(qtbot)
    label = editor.inside_address
    assert label.wordWrap()
    before = label.height()
    editor.organization.setText("The Office of the Deputy Assistant Attorney General for Policy " * 4)
    qtbot.waitUntil(lambda: label.height() > before)
    assert label.height() >= label.heightForWidth(label.width())  # every wrapped line in view
    assert label.width() <= form.width()
