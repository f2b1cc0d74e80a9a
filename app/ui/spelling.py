"""Spell checking in the form's text fields: red wavy underlines and a menu of corrections.

Multi-line fields (QTextEdit, QPlainTextEdit) get a ``QSyntaxHighlighter``; one-line fields
(QLineEdit) get the same underline painted over the field after it paints itself, so every
text field of the letter shows its misspellings the same way. Right-click on an underlined word
offers up to five corrections and "Add to dictionary" above the usual edit menu. The word
lists and the checking live in ``app.services.spelling`` (no Qt).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QLineEdit, QMenu, QPlainTextEdit, QTextEdit, QWidget
from shiboken6 import Shiboken

from app.services.spelling import Misspelling, Speller, words
from app.ui.workers import OpRunner, describe_error

MISSPELT = QColor("#d11a2a")
TextEditor: TypeAlias = QTextEdit | QPlainTextEdit | QLineEdit


def _utf16(text: str, index: int) -> int:
    """A Python string index as Qt counts it (UTF-16 code units)."""
    return index + sum(1 for c in text[:index] if ord(c) > 0xFFFF)


def _from_utf16(text: str, index: int) -> int:
    units = 0
    for i, c in enumerate(text):
        if units >= index:
            return i
        units += 2 if ord(c) > 0xFFFF else 1
    return len(text)


class SpellHighlighter(QSyntaxHighlighter):
    """Underlines the misspelt words of a text document, block by block."""

    def __init__(self, document: QTextDocument, checker: SpellChecking) -> None:
        super().__init__(document)
        self._checker = checker
        self.misspelt_format = QTextCharFormat()
        self.misspelt_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self.misspelt_format.setUnderlineColor(MISSPELT)

    def highlightBlock(self, text: str) -> None:
        for miss in self._checker.misspellings(text):
            start = _utf16(text, miss.start)
            self.setFormat(start, _utf16(text, miss.end) - start, self.misspelt_format)


class _LineUnderliner(QObject):
    """Paints the wavy underline over a QLineEdit, after the field has painted itself."""

    def __init__(self, checker: SpellChecking) -> None:
        super().__init__(checker)
        self._checker = checker

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QPaintEvent) or not isinstance(watched, QLineEdit):
            return False
        misses = self._checker.misspellings(watched.text()) if watched.echoMode() == QLineEdit.EchoMode.Normal else []
        if not misses:
            return False
        watched.paintEvent(event)
        self.paint_underlines(watched, misses)
        return True

    @staticmethod
    def spans(line: QLineEdit, misses: list[Misspelling]) -> list[tuple[int, int, int]]:
        """(x from, x to, y) of each underline, in the field's coordinates."""
        text = line.text()
        metrics = line.fontMetrics()
        cursor = line.cursorRect()
        # The cursor's rectangle is the only public clue to where the (scrolled) text starts.
        origin = cursor.x() + 5 - metrics.horizontalAdvance(text[:line.cursorPosition()])
        y = cursor.top() + metrics.ascent() + 2
        advance = metrics.horizontalAdvance
        return [(origin + advance(text[:m.start]), origin + advance(text[:m.end]), y) for m in misses]

    def paint_underlines(self, line: QLineEdit, misses: list[Misspelling]) -> None:
        painter = QPainter(line)
        try:
            margins = line.textMargins()
            painter.setClipRect(line.contentsRect().adjusted(margins.left() + 1, 0, -margins.right() - 1, 0))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(MISSPELT, 1))
            for x0, x1, y in self.spans(line, misses):
                painter.drawPath(wavy_line(x0, x1, y))
        finally:
            painter.end()


def _fold(text: str) -> str:
    """Text compared without case or the kind of apostrophe (as the speller compares names)."""
    return text.casefold().replace("\u2019", "'").replace("\u02bc", "'")


def _name_words(name: str) -> frozenset[str]:
    return frozenset(word for _s, _e, word in words(name or ""))


def _whole_words(found: set[str]) -> re.Pattern[str]:
    """Any of ``found`` as a whole word of a folded text."""
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(_fold(w)) for w in sorted(found)) + r")(?!\w)")


def wavy_line(x0: float, x1: float, y: float, amplitude: float = 1.5, period: float = 4.0) -> QPainterPath:
    path = QPainterPath(QPointF(x0, y))
    x, up = x0, True
    while x < x1:
        x = min(x + period / 2, x1)
        path.lineTo(QPointF(x, y - amplitude if up else y + amplitude))
        up = not up
    return path


