"""Spell checking for the letter's text fields, offline and without Qt.

The words come from three lists: the English word list shipped with ``pyspellchecker`` (no
network, no system dictionary), ``resources/words/legal.txt`` (court and Latin terms the general
list lacks) and the court's own ``dictionary.txt`` in the data folder, which "Add to dictionary"
appends to. The names in the letter itself (addressees, signatory) are accepted too, so
"Cantil-Sakauye" is never underlined in a letter she signs.

A word is checked once and the answer cached, so a paragraph is checked in well under 5 ms
and the editors can check every block on every keystroke.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "words"
LEGAL_WORDS = RESOURCES / "legal.txt"
DICTIONARY_FILE = "dictionary.txt"
MAX_SUGGESTIONS = 5

# Letters with inner apostrophes ("court's", "wouldn’t"); hyphens, digits and punctuation split words.
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Addresses, links and file names are not prose: their parts are never checked.
_SKIP = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+|\b\S+\.(?:gov|com|org|net|edu|us|docx|pdf)\b", re.IGNORECASE)
_APOSTROPHES = str.maketrans({"’": "'"})


@dataclass(frozen=True)
class Misspelling:
    """A word not in any list, as its place in the text checked."""

    start: int
    end: int
    word: str


def words(text: str) -> list[tuple[int, int, str]]:
    """The words of ``text`` worth checking, with their positions (start, end)."""
    skipped = [(m.start(), m.end()) for m in _SKIP.finditer(text)] if ("@" in text or "." in text) else []
    out = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        if skipped and any(a <= start < b for a, b in skipped):
            continue
        out.append((start, end, match.group()))
    return out


def _read_words(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class Speller:
    """Says which words are misspelt and what they might be; safe to share between threads."""

    def __init__(self, user_dictionary: Path | None = None, extra_lists: Iterable[Path] = (LEGAL_WORDS,)) -> None:
        self.user_dictionary = user_dictionary
        self._lock = threading.Lock()
        self._engine: Any = None
        self.available = False
        self.why_unavailable = ""
        self._lower: set[str] = set()  # accepted in any case (beyond the English word list)
        self._words: Mapping[str, int] = {}
        self._exact: set[str] = set()  # accepted only as written (names, acronyms)
        self._names: set[str] = set()
        self._cache: dict[str, bool] = {}
        try:
            from spellchecker import SpellChecker
        except ImportError:
            self.why_unavailable = "the English word list (pyspellchecker) is not installed"
            return
        self._engine = SpellChecker(distance=1)
        # The engine's own word counts answer "is it a word" (a copy as a set cost 8 MB of the window's memory).
        self._words = self._engine.word_frequency.dictionary
        for path in extra_lists:
            self._learn(_read_words(path))
        if user_dictionary is not None:
            self._learn(_read_words(user_dictionary))
        self.available = True

    def _learn(self, entries: Iterable[str]) -> None:
        plain = []
        for entry in entries:
            word = entry.translate(_APOSTROPHES)
            if word.lower() == word:
                self._lower.add(word)
                plain.append(word)
            else:
                self._exact.add(word)
        if plain and self._engine is not None:
            self._engine.word_frequency.load_words(plain)

    # -- checking -----------------------------------------------------------------------------
    def is_known(self, word: str) -> bool:
        cached = self._cache.get(word)
        if cached is None:
            cached = self._cache[word] = self._check(word)
        return cached

    def _check(self, word: str) -> bool:
        if not self.available:
            return True
        w = word.translate(_APOSTROPHES)
        if w in self._exact or w in self._names:
            return True
        if len(w) > 1 and w.isupper():
            return True  # an acronym (ICE, DHS) is the writer's business
        lower = w.lower()
        if self._known(lower):
            return True
        if lower.endswith("'s") and len(w) > 2:
            return self._check(w[:-2])  # the possessive of a known word or name
        stem = lower[:-1] if lower.endswith("s") else ""
        return len(stem) > 2 and self._known(stem)  # plurals the list lacks ("detainers")

    def _known(self, lower: str) -> bool:
        return lower in self._lower or lower in self._words

    def misspellings(self, text: str) -> list[Misspelling]:
        """The misspelt words of ``text`` (a paragraph, a line), in order."""
        return [Misspelling(s, e, w) for s, e, w in words(text) if not self.is_known(w)]

    def suggestions(self, word: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
        """Up to ``limit`` likely corrections, the likeliest first, in the word's own case."""
        if not self.available or not word:
            return []
        lower = word.translate(_APOSTROPHES).lower()
        with self._lock:  # the engine's caches are not made for threads
            found = self._engine.candidates(lower) or set()
            if not found and len(lower) <= 12:
                self._engine.distance = 2
                try:
                    found = self._engine.candidates(lower) or set()
                finally:
                    self._engine.distance = 1
            ranked = sorted((c for c in found if c != lower),
                            key=lambda c: (-self._engine.word_usage_frequency(c), c))
        return [_same_case(word, c) for c in ranked[:limit]]

    # -- the court's dictionary and the letter's names ----------------------------------------
    def add_to_dictionary(self, word: str) -> None:
        """Accept ``word`` from now on, and keep it in the court's dictionary file."""
        word = word.strip()
        if not word or any(c.isspace() for c in word):
            raise ValueError("only a single word can be added to the dictionary")
        self._learn([word])
        self._cache.clear()
        if self.user_dictionary is None:
            return
        with self._lock:
            self.user_dictionary.parent.mkdir(parents=True, exist_ok=True)
            existing = set(_read_words(self.user_dictionary))
            if word in existing:
                return
            needs_newline = self.user_dictionary.exists() and not self.user_dictionary.read_bytes().endswith(b"\n") \
                and self.user_dictionary.stat().st_size > 0
            with self.user_dictionary.open("a", encoding="utf-8") as out:
                out.write(("\n" if needs_newline else "") + word + "\n")

    def accept(self, entries: Iterable[str]) -> None:
        """Accept these words for this session without writing them anywhere."""
        self._learn([e for e in entries if e.strip()])
        self._cache.clear()

    def set_names(self, names: Iterable[str]) -> bool:
        """Accept the words of these names (the letter's people); True if that changed anything."""
        found = {w.translate(_APOSTROPHES) for name in names for _s, _e, w in words(name or "")}
        if found == self._names:
            return False
        self._names = found
        self._cache.clear()
        return True


def _same_case(original: str, suggestion: str) -> str:
    if original.isupper() and len(original) > 1:
        return suggestion.upper()
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def letter_names(data: dict[str, Any]) -> list[str]:
    """The names a letter's own data vouches for: its addressees, signatory, court and cc."""
    names: list[str] = []
    for addressee in data.get("addressees") or []:
        if isinstance(addressee, dict):
            names += [str(addressee.get(k) or "") for k in ("name", "organization", "salutation")]
            names += [str(line) for line in addressee.get("address") or []]
    signatory = data.get("signatory") or {}
    sender = data.get("sender") or {}
    if isinstance(signatory, dict):
        names.append(str(signatory.get("name") or ""))
    if isinstance(sender, dict):
        names.append(str(sender.get("court") or ""))
        names += [str(line) for line in sender.get("address") or []]
    names += [str(v) for v in data.get("cc") or []]
    return names
