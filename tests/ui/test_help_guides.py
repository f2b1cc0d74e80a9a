"""Help shows the guides from docs/ as formatted text, with their screenshots, beside the letter."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction, QTextDocument
from PySide6.QtWidgets import QTextBrowser

from app.resources import guides, shipped

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints",
                                                         "This plugin does not support raise")]


def test_every_guide_in_docs_has_a_help_item(window) -> None:  # type: ignore[no-untyped-def]
    window = window()
    names = {path.stem for path in shipped("docs").glob("guide-*.md")}
    assert names >= {"guide-clerk", "guide-judge", "guide-it", "guide-packs"}
    items = {a.objectName() for a in window.findChildren(QAction) if a.objectName().startswith("action-guide-")}
    assert items == {f"action-{name}" for name in names}


def test_the_judges_guide_opens_formatted_with_its_pictures(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = window()
    title, path = next((t, p) for t, p in guides() if p.stem == "guide-judge")
    action = window.findChild(QAction, "action-guide-judge")
    action.trigger()
    guide = window.actions_table.guide_windows[title]
    qtbot.waitUntil(guide.isVisible)
    browser = guide.findChild(QTextBrowser)
    text = browser.toPlainText()
    assert "Chambers for judges" in text
    assert "# " not in text.splitlines()[0], "the Markdown was shown as source, not formatted"
    # The screenshots resolve against docs/: each image the guide names loads.
    document = browser.document()
    images = [line.split("](", 1)[1].split(")", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()
              if line.startswith("![")]
    assert images
    for name in images:
        loaded = document.resource(QTextDocument.ResourceType.ImageResource, browser.source().resolved(name))
        assert loaded is not None, name
        assert not loaded.isNull(), name
    action.trigger()  # a second time: the same window, brought forward
    assert list(window.actions_table.guide_windows) == [title]
    guide.close()
