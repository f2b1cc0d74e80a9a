"""The fast preview after a key: only the paragraphs that read differently are replaced (laying a long
letter out whole was most of what showing its preview cost), and what is shown is exactly the
letter, as if laid out whole."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QTextDocument

from app.bootstrap import template_library
from app.rendering.preview import Preview
from app.services.checking import check_letter
from app.ui.preview_pane import PreviewPane

pytestmark = [pytest.mark.gui]

SAMPLE = Path(__file__).resolve().parents[2] / "templates" / "officials-concern" / "sample.json"
UNTOUCHED = 4242  # a mark left on a shown paragraph: laying the letter out whole forgets it


def _preview(data: dict[str, Any]) -> Preview:
    check = check_letter(template_library().get("officials-concern"), data)
    assert check.preview is not None
    return check.preview


def _as_laid_out_whole(pane: PreviewPane, html: str) -> str:
    whole = QTextDocument()
    whole.setDefaultStyleSheet(pane.text_view.document().defaultStyleSheet())
    whole.setDefaultFont(pane.text_view.document().defaultFont())
    whole.setHtml(html)
    return whole.toHtml()


@pytest.mark.parametrize("edit", ["concern", "name", "subject", "first concern removed", "addressee added"])
def test_a_changed_letter_is_shown_exactly_with_unchanged_paragraphs_kept(qtbot: Any, edit: str) -> None:
    pane = PreviewPane()
    qtbot.addWidget(pane)
    letter = json.loads(SAMPLE.read_text(encoding="utf-8"))
    pane.show_preview(_preview(letter), 1.0)
    shown = pane.text_view.document()
    first = shown.begin()
    first.setUserState(UNTOUCHED)
    changed = copy.deepcopy(letter)
    if edit == "concern":
        changed["concerns"][1] += " And one more *sentence* <b>typed</b> & kept."
    elif edit == "name":
        changed["addressees"][0]["name"] += "x"
    elif edit == "subject":
        changed["subject"] += " (amended)"
    elif edit == "first concern removed":
        del changed["concerns"][0]
    else:
        changed["addressees"].append(dict(changed["addressees"][0], name="Janet Reno"))
    after = _preview(changed)
    pane.show_preview(after, 1.0)
    if edit in ("concern", "name"):  # one paragraph in the middle changed: the letterhead was not laid out again
        assert shown.begin().userState() == UNTOUCHED
    shown.begin().setUserState(-1)
    assert shown.toHtml() == _as_laid_out_whole(pane, after.html)


def test_the_same_letter_again_changes_nothing(qtbot: Any) -> None:
    pane = PreviewPane()
    qtbot.addWidget(pane)
    letter = json.loads(SAMPLE.read_text(encoding="utf-8"))
    pane.show_preview(_preview(letter), 1.0)
    html = pane.text_view.document().toHtml()
    pane.show_preview(_preview(letter), 2.0)
    assert pane.text_view.document().toHtml() == html