class SpellChecking(QObject):
    """The window's spell checker: loads the word lists off the GUI thread, then checks every field.

    A letter is checked in its pack's language (``set_language``): one speller per language, each
    loaded the first time a letter in that language is open and kept for the session, so going
    back and forth between packs reads no list twice."""

    ready = Signal()
    changed = Signal()  # the dictionary or the letter's names changed: fields are checked again

    def __init__(self, runner: OpRunner, dictionary: Path | None,
                 accepted: list[str] | None = None, on_error: Callable[[str], None] | None = None) -> None:
        super().__init__(runner)
        self.speller: Speller | None = None  # the open letter's language's, once it is loaded
        self._spellers: dict[str, Speller] = {}
        self._loading: set[str] = set()
        self.language = "en"
        self._runner = runner
        self._on_error = on_error
        self._names: list[str] = []
        self._words_of: dict[str, frozenset[str]] = {}
        self._name_words: set[str] = set()
        self._highlighters: list[SpellHighlighter] = []
        self._lines: list[QLineEdit] = []
        self._underliner = _LineUnderliner(self)
        self._dictionary = dictionary
        self._accepted = list(accepted or [])
        self._started = False

    def start(self) -> None:
        """Load the word lists (once): at start-up only after the letter is on screen, as the word list
        takes longer to read than the window to open."""
        if self._started:
            return
        self._started = True
        self._load(self.language)

    def set_language(self, language: str) -> None:
        """The open letter's pack declares ``language``: check its fields in that language from now on.
        Until that language's list is read (off the GUI thread) nothing is underlined, rather than
        every word of a Spanish letter in the English list's red."""
        if language == self.language:
            return
        self.language = language
        self.speller = self._spellers.get(language)
        if self.speller is not None:
            self.speller.set_names(self._names)
        elif self._started:
            self._load(language)
        self.recheck()

    def _load(self, language: str) -> None:
        if language in self._spellers or language in self._loading:
            return
        self._loading.add(language)
        dictionary = self._dictionary

        def load() -> Speller:
            # The compact English list is kept beside the court's dictionary, in the data folder's cache.
            return Speller(dictionary, cache=dictionary.parent / "cache" if dictionary is not None else None,
                           language=language)

        def failed(exc: BaseException) -> None:
            self._loading.discard(language)
            self._error(describe_error(exc))

        self._runner.run(load, lambda speller: self._loaded(language, speller), failed)

    @property
    def started(self) -> bool:
        return self._started

    @property
    def loaded(self) -> bool:
        """The open letter's language's list is read: its fields are being checked."""
        return self.speller is not None

    def _loaded(self, language: str, speller: Speller) -> None:
        self._loading.discard(language)
        speller.accept(self._accepted)  # here, as the list may have changed while it was read
        self._spellers[language] = speller
        if language != self.language:
            return  # another pack's letter is open now: kept for when one in this language is
        speller.set_names(self._names)
        self.speller = speller
        self.ready.emit()
        self.recheck()

    def _error(self, message: str) -> None:
        if self._on_error is not None:
            self._on_error(message)

    def misspellings(self, text: str) -> list[Misspelling]:
        speller = self.speller
        return speller.misspellings(text) if speller is not None and text else []

    def suggestions(self, word: str) -> list[str]:
        return self.speller.suggestions(word) if self.speller is not None else []

    # -- fields -------------------------------------------------------------------------------
    def attach(self, editor: TextEditor) -> None:
        """Check ``editor`` from now on (and offer corrections on right-click)."""
        if editor.property("spell-checked"):
            return
        editor.setProperty("spell-checked", True)
        editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        editor.customContextMenuRequested.connect(lambda pos, e=editor: self._show_menu(e, pos))
        if isinstance(editor, QLineEdit):
            editor.installEventFilter(self._underliner)
            self._lines.append(editor)
        else:
            self._highlighters.append(SpellHighlighter(editor.document(), self))

    def recheck(self, only_with: set[str] | None = None) -> None:
        """Underline every field again (or, given ``only_with``, the fields whose text has one of those words)."""
        self._highlighters = [h for h in self._highlighters if Shiboken.isValid(h) and h.document() is not None]
        self._lines = [line for line in self._lines if Shiboken.isValid(line)]
        if only_with is not None and not only_with:
            return
        having = _whole_words(only_with) if only_with is not None else None
        for highlighter in self._highlighters:
            if having is None or having.search(_fold(highlighter.document().toPlainText())):
                highlighter.rehighlight()
        for line in self._lines:
            line.update()
        self.changed.emit()

    def set_names(self, names: list[str]) -> None:
        """The letter's own names (addressees, signatory) are never underlined."""
        if list(names) == self._names:
            return
        before = self._name_words
        self._names = list(names)
        # Each name's words are kept: typing in one name leaves the other hundred as they were.
        self._words_of = {name: self._words_of.get(name) or _name_words(name) for name in self._names}
        self._name_words = set().union(*self._words_of.values())
        speller = self.speller
        if speller is None:
            return
        # Typing a name changes the letter's names at every key; only a word put into the names or taken
        # out of them whose verdict changes with it ("Kelly" yes, "a" no) can be underlined differently,
        # and only in the fields that hold it (re-colouring all fifty of a long letter's paragraphs at
        # every key took most of the keystroke).
        moved = before ^ self._name_words
        known = {word: speller.is_known(word) for word in moved}
        if speller.set_names(self._names):
            self.recheck(only_with={word for word in moved if speller.is_known(word) != known[word]})

    def accept(self, words: list[str]) -> None:
        self._accepted = list(words)  # a list changed before the word lists are read is read with them
        for speller in self._spellers.values():
            speller.accept(words)
        if self.speller is not None:
            self.recheck()

    def add_to_dictionary(self, word: str) -> None:
        """Accept ``word`` at once; write it to the court's dictionary file off the GUI thread."""
        speller = self.speller
        if speller is None:
            return
        for each in self._spellers.values():  # the court's dictionary is one file for every language
            each.accept([word])
        self.recheck()
        self._runner.run(lambda: speller.add_to_dictionary(word), None,
                         lambda exc: self._error(self.tr("“{word}” was not saved to the dictionary: {error}")
                                                 .format(word=word, error=describe_error(exc))))

    # -- the right-click menu -----------------------------------------------------------------
    def misspelling_at(self, editor: TextEditor, pos: QPoint) -> tuple[Misspelling, Callable[[str], None]] | None:
        """The misspelt word under ``pos`` (in the editor's menu coordinates), and how to replace it."""
        if isinstance(editor, QLineEdit):
            text = editor.text()
            index = _from_utf16(text, editor.cursorPositionAt(pos))
            for miss in self.misspellings(text):
                if miss.start <= index <= miss.end:
                    def replace_line(word: str, m: Misspelling = miss) -> None:
                        editor.setSelection(_utf16(text, m.start), _utf16(text, m.end) - _utf16(text, m.start))
                        editor.insert(word)
                    return miss, replace_line
            return None
        cursor = editor.cursorForPosition(pos)
        block = cursor.block()
        text = block.text()
        index = _from_utf16(text, cursor.positionInBlock())
        for miss in self.misspellings(text):
            if miss.start <= index <= miss.end:
                def replace_text(word: str, m: Misspelling = miss) -> None:
                    edit = QTextCursor(block)
                    edit.setPosition(block.position() + _utf16(text, m.start))
                    edit.setPosition(block.position() + _utf16(text, m.end), QTextCursor.MoveMode.KeepAnchor)
                    edit.insertText(word)
                    editor.setTextCursor(edit)
                return miss, replace_text
        return None

    def menu_for(self, editor: TextEditor, pos: QPoint) -> QMenu:
        """The edit menu for a right-click at ``pos``, with corrections first when the word is misspelt."""
        menu = editor.createStandardContextMenu() if isinstance(editor, QLineEdit) \
            else editor.createStandardContextMenu(pos)
        menu.setParent(editor, menu.windowFlags())
        found = self.misspelling_at(editor, pos)
        if found is None or editor.isReadOnly():
            return menu
        miss, replace = found
        first = menu.actions()[0] if menu.actions() else None
        added: list[QAction] = []
        suggestions = self.suggestions(miss.word)
        for word in suggestions:
            action = QAction(word, menu)
            font = action.font()
            font.setBold(True)
            action.setFont(font)
            action.triggered.connect(lambda _c=False, w=word: replace(w))
            added.append(action)
        if not suggestions:
            none = QAction(self.tr("(no suggestions)"), menu)
            none.setEnabled(False)
            added.append(none)
        add = QAction(self.tr("Add “{word}” to dictionary").format(word=miss.word), menu)
        add.setObjectName("spell-add-to-dictionary")
        add.triggered.connect(lambda _c=False, w=miss.word: self.add_to_dictionary(w))
        added.append(add)
        if first is None:
            menu.addActions(added)
        else:
            menu.insertActions(first, added)
            menu.insertSeparator(first)
        return menu

    def _show_menu(self, editor: TextEditor, pos: QPoint) -> None:
        menu = self.menu_for(editor, pos)
        target: QWidget = editor if isinstance(editor, QLineEdit) else editor.viewport()
        menu.exec(target.mapToGlobal(pos))
        menu.deleteLater()
