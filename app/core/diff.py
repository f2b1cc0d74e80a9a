"""Changes since the last review: field by field, and word by word over the rendered text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class FieldChange:
    path: str                 # e.g. "concerns[1]" or "addressees[0].title"
    before: Any               # None when added
    after: Any                # None when removed

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flatten(item, f"{path}[{i}]", out)
        if not value:
            out[path] = []
    else:
        out[path] = value


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Every leaf that differs between two letters, in the order of the later letter."""
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    _flatten(before, "", a)
    _flatten(after, "", b)
    changes = []
    for path in [*b, *(p for p in a if p not in b)]:
        old, new = a.get(path), b.get(path)
        if old != new:
            changes.append(FieldChange(path, old, new))
    return changes


_TOKEN = re.compile(r"\s+|\w+(?:['\u2019]\w+)*|[^\w\s]")


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class WordDiff:
    """The rendered text with deletions and insertions marked, paragraph by paragraph."""

    lines: list[str]
    inserted: int
    deleted: int

    def __str__(self) -> str:
        return "\n".join(self.lines)


def word_diff(before: list[str], after: list[str]) -> WordDiff:
    """Paragraphs aligned with difflib, then words within changed paragraphs.

    Deleted words are shown as ``[-words-]``, inserted ones as ``{+words+}`` (git's word diff).
    """
    lines: list[str] = []
    inserted = deleted = 0
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        old_block, new_block = before[a0:a1], after[b0:b1]
        if op == "replace" and len(old_block) == len(new_block):
            pairs = list(zip(old_block, new_block, strict=True))
        else:
            pairs = [(p, "") for p in old_block] + [("", p) for p in new_block]
        for old, new in pairs:
            line, ins, dels = _inline(old, new)
            lines.append(line)
            inserted += ins
            deleted += dels
    return WordDiff(lines, inserted, deleted)


def word_segments(old: str, new: str) -> list[tuple[str, str]]:
    """``new`` against ``old`` word by word: ("", kept) | ("-", removed) | ("+", added), in reading
    order, a removal before the addition that replaces it; the texts joined give both paragraphs."""
    a, b = _words(old), _words(new)
    out: list[tuple[str, str]] = []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("", "".join(a[a0:a1])))
            continue
        if a1 > a0:
            out.append(("-", "".join(a[a0:a1])))
        if b1 > b0:
            out.append(("+", "".join(b[b0:b1])))
    return out


def _inline(old: str, new: str) -> tuple[str, int, int]:
    out: list[str] = []
    ins = dels = 0
    for kind, text in word_segments(old, new):
        if kind == "-":
            out.append("[-" + text + "-]")
            dels += sum(1 for w in _words(text) if not w.isspace())
        elif kind == "+":
            out.append("{+" + text + "+}")
            ins += sum(1 for w in _words(text) if not w.isspace())
        else:
            out.append(text)
    return "".join(out), ins, dels
