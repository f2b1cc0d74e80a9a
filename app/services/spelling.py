"""Spell checking for the letter's text fields, offline and without Qt.

A letter is checked in its pack's language (``language:`` in the manifest). In English the words
come from three lists: the English word list shipped with ``pyspellchecker`` (no network, no
system dictionary), ``resources/words/legal.txt`` (court and Latin terms the general list lacks)
and the court's own ``dictionary.txt`` in the data folder, which "Add to dictionary" appends to.
In Spanish, the Spanish dictionary ``pyspellchecker`` ships takes the English list's place (the
legal list is English and is left out); the court's dictionary is the same file. The names in
the letter itself (addressees, signatory) are accepted too, so "Cantil-Sakauye" is never
underlined in a letter she signs.

A word is checked once and the answer cached, so a paragraph is checked in well under 5 ms
and the editors can check every block on every keystroke.
"""

from __future__ import annotations

import bisect
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import threading
from array import array
from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import hostos
from app.core.files import atomic_write, make_private_folder
from app.resources import shipped_file

LEGAL_WORDS = shipped_file("words", "legal.txt")
DICTIONARY_FILE = "dictionary.txt"
MAX_SUGGESTIONS = 5
# The English list is about 2.2 MB; a kept file much larger is not ours and is not read whole.
MAX_WORD_LIST_BYTES = 16 * 1024 * 1024
#: The languages a pack may declare, each with the word lists of the court added to the library's.
LANGUAGES = ("en", "es")
_COURT_LISTS: dict[str, tuple[Path, ...]] = {"en": (LEGAL_WORDS,), "es": ()}

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


class WordList:
    """The English word list as one sorted block of words, found by bisection.

    pyspellchecker keeps its 160,000 words as a dictionary of counts: 26 MB of the window's memory
    (38 MB at its peak while loading, measured), most of what kept the window over 200 MB with the
    Page view open. Here the words are one ``bytes`` of about 1.5 MB with an index of where each
    starts, read from a file made once per installation (``build``, in a process of its own, so the
    window never holds the library's dictionary); a lookup is about 20 comparisons. The library is
    still what suggests corrections, loaded the first time a suggestion is asked for.
    """

    MAGIC = b"CHW2"  # CHW1 carried its own hash, which a forger could write as well as the list

    def __init__(self, blob: bytes, offsets: array) -> None:
        self._blob = blob
        self._offsets = offsets  # n + 1 entries: word i is blob[offsets[i]:offsets[i + 1] - 1]
        self._count = len(offsets) - 1

    def __len__(self) -> int:
        return self._count

    def _word(self, i: int) -> bytes:
        return self._blob[self._offsets[i]:self._offsets[i + 1] - 1]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = word.encode("utf-8")
        i = bisect.bisect_left(range(self._count), key, key=self._word)
        return i < self._count and self._word(i) == key

    @classmethod
    def of(cls, words: Iterable[str]) -> WordList:
        ordered = sorted({w.encode("utf-8") for w in words if w and "\n" not in w})
        offsets = array("I", [0])
        for word in ordered:
            offsets.append(offsets[-1] + len(word) + 1)
        return cls(b"".join(w + b"\n" for w in ordered), offsets)

    def to_bytes(self) -> bytes:
        return self.MAGIC + len(self._offsets).to_bytes(4, "little") + self._offsets.tobytes() + self._blob

    @classmethod
    def from_bytes(cls, data: bytes) -> WordList | None:
        """The list ``data`` holds, or None when it is not laid out as one. Whether it is the list
        Chambers made is for its hash, kept beside it (``read_word_list``), to say."""
        if data[:4] != cls.MAGIC or len(data) < 8:
            return None
        count = int.from_bytes(data[4:8], "little")
        offsets = array("I")
        if offsets.itemsize != 4 or count < 1 or 8 + 4 * count > len(data):
            return None
        offsets.frombytes(data[8:8 + 4 * count])
        if sys.byteorder != "little":
            offsets.byteswap()
        blob = data[8 + 4 * count:]
        return cls(blob, offsets) if offsets[0] == 0 and offsets[-1] == len(blob) else None


