"""The open letter's content: one owner of its pack, its text, its last check and its Undo history.

``LetterSession`` owns the record (id, version, status) and the order of saves; ``LetterDocument``
owns what the letter says. The text changes only through named edits (``apply_edit`` for what the
clerk did in one field or list, ``replace`` for a change of the whole letter, such as taking parts
of someone else's version), each one Undo step with its own label, as in Qt's undo framework
example: the commands act on the document, and the form is a view that shows it again after an
Undo. Typing in one field merges into one step, as editors do; a move, an addition or a removal is
always a step of its own.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.core.vocabulary import entry_label, is_section
from app.rendering.engine import CompiledPack
from app.services.checking import Check

LetterData = dict[str, Any]

NAMED = {"clean": "Remove characters Word cannot hold", "reload": "Show their version",
         "letterhead": "Use the office's letterhead", "addressees": "Change the addressees"}
TYPING_ID = 1  # QUndoCommand.id() of typing: only commands with the same id are offered a merge


def edit_label(path: str) -> str:
    """What an edit of ``path`` is called in the Edit menu ("Edit concern 2", "Edit the subject")."""
    match = re.fullmatch(r"([a-z_]+)\[(\d+)\](?:\.([a-z_]+))?", path)
    if match:
        key, index = match.group(1), int(match.group(2))
        what = entry_label(key, index) if key == "addressees" or is_section(key) else f"{key} {index + 1}"
        return f"Edit {what}" + (f" ({match.group(3).replace('_', ' ')})" if match.group(3) else "")
    if path in NAMED:
        return NAMED[path]
    if path == "addressees" or is_section(path):
        return f"Change the {path.replace('_', ' ')}"
    return f"Edit the {path.replace('fields.', '').replace('.', ' ').replace('_', ' ')}"


class EditCommand(QUndoCommand):
    """One named edit of the document: the letter before and after it."""

    def __init__(self, document: LetterDocument, before: LetterData, after: LetterData, path: str, label: str,
                 *, typing: bool, shown: bool) -> None:
        super().__init__(label)
        self.document = document
        self.before = before
        self.after = after
        self.path = path
        self.typing = typing
        self._shown = shown  # the view shows ``after`` already (the clerk typed it there)

    def id(self) -> int:
        return TYPING_ID if self.typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or not (self.typing and other.typing) or other.path != self.path:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        shown, self._shown = self._shown, False
        self.document._take(self.after, self.path, show=not shown)

    def undo(self) -> None:
        self.document._take(self.before, self.path, show=True)


class LetterDocument(QObject):
    """The open letter's content. ``content_changed(path)`` after every edit, undo and redo;
    ``replaced`` when the view must show the content again (another letter, an undo, a whole-letter
    change); ``checked(check)`` when a check of the content (preview, preflight) arrived."""

    content_changed = Signal(str)
    replaced = Signal()
    checked = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pack: CompiledPack | None = None
        self._data: LetterData = {}
        self.last_check: Check | None = None
        self.undo_stack = QUndoStack(self)

    @property
    def data(self) -> LetterData:
        """The letter as it stands (the document's own: read it, never change it in place)."""
        return self._data

    def open(self, pack: CompiledPack | None, data: LetterData) -> None:
        """Another letter (or the same one read again): no Undo history, no check yet."""
        self.pack = pack
        self._data = data
        self.last_check = None
        self.undo_stack.clear()
        self.replaced.emit()

    def settle(self, data: LetterData) -> None:
        """The view's reading of what it was given (the form fills in defaults): the same letter, no edit."""
        self._data = data

    def apply_edit(self, path: str, after: LetterData, label: str = "", *, typing: bool = False) -> bool:
        """What the clerk did in the view (which shows ``after`` already): one Undo step; whether it changed."""
        if after == self._data:
            return False
        self.undo_stack.push(EditCommand(self, self._data, after, path, label or edit_label(path),
                                         typing=typing, shown=True))
        return True

    def replace(self, data: LetterData, path: str, label: str = "") -> bool:
        """A change of the whole letter made elsewhere (cleaning, a merge, their version): the view shows
        it; one Undo step; whether it changed."""
        if data == self._data:
            return False
        self.undo_stack.push(EditCommand(self, self._data, data, path, label or edit_label(path),
                                         typing=False, shown=False))
        return True

    def set_check(self, check: Check) -> None:
        self.last_check = check
        self.checked.emit(check)

    def _take(self, data: LetterData, path: str, *, show: bool) -> None:
        self._data = data
        if show:
            self.replaced.emit()
        self.content_changed.emit(path)
