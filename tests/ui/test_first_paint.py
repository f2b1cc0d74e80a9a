"""The first paint: the card's letter and preview on screen before the window proper, nothing typed lost."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.bootstrap import data_dir, resolved_database_url
from app.services.startcard import StartCard
from app.ui.app import _hand_over_when_ready, build_window
from app.ui.first_paint import StartView, first_paint_for, parse_args
from app.ui.import_hook import _uses_pyside
from app.ui.profile import Preferences
from tests.ui.conftest import close_window, user_journal
from tests.ui.test_start_card import SUBJECT, _yesterday, last_session  # noqa: F401 - the fixture

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

ROOT = Path(__file__).resolve().parents[2]
# What the first paint must not wait for: the letter models, the packs, the renderer, the database.
HEAVY = ("pydantic", "yaml", "docx", "docxtpl", "jinja2", "lxml", "sqlalchemy", "app.core.letter",
         "app.rendering.engine", "app.ui.main_window")


def _card() -> StartCard:
    card = StartCard.load(data_dir(), resolved_database_url())
    assert card is not None
    return card


@pytest.mark.usefixtures("last_session")
def test_closing_keeps_the_preview_that_was_on_screen(qtbot: Any) -> None:
    _yesterday(qtbot)
    card = _card()
    assert card.preview is not None
    assert SUBJECT in card.preview.text
    assert "Jeff Sessions" in card.preview.text
    assert "<" in card.preview.html  # the preview's HTML, drawn again as it was


@pytest.mark.usefixtures("last_session")
def test_the_first_paint_shows_the_card_and_gives_what_is_typed_to_the_window(
        qtbot: Any) -> None:
    _yesterday(qtbot)
    args = parse_args([])
    paint = first_paint_for(args, Preferences.load())
    assert paint is not None
    view = StartView(paint, QSettings())  # it deletes itself once it gave way to the window
    view.show()
    qtbot.waitExposed(view)
    assert SUBJECT in view.preview_text.toPlainText()
    assert "Jeff Sessions" in view.preview_text.toPlainText()
    assert SUBJECT in view.letter_text.toPlainText()
    assert "Jeff Sessions" in view.letter_text.toPlainText()

    qtbot.keyClicks(view.letter_text, " now")  # typed while the window proper is still being built
    assert SUBJECT in view.letter_text.toPlainText()  # nothing acts on the picture of the letter
    window = build_window(args)
    qtbot.addWidget(window)
    _hand_over_when_ready(window, view)
    window.start()
    qtbot.waitUntil(window.isVisible, timeout=10_000)
    assert window.form is not None
    assert window.form.subject.text() == SUBJECT + " now"
    assert window.preview.plain_text()
    qtbot.waitUntil(lambda: window.session.dirty or window.session.saving or window.version == 2, timeout=10_000)
    close_window(qtbot, window)


@pytest.mark.usefixtures("last_session")
@pytest.mark.parametrize("argv", [["--role", "judge"], ["--user", "tom"], ["--screenshot", "shot.png"]])
def test_no_first_paint_for_another_person_a_role_tried_or_a_picture(
        qtbot: Any, argv: list[str]) -> None:
    _yesterday(qtbot)
    assert first_paint_for(parse_args([]), Preferences.load()) is not None
    assert first_paint_for(parse_args(argv), Preferences.load()) is None


@pytest.mark.usefixtures("last_session")
def test_no_first_paint_when_an_edit_waits_to_be_restored(qtbot: Any) -> None:
    _yesterday(qtbot)
    card = _card()
    assert card.letter is not None
    user_journal("carla").record(card.letter.id, {**card.letter.data, "subject": "Typed before a crash"}, 1)
    assert first_paint_for(parse_args([]), Preferences.load()) is None  # the window proper offers it first


@pytest.mark.usefixtures("last_session")
def test_the_first_paint_imports_neither_the_letter_models_nor_the_renderer_nor_the_database(
        qtbot: Any) -> None:
    _yesterday(qtbot)
    script = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from app.ui.first_paint import StartView, application, first_paint_for, parse_args\n"
        "from app.ui.profile import Preferences\n"
        "application()\n"
        "paint = first_paint_for(parse_args([]), Preferences.load())\n"
        "view = StartView(paint, QSettings())\n"
        "view.show()\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    assert json.loads(out.stdout.strip().replace("'", '"')) == []


def test_the_quick_feature_check_finds_every_module_of_ours_that_imports_pyside() -> None:
    import app.ui.app  # noqa: F401 - every module of the window loaded

    ours = [m for name, m in sys.modules.items() if name.startswith("app.") and getattr(m, "__file__", None)]
    assert len(ours) > 50
    for module in ours:
        source = inspect.getsource(module)
        if "from PySide6" in source or "import PySide6" in source:
            assert _uses_pyside(module), module.__name__
        elif "PySide6" not in source:  # PySide6's own check: the name anywhere in the source
            assert not _uses_pyside(module), module.__name__
