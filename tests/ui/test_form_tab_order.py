"""Tab walks the letter form as it reads: each section's paragraphs, then that section's buttons."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.bootstrap import template_library
from app.ui.form import LetterForm
from tests.conftest import ROOT

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _form(qtbot: Any) -> LetterForm:
    pack = template_library().get("officials-concern")
    form = LetterForm(pack.manifest)
    qtbot.addWidget(form)
    form.set_data(json.loads((ROOT / "templates" / "officials-concern" / "sample.json").read_text(encoding="utf-8")))
    form.resize(1000, 900)
    with qtbot.waitActive(form):
        form.show()
        form.activateWindow()
    return form


def _tab_walk(qtbot: Any, start: QWidget, stop: QWidget, limit: int = 80) -> list[str]:
    """The accessible names of the widgets Tab gives the focus to, from ``start`` until ``stop``."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    names = []
    for _ in range(limit):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None
        if focused is stop:
            return names
        names.append(focused.accessibleName())
    raise AssertionError(f"Tab never reached {stop.accessibleName()}: {names}")


def _sections(names: list[str]) -> list[str]:
    """The walk with each paragraph section's entries told apart (paragraph text or button)."""
    return [name for name in names if "(" in name or ", paragraph" in name]


def test_tab_visits_each_sections_paragraphs_before_its_buttons(qtbot: Any) -> None:
    form = _form(qtbot)
    walk = _sections(_tab_walk(qtbot, form.addressees.group_salutation, form.complimentary_close))
    expected = []
    for key, editor in form.sections.items():
        expected += [f"{editor.title}, paragraph {n + 1}" for n in range(len(editor.editors()))]
        expected += [b.accessibleName() for b in (editor.add_button, editor.remove_button, editor.up_button,
                                                  editor.down_button)]
        assert key in ("opening", "concerns", "requested_policies", "closing")
    assert walk == expected


def test_a_paragraph_added_later_takes_its_place_in_the_walk(qtbot: Any) -> None:
    form = _form(qtbot)
    concerns = form.sections["concerns"]
    last = concerns.editors()[-1]
    last.setFocus()
    qtbot.keyClick(last, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(concerns.editors()) == 5
    walk = _tab_walk(qtbot, concerns.editors()[0], concerns.add_button)
    assert walk == [f"Concerns, paragraph {n}" for n in range(2, 6)]
    # and the walk goes on from the section's buttons to the next section's first paragraph
    after = _tab_walk(qtbot, concerns.down_button, form.sections["requested_policies"].editors()[1])
    assert after == ["Requested policies, paragraph 1"]
