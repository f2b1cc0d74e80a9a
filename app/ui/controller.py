"""What every part of the window that owns one concern starts from.

A part is built from its collaborators (the session, the document, the desk, a runner, its own
widgets, a ``Messages`` port), never from the window; it talks outward through Qt signals, and the
window calls its lifecycle in a loop (``Lifecycle``). ``tests/ui/test_parts_own_their_state.py`` checks
that no part reaches into the window or into another part's private state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

# Imported, not named for type checking only: a module of ours whose source names PySide6 must
# hold some of it, for the import hook's quick check (app/ui/import_hook.py) to see it as PySide6's.
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from app.services.desk import Desk
    from app.ui.document import LetterDocument
    from app.ui.form import LetterForm
    from app.ui.session import LetterSession
    from app.ui.workers import OpRunner


class Lifecycle(Protocol):
    """What the window tells each part that is built from its collaborators (never the window), in a
    loop, as calibre's actions hear ``library_changed`` and ``shutting_down``."""

    def desk_changed(self, desk: Desk) -> None:
        """The window works on ``desk`` from now on (the database opened, or could not)."""

    def letter_replaced(self, form: LetterForm) -> None:
        """Another letter is open in ``form`` (a new view of the document, its old one gone)."""

    def shutting_down(self) -> None:
        """The window closes: what the part holds is finished or put away."""


class Messages(Protocol):
    """The narrow port a part tells the clerk through: a line in the window's message bar."""

    def show_error(self, text: str, error: bool = True) -> None:
        """``text`` in the message bar, as an error (or, with ``error=False``, as news)."""


class Part:
    """A part built from its collaborators; the lifecycle hooks do nothing unless it needs them."""

    def desk_changed(self, desk: Desk) -> None:
        """Most parts keep the desk they are given; override to do more."""

    def letter_replaced(self, form: LetterForm) -> None:
        """Most parts follow the document, not its view; override to hold the form."""

    def shutting_down(self) -> None:
        """Nothing to put away unless overridden."""


@dataclass(frozen=True)
class Collaborators:
    """What the window's parts share, built once by the window and handed whole to each part that needs
    them (each keeps what it uses), so that a part's constructor names only what is its own.

    ``desk`` is the desk the part starts on: the window's lifecycle brings every later one
    (``desk_changed``), and a part keeps the one it was last given, never this record's."""

    session: LetterSession  # the open letter's record and the order of its saves
    document: LetterDocument  # the open letter's content and its Undo history
    desk: Desk
    db: OpRunner  # the drafts database, one job at a time, in the order asked
    runner: OpRunner  # files and rendering, off the GUI thread
    form: Callable[[], LetterForm | None]  # the open letter's form (None between letters)
    messages: Messages
    parent: QWidget | None = None  # the parts' Qt parent, and what their questions are asked over
