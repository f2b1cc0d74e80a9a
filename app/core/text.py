"""Cleaning of text typed or pasted by a clerk, before it is stored or rendered.

Word documents are XML: characters XML 1.0 forbids (most C0 controls, lone surrogates,
U+FFFE/U+FFFF) would make a file Word refuses to open. They are removed, and every removal
is reported so the clerk is told what changed and where; nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest paragraph or field we accept. A long concern runs to a few thousand characters;
#: this leaves room for pasted text while keeping a hostile input from exhausting memory.
MAX_TEXT_LENGTH = 20_000

# XML 1.0 Char production, minus the characters we handle ourselves (\t \n \r).
_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]",
)
_NAMES = {
    "\x07": "bell character (\\a)",
    "\x0c": "page-break character (\\f)",
    "\x0b": "vertical tab",
    "\x00": "NUL character",
}


@dataclass(frozen=True)
class Removal:
    """Something cleaning took out of a piece of text."""

    path: str
    what: str
    count: int

    def __str__(self) -> str:
        times = "once" if self.count == 1 else f"{self.count} times"
        where = self.path or "text"
        return f"{where}: removed {self.what} ({times})"


def _describe(ch: str) -> str:
    if ch in _NAMES:
        return _NAMES[ch]
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return f"unpaired surrogate U+{code:04X}"
    return f"control character U+{code:04X}"


def clean_text(value: str, path: str = "", limit: int = MAX_TEXT_LENGTH) -> tuple[str, list[Removal]]:
    """Return ``value`` made safe for a Word document, and what was removed from it.

    CR and CRLF become LF (a line break inside the paragraph); characters XML cannot hold are
    removed; text beyond ``limit`` characters is cut. Idempotent: cleaning clean text changes
    nothing.
    """
    removals: list[Removal] = []
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    found: dict[str, int] = {}
    for match in _ILLEGAL.finditer(text):
        found[match.group()] = found.get(match.group(), 0) + 1
    if found:
        text = _ILLEGAL.sub("", text)
        for ch, count in found.items():
            removals.append(Removal(path, _describe(ch), count))
    if len(text) > limit:
        over = len(text) - limit
        characters = "1 character" if over == 1 else f"{over:,} characters"
        removals.append(Removal(path, f"{characters} past the {limit:,}-character limit", 1))
        text = text[:limit]
    return text, removals


def is_clean(value: str, limit: int = MAX_TEXT_LENGTH) -> bool:
    """True when ``clean_text`` would leave ``value`` unchanged."""
    return "\r" not in value and len(value) <= limit and _ILLEGAL.search(value) is None
