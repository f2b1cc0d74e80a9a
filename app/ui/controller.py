"""What every part of the window that owns one concern starts from.

A part is built from its collaborators (the session, the document, the desk, a runner, its own
widgets, a ``Messages`` port), never from the window; it talks outward through Qt signals, and the
window calls its lifecycle in a loop (``Lifecycle``). ``tests/ui/test_parts_own_their_state.py`` checks
that no part reaches into the window or into another part's private state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.services.desk import Desk
    from app.ui.form import LetterForm


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