def english_words() -> list[str]:
    """pyspellchecker's English words (lower case), as its own dictionary holds them."""
    from spellchecker import SpellChecker

    return list(SpellChecker(distance=1).word_frequency.keys())


def word_list_file(cache: Path) -> Path:
    from importlib.metadata import version

    return cache / f"words-en-pyspellchecker-{version('pyspellchecker')}.bin"


def cached_word_list(cache: Path) -> WordList | None:
    """The compact English word list kept in ``cache``, made there first (in a process of its own) if
    it is not; None when it can be neither read nor made (the caller then loads the library's)."""
    try:
        path = word_list_file(cache)
    except Exception:
        return None
    for attempt in range(2):
        found = read_word_list(path)
        if found is not None:
            return found
        if attempt == 0:
            try:
                subprocess.run([sys.executable, "-m", "app.services.spelling", "--build-word-list", str(path)],
                               check=True, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
            except (OSError, subprocess.SubprocessError):
                return None
    return None


def digest_file(path: Path) -> Path:
    """Where the hash and size of the word list at ``path`` are kept: beside it, never inside it."""
    return path.with_suffix(".sha256")


def read_word_list(path: Path) -> WordList | None:
    """The kept list, if it is the very one Chambers made: a regular file (never a FIFO, device or
    link, which are not opened), at most MAX_WORD_LIST_BYTES, whose size and SHA-256 are those
    written beside it when it was made. None otherwise (the caller makes it again)."""
    try:
        kept = json.loads(hostos.read_regular(digest_file(path), 4096))
        data = hostos.read_regular(path, MAX_WORD_LIST_BYTES)
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("size") != len(data) or \
            kept.get("sha256") != hashlib.sha256(data).hexdigest():
        return None
    return WordList.from_bytes(data)


def keep_word_list(path: Path, words: WordList) -> None:
    """Write ``words`` at ``path`` and its hash beside it (the list first: a list whose hash is
    missing or stale is simply made again)."""
    data = words.to_bytes()
    if len(data) > MAX_WORD_LIST_BYTES:
        raise ValueError(f"the word list is {len(data):,} bytes; at most {MAX_WORD_LIST_BYTES:,} are kept")
    make_private_folder(path.parent)
    atomic_write(path, data, durable=False)
    digest = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    atomic_write(digest_file(path), json.dumps(digest).encode("utf-8"), durable=False)


def build_word_list(path: Path) -> None:
    keep_word_list(path, WordList.of(english_words()))


# A written accent the singular has and its plural loses (nación, naciones; alemán, alemanes).
_STRESSED = str.maketrans("aeiou", "áéíóú")
_UNSTRESSED = str.maketrans("áéíóú", "aeiou")
_SPANISH_VOWELS = frozenset("aeiouáéíóú")


def spanish_singulars(lower: str) -> list[str]:
    """The singulars a regular Spanish plural may come from, by the RAE's rules for the plural
    (-s after a vowel, -es after a consonant, -z to -ces, the accent that comes or goes with the
    extra syllable). pyspellchecker's Spanish dictionary holds few plurals ("tribunal" but not
    "tribunales", "persona" but not "personas"), so without this most nouns of a letter would be
    underlined; the English list holds its plurals, and this is for Spanish only."""
    found: list[str] = []
    if len(lower) < 4 or not lower.endswith("s"):
        return found
    if lower[-2] in _SPANISH_VOWELS:
        found.append(lower[:-1])  # personas, víctimas, hijos, papás
    if lower.endswith("ces"):
        found.append(lower[:-3] + "z")  # veces, luces
    if lower.endswith("es"):
        stem = lower[:-2]
        found.append(stem)  # tribunales, leyes
        found.append(stem.translate(_UNSTRESSED))  # órdenes, jóvenes: the plural adds the accent
        last = max(stem.rfind(v) for v in "aeiou")
        if last >= max(0, len(stem) - 2):  # naciones: the singular's last syllable carries the accent
            found.append(stem[:last] + stem[last].translate(_STRESSED) + stem[last + 1:])
    return found


# The regular conjugations, each ending with the infinitives it may come from. pyspellchecker's
# Spanish dictionary holds a verb's infinitive and few of its forms ("solicitar", not "solicitan"),
# and no package we may ship has Spanish inflection without a native Hunspell library, so the
# regular paradigm is written out here; a form is accepted only when its infinitive is a known word.
_AR, _ER_IR, _ANY = ("ar",), ("er", "ir"), ("ar", "er", "ir")
_VERB_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(sorted({
    **{e: _ANY for e in ("o", "as", "a", "an", "es", "e", "en", "amos", "emos", "áis", "éis")},
    **{e: _AR for e in ("aba", "abas", "ábamos", "abais", "aban", "é", "aste", "ó", "asteis", "aron", "ando",
                        "ado", "ada", "ados", "adas", "ara", "aras", "áramos", "aran", "ase", "asen")},
    **{e: _ER_IR for e in ("ía", "ías", "íamos", "íais", "ían", "í", "iste", "ió", "imos", "isteis", "ieron",
                           "iendo", "yendo", "ido", "ida", "idos", "idas", "iera", "ieras", "iéramos", "ieran",
                           "iese", "iesen", "ís")},
}.items(), key=lambda item: -len(item[0])))
# The future and the conditional are the infinitive itself with an ending ("conversaría").
_ON_THE_INFINITIVE = ("é", "ás", "á", "emos", "éis", "án", "ía", "ías", "íamos", "íais", "ían")
# Pronouns joined to an infinitive or a gerund ("detenerlos", "diciéndole").
_ENCLITICS = ("selos", "selas", "selo", "sela", "los", "las", "les", "nos", "lo", "la", "le", "me", "te", "se", "os")


def _stems(stem: str) -> list[str]:
    """The stem as the infinitive spells it: vowel changes (niegan, resuelven, pido), -zco
    (agradezco), -y- (incluyen), -g- (exponga, salgan) and the spelling of c, g and z before e
    (busqué, llegué, crucé)."""
    found = [stem]
    for written, plain in (("ie", "e"), ("ue", "o"), ("i", "e"), ("zc", "c"), ("y", ""), ("qu", "c"),
                           ("gu", "g"), ("c", "z"), ("j", "g"), ("g", "gu"), ("ng", "n"), ("lg", "l")):
        at = stem.rfind(written)
        if at >= 0 and at >= len(stem) - len(written) - 3:
            found.append(stem[:at] + plain + stem[at + len(written):])
    return found


def spanish_infinitives(lower: str) -> list[str]:
    """The infinitives a regular (or regularly stem-changing) verb form may come from."""
    found: list[str] = []
    for ending in _ON_THE_INFINITIVE:
        if lower.endswith(ending) and lower[:-len(ending)].endswith(("ar", "er", "ir")):
            found.append(lower[:-len(ending)])
    for ending, infinitives in _VERB_ENDINGS:
        stem = lower[:-len(ending)]
        if lower.endswith(ending) and len(stem) >= 2:
            found += [s + i for s in _stems(stem) for i in infinitives]
    for pronoun in _ENCLITICS:
        base = lower[:-len(pronoun)].translate(_UNSTRESSED)
        if lower.endswith(pronoun) and base.endswith(("ar", "er", "ir")) and len(base) > 3:
            found.append(base)
        elif lower.endswith(pronoun) and base.endswith(("ando", "iendo")):
            found += spanish_infinitives(base)
    return found


class Speller:
    """Says which words are misspelt and what they might be; safe to share between threads.

    ``language``: the letter's (a pack's ``language``), "en" or "es". ``cache``: a folder where the
    compact English word list is kept between starts (the window's data folder); without one, or
    in Spanish, the library's own dictionary is loaded, as a command does once.
    ``extra_lists``: the court's word lists beside the library's (by default the legal list, in English).
    """

    def __init__(self, user_dictionary: Path | None = None, extra_lists: Iterable[Path] | None = None,
                 cache: Path | None = None, language: str = "en") -> None:
        if language not in LANGUAGES:
            raise ValueError(f"spelling in '{language}' is not offered; the languages are {', '.join(LANGUAGES)}")
        self.language = language
        self.user_dictionary = user_dictionary
        self._lock = threading.Lock()
        self._engine: Any = None
        self.available = False
        self.why_unavailable = ""
        self._lower: set[str] = set()  # accepted in any case (beyond the English word list)
        self._plain: list[str] = []    # those, for the suggestion engine when it is loaded
        self._words: Container[str] = frozenset()
        self._exact: set[str] = set()  # accepted only as written (names, acronyms)
        self._names: set[str] = set()
        self._words_of_name: dict[str, frozenset[str]] = {}
        self._cache: dict[str, bool] = {}
        if importlib.util.find_spec("spellchecker") is None:
            self.why_unavailable = "the word lists (pyspellchecker) are not installed"
            return
        # The compact list is the English one: the Spanish dictionary is a third of its size and is
        # loaded only for a Spanish pack's letter, so the library's own is kept for it.
        compact = cached_word_list(cache) if cache is not None and language == "en" else None
        if compact is not None:
            self._words = compact
        else:
            self._engine = self._new_engine()
            # The engine's own word counts answer "is it a word" (a copy as a set cost 8 MB).
            self._words = self._engine.word_frequency.dictionary
        for path in _COURT_LISTS[language] if extra_lists is None else extra_lists:
            self._learn(_read_words(path))
        if user_dictionary is not None:
            self._learn(_read_words(user_dictionary))
        self.available = True

    def _new_engine(self) -> Any:
        from spellchecker import SpellChecker

        return SpellChecker(language=self.language, distance=1)

    def _suggester(self) -> Any:
        """The library's engine, loaded the first time a correction is asked for (under the lock)."""
        if self._engine is None:
            self._engine = self._new_engine()
            if self._plain:
                self._engine.word_frequency.load_words(self._plain)
        return self._engine

    def _learn(self, entries: Iterable[str]) -> None:
        plain = []
        for entry in entries:
            word = entry.translate(_APOSTROPHES)
            if word.lower() == word:
                self._lower.add(word)
                plain.append(word)
            else:
                self._exact.add(word)
        self._plain.extend(plain)
        if plain and self._engine is not None:
            with self._lock:
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
        if self.language == "es":
            return any(self._known(form) for form in (*spanish_singulars(lower), *spanish_infinitives(lower)))
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
            engine = self._suggester()
            found = engine.candidates(lower) or set()
            if not found and len(lower) <= 12:
                engine.distance = 2
                try:
                    found = engine.candidates(lower) or set()
                finally:
                    engine.distance = 1
            ranked = sorted((c for c in found if c != lower),
                            key=lambda c: (-engine.word_usage_frequency(c), c))
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
        # Each name's words are kept from the last call: the window calls this at every key typed in a
        # name, and a letter to a hundred officials has some five hundred names.
        known, self._words_of_name = self._words_of_name, {}
        for name in names:
            self._words_of_name[name] = known.get(name) or frozenset(
                w.translate(_APOSTROPHES) for _s, _e, w in words(name or ""))
        found = set().union(*self._words_of_name.values())
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


if __name__ == "__main__":  # python -m app.services.spelling --build-word-list PATH (what the window runs once)
    if len(sys.argv) == 3 and sys.argv[1] == "--build-word-list":
        build_word_list(Path(sys.argv[2]))
    else:
        sys.exit("usage: python -m app.services.spelling --build-word-list PATH")
